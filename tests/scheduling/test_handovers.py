"""The team leads' shift handover: send, confirm, acknowledge, lock, outcomes, carry, alerts."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from scheduling import services
from scheduling.models import Handover, HandoverStatus
from tests.scheduling.conftest import send_handover

pytestmark = pytest.mark.django_db(transaction=False)


def _actions(handover):
    return list(
        AuditEntry.objects.filter(object_type="scheduling.handover", object_id=str(handover.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_sending_notifies_the_incoming_lead_and_the_supervisor(
    cast, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        handover = send_handover(cast)
    assert handover.status == HandoverStatus.SENT
    assert [c.customer_ref for c in handover.cases.all()] == ["C-1001", "C-1002"]
    assert handover.cases.get(customer_ref="C-1001").source_agent == cast.ann_agent
    recipients = set(
        Notification.objects.filter(kind="handover.sent").values_list(
            "recipient__username", flat=True
        )
    )
    assert recipients == {"tom", "sam"}
    assert _actions(handover) == ["handover.sent"]


def test_it_refuses_a_handover_to_a_non_lead_or_without_a_supervisor(cast):
    with pytest.raises(DomainError) as err:
        send_handover(cast, to_lead=cast.ann)
    assert err.value.field == "to_lead"
    from scheduling.services import handover_create

    with pytest.raises(DomainError) as err:
        handover_create(
            author=cast.tina,
            to_lead=cast.tom,
            supervisor=cast.quinn,
            shift_date=timezone.localdate(),
            shift_name="late",
            summary="x",
        )
    assert err.value.field == "supervisor"


def test_a_case_without_a_customer_reference_names_the_field(cast):
    with pytest.raises(DomainError) as err:
        send_handover(
            cast, cases=[{"customer_ref": "", "pending": "x", "next_action": "y", "owner": "z"}]
        )
    assert err.value.field == "cases[0].customer_ref"


def test_acknowledging_needs_each_high_severity_case_confirmed_first(cast, handover):
    with pytest.raises(DomainError) as err:
        services.handover_acknowledge(handover=handover, actor=cast.tom)
    assert "C-1001" in err.value.message
    high = handover.cases.get(customer_ref="C-1001")
    services.handover_case_confirm(case=high, actor=cast.tom)
    with pytest.raises(Conflict):
        services.handover_case_confirm(case=high, actor=cast.tom)
    services.handover_acknowledge(handover=handover, actor=cast.tom)
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.ACKNOWLEDGED and handover.locked


def test_only_the_addressed_lead_confirms_and_acknowledges(cast, handover):
    high = handover.cases.get(customer_ref="C-1001")
    for user in (cast.tina, cast.sam):
        with pytest.raises(DomainError):
            services.handover_case_confirm(case=high, actor=user)
    with pytest.raises(DomainError):
        services.handover_acknowledge(handover=handover, actor=cast.sam)


def _acknowledged(cast, handover):
    services.handover_case_confirm(case=handover.cases.get(customer_ref="C-1001"), actor=cast.tom)
    services.handover_acknowledge(handover=handover, actor=cast.tom)
    handover.refresh_from_db()
    return handover


def test_outcomes_notify_the_outgoing_lead_and_the_supervisor_and_close_the_handover(
    cast, handover, django_capture_on_commit_callbacks
):
    _acknowledged(cast, handover)
    one, two = handover.cases.order_by("position")
    with pytest.raises(DomainError) as err:
        services.handover_case_record_outcome(
            case=one, actor=cast.tom, outcome="resolved", note="  "
        )
    assert err.value.field == "note"
    with django_capture_on_commit_callbacks(execute=True):
        services.handover_case_record_outcome(
            case=one, actor=cast.tom, outcome="resolved", note="Refund posted, customer called back"
        )
        services.handover_case_record_outcome(
            case=two,
            actor=cast.tom,
            outcome="not_resolved",
            note="Customer unreachable; try after 18:00",
        )
    with pytest.raises(Conflict):
        services.handover_case_record_outcome(
            case=one, actor=cast.tom, outcome="not_resolved", note="again"
        )
    handover.refresh_from_db()
    assert handover.status == HandoverStatus.CLOSED
    for user in (cast.tina, cast.sam):
        texts = list(
            Notification.objects.filter(
                recipient=user, kind__startswith="handover.case"
            ).values_list("text", flat=True)
        )
        assert any("C-1001: resolved" in t for t in texts)
        assert any("C-1002: not resolved" in t for t in texts)
    assert _actions(handover) == [
        "handover.sent",
        "handover.case_confirmed",
        "handover.acknowledged",
        "handover.case_resolved",
        "handover.case_not_resolved",
        "handover.closed",
    ]


def test_outcomes_wait_for_the_acknowledgement(cast, handover):
    with pytest.raises(DomainError):
        services.handover_case_record_outcome(
            case=handover.cases.first(), actor=cast.tom, outcome="resolved", note="done"
        )


def test_an_unresolved_case_is_carried_into_the_next_handover_once(cast, handover):
    _acknowledged(cast, handover)
    unresolved = handover.cases.get(customer_ref="C-1002")
    services.handover_case_record_outcome(
        case=unresolved, actor=cast.tom, outcome="not_resolved", note="Still waiting on the bank"
    )
    nxt = send_handover(
        cast, author=cast.tom, to_lead=cast.tina, cases=[], carry_case_ids=[unresolved.pk]
    )
    carried = nxt.cases.get()
    assert carried.customer_ref == "C-1002" and carried.carried_from == unresolved
    assert carried.pending == "Still waiting on the bank"
    assert carried.opened_at == unresolved.opened_at
    with pytest.raises(DomainError) as err:
        send_handover(
            cast, author=cast.tom, to_lead=cast.tina, cases=[], carry_case_ids=[unresolved.pk]
        )
    assert err.value.field == "carry_case_ids"
    from scheduling.selectors import open_cases_visible_to

    refs = [(c.customer_ref, c.handover_id) for c in open_cases_visible_to(cast.sam)]
    assert refs == [("C-1001", handover.pk), ("C-1002", nxt.pk)]


def test_an_unacknowledged_handover_alerts_the_supervisor_once(cast, handover, settings):
    settings.CALLFLOOR_HANDOVER_ACK_MINUTES = 30
    early = handover.created_at + timedelta(minutes=29)
    assert services.handovers_alert_overdue(now=early) == 0
    late = handover.created_at + timedelta(minutes=31)
    assert services.handovers_alert_overdue(now=late) == 1
    assert services.handovers_alert_overdue(now=late + timedelta(minutes=5)) == 0
    alerts = Notification.objects.filter(kind="handover.overdue")
    assert [n.recipient.username for n in alerts] == ["sam"]
    assert "handover.overdue_alerted" in _actions(handover)


def test_the_beat_task_runs_the_alert(cast, settings):
    from scheduling.tasks import alert_overdue_handovers

    old = send_handover(cast)
    Handover.objects.filter(pk=old.pk).update(ack_due_at=timezone.now() - timedelta(minutes=1))
    assert alert_overdue_handovers.delay() is not None
    assert Notification.objects.filter(kind="handover.overdue").count() == 1
    assert alert_overdue_handovers() == 0


def test_the_api_sends_and_lists_handovers(cast, api):
    client = api(cast.tina)
    response = client.post(
        "/api/handovers/",
        {
            "to_lead": "tom",
            "supervisor": "sam",
            "shift_date": "2026-11-23",
            "shift_name": "late",
            "summary": "All calm",
            "cases": [
                {
                    "customer_ref": "C-7",
                    "pending": "x",
                    "next_action": "y",
                    "owner": "z",
                    "severity": "bogus",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 400
    assert "cases.0.severity" in response.json()["error"]["fields"]
    response = client.post(
        "/api/handovers/",
        {
            "to_lead": "tom",
            "supervisor": "sam",
            "shift_date": "2026-11-23",
            "shift_name": "late",
            "summary": "All calm",
            "cases": [
                {
                    "customer_ref": "C-7",
                    "pending": "x",
                    "next_action": "y",
                    "owner": "z",
                    "severity": "high",
                }
            ],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["to_lead"] == "tom" and body["cases"][0]["severity"] == "high"
    ids = [row["id"] for row in api(cast.tom).get("/api/handovers/").json()["results"]]
    assert ids == [body["id"]]
    assert api(cast.ann).get("/api/handovers/").status_code == 403
    case_id = body["cases"][0]["id"]
    tom = api(cast.tom)
    assert tom.post(f"/api/handovers/{body['id']}/acknowledge/").status_code == 400
    assert tom.post(f"/api/handover-cases/{case_id}/confirm/").status_code == 200
    assert tom.post(f"/api/handovers/{body['id']}/acknowledge/").json()["locked"] is True
    response = client.patch(f"/api/handovers/{body['id']}/", {"summary": "new"}, format="json")
    assert response.status_code == 405


def test_an_acknowledged_handover_says_who_acknowledged_it_and_when(cast, handover, client):
    handover = _acknowledged(cast, handover)
    client.force_login(cast.tina)
    page = client.get(f"/handovers/{handover.pk}/").content.decode()
    line = page.split('data-testid="handover-status"')[1].split(">", 1)[1].split("</p>")[0]
    status = re.sub(r"<[^>]+>", "", line)  # the status line as a person reads it
    at = timezone.localtime(handover.acknowledged_at).strftime("%Y-%m-%d %H:%M")
    assert f"by {cast.tom.get_full_name()} at {at}" in status
    assert "locked" not in status  # a sent handover is fixed from the start, not at this point


def test_the_overdue_alert_gives_the_due_time_on_the_site_s_clock(cast, handover, settings):
    # The database keeps UTC; a Shanghai floor reads 09:30 for 01:30 UTC (it read 01:30).
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    due = datetime(2026, 12, 7, 1, 30, tzinfo=UTC)
    Handover.objects.filter(pk=handover.pk).update(ack_due_at=due)
    assert services.handovers_alert_overdue(now=due + timedelta(minutes=1)) == 1
    text = Notification.objects.get(kind="handover.overdue").text
    assert "(due 09:30)" in text, text
