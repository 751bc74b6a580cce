"""Attendance and adherence of one agent's day, as pure functions over plain records.

Attendance compares the first login and the last logout around a shift with the shift:
late (minutes after the start), early leave (minutes before the end), absent (no login),
or on approved leave. Adherence (kpi.md) is the time spent in the scheduled activity over
the scheduled time; conformance is the time logged in over the scheduled time.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

LOGGED_OUT = "logged_out"
AVAILABLE = "available"
NOT_READY = "not_ready"
ON_QUEUE = "on_queue"
# How far around a shift a login still counts for it (covers early starts and overtime).
WINDOW = timedelta(hours=4)


# How an attendance status reads (the status itself is a code).
STATUS_LABELS = {
    "present": gettext_lazy("present"),
    "absent": gettext_lazy("absent"),
    "leave": gettext_lazy("leave"),
    "scheduled": gettext_lazy("scheduled"),
    "off": gettext_lazy("day off"),
    "unscheduled": gettext_lazy("not scheduled"),
}


@dataclass(frozen=True)
class StateSpan:
    """An agent state: status logged_out / available / not_ready, and the call activity."""

    start: datetime
    end: datetime | None
    status: str
    activity: str = "idle"
    reason: str = ""


@dataclass(frozen=True)
class PlannedActivity:
    kind: str
    start: datetime
    end: datetime


@dataclass(frozen=True)
class PlannedShift:
    start: datetime
    end: datetime
    activities: tuple[PlannedActivity, ...] = ()

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60


@dataclass(frozen=True)
class Attendance:
    status: str  # present / absent / leave / off / unscheduled
    late_min: int = 0
    early_leave_min: int = 0
    first_login: datetime | None = None
    # None while the agent is still logged in (`logged_in_now`): there is no logout yet.
    last_logout: datetime | None = None
    worked_min: float = 0.0
    scheduled_min: float = 0.0
    logged_in_now: bool = False

    @property
    def late(self) -> bool:
        return self.late_min > 0

    @property
    def early_leave(self) -> bool:
        return self.early_leave_min > 0

    @property
    def label(self) -> str:
        if self.status != "present":
            return str(STATUS_LABELS.get(self.status, self.status))
        parts = ([_("late")] if self.late else []) + (
            [_("early leave")] if self.early_leave else []
        )
        return ", ".join(parts) or _("on time")

    @property
    def conformance(self) -> float | None:
        return self.worked_min / self.scheduled_min if self.scheduled_min else None


def _clip(spans: Sequence[StateSpan], start: datetime, end: datetime, now: datetime):
    for span in spans:
        s_end = span.end or now
        lo, hi = max(span.start, start), min(s_end, end)
        if lo < hi:
            yield span, lo, hi


def _whole_minutes(delta: timedelta) -> int:
    return max(0, int(delta.total_seconds() // 60))


def attendance(
    *,
    shift: PlannedShift | None,
    states: Sequence[StateSpan],
    on_leave: bool,
    now: datetime,
    day_start: datetime | None = None,
    day_end: datetime | None = None,
    grace: timedelta = timedelta(0),
) -> Attendance:
    """Attendance of a day: against the shift when there is one, else the given day window."""
    if on_leave:
        return Attendance("leave", scheduled_min=0.0)
    if shift is not None:
        start, end = shift.start - WINDOW, shift.end + WINDOW
    elif day_start is not None and day_end is not None:
        start, end = day_start, day_end
    else:
        raise ValueError("give a shift or a day window")
    clipped = [
        (span, lo, hi)
        for span, lo, hi in _clip(states, start, end, now)
        if span.status != LOGGED_OUT
    ]
    logged_in = [(lo, hi) for _span, lo, hi in clipped]
    if not logged_in:
        if shift is None:
            return Attendance("off")
        return Attendance(
            "absent" if shift.start <= now else "scheduled", scheduled_min=shift.minutes
        )
    first = min(lo for lo, _ in logged_in)
    last = max(hi for _, hi in logged_in)
    worked = sum((hi - lo).total_seconds() for lo, hi in logged_in) / 60
    # Still logged in: the state that reaches furthest has not ended (its clipped end is "now"
    # or the window's end, neither of which is a logout).
    still = any(span.end is None and hi == last for span, _lo, hi in clipped)
    logout = None if still else last
    if shift is None:
        return Attendance(
            "unscheduled",
            first_login=first,
            last_logout=logout,
            worked_min=worked,
            logged_in_now=still,
        )
    late = first - shift.start
    late_min = _whole_minutes(late) if late > grace else 0
    early = _whole_minutes(shift.end - last) if last < min(shift.end, now) else 0
    return Attendance(
        "present",
        late_min=late_min,
        early_leave_min=early,
        first_login=first,
        last_logout=logout,
        worked_min=worked,
        scheduled_min=shift.minutes,
        logged_in_now=still,
    )


# --- adherence ----------------------------------------------------------------------------------


def state_matches(kind: str, state: StateSpan | None) -> bool:
    """Whether an agent in `state` is doing the scheduled activity `kind`: the one place that
    maps a scheduled activity to the states it expects (the attendance page and the wall board
    both ask here).

    On queue: logged in and available, or busy with a call or its wrap-up even if paused.
    Every other activity (break, lunch, meeting, training, coaching) is time off the queue:
    not ready or logged out.
    """
    status = state.status if state else LOGGED_OUT
    if kind == ON_QUEUE:
        return status == AVAILABLE or (status == NOT_READY and state.activity != "idle")
    return status in (NOT_READY, LOGGED_OUT) and not (state and state.activity != "idle")


def describe(state: StateSpan | None) -> str:
    if state is None or state.status == LOGGED_OUT:
        return _("logged out")
    if state.status == NOT_READY:
        return (
            _("not ready (%(reason)s)") % {"reason": state.reason}
            if state.reason
            else _("not ready")
        )
    return _("available") if state.activity == "idle" else state.activity.replace("_", " ")


@dataclass(frozen=True)
class AdherenceException:
    start: datetime
    end: datetime
    scheduled: str
    actual: str

    @property
    def minutes(self) -> float:
        return (self.end - self.start).total_seconds() / 60

    @property
    def scheduled_label(self) -> str:
        """The scheduled activity in the reader's words ("on queue", "lunch")."""
        from scheduling.models import ActivityKind

        return (
            str(ActivityKind(self.scheduled).label)
            if self.scheduled in ActivityKind.values
            else self.scheduled
        )


