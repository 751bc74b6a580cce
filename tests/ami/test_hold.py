"""Hold is an AHT component of an AMI source from its first call, held or not."""

from __future__ import annotations

import pytest

from metrics.models import Queue, QueueCall, TelephonySource
from metrics.selectors import floor_queue_stats
from metrics.telephony.ami.events import AmiTranslator
from metrics.telephony.ami.services import ami_events_ingest
from metrics.telephony.services import sources_advance
from tests.ami.follow import at

pytestmark = pytest.mark.django_db
T = 1796025600.0


def call_without_hold() -> list[dict]:
    caller = {"Queue": "support", "Uniqueid": f"{T:.0f}.1", "CallerIDNum": "5550199"}
    member = {"MemberName": "Alice Chen", "Interface": "PJSIP/201"}
    return [
        {"Event": "QueueCallerJoin", "Timestamp": f"{T}", **caller, "Position": "1"},
        {
            "Event": "AgentConnect",
            "Timestamp": f"{T + 5}",
            **caller,
            **member,
            "HoldTime": "5",
            "RingTime": "3",
            "DestUniqueid": f"{T + 2:.0f}.2",
        },
        {
            "Event": "AgentComplete",
            "Timestamp": f"{T + 125}",
            **caller,
            **member,
            "HoldTime": "5",
            "TalkTime": "120",
            "Reason": "caller",
        },
    ]


@pytest.mark.parametrize(
    ("kind", "hold", "components"),
    [
        ("ami", 0.0, ["talk", "hold"]),
        ("http_json", None, ["talk"]),
    ],
)
def test_a_call_never_held_counts_zero_hold_only_from_an_ami_source(kind, hold, components):
    source = TelephonySource.objects.create(name="north", kind=kind)
    translator = AmiTranslator()
    events = [e for block in call_without_hold() for e in translator.translate(block, now=T)]
    # The same events from a source of another kind: hold stays unknown.
    result = ami_events_ingest(source=source, events=events)
    assert result.accepted == 3
    sources_advance(now=at(T + 600), sources=[source])
    call = QueueCall.objects.get(source=source)
    assert (call.talk_s, call.hold_s) == (120.0, hold)
    stats = floor_queue_stats(queues=Queue.objects.all(), now=at(T + 600))
    assert next(iter(stats.values()))["aht_components"] == components
