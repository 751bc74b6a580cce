"""queue_log files into the database: import, re-import, resume, follow, rotate, truncate."""

import os
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from metrics.kpi import round_figures
from metrics.models import AgentDay, AgentState, CallEvent, Queue, QueueCall, TelephonySource
from metrics.selectors import floor_queue_stats
from metrics.telephony.files import follow_step
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db
NOW = datetime(2010, 2, 22, 11, 56, 19, tzinfo=UTC)
CALL_FIELDS = [
    "call_id",
    "queue__name",
    "offered_at",
    "outcome",
    "wait_s",
    "member",
    "answered_at",
    "ring_s",
    "talk_s",
    "acw_s",
    "ended_at",
    "transferred",
    "cut",
]


def freepbx_lines() -> list[str]:
    with open(shared_data("asterisk/freepbx-2010-queue_log"), encoding="utf-8") as handle:
        return [line for line in handle if line.strip()]


def run(*args) -> str:
    out = StringIO()
    call_command(*args, "--no-progress", stdout=out, stderr=StringIO())
    return out.getvalue()


def calls_of(name: str) -> list[tuple]:
    return list(
        QueueCall.objects.filter(source__name=name)
        .order_by("offered_at", "call_id")
        .values_list(*CALL_FIELDS)
    )


def snapshot() -> dict:
    queue = Queue.objects.get(name="9000")
    stats = round_figures(floor_queue_stats(queues=[queue], now=NOW)[queue.pk])
    return {
        "calls": calls_of("pbx"),
        "events": CallEvent.objects.count(),
        "states": AgentState.objects.count(),
        "stats": stats,
        "days": list(
            AgentDay.objects.order_by("member").values_list(
                "member", "answered", "missed_rings", "unreachable_rings"
            )
        ),
    }


def test_importing_twice_is_importing_once(tmp_path):
    path = shared_data("asterisk/freepbx-2010-queue_log")
    out = run("import_queue_log", str(path), "--source", "pbx")
    assert "lines read 278, used 271, ignored 7, already imported 0, rejected 0" in out
    first = snapshot()
    assert first["stats"]["offered"] == 21
    again = run("import_queue_log", str(path), "--source", "pbx")
    assert "Resuming after line 278" in again and "lines read 0" in again
    whole = run("import_queue_log", str(path), "--source", "pbx", "--from-start")
    assert "lines read 278, used 0, ignored 0, already imported 278" in whole
    assert snapshot() == first


def test_an_interrupted_import_resumes_where_it_stopped(tmp_path):
    lines = freepbx_lines()
    log = tmp_path / "queue_log"
    log.write_text("".join(lines[:150]))
    run("import_queue_log", str(log), "--source", "pbx", "--batch", "40")
    source = TelephonySource.objects.get(name="pbx")
    assert source.follow_line == 150
    with log.open("a") as handle:
        handle.write("".join(lines[150:]))
    out = run("import_queue_log", str(log), "--source", "pbx")
    assert "Resuming after line 150" in out
    assert "lines read 128" in out
    assert snapshot()["stats"]["offered"] == 21
    assert calls_of("pbx") == _reference_calls(tmp_path)


def _reference_calls(tmp_path) -> list[tuple]:
    run(
        "import_queue_log",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--source",
        "reference",
    )
    return calls_of("reference")


def test_rejected_lines_are_reported_with_their_numbers(tmp_path):
    log = tmp_path / "queue_log"
    log.write_text(
        "1266833911|c|9000|NONE|ENTERQUEUE||1\n"
        "not a line\n"
        "1266833915|c|9000|NONE|ABANDON|1|1|-2\n"
        "1266833916|c|9000|NONE|ABANDON|1|1|5\n"
    )
    out = run("import_queue_log", str(log), "--source", "pbx")
    assert "lines read 4, used 2, ignored 0, already imported 0, rejected 2" in out
    assert "line 2: time is not an epoch number: 'not a line'" in out
    assert "line 3: ABANDON waittime is negative: '-2'" in out
    assert QueueCall.objects.get().wait_s == 5


