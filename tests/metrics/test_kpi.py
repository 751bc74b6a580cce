"""The pure engine and report, with figures worked out by hand (no database)."""

import random

from metrics.reports.offline import build_report
from tests.metrics.conftest import file_lines

BASE = 1_700_000_000  # 2023-11-14T22:13:20Z


def log(*rows: str) -> list[str]:
    """`'+10|c1|q|A|CONNECT|10|x'` → a queue_log line at BASE + 10."""
    out = []
    for row in rows:
        offset, rest = row.split("|", 1)
        out.append(f"{BASE + int(offset)}|{rest}\n")
    return out


def report(lines, **kwargs):
    return build_report(lambda: iter(lines), **kwargs)


MIXED = log(
    "0|c1|q|NONE|ENTERQUEUE||0470000001",
    "5|c2|q|NONE|ENTERQUEUE||0470000002",
    "8|c1|q|Agent/B|RINGNOANSWER|15000",
    "10|c1|q|Agent/A|CONNECT|10|c1.1|2",
    "20|c2|q|Agent/A|RINGNOANSWER|0",
    "35|c2|q|Agent/B|CONNECT|30|c2.1",
    "40|c3|q|NONE|ENTERQUEUE||0470000003",
    "43|c3|q|NONE|ABANDON|1|1|3",
    "50|c4|q|NONE|ENTERQUEUE||0470000004",
    "60|c5|q|NONE|ENTERQUEUE||0470000005",
    "65|c4|q|NONE|ABANDON|1|1|15",
    "70|c6|q|NONE|ENTERQUEUE||0470000006",
    "80|c7|q|NONE|ENTERQUEUE||0470000007",
    "82|c7|q|NONE|EXITEMPTY|1|1|2",
    "95|c6|q|NONE|EXITWITHTIMEOUT|1|1|25",
    "100|c5|q|NONE|ABANDON|1|1|40",
    "110|c1|q|Agent/A|COMPLETEAGENT|10|100|1",
    "235|c2|q|Agent/B|COMPLETECALLER|30|200|1",
    "270|c8|q|NONE|ENTERQUEUE||0470000008",
    "295|c9|q|NONE|ENTERQUEUE||0470000009",
    "300|NONE|NONE|NONE|CONFIGRELOAD|",
)


def test_every_queue_kpi_and_all_four_service_level_variants():
    # T=20, S=5. c1 A_in (10 s), c2 A_out (30 s), c3 short (3 s), c4 B_in (15 s),
    # c5 B_out (40 s), c6 X_out (25 s), c7 X_in (2 s), c8 W_out (30 s at now), c9 W_in (5 s).
    # K = 1+1+1+1+1+1+1 = 7.
    q = report(MIXED)["queues"]["q"]
    assert (
        q["offered"],
        q["answered"],
        q["abandoned"],
        q["short_abandoned"],
        q["timed_out"],
        q["waiting"],
    ) == (9, 2, 3, 1, 2, 2)
    assert q["service_level_variants"] == {
        "offered": round(1 / 7, 4),  # A_in / K
        "ignore_abandons": round(1 / 6, 4),  # A_in / (K - B_in)
        "abandons_positive": round(2 / 7, 4),  # (A_in + B_in) / K
        "answered_only": 0.5,  # A_in / (A_in + A_out)
    }
    assert q["service_level"] == round(1 / 7, 4)
    assert q["answer_rate"] == round(2 / 7, 4)
    assert q["abandon_rate"] == round(2 / 7, 4)
    assert q["asa_s"] == 20.0  # (10 + 30) / 2
    assert q["avg_abandon_wait_s"] == 27.5  # (15 + 40) / 2, the short one left out
    assert q["max_wait_s"] == 40.0
    assert q["aht_s"] == 150.0  # (100 + 200) / 2
    assert q["aht_components"] == ["talk"]
    assert q["transferred"] == 0 and q["transfer_rate"] == 0.0


