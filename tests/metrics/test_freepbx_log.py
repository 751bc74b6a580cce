"""The real FreePBX 2010 queue_log: figures worked out by hand from its 278 lines.

The 21 ENTERQUEUE lines of queue 9000, with how each call ends (line numbers of the file):

| call (line) | end (line)              | wait | class            | talk |
|-------------|-------------------------|------|------------------|------|
| .2   (5)    | CONNECT 2004 (8)        | 1    | A_in             | 3    |
| .10  (10)   | CONNECT 2004 (19)       | 2    | A_in             | 4    |
| .30  (21)   | CONNECT 2004 (50)       | 36   | A_out            | 8    |
| .31  (22)   | ABANDON (40)            | 13   | B_in             |      |
| .91  (52)   | CONNECT 2004 (61)       | 6    | A_in             | 12   |
| .111 (63)   | ABANDON (120)           | 45   | B_out            |      |
| .133 (82)   | ABANDON (110)           | 17   | B_in             |      |
| .224 (122)  | ABANDON (167)           | 32   | B_out            |      |
| .243 (132)  | ABANDON (163)           | 17   | B_in             |      |
| .314 (169)  | ABANDON (198)           | 21   | B_out            |      |
| .323 (179)  | ABANDON (199)           | 15   | B_in             |      |
| .372 (200)  | ABANDON (230)           | 23   | B_out            |      |
| .373 (210)  | ABANDON (229)           | 17   | B_in             |      |
| .439 (232)  | CONNECT 2001 (236)      | 84   | A_out            | 5    |
| .456 (238)  | CONNECT 2004 (240)      | 4    | A_in             | 13   |
| .466 (243)  | CONNECT 2004 (246)      | 5    | A_in             | 0    |
| .474 (248)  | ABANDON (257)           | 10   | B_in             |      |
| .507 (259)  | ABANDON (262)           | 2    | short            |      |
| .521 (263)  | ABANDON (266)           | 3    | short            |      |
| .533 (267)  | CONNECT 2004 (270)      | 5    | A_in, still talking at the end |
| .534 (271)  | —                       | 2 at now | W_in (waiting)  |      |

T=20, S=5: A_in 6, A_out 2, B_in 6, B_out 4, X 0, W_out 0 → K = 18.
SL offered 6/18, ignore_abandons 6/12, abandons_positive 12/18, answered_only 6/8;
answer rate 8/18, abandon rate 10/18; ASA 143/8 = 17.875; average abandon wait
210/10 = 21; max wait 84; AHT over the 7 ended calls (45 s of talk) = 6.4286, talk only (the
log has no after-call-work pause). now = the last line, 1266839779 = 2010-02-22T11:56:19Z.
Lines: 278 read; the 7 CONFIGRELOAD lines are ignored, the other 271 used (2 QUEUESTART cut
nothing: they come before the first call).

RINGNOANSWER lines per member (ring time > 0 → missed, 0 → unreachable), counted line by line:
2001 10/23, 2002 23/0, 2004 18/2, 2005 22/0, 2006 23/0, 2007 24/0, 2008 18/12, 2009 22/0,
2010 22/2 (182 missed + 39 unreachable = the 221 RINGNOANSWER lines).
Repeat calls: of the answered calls with a caller number (.2, .10 and .466 from
01774247045, .533 from 01772385934; the anonymous ones are left out), .2 and .10 are followed
by another call of the same number within 24 h (.10, then .31) → 2/4 = 0.5. 2004 answered 7 calls
(6 ended: 3+4+8+12+13+0 = 40 s → AHT 6.6667), 2001 answered 1 (5 s).
"""

from datetime import UTC, datetime

import pytest

from metrics.formulas import round_figures
from metrics.reports.offline import build_report
from tests.conftest import shared_data
from tests.metrics.conftest import file_lines

NOW = datetime(2010, 2, 22, 11, 56, 19, tzinfo=UTC)

