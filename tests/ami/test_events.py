"""AMI events → the engine's events (no database): names, fields, natural keys, hold."""

from __future__ import annotations

from metrics.kpi import Engine
from metrics.telephony.ami.events import AmiTranslator, rebuild_events
from tests.ami.server import transcript, transcript_parts

T = 1796025600.0


def names(events) -> list[str]:
    return [e.name for e in events]


def translate_all(blocks, translator=None):
    translator = translator or AmiTranslator()
    return [e for b in blocks for e in translator.translate(b, now=0.0)]


def test_the_morning_translates_to_the_queue_log_vocabulary():
    before, after = transcript_parts("morning.txt")
    events = translate_all(before + after)
    assert names(events).count("ENTERQUEUE") == 5
    assert names(events).count("CONNECT") == 4
    assert {"COMPLETEAGENT", "COMPLETECALLER", "BLINDTRANSFER", "ATTENDEDTRANSFER"} <= set(
        names(events)
    )
    ring = next(e for e in events if e.name == "RINGNOANSWER")
    assert (ring.member, ring.data) == ("Bob Li", ("15000",))
    lunch = next(e for e in events if e.name == "PAUSE" and e.member == "Bob Li")
    assert lunch.data == ("Lunch",) and lunch.queue == "support"
    # Every event carries its own Timestamp and a unique natural key.
    assert events[0].ts == T
    assert len({e.key for e in events}) == len(events)


def test_talk_leaves_out_the_time_on_hold():
    blocks = transcript_parts("morning.txt")[0]
    call_1 = [b for b in blocks if b.get("Uniqueid") == f"{T + 10:.0f}.1"]
    events = translate_all(call_1)
    assert names(events) == [
        "ENTERQUEUE",
        "RINGSTART",
        "CONNECT",
        "HOLD",
        "UNHOLD",
        "COMPLETEAGENT",
    ]
    # TalkTime 180 with 30 s on hold: talk 150, wait (AgentComplete's HoldTime) 6.
    assert events[-1].data == ("6", "150", "")


def test_a_transfer_takes_its_kind_and_target_from_the_transfer_event():
    before = transcript_parts("morning.txt")[0]
    events = translate_all(before)
    blind = next(e for e in events if e.name == "BLINDTRANSFER")
    assert blind.data == ("2100", "from-internal", "20", "135", "")


def test_the_same_call_event_twice_has_the_same_key():
    join = transcript("morning.txt")[3]
    assert join["Event"] == "QueueCallerJoin"
    first = AmiTranslator().translate(join, now=0.0)[0]
    again = AmiTranslator().translate({**join, "Timestamp": f"{T + 99}"}, now=0.0)[0]
    assert first.key == again.key == f"ami:ENTERQUEUE:support:{join['Uniqueid']}"


def test_a_hold_on_the_members_leg_after_a_reconnect_finds_its_call_by_linkedid():
    before, after = transcript_parts("morning.txt")
    engine = Engine()
    for event in sorted(translate_all(before), key=lambda e: e.sort_key()):
        engine.feed(event)
    fresh = AmiTranslator()
    fresh.seed(engine)
    hold = fresh.translate(after[0], now=0.0)
    assert after[0]["Event"] == "Hold" and after[0]["Uniqueid"] not in fresh.calls
    assert [(e.name, e.call_id, e.member) for e in hold] == [
        ("HOLD", after[0]["Linkedid"], "Alice Chen")
    ]


def test_events_without_a_timestamp_take_the_time_they_arrived():
    event = AmiTranslator().translate(
        {
            "Event": "QueueMemberPause",
            "Queue": "support",
            "MemberName": "Ann",
            "Paused": "1",
            "PausedReason": "Break",
        },
        now=1234.5,
    )[0]
    assert (event.ts, event.name, event.data) == (1234.5, "PAUSE", ("Break",))


def test_rebuild_brings_members_and_waiting_callers_to_queue_status():
    status = transcript("queue_status.txt")
    events = rebuild_events(engine=Engine(), status=status, now=T)
    assert [(e.name, e.member, e.data) for e in events if e.member] == [
        ("ADDMEMBER", "Alice Chen", ()),
        ("ADDMEMBER", "Bob Li", ()),
        ("PAUSE", "Bob Li", ("Lunch",)),
    ]
    entry = next(e for e in events if e.name == "ENTERQUEUE")
    assert (entry.call_id, entry.ts) == ("1796542290.42", T - 9)
    # Fed to the engine, the same answer asks for nothing more; a member gone is removed.
    engine = Engine()
    for event in sorted(events, key=lambda e: e.sort_key()):
        engine.feed(event)
    assert rebuild_events(engine=engine, status=status, now=T + 5) == []
    without_bob = [b for b in status if b.get("Name") != "Bob Li"]
    gone = rebuild_events(engine=engine, status=without_bob, now=T + 5)
    assert [(e.name, e.member) for e in gone] == [("REMOVEMEMBER", "Bob Li")]
