"""Live adherence and conformance for the wall board, as pure functions over plain records.

Definitions (the industry's, on the scheduling's own terms in `scheduling.attendance`):

- **adherence**: the time an agent spends in the state their scheduled activity expects
  (`attendance.state_matches`) over the scheduled time so far;
- **conformance**: the time they work on queue (available, or busy with a call or its
  wrap-up) over the on-queue time scheduled so far. Both count within the shift; on-queue
  time during a scheduled break counts as worked, so conformance can pass 100 %.

A `Tally` is additive over time: `tally(before=tally(until=b), until=c)` equals
`tally(until=c)`, so the board folds the closed part of the day once and, on every snapshot,
adds only the states that changed since (its cost does not grow with the day). An agent is
*out of adherence* from the first moment of the run of non-matching time that reaches now.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from datetime import datetime

from scheduling.attendance import (
    ON_QUEUE,
    PlannedShift,
    StateSpan,
    scheduled_kind,
    state_matches,
)


@dataclass(frozen=True)
class Tally:
    """Seconds of a shift from its start up to `upto` (None: nothing counted yet)."""

    scheduled_s: float = 0.0
    adherent_s: float = 0.0
    on_queue_scheduled_s: float = 0.0
    on_queue_s: float = 0.0
    upto: datetime | None = None
    # The start of the run of non-adherent time that reaches `upto` (None: adherent at `upto`).
    out_since: datetime | None = None

    @property
    def adherence(self) -> float | None:
        return self.adherent_s / self.scheduled_s if self.scheduled_s else None

    @property
    def conformance(self) -> float | None:
        return self.on_queue_s / self.on_queue_scheduled_s if self.on_queue_scheduled_s else None


def state_at(states: Sequence[StateSpan], at: datetime) -> StateSpan | None:
    """The state in effect at `at`: the latest-started span covering it (open spans run on)."""
    found = None
    for span in states:
        covers = span.start <= at and (span.end is None or at < span.end)
        if covers and (found is None or span.start >= found.start):
            found = span
    return found


def tally(
    *,
    shift: PlannedShift,
    states: Sequence[StateSpan],
    until: datetime,
    before: Tally | None = None,
) -> Tally:
    """`before` (or an empty tally) extended over the shift up to `until`.

    `states` must cover the time from `before.upto` (or the shift's start) on: the state in
    effect then and every later one; time no state covers counts as logged out.
    """
    before = before or Tally()
    start = max(shift.start, before.upto) if before.upto else shift.start
    end = min(shift.end, until)
    if end <= start:
        return before
    cuts = {start, end}
    cuts |= {a.start for a in shift.activities if start < a.start < end}
    cuts |= {a.end for a in shift.activities if start < a.end < end}
    for span in states:
        cuts |= {t for t in (span.start, span.end) if t is not None and start < t < end}
    points = sorted(cuts)
    scheduled = adherent = on_queue_scheduled = on_queue = 0.0
    out_since = before.out_since if before.upto == start else None
    for lo, hi in itertools.pairwise(points):
        seconds = (hi - lo).total_seconds()
        kind = scheduled_kind(shift, lo)
        state = state_at(states, lo)
        scheduled += seconds
        if kind == ON_QUEUE:
            on_queue_scheduled += seconds
        if state_matches(ON_QUEUE, state):
            on_queue += seconds
        if state_matches(kind, state):
            adherent += seconds
            out_since = None
        elif out_since is None:
            out_since = lo
    return Tally(
        before.scheduled_s + scheduled,
        before.adherent_s + adherent,
        before.on_queue_scheduled_s + on_queue_scheduled,
        before.on_queue_s + on_queue,
        end,
        out_since,
    )


@dataclass(frozen=True)
class Live:
    """An agent against their schedule now: the activity scheduled (None outside a shift),
    whether their state matches it, and since when it has not."""

    scheduled: str | None
    in_adherence: bool | None
    out_since: datetime | None


NOT_SCHEDULED = Live(None, None, None)


def live(*, shift: PlannedShift, states: Sequence[StateSpan], now: datetime, so_far: Tally) -> Live:
    """Now against the shift, given `so_far` = `tally(..., until=now)` of the same shift."""
    if not shift.start <= now < shift.end:
        return NOT_SCHEDULED
    kind = scheduled_kind(shift, now)
    if state_matches(kind, state_at(states, now)):
        return Live(kind, True, None)
    running = so_far.out_since if so_far.upto == now else None
    return Live(kind, False, running or now)


def out_for_s(status: Live, now: datetime) -> float:
    """Seconds the agent has been out of adherence (0 when in, or not scheduled)."""
    if status.out_since is None:
        return 0.0
    return (now - status.out_since).total_seconds()


def combined(tallies: Iterable[Tally]) -> Tally:
    """The sum of several tallies (a team's agents): their ratios are the team's figures."""
    total = Tally()
    for part in tallies:
        total = replace(
            total,
            scheduled_s=total.scheduled_s + part.scheduled_s,
            adherent_s=total.adherent_s + part.adherent_s,
            on_queue_scheduled_s=total.on_queue_scheduled_s + part.on_queue_scheduled_s,
            on_queue_s=total.on_queue_s + part.on_queue_s,
        )
    return total
