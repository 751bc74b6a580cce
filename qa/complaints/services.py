"""Writes for complaints: one service per transition, each a conditional update + audit row."""

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from agents.access import agent_of, has_role
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError, Problems
from metrics.alerts import events as alert_events
from metrics.board.signals import floor_changed_on_commit
from metrics.models import QueueCall
from qa.complaints import selectors, timers
from qa.complaints.models import (
    RESOLVING_STATUSES,
    UNREACHABLE_ATTEMPTS,
    Callback,
    CallbackOutcome,
    Category,
    Channel,
    Complaint,
    Escalation,
    EscalationKind,
    Forwarding,
    LiveEscalation,
    LiveStatus,
    Note,
    Pause,
    RootCause,
    Severity,
    Status,
    Tier,
)


def _link(complaint: Complaint) -> str:
    return reverse("complaint-detail", kwargs={"complaint_id": complaint.pk})


def _text(value: str, *, field: str, label: str, max_length: int | None = None) -> str:
    value = (value or "").strip()
    if not value:
        raise DomainError(_("%(label)s is required.") % {"label": label}, field=field)
    if max_length and len(value) > max_length:
        raise DomainError(
            _("%(label)s is longer than %(length)s characters.")
            % {"label": label, "length": max_length},
            field=field,
        )
    return value


def _choice(value: str, choices, *, field: str, label: str) -> str:
    if value not in choices.values:
        allowed = ", ".join(choices.values)
        raise DomainError(
            _("Unknown %(label)s %(value)s; choose one of: %(allowed)s.")
            % {"label": label, "value": repr(value), "allowed": allowed},
            field=field,
        )
    return value


def _category(value) -> Category:
    if isinstance(value, Category):
        category = value
    elif value in (None, ""):
        raise DomainError(_("Choose a complaint category."), field="category")
    else:
        try:
            category = Category.objects.get(pk=int(value))
        except (TypeError, ValueError, Category.DoesNotExist):
            raise DomainError(
                _("Unknown complaint category %(value)s.") % {"value": repr(value)},
                field="category",
            ) from None
    if not category.active:
        raise DomainError(
            _("The category %(category_name)s is no longer in use.")
            % {"category_name": repr(category.name)},
            field="category",
        )
    return category


def _deadlines(complaint: Complaint, *, calendar=None) -> dict:
    """The acknowledge and resolve due times for the case as it stands (None: not running)."""
    cal = selectors.calendar_for(complaint, calendar)
    pauses = selectors.pauses_of(complaint)
    ack_due = resolve_due = None
    if complaint.acknowledged_at is None and complaint.status == Status.NEW:
        ack_due = timers.deadline(complaint.created_at, complaint.acknowledge_budget_s, cal, pauses)
    if complaint.status in RESOLVING_STATUSES:
        resolve_due = timers.deadline(
            complaint.resolve_started_at, complaint.resolve_budget_s, cal, pauses
        )
    return {"ack_due_at": ack_due, "resolve_due_at": resolve_due}


def _store_deadlines(complaint: Complaint) -> None:
    values = _deadlines(complaint)
    Complaint.objects.filter(pk=complaint.pk).update(**values)
    for name, value in values.items():
        setattr(complaint, name, value)
    _board_changed(complaint)


def _board_changed(complaint: Complaint) -> None:
    """The board's "escalation due" alerts follow the case (after commit)."""
    from metrics.board.snapshot import default_site

    site = complaint.queue.site if complaint.queue_id else default_site()
    floor_changed_on_commit(sender=Complaint, site=site, sections=["alerts"])


_VERBS = {
    "investigating": gettext_lazy("investigated"),
    "resolution_proposed": gettext_lazy("given a resolution"),
    "awaiting_callback": gettext_lazy("scheduled for a call-back"),
}


def _transition(
    complaint: Complaint,
    *,
    actor,
    allowed: Sequence[str],
    to: str,
    action: str,
    data: dict | None = None,
    **fields,
) -> Complaint:
    """Move the case from one of `allowed` to `to`, or raise Conflict if it moved first."""
    if complaint.status not in allowed:
        raise DomainError(
            _("A case that is %(display)s cannot be %(get)s.")
            % {
                "display": complaint.get_status_display().lower(),
                "get": _VERBS.get(action, action),
            },
            field="status",
            code="wrong_status",
        )
    updated = Complaint.objects.filter(pk=complaint.pk, status=complaint.status).update(
        status=to, updated_at=timezone.now(), **fields
    )
    if not updated:
        raise Conflict(_("Someone else changed this case first; reload it and try again."))
    old = complaint.status
    complaint.refresh_from_db()
    _board_changed(complaint)
    audit_record(
        actor=actor,
        action=f"complaint.{action}",
        target=complaint,
        data={"from": old, "to": to, **(data or {})},
    )
    return complaint