QUEUE = {
    "offered": 21,
    "answered": 8,
    "abandoned": 12,
    "short_abandoned": 2,
    "timed_out": 0,
    "unknown": 0,
    "waiting": 1,
    "transferred": 0,
    "service_level": 0.3333,
    "service_level_variants": {
        "offered": 0.3333,
        "ignore_abandons": 0.5,
        "abandons_positive": 0.6667,
        "answered_only": 0.75,
    },
    "answer_rate": 0.4444,
    "abandon_rate": 0.5556,
    "asa_s": 17.875,
    "avg_abandon_wait_s": 21.0,
    "max_wait_s": 84.0,
    "aht_s": 6.4286,
    "aht_components": ["talk"],
    "avg_talk_s": 6.4286,
    "transfer_rate": 0.0,
    "repeat_call_rate": 0.5,
}
# The live floor does not show the repeat-call rate (it needs the next 24 hours).
LIVE_KEYS = [key for key in QUEUE if key != "repeat_call_rate"]
RINGS = {  # member: (missed, unreachable)
    "2001": (10, 23),
    "2002": (23, 0),
    "2004": (18, 2),
    "2005": (22, 0),
    "2006": (23, 0),
    "2007": (24, 0),
    "2008": (18, 12),
    "2009": (22, 0),
    "2010": (22, 2),
}
HANDLED = {"2001": (1, 5.0), "2004": (7, 6.6667)}


def member(ext: str) -> str:
    return f"Local/{ext}@from-internal/n"


def freepbx_report(**kwargs):
    path = shared_data("asterisk/freepbx-2010-queue_log")
    return build_report(file_lines(path), **kwargs)


def test_the_report_gives_the_hand_worked_figures():
    result = freepbx_report()
    assert result["now"] == "2010-02-22T11:56:19Z"
    assert result["lines"] == {
        "read": 278,
        "used": 271,
        "ignored": 7,
        "duplicates": 0,
        "rejected": [],
    }
    assert result["settings"] == {
        "threshold_s": 20,
        "short_abandon_s": 5,
        "variant": "offered",
        "interval_minutes": 15,
        "repeat_window_h": 24,
        "three_rings_s": 15,
        "stale_after_s": 14400,
    }
    assert result["queues"] == {"9000": QUEUE}
    assert set(result["agents"]) == {member(ext) for ext in RINGS}
    for ext, (missed, unreachable) in RINGS.items():
        handled, aht = HANDLED.get(ext, (0, None))
        figures = result["agents"][member(ext)]
        assert (
            figures["handled"],
            figures["aht_s"],
            figures["missed_rings"],
            figures["unreachable_rings"],
        ) == (handled, aht, missed, unreachable), ext


