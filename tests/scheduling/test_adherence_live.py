"""Live adherence and conformance of the wall board, worked out by hand (no database).

The day of `test_attendance`: shift 08:00–16:00, break 10:00–10:15, lunch 12:00–12:30; the
agent logs in 08:07, takes the break 10:02–10:20 and lunch 12:00–12:40, logs out 15:45.

At 12:35, segment by segment (scheduled → actual; ✔ adherent; "q" counts as worked on queue):
  08:00–08:07 on queue, logged out       ✘   7   scheduled on queue 7
  08:07–10:00 on queue, available        ✔ 113   scheduled on queue 113, worked 113
  10:00–10:02 break, available           ✘   2   worked 2
  10:02–10:15 break, not ready           ✔  13
  10:15–10:20 on queue, not ready        ✘   5   scheduled on queue 5
  10:20–12:00 on queue, available        ✔ 100   scheduled on queue 100, worked 100
  12:00–12:30 lunch, not ready           ✔  30
  12:30–12:35 on queue, not ready        ✘   5   scheduled on queue 5
→ adherence 256 / 275 min, conformance 215 / 230 min; out of adherence since 12:30.

The whole day: adherence 441 / 480 (as the attendance page); on queue scheduled 480 − 45 = 435,
worked 113 + 2 + 100 + 185 = 400 → conformance 400 / 435.
"""

from datetime import timedelta

from scheduling.adherence import Tally, combined, live, out_for_s, state_at, tally
from scheduling.attendance import StateSpan, adherence
from tests.scheduling.test_attendance import EVENING, SHIFT, STATES, t


def test_the_morning_so_far_has_hand_computed_adherence_and_conformance():
    so_far = tally(shift=SHIFT, states=STATES, until=t(12, 35))
    assert so_far.scheduled_s == 275 * 60 and so_far.adherent_s == 256 * 60
    assert so_far.on_queue_scheduled_s == 230 * 60 and so_far.on_queue_s == 215 * 60
    assert so_far.adherence == 256 / 275 and so_far.conformance == 215 / 230
    assert so_far.out_since == t(12, 30)


def test_the_whole_day_agrees_with_the_attendance_page():
    day = tally(shift=SHIFT, states=STATES, until=EVENING)
    assert day.adherent_s / 60 == adherence(shift=SHIFT, states=STATES, now=EVENING).adherent_min
    assert day.adherence == 441 / 480
    assert day.conformance == 400 / 435
    assert day.upto == t(16)


def test_folding_the_closed_part_then_adding_the_rest_gives_the_same_tally():
    whole = tally(shift=SHIFT, states=STATES, until=EVENING)
    for fold in (t(10, 1), t(10, 2), t(12, 31), t(15, 45)):
        first = tally(shift=SHIFT, states=STATES, until=fold)
        # What the board reads after a fold: the state in effect at the fold and the later ones.
        later = [s for s in STATES if s.end is None or s.end > fold]
        assert tally(shift=SHIFT, states=later, until=EVENING, before=first) == whole


def test_an_out_of_adherence_run_carries_across_a_fold():
    first = tally(shift=SHIFT, states=STATES, until=t(10, 1))
    assert first.out_since == t(10)  # on break from 10:00 but still available
    rest = tally(shift=SHIFT, states=STATES, until=t(10, 2), before=first)
    assert rest.out_since == t(10)
    back_in = tally(shift=SHIFT, states=STATES, until=t(10, 3), before=rest)
    assert back_in.out_since is None


def test_live_status_names_the_scheduled_activity_and_since_when_it_is_not_followed():
    now = t(12, 35)
    status = live(
        shift=SHIFT, states=STATES, now=now, so_far=tally(shift=SHIFT, states=STATES, until=now)
    )
    assert (status.scheduled, status.in_adherence, status.out_since) == (
        "on_queue",
        False,
        t(12, 30),
    )
    assert out_for_s(status, now) == 300
    at_lunch = t(12, 10)
    status = live(
        shift=SHIFT,
        states=STATES,
        now=at_lunch,
        so_far=tally(shift=SHIFT, states=STATES, until=at_lunch),
    )
    assert (status.scheduled, status.in_adherence, status.out_since) == ("lunch", True, None)
    assert out_for_s(status, at_lunch) == 0


def test_a_scheduled_break_starting_while_on_a_call_is_out_from_the_break_start():
    states = [
        StateSpan(t(7, 55), t(9, 55), "available"),
        StateSpan(t(9, 55), t(10, 8), "available", activity="on_call"),
        StateSpan(t(10, 8), None, "available"),
    ]
    now = t(10, 9)
    status = live(
        shift=SHIFT, states=states, now=now, so_far=tally(shift=SHIFT, states=states, until=now)
    )
    assert (status.scheduled, status.in_adherence, status.out_since) == ("break", False, t(10))


def test_outside_the_shift_nothing_is_scheduled():
    for now in (t(7, 30), t(16), t(17)):
        status = live(
            shift=SHIFT, states=STATES, now=now, so_far=tally(shift=SHIFT, states=STATES, until=now)
        )
        assert (status.scheduled, status.in_adherence, status.out_since) == (None, None, None)
    assert tally(shift=SHIFT, states=STATES, until=t(7, 30)) == Tally()


def test_a_shift_starting_now_with_the_agent_logged_out_is_out_since_now():
    status = live(
        shift=SHIFT, states=[], now=t(8), so_far=tally(shift=SHIFT, states=[], until=t(8))
    )
    assert (status.in_adherence, status.out_since) == (False, t(8))


def test_the_latest_state_wins_where_two_telephony_names_overlap():
    old = StateSpan(t(6), None, "logged_out")
    new = StateSpan(t(8), None, "available")
    assert state_at([new, old], t(9)) is new and state_at([old, new], t(9)) is new
    assert state_at([old, new], t(7)) is old


def test_team_figures_sum_seconds_before_dividing():
    a = tally(shift=SHIFT, states=STATES, until=t(12, 35))  # 256 / 275, 215 / 230
    punctual = [StateSpan(t(7, 58), None, "available")]
    b = tally(shift=SHIFT, states=punctual, until=t(9))  # 60 / 60 adherent, 60 / 60 worked
    team = combined([a, b])
    assert team.adherence == (256 + 60) / (275 + 60)
    assert team.conformance == (215 + 60) / (230 + 60)
    assert combined([]).adherence is None and combined([]).conformance is None
    assert b.scheduled_s == timedelta(hours=1).total_seconds()