# --- logging a case ------------------------------------------------------------------------------


def _start_tier(actor) -> int:
    if has_role(actor, Role.SUPERVISOR):
        return Tier.SUPERVISOR
    if has_role(actor, Role.TEAM_LEAD):
        return Tier.TEAM_LEAD
    return Tier.AGENT


@transaction.atomic
def complaint_create(
    *,
    actor: User,
    customer_name: str,
    customer_contact: str,
    category,
    description: str,
    severity: str = Severity.NORMAL,
    channel: str = Channel.PHONE,
    calls: Sequence[QueueCall] = (),
    now: datetime | None = None,
) -> Complaint:
    """Log a complaint; an agent may link only calls they took."""
    now = now or timezone.now()
    # The fields are independent: every problem is reported at once.
    problems = Problems()
    with problems.capture():
        name = _text(
            customer_name, field="customer_name", label=_("The customer's name"), max_length=150
        )
    with problems.capture():
        contact = _text(
            customer_contact,
            field="customer_contact",
            label=_("The customer's phone number or e-mail"),
            max_length=150,
        )
    with problems.capture():
        text = _text(description, field="description", label=_("A description"))
    with problems.capture():
        _choice(severity, Severity, field="severity", label=_("severity"))
    with problems.capture():
        _choice(channel, Channel, field="channel", label=_("channel"))
    with problems.capture():
        category = _category(category)
    calls = list(calls)
    own = agent_of(actor)
    if not has_role(actor, Role.TEAM_LEAD, Role.SUPERVISOR):
        foreign = [c for c in calls if own is None or c.agent_id != own.pk]
        if foreign:
            problems.add("calls", _("You can link only calls you took yourself."))
    problems.raise_if_any()
    first = min(calls, key=lambda c: c.offered_at) if calls else None
    agent = first.agent if first is not None and first.agent_id else own
    policy = selectors.policy_for(severity)
    complaint = Complaint(
        customer_name=name,
        customer_contact=contact,
        channel=channel,
        category=category,
        severity=severity,
        description=text,
        created_by=actor,
        created_at=now,
        owner=actor,
        tier=_start_tier(actor),
        queue=first.queue if first else None,
        agent=agent,
        team=agent.team if agent else None,
        acknowledge_budget_s=policy.acknowledge_s,
        resolve_budget_s=policy.resolve_s,
        business_hours=policy.business_hours,
        resolve_started_at=now,
    )
    complaint.save()
    complaint.calls.set(calls)
    _store_deadlines(complaint)
    audit_record(
        actor=actor,
        action="complaint.created",
        target=complaint,
        data={
            "severity": severity,
            "category": category.name,
            "tier": complaint.tier,
            "calls": [c.pk for c in calls],
            "owner": actor.username,
        },
    )
    return complaint


# --- the state machine ---------------------------------------------------------------------------


@transaction.atomic
def complaint_acknowledge(*, complaint: Complaint, actor: User, now: datetime | None = None):
    now = now or timezone.now()
    complaint = _transition(
        complaint,
        actor=actor,
        allowed=[Status.NEW],
        to=Status.ACKNOWLEDGED,
        action="acknowledged",
        acknowledged_at=now,
        ack_due_at=None,
    )
    _store_deadlines(complaint)
    return complaint


@transaction.atomic
def complaint_investigate(*, complaint: Complaint, actor: User):
    complaint = _transition(
        complaint,
        actor=actor,
        allowed=[Status.ACKNOWLEDGED, Status.REOPENED],
        to=Status.INVESTIGATING,
        action="investigating",
    )
    _store_deadlines(complaint)
    return complaint


def _end_pause(complaint: Complaint, now: datetime) -> None:
    Pause.objects.filter(complaint=complaint, ended_at__isnull=True).update(ended_at=now)


