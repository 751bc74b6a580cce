"""Erlang C staffing per interval, on top of pyworkforce's Erlang C (no Django here).

pyworkforce computes the waiting probability and the service level; this module adds what a
floor needs around it: an empty interval needs nobody, the search for agents starts at the
first stable size (the smallest whole number above the traffic), the average speed of answer,
and the occupancy cap.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from pyworkforce.queuing import ErlangC


@dataclass(frozen=True)
class Staffing:
    calls: float
    traffic_erlangs: float
    raw_agents: int  # on the phones, before shrinkage
    scheduled_agents: int  # to schedule, after shrinkage
    service_level: float
    asa_s: float
    occupancy: float
    waiting_probability: float


def _model(calls: float, aht_s: float, threshold_s: float, interval_s: int) -> ErlangC:
    # pyworkforce takes every time in one unit; seconds keep the inputs exact.
    return ErlangC(transactions=calls, aht=aht_s, asa=threshold_s, interval=interval_s)


def traffic(calls: float, aht_s: float, interval_s: int) -> float:
    return calls * aht_s / interval_s


def service_level(
    *, agents: int, calls: float, aht_s: float, threshold_s: float, interval_s: int
) -> float:
    """Share of calls answered within `threshold_s` with `agents` on the phones."""
    if calls <= 0:
        return 1.0
    if agents <= traffic(calls, aht_s, interval_s):
        return 0.0  # an unstable queue: waits grow without bound
    return float(_model(calls, aht_s, threshold_s, interval_s).service_level(positions=agents))


def waiting_probability(*, agents: int, calls: float, aht_s: float, interval_s: int) -> float:
    if calls <= 0:
        return 0.0
    if agents <= traffic(calls, aht_s, interval_s):
        return 1.0
    return float(_model(calls, aht_s, 1, interval_s).waiting_probability(positions=agents))


def asa(*, agents: int, calls: float, aht_s: float, interval_s: int) -> float:
    """Average speed of answer (s): P(wait) × AHT / (N − A)."""
    if calls <= 0:
        return 0.0
    load = traffic(calls, aht_s, interval_s)
    if agents <= load:
        return math.inf
    return (
        waiting_probability(agents=agents, calls=calls, aht_s=aht_s, interval_s=interval_s)
        * aht_s
        / (agents - load)
    )


def required(
    *,
    calls: float,
    aht_s: float,
    sl_target: float,
    threshold_s: float,
    interval_s: int = 1800,
    shrinkage: float = 0.0,
    max_occupancy: float = 1.0,
) -> Staffing:
    """The fewest agents that reach `sl_target` within `threshold_s` (and the occupancy cap)."""
    if not 0 <= sl_target < 1:
        raise ValueError("sl_target is a share below 1")
    if not 0 <= shrinkage < 1:
        raise ValueError("shrinkage is a share below 1")
    if not 0 < max_occupancy <= 1:
        raise ValueError("max_occupancy is a share up to 1")
    if calls <= 0:
        return Staffing(0, 0.0, 0, 0, 1.0, 0.0, 0.0, 0.0)
    load = traffic(calls, aht_s, interval_s)
    agents = math.floor(load) + 1
    while (
        service_level(
            agents=agents, calls=calls, aht_s=aht_s, threshold_s=threshold_s, interval_s=interval_s
        )
        < sl_target
    ):
        agents += 1
    agents = max(agents, math.ceil(load / max_occupancy - 1e-9))
    return Staffing(
        calls=calls,
        traffic_erlangs=load,
        raw_agents=agents,
        scheduled_agents=math.ceil(agents / (1 - shrinkage) - 1e-9),
        service_level=service_level(
            agents=agents, calls=calls, aht_s=aht_s, threshold_s=threshold_s, interval_s=interval_s
        ),
        asa_s=asa(agents=agents, calls=calls, aht_s=aht_s, interval_s=interval_s),
        occupancy=load / agents,
        waiting_probability=waiting_probability(
            agents=agents, calls=calls, aht_s=aht_s, interval_s=interval_s
        ),
    )