def test_the_report_settings_override_the_defaults():
    # T=30 makes c2 (30 s) and c6 (25 s) in time; S=2 makes c3 (3 s) a real abandon.
    result = report(MIXED, threshold=30, short_abandon=2, variant="answered_only")
    q = result["queues"]["q"]
    assert result["settings"]["variant"] == "answered_only"
    assert q["short_abandoned"] == 0
    assert q["service_level"] == 1.0
    # K = A_in 2 + B_in 2 (3, 15) + B_out 1 (40) + X_in 2 + W_out 0 (c8 waits exactly 30) = 7
    assert q["service_level_variants"]["offered"] == round(2 / 7, 4)


def test_now_cuts_the_file_and_waiting_counts_at_now():
    result = report(MIXED, now=BASE + 90)
    q = result["queues"]["q"]
    assert result["now"] == "2023-11-14T22:14:50Z"
    # By 90: c1 in talk, c2 in talk, c3 short, c4 B_in, c5 waits 30 (W_out), c6 waits 20
    # (W_in), c7 X_in.  K = A_in 1 + A_out 1 + B_in 1 + X_in 1 + W_out 1 = 5.
    assert (q["offered"], q["waiting"], q["aht_s"]) == (7, 2, None)
    assert q["service_level"] == round(1 / 5, 4)
    assert q["max_wait_s"] == 30.0
    assert result["lines"]["read"] == 14  # lines at +0 … +82


def test_agent_rings_in_milliseconds_and_zero_is_unreachable():
    agents = report(MIXED)["agents"]
    assert agents["Agent/A"] == {
        "handled": 1,
        "aht_s": 100.0,
        "avg_talk_s": 100.0,
        "missed_rings": 0,
        "unreachable_rings": 1,
        "answered_within_3_rings": 1.0,
        "occupancy": None,
    }
    assert agents["Agent/B"]["missed_rings"] == 1
    assert agents["Agent/B"]["unreachable_rings"] == 0
    # Connected without a ringtime field: unknown, not "within three rings".
    assert agents["Agent/B"]["answered_within_3_rings"] is None


