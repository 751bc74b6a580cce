"""Timer arithmetic: business hours, weekends, closed days, time zones and pauses (no database)."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.complaints.timers import (
    Calendar,
    Level,
    active_seconds,
    add_working_time,
    counting_until,
    deadline,
    format_duration,
    timer_state,
    working_seconds,
)

H = 3600
# Monday–Friday 09:00–17:00 UTC. 2026-11-23 is a Monday.
OFFICE = Calendar.weekdays("UTC", time(9), time(17))


def at(day: int, hour: int, minute: int = 0) -> datetime:
    """A UTC moment in the week of Monday 23 November 2026 (day 0 = Monday)."""
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC) + timedelta(days=day)


def test_calendar_time_counts_every_second():
    assert working_seconds(at(0, 10), at(1, 10), None) == 24 * H
    assert add_working_time(at(5, 23), 2 * H, None) == at(6, 1)


def test_business_hours_count_only_opening_hours():
    assert working_seconds(at(0, 8), at(0, 18), OFFICE) == 8 * H
    assert working_seconds(at(0, 16), at(1, 10), OFFICE) == 2 * H


def test_a_weekend_does_not_count():
    # Friday 16:00 to Monday 10:00: one hour on Friday and one on Monday.
    assert working_seconds(at(4, 16), at(7, 10), OFFICE) == 2 * H


def test_a_deadline_rolls_over_closing_time_and_the_weekend():
    # Four business hours from Friday 15:00: two on Friday, two on Monday morning.
    assert add_working_time(at(4, 15), 4 * H, OFFICE) == at(7, 11)


def test_a_case_opened_at_night_starts_counting_at_opening():
    assert add_working_time(at(1, 22), 30 * 60, OFFICE) == at(2, 9, 30)
    assert add_working_time(at(5, 12), H, OFFICE) == at(7, 10)  # Saturday → Monday


def test_a_budget_ending_at_closing_time_is_due_at_closing_time():
    assert add_working_time(at(0, 9), 8 * H, OFFICE) == at(0, 17)


def test_closed_dates_are_skipped():
    calendar = Calendar.weekdays("UTC", time(9), time(17), closed_dates=[date(2026, 11, 24)])
    assert add_working_time(at(0, 16), 2 * H, calendar) == at(2, 10)
    assert working_seconds(at(0, 0), at(3, 0), calendar) == 16 * H


def test_split_opening_hours_skip_the_lunch_break():
    calendar = Calendar(zone="UTC", hours={0: ((9 * 60, 12 * 60), (13 * 60, 17 * 60))})
    assert add_working_time(at(0, 11), 2 * H, calendar) == at(0, 14)
    assert working_seconds(at(0, 11), at(0, 14), calendar) == 2 * H


def test_opening_hours_are_local_to_the_site_zone():
    shanghai = Calendar.weekdays("Asia/Shanghai", time(9), time(18))
    # 09:00 in Shanghai is 01:00 UTC; nine business hours end at 10:00 UTC.
    assert add_working_time(at(0, 0), 9 * H, shanghai) == at(0, 10)
    assert working_seconds(at(0, 0), at(0, 12), shanghai) == 9 * H


def test_daylight_saving_change_keeps_local_opening_hours():
    berlin = Calendar.weekdays("Europe/Berlin", time(9), time(17))
    friday = datetime(2026, 10, 23, 16, 0, tzinfo=ZoneInfo("Europe/Berlin"))
    due = add_working_time(friday, 2 * H, berlin)
    # Clocks go back on Sunday 25 October; Monday opens at 09:00 CET = 08:00 UTC.
    assert due.astimezone(ZoneInfo("Europe/Berlin")) == datetime(
        2026, 10, 26, 10, 0, tzinfo=ZoneInfo("Europe/Berlin")
    )
    assert due == datetime(2026, 10, 26, 9, 0, tzinfo=UTC)


def test_a_pause_moves_the_deadline_by_the_business_time_it_covers():
    # 4 h budget from Monday 09:00; paused Monday 10:00–Tuesday 10:00 (8 business hours).
    pauses = [(at(0, 10), at(1, 10))]
    assert deadline(at(0, 9), 4 * H, OFFICE, pauses) == at(1, 13)
    assert active_seconds(at(0, 9), at(1, 12), OFFICE, pauses) == 3 * H


def test_a_pause_outside_opening_hours_changes_nothing():
    pauses = [(at(0, 18), at(0, 22))]
    assert deadline(at(0, 9), 10 * H, OFFICE, pauses) == at(1, 11)


def test_an_open_pause_means_no_deadline_yet():
    assert deadline(at(0, 9), 4 * H, OFFICE, [(at(0, 10), None)]) is None


def test_a_pause_after_the_deadline_does_not_hide_the_breach():
    assert deadline(at(0, 9), H, OFFICE, [(at(0, 11), None)]) == at(0, 10)


def test_overlapping_pauses_count_once():
    pauses = [(at(0, 10), at(0, 12)), (at(0, 11), at(0, 13))]
    assert active_seconds(at(0, 9), at(0, 17), OFFICE, pauses) == 5 * H
    assert deadline(at(0, 9), 4 * H, OFFICE, pauses) == at(0, 16)


def test_pauses_before_the_start_are_ignored():
    pauses = [(at(0, 7), at(0, 10))]
    assert active_seconds(at(0, 9, 30), at(0, 12), OFFICE, pauses) == 2 * H


def test_the_timer_turns_amber_at_eighty_percent_and_red_when_breached():
    start = at(0, 9)

    def level(now):
        return timer_state(start=start, budget_s=10 * H, now=now, calendar=None).level

    assert level(at(0, 16, 59)) is Level.GREEN
    assert level(at(0, 17)) is Level.AMBER
    assert level(at(0, 19)) is Level.AMBER
    assert level(at(0, 19, 1)) is Level.RED


def test_time_left_is_in_counted_time():
    state = timer_state(start=at(4, 15), budget_s=4 * H, now=at(7, 10), calendar=OFFICE)
    assert state.used_s == 3 * H
    assert state.left_s == H
    assert state.due_at == at(7, 11)
    assert state.level is Level.GREEN


def test_a_breached_timer_reports_negative_time_left():
    state = timer_state(start=at(0, 9), budget_s=H, now=at(0, 12), calendar=OFFICE)
    assert state.breached and state.level is Level.RED
    assert state.left_s == -2 * H
    assert format_duration(state.left_s) == "-2 h 00 m"


def test_a_stopped_timer_keeps_the_time_used_until_it_stopped():
    state = timer_state(
        start=at(0, 9), budget_s=4 * H, now=at(3, 9), calendar=OFFICE, stopped_at=at(0, 12)
    )
    assert state.used_s == 3 * H and state.level is Level.DONE and state.stopped
    late = timer_state(
        start=at(0, 9), budget_s=H, now=at(3, 9), calendar=OFFICE, stopped_at=at(0, 12)
    )
    assert late.level is Level.RED


def test_a_paused_timer_says_so_and_its_clock_stands_still():
    pauses = [(at(0, 10), None)]
    early = timer_state(
        start=at(0, 9), budget_s=4 * H, now=at(0, 11), calendar=OFFICE, pauses=pauses
    )
    late = timer_state(
        start=at(0, 9), budget_s=4 * H, now=at(2, 11), calendar=OFFICE, pauses=pauses
    )
    assert early.level is Level.PAUSED and early.paused and early.due_at is None
    assert early.used_s == late.used_s == H


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError, match="timezone-aware"):
        working_seconds(datetime(2026, 1, 1), at(0, 9), OFFICE)


def test_a_calendar_without_opening_hours_is_refused():
    with pytest.raises(ValueError, match="opening hours"):
        Calendar(zone="UTC", hours={})
    with pytest.raises(ValueError, match="within one day"):
        Calendar(zone="UTC", hours={0: ((17 * 60, 9 * 60),)})


def test_format_duration():
    assert format_duration(2 * 86400 + 3 * H) == "2 d 3 h"
    assert format_duration(12 * 60 + 30) == "12 m"


moments = st.datetimes(
    min_value=datetime(2026, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)


@given(start=moments, budget=st.integers(min_value=0, max_value=200 * H))
def test_the_deadline_is_exactly_the_budget_away_in_business_time(start, budget):
    due = add_working_time(start, budget, OFFICE)
    assert working_seconds(start, due, OFFICE) == pytest.approx(budget, abs=1e-3)


@given(
    start=moments,
    length=st.integers(min_value=0, max_value=30 * 86400),
    pause_at=st.integers(min_value=0, max_value=30 * 86400),
    pause_len=st.integers(min_value=0, max_value=10 * 86400),
    budget=st.integers(min_value=1, max_value=100 * H),
)
def test_a_deadline_with_pauses_uses_exactly_the_budget(start, length, pause_at, pause_len, budget):
    pauses = [
        (start + timedelta(seconds=pause_at), start + timedelta(seconds=pause_at + pause_len))
    ]
    due = deadline(start, budget, OFFICE, pauses)
    assert active_seconds(start, due, OFFICE, pauses) == pytest.approx(budget, abs=1e-3)
    end = start + timedelta(seconds=length)
    assert active_seconds(start, end, OFFICE, pauses) <= working_seconds(start, end, OFFICE)


def test_the_clock_counts_until_closing_time_and_stands_still_when_closed():
    assert counting_until(at(0, 10), OFFICE) == at(0, 17)
    assert counting_until(at(0, 17), OFFICE) is None
    assert counting_until(at(5, 10), OFFICE) is None  # Saturday
    assert counting_until(at(5, 10), None).year == 9999