@dataclass
class Adherence:
    scheduled_min: float
    adherent_min: float
    exceptions: list[AdherenceException] = field(default_factory=list)

    @property
    def ratio(self) -> float | None:
        return self.adherent_min / self.scheduled_min if self.scheduled_min else None


def scheduled_kind(shift: PlannedShift, at: datetime) -> str:
    """The activity scheduled at `at` within the shift (time no activity covers is on queue)."""
    for act in shift.activities:
        if act.start <= at < act.end:
            return act.kind
    return ON_QUEUE


def adherence(*, shift: PlannedShift, states: Sequence[StateSpan], now: datetime) -> Adherence:
    """Minutes in the scheduled activity over scheduled minutes, with the exceptions listed."""
    end = min(shift.end, now)
    if end <= shift.start:
        return Adherence(0.0, 0.0)
    clipped = list(_clip(sorted(states, key=lambda s: s.start), shift.start, end, now))
    cuts = {shift.start, end}
    cuts |= {a.start for a in shift.activities if shift.start < a.start < end}
    cuts |= {a.end for a in shift.activities if shift.start < a.end < end}
    for _span, lo, hi in clipped:
        cuts |= {lo, hi}
    points = sorted(cuts)
    adherent = 0.0
    exceptions: list[AdherenceException] = []
    for lo, hi in itertools.pairwise(points):
        state = next((span for span, s_lo, s_hi in clipped if s_lo <= lo < s_hi), None)
        kind = scheduled_kind(shift, lo)
        seconds = (hi - lo).total_seconds()
        if state_matches(kind, state):
            adherent += seconds
            continue
        actual = describe(state)
        last = exceptions[-1] if exceptions else None
        if last and last.end == lo and last.scheduled == kind and last.actual == actual:
            exceptions[-1] = AdherenceException(last.start, hi, kind, actual)
        else:
            exceptions.append(AdherenceException(lo, hi, kind, actual))
    scheduled = (end - shift.start).total_seconds() / 60
    return Adherence(scheduled, adherent / 60, exceptions)
