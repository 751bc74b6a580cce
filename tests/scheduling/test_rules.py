"""The swap rules, as a pure function (no database)."""

from datetime import UTC, datetime, timedelta

from scheduling.rules import Span, failures, swap_rules

NOW = datetime(2026, 11, 23, 12, 0, tzinfo=UTC)
H = timedelta(hours=1)


def span(day: int, start: int, end: int) -> Span:
    return Span(
        datetime(2026, 11, day, start, tzinfo=UTC), datetime(2026, 11, day, end, tzinfo=UTC)
    )


def check(**overrides):
    values = dict(
        now=NOW,
        requester="Ann",
        colleague="Bob",
        requester_shift=span(26, 8, 16),
        colleague_shift=span(27, 8, 16),
        requester_skills=frozenset({"billing"}),
        colleague_skills=frozenset({"billing"}),
        requester_other_shifts=[],
        colleague_other_shifts=[],
        min_notice=24 * H,
        min_rest=11 * H,
    )
    values.update(overrides)
    return swap_rules(**values)


def test_a_valid_swap_passes_every_rule():
    checks = check()
    assert [c.code for c in checks] == ["future", "notice", "skills", "rest"]
    assert failures(checks) == []


def test_different_queues_fail_and_say_which():
    bad = failures(check(colleague_skills=frozenset({"cards"})))
    assert [c.code for c in bad] == ["skills"]
    assert "Bob does not work billing" in bad[0].message
    assert "Ann does not work cards" in bad[0].message


def test_less_notice_than_the_minimum_fails():
    bad = failures(check(requester_shift=span(24, 8, 16)))  # 20 h away
    assert [c.code for c in bad] == ["notice"]
    assert "20 h" in bad[0].message


def test_a_shift_in_the_past_fails_future_and_notice():
    bad = failures(check(requester_shift=span(23, 8, 16)))
    assert {c.code for c in bad} == {"future", "notice"}


def test_an_overlap_with_the_colleagues_other_shift_fails():
    bad = failures(check(colleague_other_shifts=[span(26, 14, 22)]))
    assert [c.code for c in bad] == ["rest"]
    assert "overlaps" in bad[0].message


def test_too_little_rest_fails_exactly_below_the_minimum():
    # Ann would take Bob's 27th 08:00 shift; her other shift ends 26th 21:00 → 11 h: fine.
    assert failures(check(requester_other_shifts=[span(26, 17, 21)])) == []
    # Ending at 22:00 leaves 10 h.
    bad = failures(check(requester_other_shifts=[span(26, 17, 22)]))
    assert [c.code for c in bad] == ["rest"] and "10 h" in bad[0].message


def test_a_given_away_shift_checks_only_the_taker():
    checks = check(colleague_shift=None, colleague_other_shifts=[span(25, 8, 16)])
    assert failures(checks) == []


def test_notice_reads_in_hours_and_minutes_not_decimal_hours():
    # 21 h 10 min 21 s before the shift: shown as whole hours and minutes, never "21.1725 h".
    now = datetime(2026, 11, 25, 10, 49, 39, tzinfo=UTC)
    notice = next(c for c in check(now=now, min_notice=48 * H) if c.code == "notice")
    assert not notice.ok
    assert "21 h 10 min" in notice.message and "minimum 48 h" in notice.message
    assert "." not in notice.message.split(":")[1].split("(")[0]
    short = next(
        c for c in check(now=datetime(2026, 11, 26, 7, 15, tzinfo=UTC)) if c.code == "notice"
    )
    assert "45 min" in short.message and "0 h" not in short.message


def test_a_week_above_the_maximum_hours_fails_and_says_who_and_how_much():
    # Bob already works four 8-hour shifts in the week of Thu 26 Nov (Mon 23 – Sun 29).
    bob_week = [span(day, 8, 16) for day in (23, 24, 25, 28)]
    checks = check(colleague_other_shifts=bob_week, max_weekly=40 * H)
    assert [c.code for c in checks][-1] == "hours"
    assert failures(checks) == []  # 4 × 8 h + Ann's 8 h = 40 h: at the maximum
    bad = failures(check(colleague_other_shifts=bob_week, max_weekly=39 * H + 30 * H / 60))
    assert [c.code for c in bad] == ["hours"]
    assert "Bob would work 40 h in the week of Mon 23 Nov" in bad[0].message
    assert "maximum 39 h 30 min" in bad[0].message
    # A shift of the next week does not count in this one.
    assert (
        failures(check(colleague_other_shifts=[*bob_week[:3], span(30, 8, 16)], max_weekly=32 * H))
        == []
    )
