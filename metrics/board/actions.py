"""Services of the floor actions: broadcasts, help requests, takeovers, alert acknowledgements.

Each writes its row and an audit row in one transaction and, after commit, tells the wall
board that the floor changed (the same signal the telephony ingestion sends).
"""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import agent_of, has_role, teams_led_by
from agents.roles import Role
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from metrics.alerts import events as alert_events
from metrics.board.signals import floor_changed_on_commit
from metrics.board.snapshot import default_site
from metrics.models import (
    AgentState,
    AlertAck,
    Broadcast,
    BroadcastPriority,
    HelpReason,
    HelpRequest,
    HelpStatus,
    Takeover,
)

# Who takes over a call (an agent's, or a live escalation's on the complaints side).
TAKEOVER_ROLES = (Role.SUPERVISOR, Role.TEAM_LEAD)


def can_act_on_agent(user: User, agent) -> bool:
    """Supervisors and admins act on every agent; a team lead on their own team's agents."""
    if has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return True
    return has_role(user, Role.TEAM_LEAD) and teams_led_by(user).filter(pk=agent.team_id).exists()


@transaction.atomic
def broadcast_send(
    *,
    actor: User,
    text: str,
    priority: str = BroadcastPriority.NORMAL,
    expires_at: datetime | None = None,
    site: str | None = None,
) -> Broadcast:
    """Show `text` on every board and every agent's screen until it expires or is withdrawn."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the message."), field="text")
    if priority not in BroadcastPriority.values:
        raise DomainError(
            _("Unknown priority %(priority)s.") % {"priority": repr(priority)}, field="priority"
        )
    if expires_at is not None and expires_at <= timezone.now():
        raise DomainError(_("The expiry must be in the future."), field="expires_at")
    broadcast = Broadcast.objects.create(
        site=site or default_site(),
        text=text[:500],
        priority=priority,
        created_by=actor,
        expires_at=expires_at,
    )
    audit_record(
        actor=actor,
        action="broadcast.sent",
        target=broadcast,
        data={
            "priority": priority,
            "text": broadcast.text,
            "expires_at": expires_at.isoformat() if expires_at else None,
        },
    )
    floor_changed_on_commit(sender=Broadcast, site=broadcast.site, sections=["broadcasts"])
    return broadcast


@transaction.atomic
def broadcast_withdraw(*, actor: User, broadcast: Broadcast) -> Broadcast:
    updated = Broadcast.objects.filter(pk=broadcast.pk, withdrawn_at__isnull=True).update(
        withdrawn_at=timezone.now(), withdrawn_by=actor
    )
    if not updated:
        raise Conflict(_("This broadcast was withdrawn already."))
    broadcast.refresh_from_db()
    audit_record(actor=actor, action="broadcast.withdrawn", target=broadcast)
    floor_changed_on_commit(sender=Broadcast, site=broadcast.site, sections=["broadcasts"])
    return broadcast


@transaction.atomic
def help_request_create(*, user: User, reason: str, note: str = "") -> HelpRequest:
    """An agent asks the floor for help (one open request at a time)."""
    agent = agent_of(user)
    if agent is None:
        raise DomainError(
            _("Only agents ask the floor for help."), code="not_an_agent", status_code=403
        )
    if reason not in HelpReason.values:
        raise DomainError(
            _("Choose a reason: %(join)s.") % {"join": ", ".join(HelpReason.values)}, field="reason"
        )
    if HelpRequest.objects.filter(agent=agent, status=HelpStatus.OPEN).exists():
        raise Conflict(_("You already asked for help; a supervisor is on the way."))
    state = (
        AgentState.objects.filter(agent=agent, ended_at__isnull=True)
        .exclude(call_id="")
        .order_by("-started_at")
        .first()
    )
    request = HelpRequest.objects.create(
        site=default_site(),
        agent=agent,
        reason=reason,
        note=(note or "").strip()[:300],
        call_id=state.call_id if state else "",
    )
    audit_record(
        actor=user,
        action="help_request.created",
        target=request,
        data={"reason": reason, "call_id": request.call_id},
    )
    floor_changed_on_commit(sender=HelpRequest, site=request.site, sections=["help"])
    alert_events.help_requested(request)
    return request


@transaction.atomic
def help_request_take(*, actor: User, request: HelpRequest) -> HelpRequest:
    """Someone takes the request: it leaves every board's alert panel."""
    updated = HelpRequest.objects.filter(pk=request.pk, status=HelpStatus.OPEN).update(
        status=HelpStatus.TAKEN, taken_by=actor, taken_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("Someone else took this request already."))
    request.refresh_from_db()
    audit_record(
        actor=actor,
        action="help_request.taken",
        target=request,
        data={"from": HelpStatus.OPEN, "to": HelpStatus.TAKEN},
    )
    floor_changed_on_commit(sender=HelpRequest, site=request.site, sections=["help"])
    return request