def test_a_transfer_without_complete_is_an_answered_transferred_call():
    q = report(
        log(
            "0|t1|q|NONE|ENTERQUEUE||1",
            "4|t1|q|PJSIP/201|CONNECT|4|t1.2|1",
            "64|t1|q|PJSIP/201|BLINDTRANSFER|300|from-internal|4|60|1",
            "100|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    assert (q["answered"], q["transferred"], q["transfer_rate"], q["aht_s"]) == (1, 1, 1.0, 60.0)


def test_an_attended_transfer_takes_its_calltime_from_the_end():
    q = report(
        log(
            "0|t1|q|NONE|ENTERQUEUE||1",
            "4|t1|q|PJSIP/201|CONNECT|4|t1.2|1",
            "50|t1|q|PJSIP/201|ATTENDEDTRANSFER|BRIDGE|t1.9|4|46|1",
            "100|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    assert (q["transferred"], q["aht_s"]) == (1, 46.0)


def test_calls_open_at_the_end_are_waiting_or_in_progress_never_abandons():
    q = report(
        log(
            "0|a|q|NONE|ENTERQUEUE||1",
            "2|a|q|PJSIP/201|CONNECT|2|a.2",
            "5|b|q|NONE|ENTERQUEUE||2",
            "10|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    assert (q["offered"], q["answered"], q["abandoned"], q["waiting"]) == (2, 1, 0, 1)
    assert q["aht_s"] is None  # the answered call is still talking


def test_queuestart_cuts_calls_in_flight():
    q = report(
        log(
            "0|a|q|NONE|ENTERQUEUE||1",
            "3|a|q|PJSIP/201|CONNECT|3|a.2",
            "5|b|q|NONE|ENTERQUEUE||2",
            "40|NONE|NONE|NONE|QUEUESTART|",
            "50|c|q|NONE|ENTERQUEUE||3",
            "55|c|q|PJSIP/201|CONNECT|5|c.2",
            "65|c|q|PJSIP/201|COMPLETEAGENT|5|10|1",
            "80|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    # a: answered, cut → out of AHT; b: unknown with 35 s up to the restart → W_out.
    assert (q["answered"], q["unknown"], q["waiting"]) == (2, 1, 0)
    assert q["aht_s"] == 10.0
    assert q["max_wait_s"] == 35.0
    # K = A_in 2 + W_out 1 (the unknown call waited 35 s > T)
    assert q["service_level"] == round(2 / 3, 4)


def test_a_call_is_attributed_to_the_day_and_interval_it_entered():
    # Enters 23:59:50 UTC, answered, completed after midnight.
    midnight = 1_700_006_400  # 2023-11-15T00:00:00Z
    lines = [
        f"{midnight - 10}|m|q|NONE|ENTERQUEUE||1\n",
        f"{midnight + 5}|m|q|PJSIP/1|CONNECT|15|m.1\n",
        f"{midnight + 100}|m|q|PJSIP/1|COMPLETEAGENT|15|95|1\n",
        f"{midnight + 200}|NONE|NONE|NONE|CONFIGRELOAD|\n",
    ]
    result = report(lines)
    assert list(result["days"]["q"]) == ["2023-11-14"]
    assert result["days"]["q"]["2023-11-14"]["answered"] == 1
    assert [i["start"] for i in result["intervals"]["q"]] == ["2023-11-14T23:45:00Z"]
    # In the site zone Europe/Brussels that is already the 15th, 00:59:50.
    brussels = report(lines, site_zone="Europe/Brussels")
    assert list(brussels["days"]["q"]) == ["2023-11-15"]


def test_equal_timestamps_in_any_order_give_the_same_report():
    expected = report(MIXED)
    lines = MIXED[:]
    rng = random.Random(7)
    for _ in range(5):
        rng.shuffle(lines)
        assert report(lines)["queues"] == expected["queues"]


def test_the_same_line_twice_counts_once():
    doubled = MIXED[:5] + MIXED[3:5] + MIXED[5:] + MIXED[-4:-1]
    result = report(doubled)
    assert result["queues"] == report(MIXED)["queues"]
    assert result["lines"]["duplicates"] == 5


def test_an_empty_wait_is_measured_from_the_lines_not_taken_as_zero():
    q = report(
        log(
            "0|a|q|NONE|ENTERQUEUE||1",
            "12|a|q|NONE|ABANDON|1|1|",
            "30|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    assert (q["abandoned"], q["short_abandoned"], q["avg_abandon_wait_s"]) == (1, 0, 12.0)


def test_the_entry_time_is_the_line_time_not_the_uniqueid():
    result = report(log("0|1600000000.5|q|NONE|ENTERQUEUE||1", "30|NONE|NONE|NONE|CONFIGRELOAD|"))
    assert result["intervals"]["q"][0]["start"] == "2023-11-14T22:00:00Z"
    assert result["queues"]["q"]["max_wait_s"] == 30.0


def test_system_lines_are_not_calls_and_bad_lines_are_rejected_with_their_number():
    bad = ["garbage without pipes\n", "\n", f"{BASE + 9}|a|q|NONE\n"]
    result = report(
        [
            *log(
                "0|NONE|NONE|NONE|QUEUESTART|",
                "1|NONE|NONE|NONE|CONFIGRELOAD|",
                "2|a|q|NONE|ENTERQUEUE||1",
                "3|a|q|NONE|ABANDON|1|1|-4",
                "4|a|q|NONE|ABANDON|1|1|x",
            ),
            *bad,
        ]
    )
    assert result["queues"]["q"]["offered"] == 1
    assert result["queues"]["q"]["waiting"] == 1
    lines = result["lines"]
    assert (lines["read"], lines["used"], lines["ignored"]) == (7, 2, 1)
    assert [(r["line"], r["reason"]) for r in lines["rejected"]] == [
        (4, "ABANDON waittime is negative: '-4'"),
        (5, "ABANDON waittime is not a number: 'x'"),
        (6, "time is not an epoch number: 'garbage without pipes'"),
        (8, "expected at least 5 fields separated by '|', got 4"),
    ]


ACW_DAY = log(
    "0|NONE|q|PJSIP/7|ADDMEMBER|",
    "10|w|q|NONE|ENTERQUEUE||1",
    "10|w|q|PJSIP/7|CONNECT|0|w.2|1",
    "110|w|q|PJSIP/7|COMPLETEAGENT|0|100|1",
    "111|NONE|q|PJSIP/7|PAUSE|ACW",
    "141|NONE|q|PJSIP/7|UNPAUSE|",
    "150|v|q|NONE|ENTERQUEUE||2",
    "150|v|q|PJSIP/7|CONNECT|0|v.2|1",
    "160|v|q|PJSIP/7|COMPLETEAGENT|0|10|1",
    "165|NONE|NONE|PJSIP/7|PAUSEALL|Lunch",
    "180|NONE|NONE|PJSIP/7|UNPAUSEALL|",
    "200|NONE|q|PJSIP/7|REMOVEMEMBER|",
)


def test_after_call_work_counts_in_aht_when_it_starts_within_two_seconds():
    result = report(ACW_DAY)
    q = result["queues"]["q"]
    # w: talk 100 + ACW 30; v: talk 10, its pause (Lunch, at +5 s) is no ACW → 0.
    assert q["aht_components"] == ["talk", "acw"]
    assert q["aht_s"] == 70.0
    assert q["avg_talk_s"] == 55.0


def test_occupancy_is_busy_over_busy_plus_available_idle():
    agent = report(ACW_DAY)["agents"]["PJSIP/7"]
    # busy: on call 10–110 and 150–160, wrap-up 111–141 → 140 s;
    # available idle: 0–10, 110–111, 141–150, 160–165, 180–200 → 45 s; lunch left out.
    assert agent["occupancy"] == round(140 / 185, 4)
    assert agent["handled"] == 2


def test_the_wazo_realtime_layout_with_another_call_id_on_the_end(tmp_path):
    from tests.conftest import shared_data

    path = shared_data("asterisk/wazo-doc-rows.psv")
    result = build_report(file_lines(path), layout="db", zone="Europe/Paris")
    q = result["queues"]["q1"]
    # ENTERQUEUE 07:33:21.165823, CONNECT holdtime 2, COMPLETEAGENT (other call id) talk 12;
    # the ABANDON belongs to no entered call; JOINEMPTY, FULL, CLOSED are not calls.
    assert (q["offered"], q["answered"], q["abandoned"], q["asa_s"], q["aht_s"]) == (
        1,
        1,
        0,
        2.0,
        12.0,
    )
    assert result["lines"] == {"read": 12, "used": 8, "ignored": 4, "duplicates": 0, "rejected": []}
    # Paris is UTC+2 in July: the entry is 05:33:21 UTC.
    assert result["intervals"]["q1"][0]["start"] == "2012-07-04T05:30:00Z"


def test_repeat_call_rate_counts_callers_calling_again_within_the_window():
    day = 24 * 3600
    lines = log(
        "0|a1|q|NONE|ENTERQUEUE||0470111111",
        "0|b1|q|NONE|ENTERQUEUE||0470222222",
        "0|c1|q|NONE|ENTERQUEUE||0470333333",
        "0|x1|q|NONE|ENTERQUEUE||anonymous",
        "1|a1|q|PJSIP/1|CONNECT|1|a1.1",
        "1|b1|q|PJSIP/2|CONNECT|1|b1.1",
        "1|c1|q|PJSIP/3|CONNECT|1|c1.1",
        "1|x1|q|PJSIP/4|CONNECT|1|x1.1",
        "100|a2|other|NONE|ENTERQUEUE||0470111111",  # A again after 100 s, in another queue
        "105|a2|other|NONE|ABANDON|1|1|5",
        f"{day + 3600}|b2|q|NONE|ENTERQUEUE||0470222222",  # B again after 25 h
        f"{day + 3610}|b2|q|NONE|ABANDON|1|1|10",
    )
    # Answered with a number: A (repeat), B (not within 24 h), C (no other call) → 1/3.
    assert report(lines)["queues"]["q"]["repeat_call_rate"] == round(1 / 3, 4)
    assert report(lines, repeat_window_h=26)["queues"]["q"]["repeat_call_rate"] == round(2 / 3, 4)
    assert report(lines)["queues"]["other"]["repeat_call_rate"] is None


def test_a_new_call_ends_the_wrap_up_of_the_last_one():
    q = report(
        log(
            "0|a|q|NONE|ENTERQUEUE||1",
            "0|a|q|PJSIP/7|CONNECT|0|a.1",
            "50|a|q|PJSIP/7|COMPLETEAGENT|0|50|1",
            "51|b|q|NONE|ENTERQUEUE||2",
            "51|b|q|PJSIP/7|CONNECT|0|b.1",  # within a's 2-s window: a had no after-call work
            "81|b|q|PJSIP/7|COMPLETEAGENT|0|30|1",
            "82|NONE|q|PJSIP/7|PAUSE|ACW",
            "90|c|q|NONE|ENTERQUEUE||3",
            "90|c|q|PJSIP/7|CONNECT|0|c.1",  # b's after-call work ends when c connects: 8 s
            "100|c|q|PJSIP/7|COMPLETEAGENT|0|10|1",
            "200|NONE|NONE|NONE|CONFIGRELOAD|",
        )
    )["queues"]["q"]
    # a: 50; b: 30 + 8; c: 10 (no pause after it) → (50 + 38 + 10) / 3
    assert q["aht_s"] == round(98 / 3, 4)
    assert q["answered"] == 3


def test_a_ring_start_kept_across_batches_still_ends_with_the_call():
    """The engine's open state carries a ringing member to the next batch (no Django)."""
    from metrics.kpi import Engine
    from metrics.queue_log import Event

    def ev(ts, name, member="", data=()):
        return Event(ts, int(ts), "c1", "q", member, name, tuple(data), f"k{ts}{name}{member}")

    engine = Engine()
    for event in [
        ev(100, "ENTERQUEUE", data=("", "+3225550101")),
        ev(101, "RINGSTART", "PJSIP/1"),
        ev(101, "RINGSTART", "PJSIP/2"),
    ]:
        assert engine.feed(event)
    assert engine.members["PJSIP/1"].activity == "ringing"
    later = Engine.load(engine.dump())
    assert later.feed(ev(109, "RINGNOANSWER", "PJSIP/1", ("",)))
    assert later.feed(ev(110, "CONNECT", "PJSIP/2", ("10", "x", "")))
    calls, intervals, rings = later.drain()
    assert [(r.member, r.missed) for r in rings] == [("PJSIP/1", True)]
    (call,) = calls
    assert (call.ring_s, call.member) == (9.0, "PJSIP/2")
    assert [(m, s.activity) for m, s in sorted(later.members.items())] == [
        ("PJSIP/1", "idle"),
        ("PJSIP/2", "on_call"),
    ]
    assert {(i.member, i.activity, i.start_ts, i.end_ts) for i in intervals} >= {
        ("PJSIP/1", "ringing", 101, 109),
        ("PJSIP/2", "ringing", 101, 110),
    }


def test_a_busy_agent_is_not_shown_ringing_for_another_call():
    from metrics.kpi import Engine
    from metrics.queue_log import Event

    engine = Engine()
    engine.feed(Event(1, 1, "c1", "q", "", "ENTERQUEUE", ()))
    engine.feed(Event(2, 2, "c1", "q", "PJSIP/1", "CONNECT", ("1", "", "1")))
    engine.feed(Event(3, 3, "c2", "q", "", "ENTERQUEUE", ()))
    assert not engine.feed(Event(4, 4, "c2", "q", "PJSIP/1", "RINGSTART", ()))
    assert engine.members["PJSIP/1"].activity == "on_call"


def test_the_three_rings_cutoff_is_a_setting():
    # Agent/A answered c1 after 2 s of ringing, Agent/C answers c10 after 12 s.
    lines = MIXED + log(
        "310|c10|q|NONE|ENTERQUEUE||0470000010",
        "330|c10|q|Agent/C|CONNECT|20|c10.1|12",
        "400|c10|q|Agent/C|COMPLETEAGENT|20|70|1",
    )
    default = report(lines)
    assert default["settings"]["three_rings_s"] == 15
    assert default["agents"]["Agent/C"]["answered_within_3_rings"] == 1.0
    strict = report(lines, fast_ring=10)
    assert strict["settings"]["three_rings_s"] == 10
    assert strict["agents"]["Agent/C"]["answered_within_3_rings"] == 0.0
    assert strict["agents"]["Agent/A"]["answered_within_3_rings"] == 1.0
