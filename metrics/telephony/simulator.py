"""A telephony simulator: a small call centre that emits the events a real ACD would (no Django).

Callers arrive by a Poisson process whose rate follows a day's arrival profile (five-minute
counts, e.g. the bank arrivals of docs), scaled to the floor; they wait in a queue, abandon
when their patience runs out, are rung to an idle agent (who sometimes misses the ring), talk,
and the agent wraps up; agents take breaks (and now and then overrun them). The output is the
JSON event vocabulary of `POST /api/telephony/events`, so the simulator drives the product
through the same ingestion as a PBX.
"""

from __future__ import annotations

import csv
import heapq
import itertools
import math
import random
from collections import defaultdict, deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, datetime

SLOT_S = 300  # the profile's slot: five minutes
REPEAT_SHARE = 0.1  # share of calls from a caller among the last 200 new callers


def arrival_profile(rows: Iterable[dict]) -> dict[int, float]:
    """Mean calls per five-minute slot of the day (slot index from midnight), over all days."""
    totals: dict[int, float] = defaultdict(float)
    days: dict[int, set] = defaultdict(set)
    for row in rows:
        moment = datetime.fromisoformat(row["DateTime"].replace("Z", "+00:00"))
        slot = (moment.hour * 3600 + moment.minute * 60) // SLOT_S
        totals[slot] += float(row["Calls"])
        days[slot].add(moment.date())
    return {slot: totals[slot] / len(days[slot]) for slot in totals}


def read_profile(path) -> dict[int, float]:
    with open(path, encoding="utf-8", newline="") as handle:
        return arrival_profile(csv.DictReader(handle))


