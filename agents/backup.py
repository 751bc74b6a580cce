"""Dump and restore the whole database: `pg_dump`/`pg_restore` for PostgreSQL, SQLite's own
online backup for the embedded database. A restore replaces everything with the dump's contents.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import sqlite3
import subprocess
import tempfile
from pathlib import Path

from django.db import connection


class BackupError(RuntimeError):
    pass


def _pg_tool(name: str) -> str:
    """`pg_dump`/`pg_restore`: CALLFLOOR_PG_BIN, then PATH, then Debian's versioned directories."""
    folder = os.environ.get("CALLFLOOR_PG_BIN")
    if folder and Path(folder, name).exists():
        return str(Path(folder, name))
    found = shutil.which(name)
    if found:
        return found
    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))
    if candidates:
        return candidates[-1]
    raise BackupError(
        f"{name} was not found: install the PostgreSQL client tools or set CALLFLOOR_PG_BIN"
    )


def _pg_args_env() -> tuple[list[str], dict]:
    settings = connection.settings_dict
    env = dict(os.environ)
    if settings.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings["PASSWORD"])  # never on the command line
    args = ["--dbname", str(settings["NAME"])]
    for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
        if settings.get(key):
            args += [flag, str(settings[key])]
    return args, env


def _run(command: list[str], env: dict) -> None:
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise BackupError(result.stderr.strip() or f"{command[0]} failed")


def database_backup(*, path: Path) -> int:
    """Write a consistent dump of the database to `path`; its size in bytes."""
    path = Path(path)
    if connection.vendor == "postgresql":
        args, env = _pg_args_env()
        _run(
            [
                _pg_tool("pg_dump"),
                "--format=custom",
                "--no-owner",
                "--no-privileges",
                "--file",
                str(path),
                *args,
            ],
            env,
        )
    elif connection.vendor == "sqlite":
        connection.ensure_connection()
        target = sqlite3.connect(path)
        try:
            connection.connection.backup(target)
        finally:
            target.close()
    else:
        raise BackupError(f"no backup for a {connection.vendor} database")
    return path.stat().st_size


# Sent to psql after a `pg_restore` that failed part-way: ends a COPY it may have been in, then
# fails, so that psql rolls the whole transaction back (a script cut short would commit).
_ABORT = b"\n\\.\nSELECT 1/0; -- the dump could not be read to its end\n"


def _pg_restore(path: Path) -> None:
    """The dump's SQL (`pg_restore` to a script) run by `psql` in one transaction, after the
    schema `public` is dropped and made again: all or nothing, and nothing of the old
    database left. (`pg_restore --clean` cannot clean a partitioned table: it drops each
    partition's inherited constraints first, which PostgreSQL refuses.)"""
    args, env = _pg_args_env()
    with tempfile.TemporaryFile() as restore_err, tempfile.TemporaryFile() as load_err:
        load = subprocess.Popen(
            [
                _pg_tool("psql"),
                "--no-psqlrc",
                "--quiet",
                "--set=ON_ERROR_STOP=1",
                "--single-transaction",
                "--command=DROP SCHEMA IF EXISTS public CASCADE",
                "--command=CREATE SCHEMA public",
                "--file=-",
                *args,
            ],
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=load_err,
        )
        script = subprocess.Popen(
            [_pg_tool("pg_restore"), "--no-owner", "--no-privileges", "--file=-", str(path)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=restore_err,
        )
        try:
            while chunk := script.stdout.read(1 << 16):
                load.stdin.write(chunk)
            made = script.wait()
            if made != 0:
                load.stdin.write(_ABORT)
        except BrokenPipeError:  # psql stopped at an error: it rolled back
            made = script.wait()
        finally:
            script.stdout.close()
            with contextlib.suppress(BrokenPipeError):
                load.stdin.close()
        loaded = load.wait()
        if made != 0:
            restore_err.seek(0)
            raise BackupError(restore_err.read().decode().strip() or "pg_restore failed")
        if loaded != 0:
            load_err.seek(0)
            raise BackupError(load_err.read().decode().strip() or "psql failed")


def database_restore(*, path: Path) -> None:
    """Replace the database's contents with the dump at `path`."""
    path = Path(path)
    if not path.is_file():
        raise BackupError(f"{path} is not a file")
    connection.close()
    if connection.vendor == "postgresql":
        _pg_restore(path)
    elif connection.vendor == "sqlite":
        source = sqlite3.connect(path)
        try:
            connection.ensure_connection()
            source.backup(connection.connection)
        finally:
            source.close()
    else:
        raise BackupError(f"no restore for a {connection.vendor} database")
    connection.close()