@transaction.atomic
def complaint_propose_resolution(
    *, complaint: Complaint, actor: User, resolution: str, now: datetime | None = None
):
    now = now or timezone.now()
    text = _text(resolution, field="resolution", label=_("The proposed resolution"))
    _end_pause(complaint, now)
    return _transition(
        complaint,
        actor=actor,
        allowed=[Status.INVESTIGATING],
        to=Status.RESOLUTION_PROPOSED,
        action="resolution_proposed",
        data={"resolution": text},
        resolution=text,
        resolved_at=now,
        resolve_due_at=None,
        waiting_on_customer=False,
    )


@transaction.atomic
def complaint_await_callback(
    *, complaint: Complaint, actor: User, callback_at: datetime, now: datetime | None = None
):
    """The fix is in place; the customer will be called back at `callback_at`."""
    now = now or timezone.now()
    if callback_at is None:
        raise DomainError(_("Give the time of the call-back."), field="callback_at")
    if timezone.is_naive(callback_at):
        raise DomainError(_("The call-back time needs a time zone."), field="callback_at")
    if callback_at <= now:
        raise DomainError(
            _("The call-back time is in the past; choose a time still to come."),
            field="callback_at",
        )
    return _transition(
        complaint,
        actor=actor,
        allowed=[Status.RESOLUTION_PROPOSED],
        to=Status.AWAITING_CALLBACK,
        action="awaiting_callback",
        data={"callback_at": callback_at.isoformat()},
        callback_at=callback_at,
    )


def _reopen_fields(complaint: Complaint, now: datetime) -> dict:
    return {
        "round": complaint.round + 1,
        "resolve_started_at": now,
        "resolved_at": None,
        "resolve_breached_at": None,
        "closed_at": None,
        "callback_at": None,
    }


@transaction.atomic
def complaint_record_callback(
    *, complaint: Complaint, actor: User, outcome: str, note: str = "", now: datetime | None = None
) -> Callback:
    """Record a call-back to the customer; "not satisfied" reopens the case."""
    now = now or timezone.now()
    _choice(outcome, CallbackOutcome, field="outcome", label=_("call-back outcome"))
    if complaint.status != Status.AWAITING_CALLBACK:
        raise DomainError(
            _("A call-back is recorded once the case is awaiting one."),
            field="status",
            code="wrong_status",
        )
    # Lock the case so two call-backs recorded at once are counted in order, each in the
    # round it was made in.
    locked = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if (locked.status, locked.round) != (complaint.status, complaint.round):
        raise Conflict(_("Someone else changed this case first; reload it and try again."))
    callback = Callback.objects.create(
        complaint=complaint,
        round=complaint.round,
        outcome=outcome,
        note=note.strip(),
        by=actor,
        at=now,
    )
    audit_record(
        actor=actor,
        action="complaint.callback_recorded",
        target=complaint,
        data={"outcome": outcome, "round": complaint.round, "note": note.strip()},
    )
    if outcome == CallbackOutcome.NOT_SATISFIED:
        complaint = _transition(
            complaint,
            actor=actor,
            allowed=[Status.AWAITING_CALLBACK],
            to=Status.REOPENED,
            action="reopened",
            data={"reason": "customer not satisfied at call-back"},
            **_reopen_fields(complaint, now),
        )
        _store_deadlines(complaint)
        notify(
            recipients=[complaint.owner],
            kind="complaint",
            text=lambda: (
                _("%(reference)s reopened: the customer is not satisfied.")
                % {"reference": complaint.reference}
            ),
            link=_link(complaint),
        )
    return callback


def callback_gate(complaint: Complaint) -> str | None:
    """Why the case cannot close yet (None: the call-back gate is passed)."""
    outcomes = list(selectors.callbacks_in_round(complaint).values_list("outcome", flat=True))
    if CallbackOutcome.SATISFIED in outcomes:
        return None
    unreachable = outcomes.count(CallbackOutcome.UNREACHABLE)
    if unreachable >= UNREACHABLE_ATTEMPTS:
        return None
    if unreachable:
        return ngettext(
            "The customer was unreachable %(count)s time; a case closes after a satisfied "
            "call-back or %(attempts)s unreachable attempts.",
            "The customer was unreachable %(count)s times; a case closes after a satisfied "
            "call-back or %(attempts)s unreachable attempts.",
            unreachable,
        ) % {"count": unreachable, "attempts": UNREACHABLE_ATTEMPTS}
    return _("Record the call-back to the customer (with its outcome) before closing the case.")


