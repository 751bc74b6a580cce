"""Attendance and adherence of a scripted day, worked out by hand (no database).

Shift 08:00–16:00 with a break 10:00–10:15 and lunch 12:00–12:30. The agent:
08:07 logs in (available) · 10:02 not ready "break" · 10:20 available · 12:00 not ready
"lunch" · 12:40 available (a call 13:00–13:06) · 15:45 logs out.

Attendance: late 7 min, leaves 15 min early; logged in 08:07–15:45 = 458 min of 480.
Adherence, segment by segment (scheduled → actual):
  08:00–08:07 on queue, logged out      ✘  7
  08:07–10:00 on queue, available       ✔ 113
  10:00–10:02 break, available          ✘  2
  10:02–10:15 break, not ready          ✔ 13
  10:15–10:20 on queue, not ready       ✘  5
  10:20–12:00 on queue, available       ✔ 100
  12:00–12:30 lunch, not ready          ✔ 30
  12:30–12:40 on queue, not ready       ✘ 10
  12:40–15:45 on queue, available/call  ✔ 185
  15:45–16:00 on queue, logged out      ✘ 15
→ 441 of 480 minutes = 0.91875, five exceptions (39 min).
"""

from datetime import UTC, datetime, timedelta

from scheduling.attendance import (
    PlannedActivity,
    PlannedShift,
    StateSpan,
    adherence,
    attendance,
)


def t(hour: int, minute: int = 0) -> datetime:
    return datetime(2026, 11, 23, hour, minute, tzinfo=UTC)


SHIFT = PlannedShift(
    t(8),
    t(16),
    (PlannedActivity("break", t(10), t(10, 15)), PlannedActivity("lunch", t(12), t(12, 30))),
)
STATES = [
    StateSpan(t(7), t(8, 7), "logged_out"),
    StateSpan(t(8, 7), t(10, 2), "available"),
    StateSpan(t(10, 2), t(10, 20), "not_ready", reason="break"),
    StateSpan(t(10, 20), t(12), "available"),
    StateSpan(t(12), t(12, 40), "not_ready", reason="lunch"),
    StateSpan(t(12, 40), t(13), "available"),
    StateSpan(t(13), t(13, 6), "available", activity="on_call"),
    StateSpan(t(13, 6), t(15, 45), "available"),
    StateSpan(t(15, 45), None, "logged_out"),
]
EVENING = t(20)


def test_the_scripted_day_is_late_7_and_leaves_15_early():
    day = attendance(shift=SHIFT, states=STATES, on_leave=False, now=EVENING)
    assert day.status == "present" and day.label == "late, early leave"
    assert (day.late_min, day.early_leave_min) == (7, 15)
    assert (day.first_login, day.last_logout) == (t(8, 7), t(15, 45))
    assert day.worked_min == 458 and day.scheduled_min == 480
    assert day.conformance == 458 / 480


def test_the_scripted_day_adheres_441_of_480_minutes():
    result = adherence(shift=SHIFT, states=STATES, now=EVENING)
    assert result.scheduled_min == 480
    assert result.adherent_min == 441
    assert result.ratio == 0.91875
    assert [(e.start, e.end, e.scheduled, e.actual) for e in result.exceptions] == [
        (t(8), t(8, 7), "on_queue", "logged out"),
        (t(10), t(10, 2), "break", "available"),
        (t(10, 15), t(10, 20), "on_queue", "not ready (break)"),
        (t(12, 30), t(12, 40), "on_queue", "not ready (lunch)"),
        (t(15, 45), t(16), "on_queue", "logged out"),
    ]
    assert sum(e.minutes for e in result.exceptions) == 39


def test_a_punctual_full_day_is_on_time():
    states = [StateSpan(t(7, 58), t(16, 2), "available")]
    day = attendance(shift=SHIFT, states=states, on_leave=False, now=EVENING)
    assert day.label == "on time" and day.late_min == 0 and day.early_leave_min == 0


def test_a_grace_period_forgives_a_small_delay():
    states = [StateSpan(t(8, 3), t(16), "available")]
    assert attendance(shift=SHIFT, states=states, on_leave=False, now=EVENING).late_min == 3
    day = attendance(
        shift=SHIFT, states=states, on_leave=False, now=EVENING, grace=timedelta(minutes=5)
    )
    assert day.late_min == 0


def test_no_login_is_absent_and_approved_leave_is_shown_as_leave():
    assert attendance(shift=SHIFT, states=[], on_leave=False, now=EVENING).status == "absent"
    assert attendance(shift=SHIFT, states=[], on_leave=True, now=EVENING).status == "leave"
    before = attendance(shift=SHIFT, states=[], on_leave=False, now=t(7))
    assert before.status == "scheduled"


def test_an_agent_still_logged_in_has_not_left_early():
    states = [StateSpan(t(8), None, "available")]
    day = attendance(shift=SHIFT, states=states, on_leave=False, now=t(14))
    assert day.early_leave_min == 0 and day.worked_min == 360


def test_adherence_counts_only_the_elapsed_part_of_a_running_shift():
    result = adherence(shift=SHIFT, states=STATES, now=t(10, 10))
    # 08:00–10:10: 7 + 2 out, 113 + 8 in.
    assert result.scheduled_min == 130 and result.adherent_min == 121


def test_an_agent_still_logged_in_shows_no_last_logout_rather_than_now():
    states = [StateSpan(t(8), None, "available")]
    day = attendance(shift=SHIFT, states=states, on_leave=False, now=t(14))
    assert day.logged_in_now and day.last_logout is None
    assert day.first_login == t(8) and day.status == "present"
    # Without a shift too; and once logged out, the logout time is shown.
    free = attendance(
        shift=None, states=states, on_leave=False, now=t(14), day_start=t(0), day_end=t(23, 59)
    )
    assert free.logged_in_now and free.last_logout is None
    assert str(free.label) == "not scheduled"
    done = attendance(shift=SHIFT, states=STATES, on_leave=False, now=EVENING)
    assert not done.logged_in_now and done.last_logout == t(15, 45)