def rate_function(
    profile: dict[int, float], *, agents: int, aht_s: float, load: float = 0.85
) -> Callable[[float], float]:
    """Arrivals per second at a moment: the profile's shape, scaled so the busiest slot
    offers `load` × `agents` Erlangs. Hours the profile lacks (the night) take the profile
    as if the day ran on a loop, so the demo floor always moves."""
    slots = sorted(profile)
    peak = max(profile.values())
    scale = load * agents / aht_s / (peak / SLOT_S)

    def rate(ts: float) -> float:
        seconds = ts % 86400
        slot = int(seconds // SLOT_S)
        if slot not in profile:
            slot = slots[int(seconds // SLOT_S) % len(slots)]
        return profile[slot] / SLOT_S * scale

    return rate


@dataclass
class SimAgent:
    member: str
    state: str = "idle"  # idle, ringing, talking, wrap_up, break, offline
    call: str | None = None
    break_due: float = 0.0


@dataclass
class SimCall:
    call_id: str
    queue: str
    caller: str
    queued_at: float
    state: str = "waiting"  # waiting, ringing, talking, gone
    answered_at: float = 0.0
    rang_at: float = 0.0
    tried: set[str] = field(default_factory=set)


class FloorSimulator:
    """Discrete-event simulation; `advance(until)` returns the events up to `until`."""

    def __init__(
        self,
        *,
        members: list[str],
        queues: dict[str, float],
        rate: Callable[[float], float],
        start: float,
        seed: int | None = None,
        prefix: str = "sim",
        membership: dict[str, list[str]] | None = None,
    ) -> None:
        """`membership` names the queues each member works (they log into those and take only
        their calls); without it every member works every queue."""
        self.rng = random.Random(seed)
        self.membership = (
            {m: [q for q in membership.get(m, ()) if q in queues] for m in members}
            if membership is not None
            else None
        )
        self.rate = rate
        self.queues = list(queues)
        self.weights = list(queues.values())
        self.agents = {m: SimAgent(m) for m in members}
        self.calls: dict[str, SimCall] = {}
        self.waiting: dict[str, deque[str]] = {q: deque() for q in self.queues}
        self.clock = start
        self.prefix = prefix
        self._ids = itertools.count(1)
        self._calls = itertools.count(1)
        self._heap: list[tuple[float, int, str, tuple]] = []
        self._recent: deque[str] = deque(maxlen=200)  # callers who may call again
        self._out: list[dict] = []
        for agent in self.agents.values():
            self._at(start + self.rng.uniform(0, 5), "login", agent.member)
        self._at(start + self._gap(start), "arrival")

    # -- plumbing ---------------------------------------------------------------------------

    def _at(self, ts: float, kind: str, *args) -> None:
        heapq.heappush(self._heap, (ts, next(self._ids), kind, args))

    def _emit(self, kind: str, ts: float, **fields) -> None:
        event = {
            "id": f"{self.prefix}-{next(self._ids)}",
            "type": kind,
            "at": datetime.fromtimestamp(ts, UTC).isoformat(),
        }
        event.update({k: v for k, v in fields.items() if v is not None})
        self._out.append(event)

    def _gap(self, ts: float) -> float:
        rate = max(self.rate(ts), 1e-6)
        return self.rng.expovariate(rate)

    def advance(self, until: float) -> list[dict]:
        while self._heap and self._heap[0][0] <= until:
            ts, _, kind, args = heapq.heappop(self._heap)
            self.clock = ts
            getattr(self, f"_on_{kind}")(ts, *args)
        self.clock = max(self.clock, until)
        out, self._out = self._out, []
        return out

    # -- agents -----------------------------------------------------------------------------

    def _on_login(self, ts: float, member: str) -> None:
        agent = self.agents[member]
        agent.state = "idle"
        agent.break_due = ts + self.rng.expovariate(1 / 2400)
        if self.membership is None:
            self._emit("agent_login", ts, member=member)
        else:
            for queue in self.membership[member]:
                self._emit("agent_login", ts, member=member, queue=queue)
        self._dispatch(ts)

    def _free(self, ts: float, agent: SimAgent) -> None:
        """The agent is idle again: a break if one is due, else the next caller."""
        agent.call = None
        if ts >= agent.break_due:
            reason = "Lunch" if self.rng.random() < 0.15 else "Break"
            allowance = 3600 if reason == "Lunch" else 900
            # Most come back in time; some overrun their allowance.
            length = allowance * (
                self.rng.uniform(1.05, 1.3)
                if self.rng.random() < 0.15
                else self.rng.uniform(0.3, 0.9)
            )
            agent.state = "break"
            self._emit("agent_status", ts, member=agent.member, status="not_ready", reason=reason)
            self._at(ts + length, "back", agent.member)
            return
        agent.state = "idle"
        self._dispatch(ts)

    def _on_back(self, ts: float, member: str) -> None:
        agent = self.agents[member]
        agent.break_due = ts + self.rng.expovariate(1 / 2400)
        self._emit("agent_status", ts, member=member, status="available")
        agent.state = "idle"
        self._dispatch(ts)

    # -- calls ------------------------------------------------------------------------------

    def _on_arrival(self, ts: float) -> None:
        queue = self.rng.choices(self.queues, weights=self.weights)[0]
        call_id = f"{self.prefix}.{next(self._calls)}"
        # Some callers call again (the repeat-call rate, kpi.md's FCR proxy, is not zero).
        if self._recent and self.rng.random() < REPEAT_SHARE:
            caller = self.rng.choice(self._recent)
        else:
            caller = f"+3225{self.rng.randrange(100000, 999999)}"
            self._recent.append(caller)
        call = SimCall(call_id, queue, caller, ts)
        self.calls[call_id] = call
        self.waiting[queue].append(call_id)
        self._emit("call_queued", ts, call_id=call_id, queue=queue, caller=call.caller)
        patience = self.rng.expovariate(1 / 120)
        self._at(ts + patience, "give_up", call_id)
        self._at(ts + self._gap(ts), "arrival")
        self._dispatch(ts)

    def _on_give_up(self, ts: float, call_id: str) -> None:
        call = self.calls.get(call_id)
        if call is None or call.state != "waiting":
            return
        call.state = "gone"
        self.waiting[call.queue].remove(call_id)
        self._emit(
            "call_abandoned",
            ts,
            call_id=call_id,
            queue=call.queue,
            wait_s=round(ts - call.queued_at, 3),
        )
        del self.calls[call_id]

    def _serves(self, agent: SimAgent, queue: str) -> bool:
        return self.membership is None or queue in self.membership[agent.member]

    def _dispatch(self, ts: float) -> None:
        """Ring idle agents for the longest-waiting callers of the queues they work."""
        idle = [a for a in self.agents.values() if a.state == "idle"]
        if not idle:
            return
        self.rng.shuffle(idle)
        heads = sorted((self.calls[c].queued_at, c) for q in self.waiting.values() for c in q)
        for _, call_id in heads:
            if not idle:
                return
            call = self.calls[call_id]
            agent = next(
                (a for a in idle if a.member not in call.tried and self._serves(a, call.queue)),
                None,
            )
            if agent is None:
                continue
            idle.remove(agent)
            self.waiting[call.queue].remove(call_id)
            call.state, call.rang_at = "ringing", ts
            call.tried.add(agent.member)
            agent.state, agent.call = "ringing", call_id
            self._emit("call_ringing", ts, call_id=call_id, queue=call.queue, member=agent.member)
            if self.rng.random() < 0.06:
                self._at(ts + 15.0, "ring_missed", agent.member, call_id)
            else:
                self._at(ts + self.rng.uniform(2, 8), "answer", agent.member, call_id)

    def _on_ring_missed(self, ts: float, member: str, call_id: str) -> None:
        agent, call = self.agents[member], self.calls[call_id]
        ring = ts - call.rang_at
        self._emit("ring_missed", ts, call_id=call_id, queue=call.queue, member=member, ring_s=ring)
        call.state = "waiting"
        self.waiting[call.queue].appendleft(call_id)
        agent.state, agent.call = "idle", None
        self._dispatch(ts)

    def _on_answer(self, ts: float, member: str, call_id: str) -> None:
        call = self.calls[call_id]
        ring = ts - call.rang_at
        call.state, call.answered_at = "talking", ts
        self.agents[member].state = "talking"
        self._emit(
            "call_answered",
            ts,
            call_id=call_id,
            queue=call.queue,
            member=member,
            wait_s=round(ts - call.queued_at, 3),
            ring_s=round(ring, 3),
        )
        # Log-normal talk time around three minutes; a few calls run long.
        talk = self.rng.lognormvariate(math.log(170), 0.5)
        if self.rng.random() < 0.03:
            talk = self.rng.uniform(660, 900)
        self._at(ts + talk, "hang_up", member, call_id)

    def _on_hang_up(self, ts: float, member: str, call_id: str) -> None:
        call = self.calls.pop(call_id)
        agent = self.agents[member]
        self._emit(
            "call_ended",
            ts,
            call_id=call_id,
            queue=call.queue,
            member=member,
            talk_s=round(ts - call.answered_at, 3),
        )
        agent.state = "wrap_up"
        self._emit("wrap_up_started", ts, member=member)
        wrap = self.rng.expovariate(1 / 25)
        if self.rng.random() < 0.04:
            wrap = self.rng.uniform(130, 200)
        self._at(ts + wrap, "wrap_done", member)

    def _on_wrap_done(self, ts: float, member: str) -> None:
        self._emit("wrap_up_ended", ts, member=member)
        self._free(ts, self.agents[member])