def test_the_command_prints_the_same_json(capsys):
    import json

    from django.core.management import call_command

    call_command("queue_log_report", str(shared_data("asterisk/freepbx-2010-queue_log")), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed["queues"]["9000"] == QUEUE
    assert printed["agents"][member("2004")]["missed_rings"] == 18


def test_the_command_prints_a_readable_table(capsys):
    from django.core.management import call_command

    call_command("queue_log_report", str(shared_data("asterisk/freepbx-2010-queue_log")))
    out = capsys.readouterr().out
    assert "lines read 278, used 271, ignored 7, rejected 0" in out
    row = next(line for line in out.splitlines() if line.startswith("9000"))
    assert row.split()[:7] == ["9000", "21", "8", "12", "2", "0", "1"]


@pytest.mark.django_db
def test_the_database_path_gives_the_same_figures(cast):
    from io import StringIO

    from django.core.management import call_command

    from metrics.models import Queue, QueueCall
    from metrics.selectors import floor_agent_stats, floor_queue_stats

    out = StringIO()
    call_command(
        "import_queue_log",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--source",
        "freepbx",
        "--batch",
        "40",
        "--no-progress",
        stdout=out,
        stderr=StringIO(),
    )
    assert "lines read 278, used 271, ignored 7, already imported 0, rejected 0" in (out.getvalue())
    queue = Queue.objects.get(name="9000")
    assert QueueCall.objects.count() == 21
    stats = floor_queue_stats(queues=[queue], now=NOW)[queue.pk]
    rounded = round_figures(stats)
    for key in LIVE_KEYS:
        assert rounded[key] == QUEUE[key], key
    assert stats["waiting_now"] == 1
    assert stats["longest_waiting_since"] == datetime(2010, 2, 22, 11, 56, 17, tzinfo=UTC)
    assert [c["call_id"] for c in stats["waiting_calls"]] == ["1266839768.534"]
    # The report's per-interval service levels are the trend line's.
    report = freepbx_report()
    assert [
        (
            i["start"].strftime("%Y-%m-%dT%H:%M:%SZ"),
            i["offered"],
            None if i["service_level"] is None else round(i["service_level"], 4),
        )
        for i in stats["intervals"]
    ] == [(i["start"], i["offered"], i["service_level"]) for i in report["intervals"]["9000"]]

    agents = floor_agent_stats(now=NOW)
    ann = agents[f"agent:{cast.ann_agent.pk}"]
    assert (
        ann["handled"],
        round(ann["aht_s"], 4),
        ann["missed_rings"],
        ann["unreachable_rings"],
    ) == (7, 6.6667, 18, 2)
    assert agents[member("2001")]["handled"] == 1
    assert agents[member("2008")]["unreachable_rings"] == 12
    # Bob's alias Local/2005 maps him: rung 22 times, never unreachable.
    assert agents[f"agent:{cast.bob_agent.pk}"]["missed_rings"] == 22


def test_the_command_reads_up_to_now_with_another_variant(capsys):
    import json

    from django.core.management import call_command

    call_command(
        "queue_log_report",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--json",
        "--now",
        "1266834100",
        "--variant",
        "answered_only",
    )
    printed = json.loads(capsys.readouterr().out)
    # Up to line 51: QUEUESTART ×2 (used), CONFIGRELOAD ×2 (ignored); calls .2 (1 s), .10
    # (2 s), .30 (36 s) answered, .31 abandoned after 13 s. K = A_in 2 + A_out 1 + B_in 1.
    assert printed["now"] == "2010-02-22T10:21:40Z"
    assert (printed["lines"]["read"], printed["lines"]["used"], printed["lines"]["ignored"]) == (
        51,
        49,
        2,
    )
    q = printed["queues"]["9000"]
    assert (q["offered"], q["answered"], q["abandoned"]) == (4, 3, 1)
    assert q["service_level"] == round(2 / 3, 4)
    assert q["service_level_variants"]["offered"] == 0.5
    iso = "2010-02-22T10:21:40Z"
    call_command(
        "queue_log_report",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--json",
        "--now",
        iso,
    )
    assert json.loads(capsys.readouterr().out)["queues"]["9000"]["offered"] == 4


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--now", "1e20", "not a time between 1970 and the year 9999"),
        ("--now", "-5", "not a time between 1970 and the year 9999"),
        ("--now", "0001-01-01", "not a time between 1970 and the year 9999"),
        ("--threshold", "-5", "not a whole number of 0 or more"),
        ("--three-rings", "nan", "not a finite number of 0 or more"),
        ("--repeat-window", "inf", "not a finite number of 0 or more"),
        ("--repeat-window", "0", "not a number above 0"),
        ("--tz", "Europe/Nowhere", "not a known time zone"),
        ("--site-tz", "../../etc/passwd", "not a known time zone"),
    ],
)
def test_the_command_refuses_bad_arguments_with_a_clear_error(option, value, message):
    # `--now 1e20` ended in an OverflowError traceback.
    from django.core.management import call_command
    from django.core.management.base import CommandError

    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    with pytest.raises(CommandError, match=message):
        call_command("queue_log_report", path, option, value)
