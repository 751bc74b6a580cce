"""Live escalations: a customer on a call asks for a supervisor; the wall board is told."""

import pytest

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from metrics.board.signals import floor_changed
from qa.complaints import selectors, services
from qa.complaints.models import LiveStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def floor_signals():
    received = []

    def receiver(sender, site, **kwargs):
        received.append(site)

    floor_changed.connect(receiver)
    yield received
    floor_changed.disconnect(receiver)


def test_raising_one_tells_the_floor_after_commit(
    cast, floor, floor_signals, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        live = services.live_escalation_raise(
            actor=cast.ann, call=floor.ann_call, reason="Wants a supervisor now"
        )
    assert floor_signals == []  # nothing before the commit
    for callback in callbacks:
        callback()
    assert floor_signals == ["main"]
    assert list(selectors.live_escalations_open()) == [live]
    assert list(selectors.live_escalations_open("elsewhere")) == []
    assert live.agent == cast.ann_agent
    assert Notification.objects.filter(recipient=cast.sam, kind="live_escalation").exists()
    assert Notification.objects.filter(recipient=cast.tina, kind="live_escalation").exists()
    assert AuditEntry.objects.filter(action="live_escalation.raised").count() == 1


def test_taking_over_and_closing_leave_the_alert_panel(
    cast, floor, floor_signals, django_capture_on_commit_callbacks
):
    live = services.live_escalation_raise(actor=cast.ann, call=floor.ann_call, reason="r")
    with django_capture_on_commit_callbacks(execute=True):
        services.live_escalation_take(live=live, actor=cast.sam)
    assert live.status == LiveStatus.TAKEN and live.taken_by == cast.sam
    assert list(selectors.live_escalations_open()) == [live]
    with pytest.raises(Conflict):
        services.live_escalation_take(live=live, actor=cast.tina)
    with django_capture_on_commit_callbacks(execute=True):
        services.live_escalation_close(live=live, actor=cast.sam)
    assert list(selectors.live_escalations_open()) == []
    assert floor_signals == ["main", "main"]


def test_an_agent_cannot_escalate_a_colleagues_call(cast, floor):
    with pytest.raises(DomainError) as caught:
        services.live_escalation_raise(actor=cast.ann, call=floor.bob_call, reason="r")
    assert caught.value.field == "call"


def test_a_live_escalation_needs_a_reason(cast, floor):
    with pytest.raises(DomainError) as caught:
        services.live_escalation_raise(actor=cast.ann, call=floor.ann_call, reason=" ")
    assert caught.value.field == "reason"


def test_the_alert_panel_rows_are_plain_data(cast, floor):
    live = services.live_escalation_raise(actor=cast.ann, call=floor.ann_call, reason="Angry")
    services.live_escalation_take(live=live, actor=cast.sam)
    assert selectors.live_escalation_alerts("main") == [
        {
            "id": live.pk,
            "site": "main",
            "agent": "Ann Agent",
            "queue": "billing",
            "reason": "Angry",
            "raised_at": live.raised_at.isoformat(),
            "status": "taken",
            "taken_by": "sam",
            "link": "/complaints/escalations/",
        }
    ]


def test_the_boards_alert_says_what_the_panel_row_says(cast, floor):
    from django.utils import timezone

    from qa.complaints.floor import live_escalation_floor_alerts

    live = services.live_escalation_raise(actor=cast.ann, call=floor.ann_call, reason="Angry")
    [row] = selectors.live_escalation_alerts("main")
    [alert] = live_escalation_floor_alerts(site="main", now=timezone.now())
    assert alert["params"] == {"who": row["agent"], "queue": row["queue"], "reason": row["reason"]}
    assert alert["text"] == "Ann Agent (billing): customer asks for a supervisor — Angry"
    assert (alert["key"], alert["link"]) == (f"live_escalation:{live.pk}", row["link"])