@transaction.atomic
def help_request_cancel(*, user: User, request: HelpRequest) -> HelpRequest:
    updated = HelpRequest.objects.filter(pk=request.pk, status=HelpStatus.OPEN).update(
        status=HelpStatus.CANCELLED
    )
    if not updated:
        raise Conflict(_("This request is no longer open."))
    request.refresh_from_db()
    audit_record(
        actor=user,
        action="help_request.cancelled",
        target=request,
        data={"from": HelpStatus.OPEN, "to": HelpStatus.CANCELLED},
    )
    floor_changed_on_commit(sender=HelpRequest, site=request.site, sections=["help"])
    return request


@transaction.atomic
def takeover_start(
    *,
    actor: User,
    agent,
    call_id: str = "",
    note: str = "",
    help_request: HelpRequest | None = None,
) -> Takeover:
    """Mark that `actor` takes over `agent`'s call (their current one when none is named)."""
    if not call_id:
        state = (
            AgentState.objects.filter(agent=agent, ended_at__isnull=True)
            .exclude(call_id="")
            .order_by("-started_at")
            .first()
        )
        call_id = state.call_id if state else ""
    takeover = Takeover.objects.create(
        site=default_site(),
        agent=agent,
        call_id=call_id[:100],
        note=(note or "").strip()[:300],
        taken_by=actor,
        help_request=help_request,
    )
    audit_record(
        actor=actor,
        action="takeover.started",
        target=takeover,
        data={"agent": agent.pk, "call_id": takeover.call_id},
    )
    if help_request is not None and help_request.status == HelpStatus.OPEN:
        help_request_take(actor=actor, request=help_request)
    floor_changed_on_commit(sender=Takeover, site=takeover.site, sections=["takeovers"])
    return takeover


@transaction.atomic
def takeover_finish(*, actor: User, takeover: Takeover) -> Takeover:
    updated = Takeover.objects.filter(pk=takeover.pk, finished_at__isnull=True).update(
        finished_at=timezone.now()
    )
    if not updated:
        raise Conflict(_("This takeover is finished already."))
    takeover.refresh_from_db()
    audit_record(actor=actor, action="takeover.finished", target=takeover)
    floor_changed_on_commit(sender=Takeover, site=takeover.site, sections=["takeovers"])
    return takeover


def alert_acknowledge(*, actor: User, key: str, site: str | None = None) -> AlertAck:
    """Record that `actor` saw the alert `key`; every board shows it (the first one counts)."""
    key = (key or "").strip()
    if not key or len(key) > 200:
        raise DomainError(_("Name the alert (its key)."), field="key")
    site = site or default_site()
    try:
        with transaction.atomic():
            ack = AlertAck.objects.create(site=site, key=key, acknowledged_by=actor)
            audit_record(actor=actor, action="alert.acknowledged", target=ack, data={"key": key})
            floor_changed_on_commit(sender=AlertAck, site=site, sections=["alerts"])
    except IntegrityError:
        raise Conflict(_("Someone acknowledged this alert already.")) from None
    return ack