@transaction.atomic
def complaint_close(
    *,
    complaint: Complaint,
    actor: User,
    root_cause,
    corrective_action: str,
    now: datetime | None = None,
):
    now = now or timezone.now()
    if complaint.status != Status.AWAITING_CALLBACK:
        raise DomainError(
            _("A case closes only after its call-back; it is %(display)s.")
            % {"display": complaint.get_status_display().lower()},
            field="callback",
            code="wrong_status",
        )
    reason = callback_gate(complaint)
    if reason:
        raise DomainError(reason, field="callback")
    problems = Problems()
    if root_cause in (None, ""):
        problems.add("root_cause", _("Choose the root cause."))
    elif not isinstance(root_cause, RootCause):
        try:
            root_cause = RootCause.objects.get(pk=int(root_cause), active=True)
        except (TypeError, ValueError, RootCause.DoesNotExist):
            problems.add(
                "root_cause", _("Unknown root cause %(cause)s.") % {"cause": repr(root_cause)}
            )
    with problems.capture():
        action = _text(corrective_action, field="corrective_action", label=_("A corrective action"))
    problems.raise_if_any()
    return _transition(
        complaint,
        actor=actor,
        allowed=[Status.AWAITING_CALLBACK],
        to=Status.CLOSED,
        action="closed",
        data={"root_cause": root_cause.name, "corrective_action": action},
        closed_at=now,
        root_cause=root_cause,
        corrective_action=action,
    )


@transaction.atomic
def complaint_reopen(
    *, complaint: Complaint, actor: User, reason: str, now: datetime | None = None
):
    now = now or timezone.now()
    reason = _text(reason, field="reason", label=_("A reason to reopen"))
    complaint = _transition(
        complaint,
        actor=actor,
        allowed=[Status.CLOSED],
        to=Status.REOPENED,
        action="reopened",
        data={"reason": reason},
        **_reopen_fields(complaint, now),
    )
    _store_deadlines(complaint)
    return complaint


@transaction.atomic
def complaint_pause(*, complaint: Complaint, actor: User, reason: str, now: datetime | None = None):
    """The case waits on the customer: its timers stand still until resumed."""
    now = now or timezone.now()
    reason = _text(reason, field="reason", label=_("What the case is waiting for"), max_length=300)
    if complaint.status not in RESOLVING_STATUSES:
        raise DomainError(
            _("Only a case being worked can wait on the customer."),
            field="status",
            code="wrong_status",
        )
    updated = Complaint.objects.filter(
        pk=complaint.pk, waiting_on_customer=False, status__in=RESOLVING_STATUSES
    ).update(waiting_on_customer=True, ack_due_at=None, resolve_due_at=None)
    if not updated:
        raise Conflict(_("The case is already waiting on the customer (or changed meanwhile)."))
    Pause.objects.create(complaint=complaint, started_at=now, reason=reason)
    complaint.refresh_from_db()
    _board_changed(complaint)
    audit_record(actor=actor, action="complaint.paused", target=complaint, data={"reason": reason})
    return complaint


@transaction.atomic
def complaint_resume(*, complaint: Complaint, actor: User, now: datetime | None = None):
    now = now or timezone.now()
    updated = Complaint.objects.filter(pk=complaint.pk, waiting_on_customer=True).update(
        waiting_on_customer=False
    )
    if not updated:
        raise DomainError(
            _("The case is not waiting on the customer."), field="status", code="wrong_status"
        )
    _end_pause(complaint, now)
    complaint.refresh_from_db()
    _store_deadlines(complaint)
    audit_record(actor=actor, action="complaint.resumed", target=complaint, data={})
    return complaint


@transaction.atomic
def complaint_add_note(*, complaint: Complaint, actor: User, text: str) -> Note:
    text = _text(text, field="text", label=_("The note"))
    note = Note.objects.create(complaint=complaint, author=actor, text=text)
    audit_record(
        actor=actor, action="complaint.note_added", target=complaint, data={"note": note.pk}
    )
    return note


@transaction.atomic
def complaint_forward(
    *,
    complaint: Complaint,
    actor: User,
    department: str,
    note: str = "",
    now: datetime | None = None,
) -> Forwarding:
    """Record that the case was handed to another department (who, when, to whom)."""
    now = now or timezone.now()
    department = _text(department, field="department", label=_("The department"), max_length=100)
    if not complaint.is_open:
        raise DomainError(
            _("A closed case is not forwarded; reopen it first."),
            field="status",
            code="wrong_status",
        )
    forwarding = Forwarding.objects.create(
        complaint=complaint, department=department, note=note.strip(), by=actor, at=now
    )
    audit_record(
        actor=actor,
        action="complaint.forwarded",
        target=complaint,
        data={"department": department, "note": note.strip()},
    )
    return forwarding