def test_the_database_layout_reads_local_times_in_the_named_zone():
    out = run(
        "import_queue_log",
        str(shared_data("asterisk/wazo-doc-rows.psv")),
        "--source",
        "wazo",
        "--layout",
        "db",
        "--tz",
        "Europe/Paris",
    )
    assert "lines read 12, used 8, ignored 4" in out
    call = QueueCall.objects.get()
    assert call.offered_at == datetime(2012, 7, 4, 5, 33, 21, 165823, tzinfo=UTC)
    assert (call.outcome, call.wait_s, call.talk_s, call.member) == (
        "answered",
        2,
        12,
        "Agent/3001",
    )
    assert TelephonySource.objects.get(name="wazo").time_zone == "Europe/Paris"


def test_following_a_growing_rotating_truncated_file_is_importing_it(tmp_path):
    lines = freepbx_lines()
    log = tmp_path / "queue_log"
    source = TelephonySource.objects.create(name="pbx", kind="queue_log_file")

    def step():
        follow_step(source=source, path=log)

    log.write_text("".join(lines[:60]) + lines[60].rstrip("\n"))  # a line being written
    step()
    assert TelephonySource.objects.get(pk=source.pk).follow_line == 60
    with log.open("a") as handle:
        handle.write("\n" + "".join(lines[61:120]))
    step()
    step()  # nothing new: nothing happens
    # Rotation: the old file gets a few more lines after the last read, then is renamed.
    with log.open("a") as handle:
        handle.write("".join(lines[120:140]))
    os.rename(log, tmp_path / "queue_log.1")
    log.write_text("".join(lines[140:200]))
    step()
    # copytruncate: the file is emptied in place and written again from the start.
    with log.open("r+") as handle:
        handle.truncate(0)
    log.write_text("".join(lines[200:]))
    step()
    # A restart of the follower resumes from the stored position without re-reading.
    before = CallEvent.objects.count()
    step()
    assert CallEvent.objects.count() == before == 278
    assert calls_of("pbx") == _reference_calls(tmp_path)


def test_the_follow_command_runs_once(tmp_path):
    log = tmp_path / "queue_log"
    log.write_text("".join(freepbx_lines()[:30]))
    out = StringIO()
    call_command("follow_queue_log", str(log), "--source", "live", "--once", stdout=out)
    assert "lines read 30" in out.getvalue()
    assert QueueCall.objects.filter(source__name="live").count() == 4


def test_agent_states_are_intervals_of_status_reason_and_activity(tmp_path):
    base = 1_700_000_000
    rows = [
        "0|NONE|q|PJSIP/7|ADDMEMBER|",
        "10|w|q|NONE|ENTERQUEUE||1",
        "10|w|q|PJSIP/7|CONNECT|0|w.2|1",
        "110|w|q|PJSIP/7|COMPLETEAGENT|0|100|1",
        "111|NONE|q|PJSIP/7|PAUSE|ACW",
        "141|NONE|q|PJSIP/7|UNPAUSE|",
        "165|NONE|NONE|PJSIP/7|PAUSEALL|Lunch",
        "180|NONE|NONE|PJSIP/7|UNPAUSEALL|",
        "200|NONE|q|PJSIP/7|REMOVEMEMBER|",
    ]
    log = tmp_path / "queue_log"
    log.write_text(
        "".join(f"{base + int(r.split('|', 1)[0])}|{r.split('|', 1)[1]}\n" for r in rows)
    )
    run("import_queue_log", str(log), "--source", "pbx", "--batch", "3")
    states = [
        (
            int(s.started_at.timestamp()) - base,
            None if s.ended_at is None else int(s.ended_at.timestamp()) - base,
            s.status,
            s.reason,
            s.activity,
            s.call_id,
        )
        for s in AgentState.objects.filter(member="PJSIP/7").order_by("started_at")
    ]
    assert states == [
        (0, 10, "available", "", "idle", ""),
        (10, 110, "available", "", "on_call", "w"),
        (110, 111, "available", "", "idle", ""),
        (111, 141, "available", "ACW", "wrap_up", ""),
        (141, 165, "available", "", "idle", ""),
        (165, 180, "not_ready", "Lunch", "idle", ""),
        (180, 200, "available", "", "idle", ""),
        (200, None, "logged_out", "", "idle", ""),
    ]
    call = QueueCall.objects.get()
    assert (call.talk_s, call.acw_s) == (100, 30)
