"""Run a command with a throwaway PostgreSQL cluster and Redis server.

    python -m tests.services -- pytest ...

Both servers come from this machine's binaries, listen on free loopback ports, keep their data
in a temporary directory and are stopped (and the directory removed) however the command ends.
The command sees DATABASE_URL, REDIS_URL and CALLFLOOR_TEST_* variables describing them.
"""

from __future__ import annotations

import glob
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

PACKAGES = {"initdb": "postgresql", "pg_ctl": "postgresql", "redis-server": "redis-server"}


def find_binary(name: str, *, resolve: bool = False) -> str:
    found = shutil.which(name)
    if found:
        # PostgreSQL: resolve links so the cluster's other tools (createdb) are found beside it.
        # Redis must keep its name: redis-server links to a binary that acts by its argv[0].
        return os.path.realpath(found) if resolve else found
    # Debian keeps the server binaries off PATH, one directory per major version.
    candidates = sorted(
        glob.glob(f"/usr/lib/postgresql/*/bin/{name}"),
        key=lambda p: int(Path(p).parts[4]) if Path(p).parts[4].isdigit() else 0,
    )
    if candidates:
        return candidates[-1]
    raise SystemExit(
        f"tests.services: '{name}' was not found. Install the Debian package "
        f"'{PACKAGES[name]}' (apt-get install {PACKAGES[name]})."
    )


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for_port(port: int, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit(f"tests.services: nothing listens on port {port} after {timeout:.0f} s")


class Postgres:
    """A PostgreSQL cluster in a temporary directory, run as an unprivileged user if we are root."""

    def __init__(self, root: Path) -> None:
        self.initdb = find_binary("initdb", resolve=True)
        self.pg_ctl = find_binary("pg_ctl", resolve=True)
        self.data = root / "pgdata"
        self.socket_dir = root / "pgsock"
        self.log = root / "postgres.log"
        self.port = free_port()
        self.prefix: list[str] = []
        if os.geteuid() == 0:
            # PostgreSQL refuses to run as root.
            user = "postgres"
            try:
                pwd.getpwnam(user)
            except KeyError:
                user = "nobody"
            self.prefix = ["runuser", "-u", user, "--"]
            entry = pwd.getpwnam(user)
            for path in (root,):
                os.chown(path, entry.pw_uid, entry.pw_gid)
        self.socket_dir.mkdir()
        if self.prefix:
            entry = pwd.getpwnam(self.prefix[2])
            os.chown(self.socket_dir, entry.pw_uid, entry.pw_gid)

    def _run(self, *args: str) -> None:
        subprocess.run([*self.prefix, *args], check=True, stdout=subprocess.DEVNULL)

    def start(self) -> None:
        if not self.data.exists():
            self._run(
                self.initdb,
                "-D",
                str(self.data),
                "-U",
                "callfloor",
                "--auth=trust",
                "-E",
                "UTF8",
                "--no-sync",
                "--locale=C",
            )
        options = " ".join(
            [
                f"-p {self.port}",
                f"-k {self.socket_dir}",
                "-c listen_addresses=127.0.0.1",
                # A throwaway cluster does not need crash safety; it needs speed.
                "-c fsync=off",
                "-c synchronous_commit=off",
                "-c full_page_writes=off",
                "-c max_connections=300",
            ]
        )
        self._run(
            self.pg_ctl,
            "-D",
            str(self.data),
            "-l",
            str(self.log),
            "-o",
            options,
            "-w",
            "-t",
            "60",
            "start",
        )
        wait_for_port(self.port)

    def stop(self, mode: str = "immediate") -> None:
        """Stop the server (`immediate`: at once, as a crash; `fast`: a clean shutdown)."""
        subprocess.run(
            [*self.prefix, self.pg_ctl, "-D", str(self.data), "-m", mode, "-w", "stop"],
            check=False,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def createdb(self, name: str = "callfloor") -> None:
        subprocess.run(
            [
                *self.prefix,
                str(Path(self.pg_ctl).with_name("createdb")),
                "-h",
                "127.0.0.1",
                "-p",
                str(self.port),
                "-U",
                "callfloor",
                name,
            ],
            check=True,
        )

    def tool(self, name: str) -> str:
        """Another program of this PostgreSQL (pg_dump, pg_restore, psql)."""
        return str(Path(self.pg_ctl).with_name(name))

    @property
    def url(self) -> str:
        return f"postgres://callfloor@127.0.0.1:{self.port}/callfloor"


class Redis:
    def __init__(self, root: Path) -> None:
        self.binary = find_binary("redis-server")
        self.port = free_port()
        self.root = root
        self.process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            [
                self.binary,
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.root),
                "--protected-mode",
                "yes",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"


def celery_worker_command(name: str = "worker@%h") -> list[str]:
    """A real Celery worker of the project: one process (solo pool), quiet, no gossip; it
    serves the floor's queue and the default one (production runs a worker for each)."""
    return [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "callfloor",
        "worker",
        "-Q",
        "floor,celery",
        "--pool=solo",
        "--loglevel=WARNING",
        "--without-gossip",
        "--without-mingle",
        "-n",
        name,
    ]


def start_celery_worker(
    *,
    name: str = "worker@%h",
    database: str | None = None,
    wait: bool = True,
    stdout=subprocess.DEVNULL,
    timeout: float = 60.0,
) -> subprocess.Popen:
    """Start a Celery worker on the Redis broker of REDIS_URL (tasks not eager).

    `database`: the name of the database it reads (a test database) instead of DATABASE_URL's.
    `wait`: return once it answers a ping (needs Django set up in the caller).
    """
    from urllib.parse import urlsplit, urlunsplit

    env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="0")
    if database:
        url = urlsplit(os.environ["DATABASE_URL"])
        env["DATABASE_URL"] = urlunsplit(url._replace(path="/" + database))
    process = subprocess.Popen(
        celery_worker_command(name),
        cwd=Path(__file__).resolve().parent.parent,
        env=env,
        stdout=stdout,
        stderr=subprocess.STDOUT if stdout is not subprocess.DEVNULL else subprocess.DEVNULL,
    )
    if wait:
        from callfloor.celery import app

        deadline = time.monotonic() + timeout
        while not app.control.ping(timeout=1):
            if process.poll() is not None or time.monotonic() > deadline:
                stop_process(process)
                raise RuntimeError("the Celery worker did not start")
    return process


def stop_process(process: subprocess.Popen, timeout: float = 20.0) -> None:
    """Terminate, then kill if it does not end within `timeout`."""
    if process.poll() is None:
        process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def main(argv: list[str]) -> int:
    if "--" in argv:
        argv = argv[argv.index("--") + 1 :]
    if not argv:
        print("usage: python -m tests.services -- COMMAND [ARGS...]", file=sys.stderr)
        return 2
    root = Path(tempfile.mkdtemp(prefix="callfloor-test-"))
    postgres = Postgres(root)
    redis = Redis(root)
    try:
        postgres.start()
        postgres.createdb()
        redis.start()
        env = dict(os.environ)
        env.update(
            {
                "DATABASE_URL": postgres.url,
                "REDIS_URL": redis.url,
                "SECRET_KEY": env.get("SECRET_KEY") or secrets.token_urlsafe(40),
                "CALLFLOOR_HTTPS": "0",
                # Tasks run in the test's own process; tests of the real worker start one.
                "CELERY_TASK_ALWAYS_EAGER": env.get("CELERY_TASK_ALWAYS_EAGER", "1"),
                "CALLFLOOR_TEST_SERVICES": "1",
                "CALLFLOOR_TEST_PGDATA": str(postgres.data),
                "CALLFLOOR_TEST_PG_CTL": postgres.pg_ctl,
                "CALLFLOOR_TEST_PG_PORT": str(postgres.port),
                "CALLFLOOR_TEST_REDIS_SERVER": redis.binary,
                "CALLFLOOR_TEST_REDIS_PORT": str(redis.port),
            }
        )
        print(
            f"tests.services: PostgreSQL on 127.0.0.1:{postgres.port}, "
            f"Redis on 127.0.0.1:{redis.port}",
            flush=True,
        )
        return subprocess.run(argv, env=env, check=False).returncode
    finally:
        redis.stop()
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