# --- escalation ----------------------------------------------------------------------------------


def owner_for_tier(complaint: Complaint, tier: int):
    """Who owns a case at a tier (None when nobody holds that tier for this case)."""
    if tier == Tier.AGENT:
        return complaint.agent.user if complaint.agent_id else None
    if tier == Tier.TEAM_LEAD:
        lead = complaint.team.lead if complaint.team_id else None
        return lead if lead is not None and lead.is_active else None
    if tier == Tier.SUPERVISOR:
        return selectors.least_loaded(selectors.supervisors_on_floor())
    return selectors.least_loaded(selectors.centre_managers())


def _next_tier(complaint: Complaint) -> tuple[int, object]:
    for tier in range(complaint.tier + 1, Tier.CENTRE_MANAGER + 1):
        owner = owner_for_tier(complaint, tier)
        if owner is not None:
            return tier, owner
    raise DomainError(
        _("The case is at the top tier already (is a centre manager set up?)."),
        field="tier",
        code="top_tier",
    )


@transaction.atomic
def complaint_escalate(
    *,
    complaint: Complaint,
    actor: User,
    reason: str,
    kind: str = EscalationKind.MANUAL,
    now: datetime | None = None,
) -> Escalation:
    """Move the case up one tier (skipping empty tiers) and notify its new owner."""
    now = now or timezone.now()
    reason = _text(reason, field="reason", label=_("A reason to escalate"), max_length=500)
    if not complaint.is_open:
        raise DomainError(_("A closed case is not escalated."), field="status", code="wrong_status")
    tier, owner = _next_tier(complaint)
    updated = Complaint.objects.filter(
        pk=complaint.pk,
        tier=complaint.tier,
        owner=complaint.owner_id,
        status__in=[s for s in Status.values if s != Status.CLOSED],
    ).update(tier=tier, owner=owner, updated_at=now)
    if not updated:
        raise Conflict(_("Someone else changed this case first; reload it and try again."))
    escalation = Escalation.objects.create(
        complaint=complaint,
        kind=kind,
        from_tier=complaint.tier,
        to_tier=tier,
        from_owner_id=complaint.owner_id,
        to_owner=owner,
        reason=reason,
        by=actor,
        at=now,
    )
    audit_record(
        actor=actor,
        action="complaint.escalated",
        target=complaint,
        data={
            "kind": kind,
            "from_tier": complaint.tier,
            "to_tier": tier,
            "from_owner": complaint.owner.username,
            "to_owner": owner.username,
            "reason": reason,
        },
    )
    complaint.refresh_from_db()
    notify(
        recipients=[owner],
        kind="complaint_escalated",
        link=_link(complaint),
        text=lambda: (
            _("%(reference)s (%(severity)s) was escalated to you: %(reason)s")
            % {
                "reference": complaint.reference,
                "severity": str(complaint.get_severity_display()).lower(),
                "reason": reason,
            }
        ),
    )
    _board_changed(complaint)
    alert_events.complaint_escalated(complaint, escalation)
    return escalation


def complaint_check_timers(*, now: datetime | None = None) -> list[Escalation]:
    """Escalate every case whose acknowledge or resolve time ran out, once per breach.

    Safe to run concurrently: each breach is claimed by a conditional update inside the
    escalation's transaction, so only one run escalates it.
    """
    now = now or timezone.now()
    escalated: list[Escalation] = []
    checks = [
        (
            "ack",
            EscalationKind.ACKNOWLEDGE_BREACH,
            gettext_lazy("time to acknowledge"),
            {"status": Status.NEW, "ack_due_at__lte": now, "ack_breached_at__isnull": True},
        ),
        (
            "resolve",
            EscalationKind.RESOLVE_BREACH,
            gettext_lazy("time to resolve"),
            {
                "status__in": RESOLVING_STATUSES,
                "resolve_due_at__lte": now,
                "resolve_breached_at__isnull": True,
            },
        ),
    ]
    for timer, kind, label, due in checks:
        for pk in list(Complaint.objects.filter(**due).values_list("pk", flat=True)):
            with transaction.atomic():
                claimed = Complaint.objects.filter(pk=pk, **due).update(
                    **{f"{timer}_breached_at": now}
                )
                if not claimed:
                    continue  # another run got there first, or the case moved on
                complaint = Complaint.objects.select_related(
                    "owner", "team__lead", "agent__user"
                ).get(pk=pk)
                audit_record(
                    actor=None,
                    action=f"complaint.{timer}_breached",
                    target=complaint,
                    data={"at": now.isoformat()},
                )
                try:
                    escalated.append(
                        complaint_escalate(
                            complaint=complaint,
                            actor=None,
                            kind=kind,
                            now=now,
                            reason=_("The %(timer)s ran out.") % {"timer": label},
                        )
                    )
                except DomainError:
                    # Top tier already: the breach stays recorded and the owner is told.
                    notify(
                        recipients=[complaint.owner],
                        kind="complaint_breached",
                        link=_link(complaint),
                        text=lambda complaint=complaint, label=label: (
                            _("%(reference)s: the %(timer)s ran out.")
                            % {"reference": complaint.reference, "timer": label}
                        ),
                    )
    return escalated


