"""queue_log files into the database: import, re-import, resume, follow, rotate, truncate."""

import os
from datetime import UTC, datetime
from io import StringIO

import pytest
from django.core.management import call_command

from metrics.formulas import round_figures
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
        "1266833917|d|9000|NONE|ENTERQUEUE||1\n"
        "1266833918|d|9000|NONE|ABANDON|1|1|1e308\n"
    )
    out = run("import_queue_log", str(log), "--source", "pbx")
    assert "lines read 6, used 3, ignored 0, already imported 0, rejected 3" in out
    assert "line 2: time is not an epoch number: 'not a line'" in out
    assert "line 3: ABANDON waittime is negative: '-2'" in out
    assert "line 6: ABANDON waittime is larger than 1e+09: '1e308'" in out
    assert QueueCall.objects.get(call_id="c").wait_s == 5


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


def _log_with(tmp_path, replace: dict[int, str]):
    """The FreePBX log with some lines (0-based index → text) replaced."""
    lines = freepbx_lines()
    for index, text in replace.items():
        lines[index] = text
    log = tmp_path / "queue_log"
    log.write_text("".join(lines))
    return log


def test_a_line_with_nul_bytes_is_rejected_by_number_and_the_rest_imported(tmp_path):
    # Power loss: the tail of a line written as NUL bytes (the COPY of the whole batch failed,
    # on every rerun, and the follower stopped).
    good = freepbx_lines()[100]
    log = _log_with(tmp_path, {100: good.rstrip("\n") + "|" + "\x00" * 64 + "\n"})
    out = run("import_queue_log", str(log), "--source", "pbx")
    assert "lines read 278, used 270, ignored 7, already imported 0, rejected 1" in out
    assert "line 101: data field 2 holds the control character '\\x00'" in out
    ordinals = set(CallEvent.objects.values_list("ordinal", flat=True))
    assert {100, 102} <= ordinals and 101 not in ordinals and len(ordinals) == 277
    # A rerun reads every line again and stores none twice.
    again = run("import_queue_log", str(log), "--source", "pbx", "--from-start")
    assert "used 0, ignored 0, already imported 277, rejected 1" in again
    assert CallEvent.objects.count() == 277


def test_the_follower_rejects_a_nul_line_and_keeps_following(tmp_path):
    lines = freepbx_lines()
    log = tmp_path / "queue_log"
    log.write_text("".join(lines[:50]) + "1266834406|x|9000|NONE|ENTERQUEUE|\x00\x00|1\n")
    first = StringIO()
    call_command("follow_queue_log", str(log), "--source", "live", "--once", stdout=first)
    assert "rejected 1" in first.getvalue()
    assert "line 51: data field 1 holds the control character '\\x00'" in first.getvalue()
    # The rejected line is behind the follower: it is not read (nor reported) again.
    assert TelephonySource.objects.get(name="live").follow_line == 51
    with log.open("a") as handle:
        handle.write("".join(lines[50:]))
    second = StringIO()
    call_command("follow_queue_log", str(log), "--source", "live", "--once", stdout=second)
    assert "lines read 228, used" in second.getvalue()
    assert CallEvent.objects.filter(source__name="live").count() == 278
    assert TelephonySource.objects.get(name="live").follow_line == 279


def test_control_characters_in_names_are_rejected_on_every_file_path(tmp_path):
    from metrics.reports.offline import build_report

    log = _log_with(
        tmp_path,
        {
            10: "1266834000|e1|9000\x1b[31m|NONE|ENTERQUEUE||1\n",
            20: "1266834000|e2|9000|NONE|ENTERQUEUE||\x07|1\n",
            30: "1266834000|e3|9000|PJSIP/\x85x|ADDMEMBER|\n",
        },
    )
    expected = {
        11: "queue name holds the control character '\\x1b'",
        21: "data field 2 holds the control character '\\x07'",
        31: "member name holds the control character '\\x85'",
    }
    out = run("import_queue_log", str(log), "--source", "pbx")
    for line, reason in expected.items():
        assert f"line {line}: {reason}" in out
    assert not Queue.objects.exclude(name__regex=r"^[ -~]+$").exists()
    assert not CallEvent.objects.filter(member__contains="\x85").exists()
    # The offline report rejects the same lines for the same reasons.

    def open_lines():
        with open(log, encoding="utf-8") as handle:
            yield from handle

    report = build_report(open_lines)
    assert {r["line"]: r["reason"] for r in report["lines"]["rejected"]} == expected


