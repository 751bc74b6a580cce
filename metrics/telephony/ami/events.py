"""AMI events in, the engine's events out (the queue_log vocabulary of `metrics.queue_log`).

Plain Python, no Django. `AmiTranslator` turns the queue and call events of Asterisk's Manager
Interface into the same `Event` records the queue_log importer and the JSON events API give
`services.events_ingest`, so the KPI engine, the board and the reports see one truth.

| AMI event | engine event |
|---|---|
| QueueCallerJoin | ENTERQUEUE (caller, position) |
| QueueCallerAbandon | ABANDON (position, original position, HoldTime = wait) |
| AgentCalled | RINGSTART (the member's phone rings: the board shows `ringing`) |
| AgentRingNoAnswer | RINGNOANSWER (RingTime, milliseconds as in the queue_log) |
| AgentConnect | CONNECT (HoldTime = wait, the member's channel, RingTime) |
| AgentComplete | COMPLETEAGENT / COMPLETECALLER (Reason agent / caller); Reason transfer: |
| | BLINDTRANSFER / ATTENDEDTRANSFER as the transfer event before it said (else TRANSFER) |
| Hold / Unhold | HOLD / UNHOLD of the queue call the channel belongs to |
| QueueMemberAdded / Removed | ADDMEMBER / REMOVEMEMBER |
| QueueMemberPause | PAUSE (PausedReason) / UNPAUSE |

AgentComplete's `HoldTime` is the caller's time in the queue (app_queue's "holdtime", the
queue_log's too), not time on hold. Time on hold comes from Hold/Unhold, and the talk time
given to the engine leaves it out (`TalkTime` minus the seconds on hold), so talk + hold is
the queue_log's call time and AHT is the same total with hold named as its own component.

Each event's time is its `Timestamp` header (manager.conf `timestampevents = yes`), else the
time it arrived. Each gets a natural key, so the same event seen twice (a reconnect, a state
rebuilt from QueueStatus) counts once: a call enters a queue, is answered and ends once per
queue (keys without a time); rings, holds and member changes carry their time.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from dataclasses import dataclass

from metrics.kpi import Engine
from metrics.queue_log import Event

# The AMI events the follower asks for and translates; others are read and dropped.
FOLLOWED = frozenset(
    {
        "QueueCallerJoin",
        "QueueCallerLeave",
        "QueueCallerAbandon",
        "AgentCalled",
        "AgentConnect",
        "AgentComplete",
        "AgentRingNoAnswer",
        "QueueMemberAdded",
        "QueueMemberRemoved",
        "QueueMemberPause",
        "QueueMemberStatus",
        "Hold",
        "Unhold",
        "BlindTransfer",
        "AttendedTransfer",
        "Hangup",
    }
)


def _num(value: str | None) -> str:
    """A number field as the engine reads it ("" when absent or not a number)."""
    value = (value or "").strip()
    try:
        float(value)
    except ValueError:
        return ""
    return value


def member_of(message: dict) -> str:
    """The member's name as the queue_log writes it (its MemberName, else its interface)."""
    return (
        message.get("MemberName")
        or message.get("Name")
        or message.get("Interface")
        or message.get("Location")
        or ""
    ).strip()


@dataclass
class _CallRef:
    """What the translator knows of a queue call between its events."""

    queue: str
    member: str = ""
    answered: bool = False
    hold_s: float = 0.0
    hold_since: float | None = None
    transfer: tuple[str, tuple[str, ...]] | None = None


