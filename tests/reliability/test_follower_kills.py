"""The queue_log follower killed with SIGKILL at random points of a growing file, restarted each
time: the final calls, events, agent states and agent days equal one clean import."""

from __future__ import annotations

import os
import random
import signal
import subprocess
import sys
import time
from io import StringIO
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from django.core.management import call_command
from django.db import connection

from metrics.models import AgentDay, AgentState, CallEvent, TelephonySource
from tests.conftest import shared_data
from tests.metrics.telephony.test_import_follow import calls_of, run

REPO = Path(__file__).resolve().parents[2]
KILLS = 8
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def outcome(source: str) -> dict:
    return {
        "calls": calls_of(source),
        "events": CallEvent.objects.filter(source__name=source).count(),
        "states": sorted(
            AgentState.objects.filter(source__name=source).values_list(
                "member", "status", "reason", "activity", "started_at", "ended_at"
            )
        ),
        "days": sorted(
            AgentDay.objects.filter(source__name=source).values_list(
                "member", "day", "answered", "missed_rings", "unreachable_rings"
            )
        ),
    }


def follower(log: Path, env: dict) -> subprocess.Popen:
    return subprocess.Popen(
        [
            sys.executable,
            "manage.py",
            "follow_queue_log",
            str(log),
            "--source",
            "pbx",
            "--interval",
            "0.05",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def test_a_follower_killed_at_random_points_ends_like_one_clean_import(tmp_path):
    if connection.vendor != "postgresql":
        pytest.fail("the follower fault test needs PostgreSQL (run through make test)")
    path = shared_data("asterisk/freepbx-2010-queue_log")
    text = path.read_text(encoding="utf-8")
    url = urlsplit(os.environ["DATABASE_URL"])
    env = dict(
        os.environ,
        DATABASE_URL=urlunsplit(url._replace(path="/" + connection.settings_dict["NAME"])),
        LOG_LEVEL="WARNING",
    )
    rng = random.Random(8)
    log = tmp_path / "queue_log"
    log.write_text("")
    # Chunks of random size, cut anywhere (half-written lines included).
    cuts = [*sorted(rng.sample(range(1, len(text)), 40)), len(text)]
    written, kills, process = 0, 0, follower(log, env)
    try:
        for cut in cuts:
            with log.open("a", encoding="utf-8") as handle:
                handle.write(text[written:cut])
            written = cut
            time.sleep(rng.uniform(0.0, 0.25))
            if kills < KILLS and rng.random() < 0.3:
                process.send_signal(signal.SIGKILL)
                process.wait(timeout=10)
                assert process.returncode == -signal.SIGKILL
                kills += 1
                process = follower(log, env)
        deadline = time.monotonic() + 30
        last_line = text.rstrip("\n").count("\n") + 1
        # Under load the killed followers may not have created the source yet: wait for it too.
        while (
            TelephonySource.objects.filter(name="pbx").values_list("follow_line", flat=True).first()
            or 0
        ) < last_line:
            assert time.monotonic() < deadline, "the follower did not catch up within 30 s"
            assert process.poll() is None, process.stderr.read().decode()[-2000:]
            time.sleep(0.2)
    finally:
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=10)
    assert kills == KILLS
    call_command(
        "follow_queue_log", str(log), "--source", "pbx", "--once", stdout=StringIO()
    )  # let the clock run
    followed = outcome("pbx")
    run("import_queue_log", str(path), "--source", "clean")
    call_command("follow_queue_log", str(path), "--source", "clean", "--once", stdout=StringIO())
    clean = outcome("clean")
    assert followed["events"] == clean["events"] == 278
    assert followed == clean