def test_member_names_longer_than_their_column_are_rejected_not_cut(tmp_path):
    # Two names sharing their first 200 characters were one row of the database and two keys
    # of the import ("ON CONFLICT DO UPDATE command cannot affect row a second time").
    base = 1_700_000_000
    first, second = "A" * 200 + "-1", "A" * 200 + "-2"
    rows = [
        f"{base}|c1|q|NONE|ENTERQUEUE||1",
        f"{base + 5}|c1|q|{first}|RINGNOANSWER|4000",
        f"{base + 6}|c1|q|{second}|RINGNOANSWER|4000",
        f"{base + 9}|c1|q|PJSIP/1|CONNECT|9|c1.1|2",
        f"{base + 60}|c1|q|PJSIP/1|COMPLETEAGENT|9|51|1",
        f"{base + 61}|c2|{'q' * 101}|NONE|ENTERQUEUE||1",
    ]
    log = tmp_path / "queue_log"
    log.write_text("".join(f"{row}\n" for row in rows))
    for bulk in (True, False):
        source = f"pbx-{bulk}"
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("metrics.telephony.files.BULK_IMPORT", bulk)
            out = run("import_queue_log", str(log), "--source", source)
        assert "lines read 6, used 3, ignored 0, already imported 0, rejected 3" in out
        assert "line 2: member name longer than 200 characters" in out
        assert "line 3: member name longer than 200 characters" in out
        assert "line 6: queue name longer than 100 characters" in out
        call = QueueCall.objects.get(source__name=source)
        assert (call.outcome, call.member, call.talk_s) == ("answered", "PJSIP/1", 51)
    assert not AgentDay.objects.filter(member__startswith="AAAA").exists()


def test_impossible_times_are_rejected_by_line_on_every_layout(tmp_path):
    base = 1_700_000_000
    log = tmp_path / "queue_log"
    log.write_text(
        f"{base}|c1|q|NONE|ENTERQUEUE||1\n"
        "253402300799|c2|q|NONE|ENTERQUEUE||1\n"  # 9999-12-31: a red alert for ever
        "900000000|c3|q|NONE|ENTERQUEUE||1\n"  # 1998
        f"{base + 5}|c1|q|NONE|ABANDON|1|1|5\n"
    )
    out = run("import_queue_log", str(log), "--source", "pbx")
    assert "lines read 4, used 2, ignored 0, already imported 0, rejected 2" in out
    assert "line 2: time 9999-12-31T23:59:59+00:00 is outside the accepted window" in out
    assert "line 3: time 1998-07-09T16:00:00+00:00 is outside the accepted window" in out
    assert list(QueueCall.objects.values_list("call_id", "outcome")) == [("c1", "abandoned")]
    rows = tmp_path / "rows.psv"
    rows.write_text(
        "0001-01-01 00:00:00|d1|q|NONE|ENTERQUEUE||1\n"  # "waiting since" -62,135,596,800 s
        "2012-07-04 07:33:21.165823|d2|q|NONE|ENTERQUEUE||1\n"
    )
    out = run("import_queue_log", str(rows), "--source", "rows", "--layout", "db")
    assert "lines read 2, used 1, ignored 0, already imported 0, rejected 1" in out
    assert "line 1: time 0001-01-01T00:00:00+00:00 is outside the accepted window" in out
    assert not QueueCall.objects.filter(offered_at__year__lt=2000).exists()


