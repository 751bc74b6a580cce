"""The KPI formulas of kpi.md over plain counters: what a call counts, the sums, the figures.

Plain Python, no Django (the engine in `metrics.kpi` feeds it; ingestion, the board's "today",
the reports and the offline report all publish what it computes). `contribution` turns one
call (its `CallFacts`) into additive counters; a `Tally` sums them (a rollup row has the same
fields); `queue_figures` / `agent_figures` turn a tally plus the calls still waiting at *now*
into the published KPIs. The classes of the contract (`A_in`, `B_out`, …) are counted against
the queue's threshold `T` and short-abandon threshold `S`; short abandons count only in
`offered` and `short_abandoned`. Calls and intervals belong to the windows of the site's zone
(`interval_start`, `day_bounds`).
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import asdict, dataclass, fields
from datetime import UTC, datetime, timedelta
from typing import NamedTuple, Protocol
from zoneinfo import ZoneInfo

THREE_RINGS_S = 15.0
VARIANTS = ("offered", "ignore_abandons", "abandons_positive", "answered_only")

# The outcomes of a queue call (kpi.md, "The unit: a queue call").
WAITING, ANSWERED, ABANDONED = "waiting", "answered", "abandoned"
TIMEOUT, EXIT_EMPTY, EXIT_KEY, UNKNOWN = "timeout", "exit_empty", "exit_key", "unknown"

# The names of the figures, in the order `queue_figures` and `agent_figures` give them (a test
# holds them equal): each view picks its columns from these.
QUEUE_COUNTS = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "unknown",
    "waiting",
    "transferred",
)
QUEUE_FIGURES = (
    *QUEUE_COUNTS,
    "service_level",
    "service_level_variants",
    "answer_rate",
    "abandon_rate",
    "asa_s",
    "avg_abandon_wait_s",
    "max_wait_s",
    "aht_s",
    "aht_components",
    "avg_talk_s",
    "transfer_rate",
)
# The queue figures that are one number each (the variants are a dict, the components a list).
QUEUE_NUMBERS = tuple(
    name for name in QUEUE_FIGURES if name not in ("service_level_variants", "aht_components")
)
AGENT_FIGURES = (
    "handled",
    "aht_s",
    "avg_talk_s",
    "missed_rings",
    "unreachable_rings",
    "answered_within_3_rings",
    "occupancy",
)


class CallFacts(NamedTuple):
    """What the KPIs need of a call, from the engine or from a stored row."""

    outcome: str
    wait_s: float | None
    ring_s: float | None
    talk_s: float | None
    hold_s: float | None
    acw_s: float | None
    ended: bool
    cut: bool
    transferred: bool


@dataclass(slots=True)
class Tally:
    """Additive counters of a set of queue calls (a rollup row has the same fields)."""

    offered: int = 0
    answered: int = 0
    abandoned: int = 0
    short_abandoned: int = 0
    timed_out: int = 0
    unknown: int = 0
    transferred: int = 0
    a_in: int = 0
    a_out: int = 0
    b_in: int = 0
    b_out: int = 0
    x_in: int = 0
    x_out: int = 0
    u_out: int = 0
    answered_wait_sum: float = 0.0
    abandon_wait_sum: float = 0.0
    aht_n: int = 0
    talk_sum: float = 0.0
    hold_sum: float = 0.0
    acw_sum: float = 0.0
    ring_known_n: int = 0
    ring_fast_n: int = 0
    max_wait_s: float = 0.0

    def add(self, other: Tally | dict, sign: int = 1) -> Tally:
        """Add (or with `sign=-1` take away) counters; `max_wait_s` only ever grows."""
        items = (
            other.items()
            if isinstance(other, dict)
            else ((name, getattr(other, name)) for name in _ALL_FIELDS)
        )
        for name, value in items:
            if not value or name not in _FIELD_SET:
                continue
            if name == "max_wait_s":
                if sign > 0 and value > self.max_wait_s:
                    self.max_wait_s = value
            else:
                setattr(self, name, getattr(self, name) + sign * value)
        return self

    def add_part(self, part: dict[str, float]) -> Tally:
        """`add(part)` for a `contribution` (its names are fields, its values not negative),
        without the checks `add` makes of any dict: the same sums, in the same order."""
        for name, value in part.items():
            if name == "max_wait_s":
                if value > self.max_wait_s:
                    self.max_wait_s = value
            elif value:
                setattr(self, name, getattr(self, name) + value)
        return self

    def as_dict(self) -> dict:
        return asdict(self)


SUM_FIELDS = tuple(f.name for f in fields(Tally) if f.name != "max_wait_s")
_ALL_FIELDS = (*SUM_FIELDS, "max_wait_s")
_FIELD_SET = frozenset(_ALL_FIELDS)


def contribution(
    call: CallFacts, *, threshold: float, short_abandon: float, fast_ring: float = THREE_RINGS_S
) -> dict[str, float]:
    """The counters one call adds to its queue's interval (sparse).

    A waiting call adds only `offered`: whether it is a miss depends on *now*, so the live
    figures add the waiting calls separately (`queue_figures(waiting=...)`).
    """
    out: dict[str, float] = {"offered": 1}
    outcome, wait = call.outcome, call.wait_s
    if outcome == WAITING:
        return out
    late = wait is not None and wait > threshold
    if outcome == ANSWERED:
        out["answered"] = 1
        out["a_out" if late else "a_in"] = 1
        out["answered_wait_sum"] = wait or 0.0
        out["max_wait_s"] = wait or 0.0
        if call.transferred:
            out["transferred"] = 1
        if call.ring_s is not None:
            out["ring_known_n"] = 1
            if call.ring_s <= fast_ring:
                out["ring_fast_n"] = 1
        if call.ended and not call.cut:
            out["aht_n"] = 1
            out["talk_sum"] = call.talk_s or 0.0
            out["hold_sum"] = call.hold_s or 0.0
            out["acw_sum"] = call.acw_s or 0.0
    elif outcome == ABANDONED:
        out["abandoned"] = 1
        if wait is not None and wait < short_abandon:
            out["short_abandoned"] = 1
        else:
            out["b_out" if late else "b_in"] = 1
            out["abandon_wait_sum"] = wait or 0.0
            out["max_wait_s"] = wait or 0.0
    elif outcome in (TIMEOUT, EXIT_EMPTY, EXIT_KEY):
        out["timed_out"] = 1
        out["x_out" if late else "x_in"] = 1
        out["max_wait_s"] = wait or 0.0
    elif outcome == UNKNOWN:
        out["unknown"] = 1
        if late:
            out["u_out"] = 1
        out["max_wait_s"] = wait or 0.0
    return out


def _ratio(num: float, den: float) -> float | None:
    return None if den <= 0 else num / den


def _mean(total: float, n: int) -> float | None:
    return None if n <= 0 else total / n


def service_levels(t: Tally, w_out: int) -> dict[str, float | None]:
    """All four variants of kpi.md from the classes of a tally and the live `W_out`."""
    known = t.a_in + t.a_out + t.b_in + t.b_out + t.x_in + t.x_out + t.u_out + w_out
    return {
        "offered": _ratio(t.a_in, known),
        "ignore_abandons": _ratio(t.a_in, known - t.b_in),
        "abandons_positive": _ratio(t.a_in + t.b_in, known),
        "answered_only": _ratio(t.a_in, t.a_in + t.a_out),
    }


def aht_components(*, saw_hold: bool, saw_acw: bool) -> list[str]:
    return ["talk"] + (["hold"] if saw_hold else []) + (["acw"] if saw_acw else [])


def queue_figures(
    t: Tally,
    *,
    waiting: list[float] = (),
    waiting_out: int | None = None,
    threshold: float,
    variant: str,
    components: list[str],
) -> dict:
    """The KPIs of one queue over one window; `waiting` holds the waits (at now) of the calls
    still waiting. `waiting_out`, when given, is how many of them are past their own queue's
    threshold (a site total sums queues with different thresholds)."""
    w_out = sum(1 for w in waiting if w > threshold) if waiting_out is None else waiting_out
    known = t.a_in + t.a_out + t.b_in + t.b_out + t.x_in + t.x_out + t.u_out + w_out
    levels = service_levels(t, w_out)
    peak = max([t.max_wait_s, *waiting]) if (t.offered or waiting) else None
    aht_total = t.talk_sum
    if "hold" in components:
        aht_total += t.hold_sum
    if "acw" in components:
        aht_total += t.acw_sum
    return {
        "offered": t.offered,
        "answered": t.answered,
        "abandoned": t.abandoned,
        "short_abandoned": t.short_abandoned,
        "timed_out": t.timed_out,
        "unknown": t.unknown,
        "waiting": len(waiting),
        "transferred": t.transferred,
        "service_level": levels[variant],
        "service_level_variants": levels,
        "answer_rate": _ratio(t.a_in + t.a_out, known),
        "abandon_rate": _ratio(t.b_in + t.b_out, known),
        "asa_s": _mean(t.answered_wait_sum, t.answered),
        "avg_abandon_wait_s": _mean(t.abandon_wait_sum, t.b_in + t.b_out),
        "max_wait_s": peak,
        "aht_s": _mean(aht_total, t.aht_n),
        "aht_components": list(components),
        "avg_talk_s": _mean(t.talk_sum, t.aht_n),
        "transfer_rate": _ratio(t.transferred, t.answered),
    }


def agent_figures(
    t: Tally,
    *,
    missed: int,
    unreachable: int,
    components: list[str],
    busy_s: float | None = None,
    idle_s: float | None = None,
) -> dict:
    aht_total = (
        t.talk_sum
        + (t.hold_sum if "hold" in components else 0.0)
        + (t.acw_sum if "acw" in components else 0.0)
    )
    occupancy = None
    if busy_s is not None and idle_s is not None:
        occupancy = _ratio(busy_s, busy_s + idle_s)
    return {
        "handled": t.answered,
        "aht_s": _mean(aht_total, t.aht_n),
        "avg_talk_s": _mean(t.talk_sum, t.aht_n),
        "missed_rings": missed,
        "unreachable_rings": unreachable,
        "answered_within_3_rings": _ratio(t.ring_fast_n, t.ring_known_n),
        "occupancy": occupancy,
    }


ANONYMOUS_CALLERS = frozenset({"", "anonymous", "unknown", "restricted", "private"})


def repeat_call_rate(
    answered: list[tuple[str, float]],
    offered: dict[str, list[float]],
    *,
    window_s: float = 24 * 3600,
) -> float | None:
    """Share of answered calls whose caller calls any queue again within `window_s`
    (the FCR proxy of kpi.md). `answered` holds (caller, offered time) of answered calls;
    `offered[caller]` the sorted offered times of all that caller's queue calls. Calls without
    a usable caller number are left out."""
    known = [(c, t) for c, t in answered if c.lower() not in ANONYMOUS_CALLERS]
    if not known:
        return None
    repeats = 0
    for caller, ts in known:
        times = offered.get(caller, [])
        after = bisect_right(times, ts)
        if after < len(times) and times[after] <= ts + window_s:
            repeats += 1
    return repeats / len(known)


BUSY = frozenset({"on_call", "on_hold", "wrap_up"})


class StateSpan(Protocol):
    """What occupancy needs of an agent state interval (`metrics.kpi.Interval`)."""

    status: str
    activity: str
    start_ts: float
    end_ts: float | None


def occupancy_seconds(interval: StateSpan, now: float) -> tuple[float, float]:
    """(busy, available idle) seconds of one interval up to `now`."""
    end = interval.end_ts if interval.end_ts is not None else now
    length = max(0.0, end - interval.start_ts)
    if interval.status == "logged_out":
        return 0.0, 0.0
    if interval.activity in BUSY:
        return length, 0.0
    if interval.status == "available":
        return 0.0, length
    return 0.0, 0.0


# -- time windows in the site zone ------------------------------------------------------------


def interval_start(ts: float, *, zone: ZoneInfo, minutes: int) -> datetime:
    """Start (UTC) of the interval holding `ts`, intervals aligned on the local clock."""
    local = datetime.fromtimestamp(ts, zone)
    floored = local.replace(minute=local.minute - local.minute % minutes, second=0, microsecond=0)
    return floored.astimezone(UTC)


def day_bounds(ts: float, *, zone: ZoneInfo, reset_hour: int = 0) -> tuple[datetime, datetime]:
    """The local day (starting at `reset_hour`) holding `ts`, as UTC datetimes."""
    local = datetime.fromtimestamp(ts, zone)
    start = local.replace(hour=reset_hour, minute=0, second=0, microsecond=0)
    if local < start:
        start -= timedelta(days=1)
    end = (start + timedelta(days=1)).replace(tzinfo=zone)
    return start.astimezone(UTC), end.astimezone(UTC)


def day_label(ts: float, *, zone: ZoneInfo, reset_hour: int = 0) -> str:
    start, _ = day_bounds(ts, zone=zone, reset_hour=reset_hour)
    return start.astimezone(zone).date().isoformat()


def round_figures(value):
    """Ratios and seconds to 4 places, recursively; counts stay integers."""
    if isinstance(value, float):
        return round(value, 4)
    if isinstance(value, dict):
        return {k: round_figures(v) for k, v in value.items()}
    if isinstance(value, list):
        return [round_figures(v) for v in value]
    return value