class AmiTranslator:
    """Translates AMI events of one source, keeping what links them (channels, holds)."""

    def __init__(self) -> None:
        self.calls: dict[str, _CallRef] = {}  # the caller's Uniqueid → its queue call
        self.legs: dict[str, str] = {}  # another channel's Uniqueid (the member's) → caller's
        self._seq = itertools.count(1)

    def seed(self, engine: Engine) -> None:
        """Take the open calls of the engine's state (after a restart or a reconnect)."""
        for (call_id, queue), call in engine.calls.items():
            if call.talk_end_ts is not None:
                continue
            self.calls[call_id] = _CallRef(
                queue=queue,
                member=call.member,
                answered=call.answered_ts is not None,
                hold_s=call.hold_s or 0.0,
                hold_since=call.hold_ts,
            )

    def translate(self, message: dict, *, now: float) -> list[Event]:
        name = message.get("Event", "")
        handler = getattr(self, f"_on_{name.lower()}", None)
        if handler is None:
            return []
        ts = _timestamp(message, now)
        return [e for e in handler(message, ts) or () if e is not None]

    def _event(
        self,
        ts: float,
        name: str,
        key: str,
        *,
        call_id: str = "",
        queue: str = "",
        member: str = "",
        data: Iterable[str] = (),
    ) -> Event:
        return Event(
            ts=ts,
            seq=next(self._seq),
            call_id=call_id,
            queue=queue,
            member=member,
            name=name,
            data=tuple(data),
            key=f"ami:{key}"[:200],
        )

    def _call_of(self, message: dict) -> tuple[str, _CallRef] | None:
        for header in ("Uniqueid", "Linkedid"):
            uid = message.get(header, "")
            uid = uid if uid in self.calls else self.legs.get(uid, "")
            if uid in self.calls:
                return uid, self.calls[uid]
        return None

    # -- calls -----------------------------------------------------------------------------

    def _on_queuecallerjoin(self, m: dict, ts: float):
        uid, queue = m.get("Uniqueid", ""), m.get("Queue", "")
        self.calls[uid] = _CallRef(queue=queue)
        caller = m.get("CallerIDNum", "")
        caller = "" if caller == "<unknown>" else caller
        yield self._event(
            ts,
            "ENTERQUEUE",
            f"ENTERQUEUE:{queue}:{uid}",
            call_id=uid,
            queue=queue,
            data=("", caller, _num(m.get("Position"))),
        )

    def _on_queuecallerabandon(self, m: dict, ts: float):
        uid, queue = m.get("Uniqueid", ""), m.get("Queue", "")
        self.calls.pop(uid, None)
        yield self._event(
            ts,
            "ABANDON",
            f"END:{queue}:{uid}",
            call_id=uid,
            queue=queue,
            data=(
                _num(m.get("Position")),
                _num(m.get("OriginalPosition")),
                _num(m.get("HoldTime")),
            ),
        )

    def _on_agentcalled(self, m: dict, ts: float):
        uid, queue, member = m.get("Uniqueid", ""), m.get("Queue", ""), member_of(m)
        yield self._event(
            ts,
            "RINGSTART",
            f"RINGSTART:{queue}:{uid}:{member}:{ts:.6f}",
            call_id=uid,
            queue=queue,
            member=member,
        )

    def _on_agentringnoanswer(self, m: dict, ts: float):
        uid, queue, member = m.get("Uniqueid", ""), m.get("Queue", ""), member_of(m)
        ring_ms = _num(m.get("RingTime") or m.get("Ringtime"))
        yield self._event(
            ts,
            "RINGNOANSWER",
            f"RINGNOANSWER:{queue}:{uid}:{member}:{ts:.6f}",
            call_id=uid,
            queue=queue,
            member=member,
            data=(ring_ms,),
        )

    def _on_agentconnect(self, m: dict, ts: float):
        uid, queue, member = m.get("Uniqueid", ""), m.get("Queue", ""), member_of(m)
        call = self.calls.setdefault(uid, _CallRef(queue=queue))
        call.member, call.answered = member, True
        leg = m.get("DestUniqueid", "")
        if leg:
            self.legs[leg] = uid
        yield self._event(
            ts,
            "CONNECT",
            f"CONNECT:{queue}:{uid}",
            call_id=uid,
            queue=queue,
            member=member,
            data=(_num(m.get("HoldTime")), leg, _num(m.get("RingTime"))),
        )

    def _on_agentcomplete(self, m: dict, ts: float):
        uid, queue, member = m.get("Uniqueid", ""), m.get("Queue", ""), member_of(m)
        call = self.calls.pop(uid, None) or _CallRef(queue=queue, member=member)
        for leg in [k for k, v in self.legs.items() if v == uid]:
            del self.legs[leg]
        hold = call.hold_s + (max(0.0, ts - call.hold_since) if call.hold_since else 0.0)
        talk = _num(m.get("TalkTime"))
        if talk:
            talk = _seconds(max(0.0, float(talk) - hold))
        wait = _num(m.get("HoldTime"))
        reason = m.get("Reason", "").lower()
        if reason == "transfer":
            name, head = call.transfer or ("TRANSFER", ("", ""))
            data = (*head, wait, talk, "")
        else:
            name = "COMPLETEAGENT" if reason == "agent" else "COMPLETECALLER"
            data = (wait, talk, "")
        yield self._event(
            ts, name, f"END:{queue}:{uid}", call_id=uid, queue=queue, member=member, data=data
        )

    def _on_hold(self, m: dict, ts: float):
        found = self._call_of(m)
        if found is None or not found[1].answered:
            return
        uid, call = found
        if call.hold_since is None:
            call.hold_since = ts
        yield self._event(
            ts, "HOLD", f"HOLD:{uid}:{ts:.6f}", call_id=uid, queue=call.queue, member=call.member
        )

    def _on_unhold(self, m: dict, ts: float):
        found = self._call_of(m)
        if found is None or not found[1].answered:
            return
        uid, call = found
        if call.hold_since is not None:
            call.hold_s += max(0.0, ts - call.hold_since)
            call.hold_since = None
        yield self._event(
            ts,
            "UNHOLD",
            f"UNHOLD:{uid}:{ts:.6f}",
            call_id=uid,
            queue=call.queue,
            member=call.member,
        )

    def _on_blindtransfer(self, m: dict, ts: float):
        found = self._call_of({"Uniqueid": m.get("TransfereeUniqueid", "")}) or self._call_of(
            {"Uniqueid": m.get("TransfererUniqueid", "")}
        )
        if found is not None:
            found[1].transfer = ("BLINDTRANSFER", (m.get("Extension", ""), m.get("Context", "")))

    def _on_attendedtransfer(self, m: dict, ts: float):
        for header in (
            "TransfereeUniqueid",
            "OrigTransfererUniqueid",
            "SecondTransfererUniqueid",
        ):
            found = self._call_of({"Uniqueid": m.get(header, "")})
            if found is not None:
                method = m.get("DestType", "").upper() or "BRIDGE"
                target = m.get("SecondTransfererExten") or m.get("DestApp", "")
                found[1].transfer = ("ATTENDEDTRANSFER", (method, target))
                return

    def _on_hangup(self, m: dict, ts: float):
        # A member's leg that ends stops pointing at its call; the call itself ends with
        # AgentComplete or QueueCallerAbandon.
        self.legs.pop(m.get("Uniqueid", ""), None)

    # -- members ---------------------------------------------------------------------------

    def _member_event(self, name: str, m: dict, ts: float, data: tuple[str, ...] = ()):
        queue, member = m.get("Queue", ""), member_of(m)
        return self._event(
            ts,
            name,
            f"{name}:{queue}:{member}:{ts:.6f}",
            queue=queue,
            member=member,
            data=data,
        )

    def _on_queuememberadded(self, m: dict, ts: float):
        yield self._member_event("ADDMEMBER", m, ts)

    def _on_queuememberremoved(self, m: dict, ts: float):
        yield self._member_event("REMOVEMEMBER", m, ts)

    def _on_queuememberpause(self, m: dict, ts: float):
        if m.get("Paused", "0") in ("1", "true", "True"):
            reason = m.get("PausedReason") or m.get("Reason") or ""
            yield self._member_event("PAUSE", m, ts, (reason,))
        else:
            yield self._member_event("UNPAUSE", m, ts)


