"""PostgreSQL stopped under a running queue_log follower while the file grows: the follower
waits (it does not exit), resumes from its stored position once the database is back, and ends
with exactly what one clean import of the whole file stores.

The database is a PostgreSQL cluster of the test's own (a copy of the test database), so the
cluster the rest of the suite uses is never stopped.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from io import StringIO
from pathlib import Path

import psycopg2
import pytest
from django.core.management import call_command
from django.db import connection

from tests.conftest import shared_data
from tests.metrics.telephony.test_import_follow import run
from tests.reliability.test_follower_kills import outcome
from tests.services import Postgres

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_postgres():
    """A cluster of this test's own holding a copy of the test database."""
    if connection.vendor != "postgresql":
        pytest.fail("the follower fault test needs PostgreSQL (run through make test)")
    root = Path(tempfile.mkdtemp(prefix="callfloor-pg-"))  # readable by the server's user
    postgres = Postgres(root)
    try:
        postgres.start()
        postgres.createdb()
        dump = root / "copy.dump"
        source = connection.settings_dict
        common = ["-h", "127.0.0.1", "-U", "callfloor"]
        subprocess.run(
            [
                postgres.tool("pg_dump"),
                *common,
                *("-p", str(source["PORT"]), "-Fc", "-f", str(dump), source["NAME"]),
            ],
            check=True,
        )
        subprocess.run(
            [
                postgres.tool("pg_restore"),
                *common,
                *("-p", str(postgres.port), "--no-owner", "-d", "callfloor", str(dump)),
            ],
            check=True,
        )
        yield postgres
    finally:
        postgres.stop()
        shutil.rmtree(root, ignore_errors=True)


def stored_line(postgres: Postgres) -> int | None:
    """The follower's stored line, read straight from the cluster (None while it is down)."""
    try:
        with psycopg2.connect(postgres.url, connect_timeout=2) as db, db.cursor() as cursor:
            cursor.execute("SELECT follow_line FROM metrics_telephonysource WHERE name = 'pbx'")
            row = cursor.fetchone()
        db.close()
    except psycopg2.OperationalError:
        return None
    return row[0] if row else 0


def wait_for_line(postgres: Postgres, line: int, process, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while (stored_line(postgres) or 0) < line:
        assert process.poll() is None, "the follower exited"
        assert time.monotonic() < deadline, f"the follower did not reach line {line}"
        time.sleep(0.1)


def test_a_follower_waits_while_postgresql_is_stopped_and_resumes_from_its_offset(
    own_postgres, tmp_path
):
    path = shared_data("asterisk/freepbx-2010-queue_log")
    text = path.read_text(encoding="utf-8")
    lines = text.splitlines(keepends=True)
    last_line = text.rstrip("\n").count("\n") + 1  # the file ends with blank lines
    first, during, after = lines[:100], lines[100:200], lines[200:]
    log = tmp_path / "queue_log"
    log.write_text("")
    errors, output = tmp_path / "follower.err", tmp_path / "follower.out"
    env = dict(os.environ, DATABASE_URL=own_postgres.url, LOG_LEVEL="WARNING", PYTHONUNBUFFERED="1")
    with errors.open("w") as stderr, output.open("w") as stdout:
        process = subprocess.Popen(
            [
                *(sys.executable, "manage.py", "follow_queue_log", str(log)),
                *("--source", "pbx", "--interval", "0.05"),
            ],
            cwd=REPO,
            env=env,
            stdout=stdout,
            stderr=stderr,
        )
    try:
        with log.open("a", encoding="utf-8") as handle:
            for n in range(0, len(first), 20):
                handle.write("".join(first[n : n + 20]))
                handle.flush()
                time.sleep(0.05)
        wait_for_line(own_postgres, len(first), process)

        # A clean shutdown (`pg_ctl stop -m fast`, what a service stop or an upgrade does): this
        # throwaway cluster commits asynchronously, so an immediate stop could lose the last
        # committed batch, and the follower would then rightly read it again.
        own_postgres.stop("fast")
        stopped = time.monotonic()
        with log.open("a", encoding="utf-8") as handle:  # the PBX goes on writing
            for n in range(0, len(during), 10):
                handle.write("".join(during[n : n + 10]))
                handle.flush()
                time.sleep(0.2)
        time.sleep(1.5)
        assert process.poll() is None, errors.read_text()[-2000:]  # it waits, it does not exit
        down_s = time.monotonic() - stopped
        waiting = errors.read_text()
        assert "The database is unavailable" in waiting

        own_postgres.start()
        before_restart = len(output.read_text())
        restarted = time.monotonic()
        wait_for_line(own_postgres, len(first) + len(during), process)
        resumed_s = time.monotonic() - restarted
        with log.open("a", encoding="utf-8") as handle:
            handle.write("".join(after))
        wait_for_line(own_postgres, last_line, process)
        assert process.poll() is None
        # The follower prints a batch's summary just after committing it: let it.
        expected = sum(1 for line in during + after if line.strip())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and _lines_read(output, before_restart) < expected:
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    tries = waiting.count("The database is unavailable")
    # After the restart it read on from the stored position: each line once, none again.
    after_restart = [
        line for line in output.read_text()[before_restart:].splitlines() if "lines read" in line
    ]
    read = _lines_read(output, before_restart)
    assert read == sum(1 for line in during + after if line.strip()), after_restart
    assert all("already imported 0," in line for line in after_restart), after_restart

    saved = {key: connection.settings_dict[key] for key in ("NAME", "HOST", "PORT")}
    connection.close()
    connection.settings_dict.update(NAME="callfloor", HOST="127.0.0.1", PORT=own_postgres.port)
    try:
        call_command(
            "follow_queue_log", str(log), "--source", "pbx", "--once", stdout=StringIO()
        )  # let the clock run, as the clean import's follow does below
        followed = outcome("pbx")
        run("import_queue_log", str(path), "--source", "clean")
        call_command(
            "follow_queue_log", str(path), "--source", "clean", "--once", stdout=StringIO()
        )
        clean = outcome("clean")
    finally:
        connection.close()
        connection.settings_dict.update(saved)
    print(
        f"down {down_s:.1f} s, {tries} tries while down, caught up {resumed_s:.1f} s after "
        f"the restart; {followed['events']} events"
    )
    assert followed["events"] == clean["events"] == 278
    assert followed == clean  # nothing lost, nothing doubled


def _lines_read(output, start: int) -> int:
    """The lines the follower reported reading after `start` characters of its output."""
    return sum(
        int(line.split("lines read ")[1].split(",")[0])
        for line in output.read_text()[start:].splitlines()
        if "lines read" in line
    )