# --- live escalations ----------------------------------------------------------------------------


@transaction.atomic
def live_escalation_raise(
    *, actor: User, reason: str, call: QueueCall | None = None, now: datetime | None = None
) -> LiveEscalation:
    """An agent on a call asks for a supervisor: the floor's alert panel shows it at once."""
    now = now or timezone.now()
    reason = _text(reason, field="reason", label=_("What the customer asks for"), max_length=300)
    agent = agent_of(actor)
    on_own_behalf = not has_role(actor, Role.TEAM_LEAD, Role.SUPERVISOR)
    if on_own_behalf and call is not None and (agent is None or call.agent_id != agent.pk):
        raise DomainError(_("You can escalate only a call you are on."), field="call")
    if call is not None and call.agent_id:
        agent = call.agent
    site = call.queue.site if call is not None else "main"
    live = LiveEscalation.objects.create(
        site=site, call=call, agent=agent, raised_by=actor, reason=reason, raised_at=now
    )
    audit_record(
        actor=actor,
        action="live_escalation.raised",
        target=live,
        data={"call": call.pk if call else None, "reason": reason},
    )
    lead = agent.team.lead if agent and agent.team_id else None
    recipients = [*selectors.supervisors_on_floor(), lead]
    notify(
        recipients=recipients,
        kind="live_escalation",
        link=reverse("complaint-escalations"),
        text=lambda: (
            _("%(who)s: customer asks for a supervisor — %(reason)s")
            % {"who": agent or actor, "reason": live.reason_beyond_ask}
            if live.reason_beyond_ask
            else _("%(who)s: customer asks for a supervisor") % {"who": agent or actor}
        ),
    )
    floor_changed_on_commit(sender=LiveEscalation, site=site, sections=["alerts"])
    return live


def _live_transition(
    live: LiveEscalation, *, actor, allowed: Sequence[str], to: str, action: str, **fields
) -> LiveEscalation:
    updated = LiveEscalation.objects.filter(pk=live.pk, status__in=allowed).update(
        status=to, **fields
    )
    if not updated:
        raise Conflict(
            _("This escalation is %(display)s already.")
            % {"display": live.get_status_display().lower()}
        )
    old = live.status
    live.refresh_from_db()
    audit_record(
        actor=actor, action=f"live_escalation.{action}", target=live, data={"from": old, "to": to}
    )
    floor_changed_on_commit(sender=LiveEscalation, site=live.site, sections=["alerts"])
    return live


@transaction.atomic
def live_escalation_take(*, live: LiveEscalation, actor: User, now: datetime | None = None):
    """A supervisor (or team lead) takes the call over."""
    now = now or timezone.now()
    return _live_transition(
        live,
        actor=actor,
        allowed=[LiveStatus.OPEN],
        to=LiveStatus.TAKEN,
        action="taken",
        taken_by=actor,
        taken_at=now,
    )


@transaction.atomic
def live_escalation_close(
    *,
    live: LiveEscalation,
    actor: User,
    complaint: Complaint | None = None,
    now: datetime | None = None,
):
    now = now or timezone.now()
    return _live_transition(
        live,
        actor=actor,
        allowed=[LiveStatus.OPEN, LiveStatus.TAKEN],
        to=LiveStatus.CLOSED,
        action="closed",
        closed_at=now,
        complaint=complaint,
    )
