"""The KPI engine: events → queue calls and agent intervals, for the figures of the contract.

Plain Python, no Django. `Engine` is an incremental fold over `metrics.queue_log.Event` records
(fed in `Event.sort_key` order). It keeps only what is still open (calls waiting or in progress,
agents' current states) and reports every call it changed (`Call`, whose `facts()` the figures
read), every agent interval it closed (`Interval`) and every ring that ended (`Ring`). The
offline report feeds it a file; the database ingestion feeds it batches and keeps its open state
between batches (`Engine.dump` / `Engine.load`), so both use the same code.

What a call counts and the KPIs themselves are in `metrics.formulas`: `contribution` turns a
call into additive counters (a `Tally`); `queue_figures` / `agent_figures` turn a tally plus
the calls still waiting at *now* into the published figures. A rollup row is a tally; "today"
is a sum of rollup rows plus the waiting calls.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from itertools import count

from metrics.formulas import (
    ABANDONED,
    ANSWERED,
    EXIT_EMPTY,
    EXIT_KEY,
    TIMEOUT,
    UNKNOWN,
    WAITING,
    CallFacts,
)
from metrics.queue_log import Event, LineError, number

DEFAULT_ACW_REASONS = ("ACW", "Wrapup", "wrap-up")
ACW_WINDOW_S = 2.0
LEFT = {"EXITWITHTIMEOUT": TIMEOUT, "EXITEMPTY": EXIT_EMPTY, "EXITWITHKEY": EXIT_KEY}
# Index of the wait field in the data of each exit event.
_EXIT_WAIT_INDEX = {"ABANDON": 2, "EXITWITHTIMEOUT": 2, "EXITEMPTY": 2, "EXITWITHKEY": 3}
TRANSFERS = frozenset({"TRANSFER", "BLINDTRANSFER", "ATTENDEDTRANSFER"})
COMPLETES = frozenset({"COMPLETEAGENT", "COMPLETECALLER"})
LOGINS = frozenset({"ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN"})
LOGOFFS = frozenset({"REMOVEMEMBER", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF"})
# A call still waiting this long after it was offered lost its last line (kpi.md: "Calls that
# never end"): it becomes `unknown` with this wait. Per queue; this is the default.
DEFAULT_STALE_AFTER_S = 4 * 3600.0

_serial = count(1)
# "Leave this as it is" for `Engine._set_member`'s arguments.
_KEEP: str = "\x00keep"


def _data(event: Event, index: int) -> str:
    return event.data[index] if len(event.data) > index else ""


def _num(event: Event, index: int, what: str) -> float | None:
    data = event.data
    text = data[index] if len(data) > index else ""
    if text.isdigit() and len(text) < 10 and text.isascii():
        return float(text)  # `number`'s usual field, without naming the field first
    return number(text, what=f"{event.name} {what}")


_NUMBERS = {
    "CONNECT": ((0, "holdtime"), (2, "ringtime")),
    "COMPLETEAGENT": ((0, "holdtime"), (1, "calltime")),
    "COMPLETECALLER": ((0, "holdtime"), (1, "calltime")),
    "ABANDON": ((2, "waittime"),),
    "EXITWITHTIMEOUT": ((2, "waittime"),),
    "EXITEMPTY": ((2, "waittime"),),
    "EXITWITHKEY": ((3, "waittime"),),
    "RINGNOANSWER": ((0, "ringtime"),),
    "RINGCANCELED": ((0, "ringtime"),),
    "TRANSFER": ((2, "holdtime"), (3, "calltime")),
    "BLINDTRANSFER": ((2, "holdtime"), (3, "calltime")),
}


def check_numbers(event: Event) -> None:
    """Raise `LineError` when a number field of the event is malformed or negative."""
    for index, what in _NUMBERS.get(event.name, ()):
        _num(event, index, what)
    if event.name == "ATTENDEDTRANSFER" and len(event.data) >= 4:
        _num(event, len(event.data) - 2, "calltime")


@dataclass(slots=True)
class Call:
    """One queue call as the engine knows it (times are UTC epoch seconds)."""

    call_id: str
    queue: str
    offered_ts: float
    caller: str = ""
    outcome: str = WAITING
    wait_s: float | None = None
    member: str = ""
    answered_ts: float | None = None
    ring_s: float | None = None
    talk_s: float | None = None
    hold_s: float | None = None
    acw_s: float | None = None
    ended_ts: float | None = None
    transferred: bool = False
    cut: bool = False
    # Progress of an answered call: talk ended at `talk_end_ts`; after-call work from `acw_ts`.
    talk_end_ts: float | None = None
    acw_ts: float | None = None
    hold_ts: float | None = None
    # What the call counted when last stored (`CallFacts` as a list), so that a store can
    # move counters by the difference.
    stored: list | None = None
    serial: int = field(default_factory=lambda: next(_serial))

    @property
    def ended(self) -> bool:
        """An answered call whose talk and after-call work are over (it counts in AHT)."""
        return self.ended_ts is not None

    @property
    def finished(self) -> bool:
        """Nothing more will change this call."""
        if self.outcome == WAITING:
            return False
        if self.outcome == ANSWERED:
            return self.ended or self.cut
        return True

    def facts(self) -> CallFacts:
        return CallFacts(
            self.outcome,
            self.wait_s,
            self.ring_s,
            self.talk_s,
            self.hold_s,
            self.acw_s,
            self.ended,
            self.cut,
            self.transferred,
        )

    def to_state(self) -> dict:
        # Field by field: `dataclasses.asdict` deep-copies every value, which made saving
        # the open state of a large floor the biggest cost of a small batch.
        state = {name: getattr(self, name) for name in _CALL_STATE}
        if self.stored is not None:
            state["stored"] = list(self.stored)
        return state


_CALL_STATE = tuple(f.name for f in fields(Call) if f.name != "serial")


@dataclass(slots=True)
class Interval:
    """A closed (or, when `end_ts` is None, open) agent state interval."""

    member: str
    status: str
    reason: str
    activity: str
    queue: str
    call_id: str
    start_ts: float
    end_ts: float | None = None


@dataclass(slots=True)
class Ring:
    member: str
    queue: str
    call_id: str
    ts: float
    missed: bool


@dataclass(slots=True)
class _Member:
    status: str = "available"
    reason: str = ""
    activity: str = "idle"
    queue: str = ""
    call_id: str = ""
    since: float = 0.0
    logins: list[str] = field(default_factory=list)

    def to_state(self) -> dict:
        state = {name: getattr(self, name) for name in _MEMBER_STATE}
        state["logins"] = list(self.logins)
        return state


_MEMBER_STATE = tuple(f.name for f in fields(_Member))


class Engine:
    """The incremental fold over events (see the module docstring)."""

    def __init__(
        self,
        *,
        acw_reasons=DEFAULT_ACW_REASONS,
        stale_after: dict[str, float] | None = None,
        stale_default: float = DEFAULT_STALE_AFTER_S,
    ) -> None:
        self.acw_reasons = frozenset(acw_reasons)
        # Queue name → seconds after which a waiting call becomes `unknown` (see `expire`).
        self.stale_after: dict[str, float] = dict(stale_after or {})
        self.stale_default = float(stale_default)
        # No waiting call goes stale before this time (-inf: not worked out yet).
        self._stale_next = float("-inf")
        self.calls: dict[tuple[str, str], Call] = {}
        self.members: dict[str, _Member] = {}
        self.clock = 0.0
        self.saw_acw = False
        self.saw_hold = False
        self._talking: dict[str, Call] = {}  # member → answered call in talk
        self._pending: dict[str, Call] = {}  # member → call whose ACW may start within 2 s
        self._in_acw: dict[str, Call] = {}  # member → call in after-call work
        self._earliest = float("-inf")  # no pending window closes before this time
        self._changed: dict[int, Call] = {}
        self._intervals: list[Interval] = []
        self._rings: list[Ring] = []
        # (call id, queue) → members ringing for it; derived from `members` on first use.
        self._ringing: dict[tuple[str, str], set[str]] | None = None

    # -- output ---------------------------------------------------------------------------

    def drain(self) -> tuple[list[Call], list[Interval], list[Ring]]:
        """Calls changed, intervals closed and rings seen since the last drain."""
        calls, self._changed = list(self._changed.values()), {}
        intervals, self._intervals = self._intervals, []
        rings, self._rings = self._rings, []
        return calls, intervals, rings

    def open_intervals(self, members=None) -> list[Interval]:
        """The members' current states (of the named `members` only, when given)."""
        if members is None:
            members = self.members
        found = [(name, self.members.get(name)) for name in members]
        return [
            Interval(name, m.status, m.reason, m.activity, m.queue, m.call_id, m.since)
            for name, m in found
            if m is not None
        ]

    # -- persistence between batches --------------------------------------------------------

    def dump(self) -> dict:
        """The open state as JSON-able data."""

        def ref(call: Call) -> list[str]:
            return [call.call_id, call.queue]

        return {
            "clock": self.clock,
            "saw_acw": self.saw_acw,
            "saw_hold": self.saw_hold,
            "calls": [c.to_state() for c in self.calls.values()],
            "members": {k: m.to_state() for k, m in self.members.items()},
            "talking": {k: ref(c) for k, c in self._talking.items()},
            "pending": {k: ref(c) for k, c in self._pending.items()},
            "in_acw": {k: ref(c) for k, c in self._in_acw.items()},
        }

    @classmethod
    def load(
        cls,
        state: dict | None,
        *,
        acw_reasons=DEFAULT_ACW_REASONS,
        stale_after: dict[str, float] | None = None,
        stale_default: float = DEFAULT_STALE_AFTER_S,
    ) -> Engine:
        engine = cls(acw_reasons=acw_reasons, stale_after=stale_after, stale_default=stale_default)
        if not state:
            return engine
        engine.clock = state["clock"]
        engine.saw_acw = state["saw_acw"]
        engine.saw_hold = state["saw_hold"]
        for data in state["calls"]:
            call = Call(**data)
            engine.calls[(call.call_id, call.queue)] = call
        engine.members = {k: _Member(**m) for k, m in state["members"].items()}
        for name, index in (
            ("talking", engine._talking),
            ("pending", engine._pending),
            ("in_acw", engine._in_acw),
        ):
            for member, (call_id, queue) in state[name].items():
                call = engine.calls.get((call_id, queue))
                if call is not None:
                    index[member] = call
        return engine

    # -- the fold ---------------------------------------------------------------------------

    def feed(self, event: Event) -> bool:
        """Apply one event; True when it counted, False when it is kept but ignored.

        Raises `LineError` (before changing anything) when a number field is malformed.
        """
        if event.ts > self.clock:
            self.clock = event.ts
        if self._pending and event.ts > self._earliest:
            self.advance(event.ts)
        if event.ts >= self._stale_next:
            self.expire(event.ts)
        handler = _HANDLERS.get(event.name)
        if handler is None:
            return False
        return handler(self, event) is not False

    def has_pending(self, now: float, *, stale: bool = True) -> bool:
        """Whether `advance(now)` would end a call (an after-call-work window has passed, or,
        with `stale`, a waiting call went stale)."""
        if (
            stale
            and now >= self._stale_next
            and any(now >= deadline for deadline in self._stale_deadlines())
        ):
            return True
        return any(now > c.talk_end_ts + ACW_WINDOW_S for c in self._pending.values())

    # -- calls that never end ----------------------------------------------------------------

    def stale_after_s(self, queue: str) -> float:
        return self.stale_after.get(queue, self.stale_default)

    def set_stale_after(self, stale_after: dict[str, float], default: float) -> None:
        """Change the per-queue limits (a setting changed); calls are checked again."""
        if stale_after != self.stale_after or float(default) != self.stale_default:
            self.stale_after = dict(stale_after)
            self.stale_default = float(default)
            self._stale_next = float("-inf")

    def _stale_deadlines(self):
        return (
            c.offered_ts + self.stale_after_s(c.queue)
            for c in self.calls.values()
            if c.outcome == WAITING
        )

    def expire(self, now: float) -> int:
        """Waiting calls offered `stale_after_s` or more before `now` become `unknown` with
        `wait_s = stale_after_s` (kpi.md, "Calls that never end"); returns how many."""
        expired = 0
        following = float("inf")
        for call in list(self.calls.values()):
            if call.outcome != WAITING:
                continue
            limit = self.stale_after_s(call.queue)
            deadline = call.offered_ts + limit
            if now >= deadline:
                call.outcome = UNKNOWN
                call.wait_s = limit
                self._rings_end(call, now)
                self._finish(call)
                expired += 1
            elif deadline < following:
                following = deadline
        self._stale_next = following
        return expired

    def advance(self, now: float, *, stale: bool = True) -> None:
        """Close after-call-work windows that passed without an ACW pause, and (with `stale`)
        let waiting calls that went stale become `unknown`."""
        if stale and now >= self._stale_next:
            self.expire(now)
        if not self._pending:
            return
        earliest = float("inf")
        for member, call in list(self._pending.items()):
            deadline = call.talk_end_ts + ACW_WINDOW_S
            if now > deadline:
                del self._pending[member]
                call.acw_s = 0.0
                call.ended_ts = call.talk_end_ts
                self._finish(call)
            elif deadline < earliest:
                earliest = deadline
        self._earliest = earliest

    def _touch(self, call: Call) -> None:
        self._changed[call.serial] = call

    def _finish(self, call: Call) -> None:
        self._touch(call)
        if self.calls.get((call.call_id, call.queue)) is call:
            del self.calls[(call.call_id, call.queue)]

    def _set_member(
        self,
        member: str,
        ts: float,
        *,
        status: str = _KEEP,
        reason: str = _KEEP,
        activity: str = _KEEP,
        queue: str = _KEEP,
        call_id: str = _KEEP,
    ) -> None:
        """Set some of the member's state; when it changes, the state it leaves is an
        interval (from `since` to `ts`) and the new one starts at `ts`. (Named arguments,
        not a dict of changes: this runs for most events.)"""
        state = self.members.get(member)
        if state is None:
            state = self.members[member] = _Member(since=ts)
        was_status, was_reason, was_activity = state.status, state.reason, state.activity
        was_queue, was_call = state.queue, state.call_id
        if status is _KEEP:
            status = was_status
        if reason is _KEEP:
            reason = was_reason
        if activity is _KEEP:
            activity = was_activity
        if queue is _KEEP:
            queue = was_queue
        if call_id is _KEEP:
            call_id = was_call
        if (
            status == was_status
            and reason == was_reason
            and activity == was_activity
            and queue == was_queue
            and call_id == was_call
        ):
            return
        if ts > state.since:
            self._intervals.append(
                Interval(
                    member,
                    was_status,
                    was_reason,
                    was_activity,
                    was_queue,
                    was_call,
                    state.since,
                    ts,
                )
            )
        ringing = self._ringing
        if ringing is not None and (was_activity == "ringing" or activity == "ringing"):
            if was_activity == "ringing":
                ringing.get((was_call, was_queue), set()).discard(member)
            if activity == "ringing":
                ringing.setdefault((call_id, queue), set()).add(member)
        state.status, state.reason, state.activity = status, reason, activity
        state.queue, state.call_id = queue, call_id
        state.since = ts

    # call events

    def _on_enterqueue(self, event: Event):
        if not event.queue:
            return False
        key = (event.call_id, event.queue)
        if key in self.calls:
            return False
        caller = _data(event, 1).strip()
        self.calls[key] = call = Call(event.call_id, event.queue, event.ts, caller=caller)
        self._touch(call)
        deadline = event.ts + self.stale_after_s(event.queue)
        if deadline < self._stale_next:
            self._stale_next = deadline
        return True

    def _on_connect(self, event: Event):
        wait = _num(event, 0, "holdtime")
        ring = _num(event, 2, "ringtime")
        call = self.calls.get((event.call_id, event.queue))
        if call is None or call.outcome != WAITING:
            return False
        if ring is None:
            ring = self._ring_time(event)
        self._rings_end(call, event.ts, but=event.member)
        if event.member:
            self._wrap_up_ends(event.member, event.ts)
        call.outcome = ANSWERED
        call.wait_s = wait if wait is not None else max(0.0, event.ts - call.offered_ts)
        call.answered_ts = event.ts
        call.ring_s = ring
        call.member = event.member
        self._touch(call)
        if event.member:
            self._talking[event.member] = call
            self._set_member(
                event.member, event.ts, activity="on_call", queue=call.queue, call_id=call.call_id
            )
        return True

    def _wrap_up_ends(self, member: str, ts: float) -> None:
        """A new call of the member ends the after-call work (or its window) of the last one."""
        call = self._pending.pop(member, None)
        if call is not None:
            call.acw_s = 0.0
            call.ended_ts = call.talk_end_ts
            self._finish(call)
        call = self._in_acw.pop(member, None)
        if call is not None:
            call.acw_s = max(0.0, ts - call.acw_ts)
            call.ended_ts = ts
            self._finish(call)

    def _answered_call(self, event: Event) -> Call | None:
        call = self.calls.get((event.call_id, event.queue))
        if call is not None and call.outcome == ANSWERED and call.talk_end_ts is None:
            return call
        # Some PBXes write the end of a call under another call id (see the Wazo example):
        # it then belongs to the member's current call in that queue.
        call = self._talking.get(event.member)
        if call is not None and (not event.queue or call.queue == event.queue):
            return call
        return None

    def _end_talk(self, event: Event, talk: float | None, transferred: bool):
        call = self._answered_call(event)
        if call is None:
            return False
        if call.hold_ts is not None:
            call.hold_s = (call.hold_s or 0.0) + max(0.0, event.ts - call.hold_ts)
            call.hold_ts = None
        call.talk_s = talk if talk is not None else max(0.0, event.ts - call.answered_ts)
        call.talk_end_ts = event.ts
        call.transferred = transferred
        if self.saw_hold and call.hold_s is None:
            call.hold_s = 0.0
        member = call.member
        if self._talking.get(member) is call:
            del self._talking[member]
        self._wrap_up_ends(member, event.ts)
        self._pending[member] = call
        self._earliest = min(self._earliest, event.ts + ACW_WINDOW_S)
        self._touch(call)
        if member:
            self._set_member(member, event.ts, activity="idle", queue="", call_id="")
        return True

    def _on_completeagent(self, event: Event):
        talk = _num(event, 1, "calltime")
        return self._end_talk(event, talk, transferred=False)

    _on_completecaller = _on_completeagent

    def _on_transfer(self, event: Event):
        # TRANSFER/BLINDTRANSFER: ext, context, holdtime, calltime[, origposition];
        # ATTENDEDTRANSFER: method, target…, holdtime, calltime, origposition.
        if event.name == "ATTENDEDTRANSFER":
            talk = _num(event, len(event.data) - 2, "calltime") if len(event.data) >= 4 else None
        else:
            talk = _num(event, 3, "calltime")
        return self._end_talk(event, talk, transferred=True)

    _on_blindtransfer = _on_transfer
    _on_attendedtransfer = _on_transfer

    def _leave(self, event: Event, outcome: str):
        index = _EXIT_WAIT_INDEX[event.name]
        wait = _num(event, index, "waittime")
        call = self.calls.get((event.call_id, event.queue))
        if call is None or call.outcome != WAITING:
            return False
        call.outcome = outcome
        call.wait_s = wait if wait is not None else max(0.0, event.ts - call.offered_ts)
        self._rings_end(call, event.ts)
        self._finish(call)
        return True

    def _on_abandon(self, event: Event):
        return self._leave(event, ABANDONED)

    def _on_exitwithtimeout(self, event: Event):
        return self._leave(event, LEFT[event.name])

    _on_exitempty = _on_exitwithtimeout
    _on_exitwithkey = _on_exitwithtimeout

    # Ringing. Asterisk's queue_log writes a ring only when it ends (RINGNOANSWER,
    # RINGCANCELED, or CONNECT with its ring time), so from a queue_log an agent is never
    # seen ringing. Sources that report the start (RINGSTART) show the agent `ringing` from
    # then on, and a ring end without a ring time takes it from that start.

    def _ringing_for(self, member: str, call_id: str, queue: str) -> _Member | None:
        state = self.members.get(member)
        if (
            state is not None
            and state.activity == "ringing"
            and state.call_id == call_id
            and state.queue == queue
        ):
            return state
        return None

    def _ring_time(self, event: Event) -> float | None:
        """Seconds the member has been ringing for the event's call (None when not known)."""
        state = self._ringing_for(event.member, event.call_id, event.queue)
        return None if state is None else max(0.0, event.ts - state.since)

    def _ringing_index(self) -> dict[tuple[str, str], set[str]]:
        if self._ringing is None:
            self._ringing = {}
            for member, state in self.members.items():
                if state.activity == "ringing":
                    self._ringing.setdefault((state.call_id, state.queue), set()).add(member)
        return self._ringing

    def _rings_end(self, call: Call, ts: float, but: str = "") -> None:
        """The call stopped ringing its members (answered elsewhere or gone)."""
        members = self._ringing_index().pop((call.call_id, call.queue), None)
        for member in sorted(members or ()):
            if member != but and self._ringing_for(member, call.call_id, call.queue):
                self._set_member(member, ts, activity="idle", queue="", call_id="")

    def _ring_ends(self, event: Event) -> None:
        if self._ringing_for(event.member, event.call_id, event.queue) is not None:
            self._set_member(event.member, event.ts, activity="idle", queue="", call_id="")

    def _on_ringstart(self, event: Event):
        if not event.member:
            return False
        call = self.calls.get((event.call_id, event.queue))
        if call is None or call.outcome != WAITING:
            return False
        state = self.members.get(event.member)
        if state is not None and state.activity not in ("idle", "ringing"):
            return False  # busy with another call: the telephony would not ring them
        self._set_member(
            event.member, event.ts, activity="ringing", queue=call.queue, call_id=call.call_id
        )
        return True

    def _on_ringnoanswer(self, event: Event):
        ring_ms = _num(event, 0, "ringtime")
        if not event.member:
            return False
        if ring_ms is None:
            ring_s = self._ring_time(event)
            ring_ms = None if ring_s is None else ring_s * 1000.0
        self._ring_ends(event)
        self._rings.append(
            Ring(event.member, event.queue, event.call_id, event.ts, missed=bool(ring_ms))
        )
        return True

    def _on_ringcanceled(self, event: Event):
        _num(event, 0, "ringtime")
        if not event.member:
            return False
        self._ring_ends(event)
        return True

    def _on_hold(self, event: Event):
        call = self._answered_call(event)
        if call is None:
            return False
        self.saw_hold = True
        if call.hold_ts is None:
            call.hold_ts = event.ts
        self._set_member(call.member, event.ts, activity="on_hold")
        return True

    def _on_unhold(self, event: Event):
        call = self._answered_call(event)
        if call is None or call.hold_ts is None:
            return False
        call.hold_s = (call.hold_s or 0.0) + max(0.0, event.ts - call.hold_ts)
        call.hold_ts = None
        self._set_member(call.member, event.ts, activity="on_call")
        return True

    # member events

    def _on_addmember(self, event: Event):
        if not event.member:
            return False
        state = self.members.get(event.member)
        logins = list(state.logins) if state else []
        scope = event.queue or "*"
        if scope not in logins:
            logins.append(scope)
        if state is None or state.status == "logged_out":
            self._set_member(event.member, event.ts, status="available", reason="")
        self.members[event.member].logins = logins
        return True

    _on_agentlogin = _on_addmember
    _on_agentcallbacklogin = _on_addmember

    def _on_removemember(self, event: Event):
        if not event.member:
            return False
        state = self.members.get(event.member)
        logins = [q for q in (state.logins if state else []) if q != (event.queue or "*")]
        if event.name != "REMOVEMEMBER" or not event.queue:
            logins = []
        if not logins:
            self._set_member(event.member, event.ts, status="logged_out", reason="")
        self.members[event.member].logins = logins
        return True

    _on_agentlogoff = _on_removemember
    _on_agentcallbacklogoff = _on_removemember

    def _on_pause(self, event: Event):
        if not event.member:
            return False
        reason = _data(event, 0).strip()
        member = event.member
        if reason in self.acw_reasons:
            self.saw_acw = True
            call = self._pending.pop(member, None)
            if call is not None and event.ts <= call.talk_end_ts + ACW_WINDOW_S:
                call.acw_ts = event.ts
                self._in_acw[member] = call
                self._touch(call)
            self._set_member(
                member, event.ts, status="available", reason=reason, activity="wrap_up"
            )
        else:
            self._set_member(member, event.ts, status="not_ready", reason=reason)
        return True

    _on_pauseall = _on_pause

    def _on_unpause(self, event: Event):
        if not event.member:
            return False
        member = event.member
        call = self._in_acw.pop(member, None)
        if call is not None:
            call.acw_s = max(0.0, event.ts - call.acw_ts)
            call.ended_ts = event.ts
            self._finish(call)
        state = self.members.get(member)
        activity = "idle" if state is None or state.activity == "wrap_up" else state.activity
        # An UNPAUSEALL right after a logoff (Wazo writes one) does not log the agent in.
        status = (
            "logged_out" if state is not None and state.status == "logged_out" else ("available")
        )
        self._set_member(member, event.ts, status=status, reason="", activity=activity)
        return True

    _on_unpauseall = _on_unpause

    def _on_queuestart(self, event: Event):
        # Asterisk restarted: whatever was in flight is cut here.
        for call in list(self.calls.values()):
            if call.outcome == WAITING:
                call.outcome = UNKNOWN
                call.wait_s = max(0.0, event.ts - call.offered_ts)
            else:
                call.cut = True
                if call.talk_end_ts is None and call.answered_ts is not None:
                    call.talk_s = None
            self._finish(call)
        self._talking.clear()
        self._pending.clear()
        self._in_acw.clear()
        for member, state in list(self.members.items()):
            if event.ts > state.since:
                self._intervals.append(
                    Interval(
                        member,
                        state.status,
                        state.reason,
                        state.activity,
                        state.queue,
                        state.call_id,
                        state.since,
                        event.ts,
                    )
                )
        self.members.clear()
        self._ringing = None
        return True


_HANDLERS = {
    name[4:].upper(): getattr(Engine, name) for name in dir(Engine) if name.startswith("_on_")
}


__all__ = [
    "Call",
    "Engine",
    "Interval",
    "LineError",
    "Ring",
    "check_numbers",
]