def test_a_file_source_feeds_only_queues_of_its_site(tmp_path):
    Queue.objects.create(name="north-9000", site="north")
    base = 1_700_000_000
    log = tmp_path / "queue_log"
    log.write_text(
        f"{base}|c1|north-9000|NONE|ENTERQUEUE||1\n"
        f"{base}|c2|9000|NONE|ENTERQUEUE||1\n"
        f"{base + 3}|NONE|north-9000|PJSIP/1|ADDMEMBER|\n"
    )
    for bulk in (True, False):
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr("metrics.telephony.files.BULK_IMPORT", bulk)
            out = run("import_queue_log", str(log), "--source", f"main-{bulk}")
        assert "used 1, ignored 0, already imported 0, rejected 2" in out
        assert "line 1: queue 'north-9000' belongs to another site" in out
        assert "line 3: queue 'north-9000' belongs to another site" in out
    assert not QueueCall.objects.filter(queue__site="north").exists()
    assert Queue.objects.get(name="9000").site == "main"


def test_a_bad_zone_is_refused_before_it_is_stored(tmp_path):
    from django.core.management.base import CommandError

    rows = shared_data("asterisk/wazo-doc-rows.psv")
    args = ["import_queue_log", str(rows), "--source", "wazo", "--layout", "db"]
    with pytest.raises(CommandError, match="'Europe/Nowhere' is not a known time zone"):
        run(*args, "--tz", "Europe/Nowhere")
    assert not TelephonySource.objects.filter(name="wazo").exists()
    run(*args, "--tz", "Europe/Paris")
    with pytest.raises(CommandError, match="'Europe/Nowhere' is not a known time zone"):
        run(*args, "--tz", "Europe/Nowhere")
    assert TelephonySource.objects.get(name="wazo").time_zone == "Europe/Paris"
    # A zone stored before the check (or by hand) fails clearly, and --tz repairs it.
    TelephonySource.objects.filter(name="wazo").update(time_zone="Europe/Nowhere")
    with pytest.raises(CommandError, match=r"stored time zone.*give --tz"):
        run(*args)
    with pytest.raises(CommandError, match=r"stored time zone.*give --tz"):
        call_command("follow_queue_log", str(rows), "--source", "wazo", "--once")
    run(*args, "--tz", "Europe/Paris", "--from-start")
    assert TelephonySource.objects.get(name="wazo").time_zone == "Europe/Paris"


@pytest.mark.parametrize(
    ("command", "option", "value", "message"),
    [
        ("import_queue_log", "--batch", "0", "not a whole number above 0"),
        ("import_queue_log", "--source", "x" * 101, "not a source name"),
        ("import_queue_log", "--source", "a b", "not a source name"),
        ("follow_queue_log", "--interval", "-1", "not a finite number of 0 or more"),
        ("follow_queue_log", "--interval", "nan", "not a finite number of 0 or more"),
        ("follow_queue_log", "--tz", "../../etc/passwd", "not a known time zone"),
    ],
)
def test_bad_command_arguments_are_refused_before_any_change(
    tmp_path, command, option, value, message
):
    from django.core.management.base import CommandError

    log = tmp_path / "queue_log"
    log.write_text("".join(freepbx_lines()[:10]))
    args = [command, str(log), "--source", "pbx", option, value]
    if command == "follow_queue_log":
        args.append("--once")
    with pytest.raises(CommandError, match=message):
        call_command(*args, stdout=StringIO(), stderr=StringIO())
    assert not TelephonySource.objects.exists()
    assert not CallEvent.objects.exists()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--tick", "-1", "not a finite number of 0 or more"),
        ("--tick", "0", "not a number above 0"),
        ("--warmup", "inf", "not a finite number of 0 or more"),
        ("--load", "nan", "not a finite number of 0 or more"),
        ("--agents", "-3", "not a whole number of 0 or more"),
    ],
)
def test_the_simulator_refuses_bad_arguments_before_any_change(option, value, message):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=message):
        call_command("simulate_floor", option, value, stdout=StringIO())
    assert not TelephonySource.objects.exists()


def test_a_source_is_neither_made_nor_edited_with_an_unknown_zone():
    from django.core.exceptions import ValidationError

    from callfloor.errors import DomainError
    from metrics.telephony.services import source_create

    with pytest.raises(DomainError, match="not a known time zone"):
        source_create(name="mars", kind="queue_log_db", time_zone="Mars/Olympus")
    source = TelephonySource(name="mars", kind="queue_log_db", time_zone="Mars/Olympus")
    with pytest.raises(ValidationError, match="not a known time zone"):
        source.full_clean()  # what the admin's form runs
    assert not TelephonySource.objects.exists()
