"""Large batches are written set-wise (COPY, staging table); they store what row writes store."""

import pytest

from metrics import services
from metrics.models import (
    AgentDay,
    AgentState,
    CallEvent,
    QueueCall,
    QueueInterval,
    SourceKind,
    TelephonySource,
)
from metrics.queue_log import Event
from tests.conftest import shared_data
from tests.metrics.test_import_follow import run, snapshot

pytestmark = pytest.mark.django_db


def _stored() -> dict:
    stored = snapshot()
    for call in stored["stats"]["waiting_calls"]:
        call.pop("id")  # row ids differ between the two imports
    return {
        **stored,
        "intervals": list(
            QueueInterval.objects.order_by("queue__name", "start").values_list(
                "queue__name",
                "start",
                "offered",
                "answered",
                "a_in",
                "b_in",
                "b_out",
                "aht_n",
                "talk_sum",
                "acw_sum",
                "max_wait_s",
                "acw_known",
                "hold_known",
            )
        ),
        "states": list(
            AgentState.objects.order_by("member", "started_at", "id").values_list(
                "member",
                "status",
                "reason",
                "activity",
                "queue__name",
                "call_id",
                "started_at",
                "ended_at",
            )
        ),
    }


def _wipe() -> None:
    for model in (AgentState, QueueCall, CallEvent, QueueInterval, AgentDay):
        model.objects.all().delete()
    TelephonySource.objects.all().delete()


def test_the_staging_path_stores_what_the_row_path_stores(monkeypatch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    monkeypatch.setattr(services, "STAGE_ROWS", 10**9)
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    by_rows = _stored()
    _wipe()
    monkeypatch.setattr(services, "STAGE_ROWS", 0)
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    assert _stored() == by_rows
    assert by_rows["stats"]["offered"] == 21 and len(by_rows["calls"]) >= 21


def test_odd_characters_survive_the_staging_path(monkeypatch):
    monkeypatch.setattr(services, "STAGE_ROWS", 0)
    source, _ = services.source_create(name="odd", kind=SourceKind.HTTP_JSON)
    caller = 'tab\there "quote" back\\slash\nnew\rline'
    member = "PJSIP/odd\\name\t1"
    call_id = "c\\1\n"
    events = [
        Event(
            ts=1772442000.0,
            seq=1,
            call_id=call_id,
            queue="q\t1",
            member="",
            name="ENTERQUEUE",
            data=("", caller),
            key="k1",
        ),
        Event(
            ts=1772442010.0,
            seq=2,
            call_id=call_id,
            queue="q\t1",
            member=member,
            name="CONNECT",
            data=("10", "", "3"),
            key="k2",
        ),
    ]
    result = services.events_ingest(source=source, events=events)
    assert result.accepted == 2
    call = QueueCall.objects.get()
    assert (call.call_id, call.caller, call.member, call.queue.name) == (
        call_id,
        caller,
        member,
        "q\t1",
    )
    assert (call.outcome, call.wait_s, call.ring_s) == ("answered", 10.0, 3.0)
    assert AgentState.objects.get(member=member, ended_at__isnull=True).call_id == call_id
    assert CallEvent.objects.get(natural_key="k1").data == ["", caller]
