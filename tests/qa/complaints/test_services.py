"""Complaint cases through their life: logging, timers, escalation, call-back gate, audit."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from qa.complaints import access, selectors, services
from qa.complaints.models import (
    CallbackOutcome,
    CentreManager,
    Complaint,
    Escalation,
    EscalationKind,
    ServiceLevelPolicy,
    Severity,
    Status,
    Tier,
)
from tests.qa.complaints.conftest import walk_to_callback

pytestmark = pytest.mark.django_db


def audit_actions(case):
    return list(selectors.complaint_history(case).values_list("action", flat=True))


def test_an_agent_logs_a_case_she_owns_at_the_agent_tier(cast, floor, new_case):
    assert new_case.owner == cast.ann and new_case.tier == Tier.AGENT
    assert new_case.status == Status.NEW
    assert new_case.queue == floor.billing and new_case.agent == cast.ann_agent
    assert new_case.team == cast.billing
    assert list(new_case.calls.all()) == [floor.ann_call]
    assert new_case.ack_due_at is not None and new_case.resolve_due_at is not None
    assert audit_actions(new_case) == ["complaint.created"]


def test_the_case_takes_the_service_levels_of_its_severity(cast, floor):
    ServiceLevelPolicy.objects.create(
        severity=Severity.HIGH, acknowledge_minutes=15, resolve_minutes=120, business_hours=False
    )
    now = timezone.now()
    case = services.complaint_create(
        actor=cast.ann,
        customer_name="Jo",
        customer_contact="jo@example.com",
        category=floor.rudeness,
        description="x",
        severity=Severity.HIGH,
        now=now,
    )
    assert case.acknowledge_budget_s == 900 and not case.business_hours
    assert case.ack_due_at == now + timedelta(minutes=15)
    assert case.resolve_due_at == now + timedelta(hours=2)


@pytest.mark.parametrize(
    ("field", "changes", "message"),
    [
        ("category", {"category": 999999}, "Unknown complaint category"),
        ("category", {"category": "billing"}, "Unknown complaint category"),
        ("customer_name", {"customer_name": "  "}, "The customer's name is required"),
        ("severity", {"severity": "urgent"}, "Unknown severity 'urgent'"),
        ("description", {"description": ""}, "A description is required"),
    ],
)
def test_bad_input_is_refused_naming_the_field(cast, floor, field, changes, message):
    values = {
        "actor": cast.ann,
        "customer_name": "Jane",
        "customer_contact": "jane@x.org",
        "category": floor.billing_errors.pk,
        "description": "x",
        **changes,
    }
    with pytest.raises(DomainError, match=message) as caught:
        services.complaint_create(**values)
    assert caught.value.field == field


def test_a_retired_category_is_refused(cast, floor):
    with pytest.raises(DomainError, match="no longer in use") as caught:
        services.complaint_create(
            actor=cast.ann,
            customer_name="J",
            customer_contact="1234",
            category=floor.retired,
            description="x",
        )
    assert caught.value.field == "category"


def test_an_agent_cannot_link_a_colleagues_call(cast, floor):
    with pytest.raises(DomainError, match="only calls you took") as caught:
        services.complaint_create(
            actor=cast.ann,
            customer_name="J",
            customer_contact="1234",
            category=floor.rudeness,
            description="x",
            calls=[floor.bob_call],
        )
    assert caught.value.field == "calls"


def test_a_call_back_time_in_the_past_is_refused(cast, new_case):
    services.complaint_acknowledge(complaint=new_case, actor=cast.ann)
    services.complaint_investigate(complaint=new_case, actor=cast.ann)
    services.complaint_propose_resolution(complaint=new_case, actor=cast.ann, resolution="Fix")
    with pytest.raises(DomainError, match="in the past") as caught:
        services.complaint_await_callback(
            complaint=new_case, actor=cast.ann, callback_at=timezone.now() - timedelta(minutes=5)
        )
    assert caught.value.field == "callback_at"


def test_closing_without_a_call_back_is_refused(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    with pytest.raises(DomainError, match="Record the call-back") as caught:
        services.complaint_close(
            complaint=new_case,
            actor=cast.ann,
            root_cause=floor.process,
            corrective_action="Fix the billing run.",
        )
    assert caught.value.field == "callback"
    new_case.refresh_from_db()
    assert new_case.status == Status.AWAITING_CALLBACK


def test_closing_before_the_call_back_stage_is_refused(cast, floor, new_case):
    with pytest.raises(DomainError, match="only after its call-back") as caught:
        services.complaint_close(
            complaint=new_case, actor=cast.sam, root_cause=floor.process, corrective_action="x"
        )
    assert caught.value.field == "callback"


def test_not_satisfied_reopens_and_restarts_the_resolve_timer(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    services.complaint_record_callback(
        complaint=new_case,
        actor=cast.ann,
        outcome=CallbackOutcome.NOT_SATISFIED,
        note="Still wrong",
    )
    new_case.refresh_from_db()
    assert new_case.status == Status.REOPENED and new_case.round == 2
    assert new_case.resolved_at is None and new_case.resolve_due_at is not None
    # The unsatisfied call-back of round 1 does not open the gate of round 2.
    services.complaint_investigate(complaint=new_case, actor=cast.ann)
    services.complaint_propose_resolution(complaint=new_case, actor=cast.ann, resolution="B")
    services.complaint_await_callback(
        complaint=new_case, actor=cast.ann, callback_at=timezone.now() + timedelta(hours=1)
    )
    assert services.callback_gate(new_case) is not None
    services.complaint_record_callback(
        complaint=new_case, actor=cast.ann, outcome=CallbackOutcome.SATISFIED
    )
    services.complaint_close(
        complaint=new_case,
        actor=cast.ann,
        root_cause=floor.training,
        corrective_action="Coach the billing team.",
    )
    new_case.refresh_from_db()
    assert new_case.status == Status.CLOSED and new_case.root_cause == floor.training
    assert "complaint.reopened" in audit_actions(new_case)
    assert audit_actions(new_case)[-1] == "complaint.closed"


def test_three_unreachable_attempts_open_the_gate(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    for attempt in range(2):
        services.complaint_record_callback(
            complaint=new_case, actor=cast.ann, outcome=CallbackOutcome.UNREACHABLE
        )
        with pytest.raises(DomainError, match=f"unreachable {attempt + 1} time"):
            services.complaint_close(
                complaint=new_case, actor=cast.ann, root_cause=floor.process, corrective_action="x"
            )
    services.complaint_record_callback(
        complaint=new_case, actor=cast.ann, outcome=CallbackOutcome.UNREACHABLE
    )
    services.complaint_close(
        complaint=new_case,
        actor=cast.ann,
        root_cause=floor.process,
        corrective_action="Check the refund run.",
    )
    assert Complaint.objects.get(pk=new_case.pk).status == Status.CLOSED


def test_an_unknown_root_cause_or_missing_action_is_refused(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    services.complaint_record_callback(
        complaint=new_case, actor=cast.ann, outcome=CallbackOutcome.SATISFIED
    )
    with pytest.raises(DomainError) as caught:
        services.complaint_close(
            complaint=new_case, actor=cast.ann, root_cause=424242, corrective_action="x"
        )
    assert caught.value.field == "root_cause"
    with pytest.raises(DomainError) as caught:
        services.complaint_close(
            complaint=new_case, actor=cast.ann, root_cause=floor.process, corrective_action=" "
        )
    assert caught.value.field == "corrective_action"


def test_a_stale_transition_loses_with_conflict(cast, new_case):
    stale = Complaint.objects.get(pk=new_case.pk)
    services.complaint_acknowledge(complaint=new_case, actor=cast.ann)
    with pytest.raises(Conflict):
        services.complaint_acknowledge(complaint=stale, actor=cast.sam)


def test_a_wrong_transition_is_refused(cast, new_case):
    with pytest.raises(DomainError, match="A case that is new cannot be investigated") as caught:
        services.complaint_investigate(complaint=new_case, actor=cast.ann)
    assert caught.value.field == "status"


def test_waiting_on_the_customer_stops_the_clock(cast, new_case):
    services.complaint_acknowledge(complaint=new_case, actor=cast.ann)
    before = Complaint.objects.get(pk=new_case.pk).resolve_due_at
    start = timezone.now()
    services.complaint_pause(
        complaint=new_case, actor=cast.ann, reason="Customer sends bill", now=start
    )
    assert new_case.resolve_due_at is None and new_case.waiting_on_customer
    with pytest.raises(Conflict):
        services.complaint_pause(complaint=new_case, actor=cast.ann, reason="again")
    services.complaint_resume(complaint=new_case, actor=cast.ann, now=start + timedelta(days=7))
    assert new_case.resolve_due_at > before
    assert selectors.complaint_timers(new_case).resolve.used_s < 7 * 86400
    assert audit_actions(new_case)[-2:] == ["complaint.paused", "complaint.resumed"]


def test_a_manual_escalation_moves_the_case_to_the_team_lead_and_tells_her(cast, new_case):
    escalation = services.complaint_escalate(
        complaint=new_case, actor=cast.ann, reason="Customer threatens to leave"
    )
    new_case.refresh_from_db()
    assert new_case.tier == Tier.TEAM_LEAD and new_case.owner == cast.tina
    assert escalation.from_owner == cast.ann and escalation.kind == EscalationKind.MANUAL
    assert Notification.objects.filter(recipient=cast.tina, kind="complaint_escalated").exists()
    with pytest.raises(DomainError, match="reason") as caught:
        services.complaint_escalate(complaint=new_case, actor=cast.tina, reason="")
    assert caught.value.field == "reason"


def test_escalation_climbs_to_the_centre_manager_and_stops(cast, new_case):
    CentreManager.objects.create(user=cast.sam)
    services.complaint_escalate(complaint=new_case, actor=cast.ann, reason="r1")
    new_case.refresh_from_db()
    # sam is the only supervisor and the centre manager: the supervisor tier is empty.
    services.complaint_escalate(complaint=new_case, actor=cast.tina, reason="r2")
    new_case.refresh_from_db()
    assert new_case.tier == Tier.CENTRE_MANAGER and new_case.owner == cast.sam
    with pytest.raises(DomainError, match="top tier") as caught:
        services.complaint_escalate(complaint=new_case, actor=cast.sam, reason="r3")
    assert caught.value.field == "tier"


def test_the_timer_check_escalates_a_breach_once(cast, new_case):
    later = new_case.ack_due_at + timedelta(seconds=1)
    assert services.complaint_check_timers(now=new_case.ack_due_at - timedelta(seconds=1)) == []
    first = services.complaint_check_timers(now=later)
    again = services.complaint_check_timers(now=later + timedelta(minutes=5))
    assert [e.kind for e in first] == [EscalationKind.ACKNOWLEDGE_BREACH] and again == []
    new_case.refresh_from_db()
    assert new_case.tier == Tier.TEAM_LEAD and new_case.ack_breached_at == later
    assert "complaint.ack_breached" in audit_actions(new_case)


def test_an_acknowledged_case_is_not_escalated_for_acknowledging_late(cast, new_case):
    services.complaint_acknowledge(complaint=new_case, actor=cast.ann)
    assert services.complaint_check_timers(now=new_case.created_at + timedelta(days=1)) == []


def test_the_resolve_breach_escalates_too(cast, new_case):
    services.complaint_acknowledge(complaint=new_case, actor=cast.ann)
    new_case.refresh_from_db()
    escalations = services.complaint_check_timers(now=new_case.resolve_due_at + timedelta(1))
    assert [e.kind for e in escalations] == [EscalationKind.RESOLVE_BREACH]


@pytest.mark.parametrize(
    ("who", "masked"),
    [
        ("ann", False),  # the owner
        ("sam", False),  # a supervisor
        ("tina", False),  # the lead of the case's team
        ("tom", True),  # another team's lead
        ("quinn", True),  # QA analyst
        ("ada", True),  # administrator
        ("bob", True),  # another agent
    ],
)
def test_customer_details_are_masked_by_role(cast, new_case, who, masked):
    customer = access.customer_of(getattr(cast, who), new_case)
    assert customer["masked"] is masked
    if masked:
        assert customer["name"] == "J. D."
        assert customer["contact"] == "+•• •• •••• •958"
    else:
        assert customer == {"name": "Jane Doe", "contact": "+44 20 7946 0958", "masked": False}


def test_the_agent_sees_the_contact_masked_once_the_case_is_escalated(cast, new_case):
    services.complaint_escalate(complaint=new_case, actor=cast.ann, reason="Out of my hands")
    new_case.refresh_from_db()
    assert access.customer_of(cast.ann, new_case)["masked"] is True
    assert access.customer_of(cast.tina, new_case)["masked"] is False


def test_contact_masking_keeps_the_shape():
    assert access.mask_contact("jane.doe@example.com") == "j•••@example.com"
    assert access.mask_contact("0612345678") == "•••••••678"
    assert access.mask_contact("1234") == "••••"
    assert access.mask_name("Jane van Doe") == "J. v. D."


def test_forwarding_records_who_and_when(cast, new_case):
    forwarding = services.complaint_forward(
        complaint=new_case, actor=cast.ann, department="Finance", note="Refund needed"
    )
    assert forwarding.by == cast.ann and forwarding.at is not None
    entry = AuditEntry.objects.get(action="complaint.forwarded")
    assert entry.data["department"] == "Finance" and entry.actor == cast.ann


def test_visibility_follows_ownership_and_team(cast, floor, new_case):
    bob_case = services.complaint_create(
        actor=cast.bob,
        customer_name="K",
        customer_contact="k@x.org",
        category=floor.rudeness,
        description="y",
        calls=[floor.bob_call],
    )

    def visible(user):
        return set(selectors.complaint_list(user=user).values_list("pk", flat=True))

    assert visible(cast.ann) == {new_case.pk}
    assert visible(cast.bob) == {bob_case.pk}
    assert visible(cast.tina) == {new_case.pk}
    assert visible(cast.tom) == {bob_case.pk}
    assert visible(cast.sam) == visible(cast.quinn) == {new_case.pk, bob_case.pk}


def test_escalations_are_listed_for_the_new_owner(cast, new_case):
    services.complaint_escalate(complaint=new_case, actor=cast.ann, reason="Loud")
    assert [e.complaint_id for e in selectors.escalations_recent(user=cast.tina)] == [new_case.pk]
    assert Escalation.objects.count() == 1


def test_the_business_calendar_comes_from_opening_hours_in_the_site_zone(settings):
    from datetime import date, time

    from qa.complaints.models import ClosedDay, OpeningHours

    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    default = selectors.business_calendar()
    assert default.zone == "Asia/Shanghai" and default.hours[0] == ((540, 1080),)
    assert 5 not in default.hours
    OpeningHours.objects.create(weekday=5, opens=time(10), closes=time(14))
    ClosedDay.objects.create(date=date(2026, 12, 25), name="Christmas")
    calendar = selectors.business_calendar()
    assert calendar.hours == {5: ((600, 840),)}
    assert date(2026, 12, 25) in calendar.closed_dates


def test_a_centre_manager_must_be_a_supervisor(cast):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="supervisor role"):
        CentreManager(user=cast.tina).full_clean()
    CentreManager(user=cast.sam).full_clean()


def test_a_call_back_on_a_stale_case_loses_with_conflict(cast, new_case):
    walk_to_callback(new_case, cast.ann)
    stale = Complaint.objects.get(pk=new_case.pk)
    services.complaint_record_callback(
        complaint=new_case, actor=cast.ann, outcome=CallbackOutcome.NOT_SATISFIED
    )
    services.complaint_investigate(complaint=new_case, actor=cast.ann)
    with pytest.raises(Conflict):
        services.complaint_record_callback(
            complaint=stale, actor=cast.sam, outcome=CallbackOutcome.SATISFIED
        )
    assert new_case.callbacks.count() == 1