def _timestamp(message: dict, now: float) -> float:
    try:
        return float(message["Timestamp"])
    except (KeyError, ValueError):
        return now


def _seconds(value: float) -> str:
    return str(int(value)) if value == int(value) else repr(round(value, 3))


# -- the state rebuilt on connect ------------------------------------------------------------


def rebuild_events(*, engine: Engine, status: list[dict], now: float) -> list[Event]:
    """The events that bring the engine's open state to what `QueueStatus` answered.

    Members logged in, logged out, paused or unpaused while no connection was there, and
    callers who joined a queue meanwhile (offered `Wait` seconds before `now`; the key is that
    of their QueueCallerJoin, so a caller already known counts once). `status` is the list of
    events of the answer (QueueParams, QueueMember, QueueEntry, ...).
    """
    translator = AmiTranslator()
    events: list[Event] = []
    queues = {m.get("Queue", "") for m in status if m.get("Event") == "QueueParams"}
    present: set[tuple[str, str]] = set()
    stamp = f"{now:.6f}"
    for m in status:
        kind, queue = m.get("Event"), m.get("Queue", "")
        if kind == "QueueMember":
            member = member_of(m)
            present.add((queue, member))
            state = engine.members.get(member)
            logged_in = (
                state is not None
                and state.status != "logged_out"
                and (queue in state.logins or "*" in state.logins)
            )
            if not logged_in:
                events.append(
                    translator._event(
                        now,
                        "ADDMEMBER",
                        f"rebuild:{stamp}:ADDMEMBER:{queue}:{member}",
                        queue=queue,
                        member=member,
                    )
                )
            paused = m.get("Paused", "0") in ("1", "true")
            reason = m.get("PausedReason", "") or ""
            current = "" if state is None else state.reason
            is_paused = state is not None and (
                state.status == "not_ready" or state.activity == "wrap_up"
            )
            if paused and (not is_paused or current != reason):
                events.append(
                    translator._event(
                        now,
                        "PAUSE",
                        f"rebuild:{stamp}:PAUSE:{queue}:{member}",
                        queue=queue,
                        member=member,
                        data=(reason,),
                    )
                )
            elif not paused and is_paused:
                events.append(
                    translator._event(
                        now,
                        "UNPAUSE",
                        f"rebuild:{stamp}:UNPAUSE:{queue}:{member}",
                        queue=queue,
                        member=member,
                    )
                )
        elif kind == "QueueEntry":
            uid = m.get("Uniqueid", "")
            if (uid, queue) in engine.calls:
                continue
            wait = float(_num(m.get("Wait")) or 0)
            caller = m.get("CallerIDNum", "")
            events.append(
                translator._event(
                    now - wait,
                    "ENTERQUEUE",
                    f"ENTERQUEUE:{queue}:{uid}",
                    call_id=uid,
                    queue=queue,
                    data=("", "" if caller == "<unknown>" else caller, _num(m.get("Position"))),
                )
            )
    for member, state in sorted(engine.members.items()):
        if state.status == "logged_out":
            continue
        for queue in state.logins:
            if queue in queues and (queue, member) not in present:
                events.append(
                    translator._event(
                        now,
                        "REMOVEMEMBER",
                        f"rebuild:{stamp}:REMOVEMEMBER:{queue}:{member}",
                        queue=queue,
                        member=member,
                    )
                )
    return events
