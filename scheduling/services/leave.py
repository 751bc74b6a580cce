"""Leave: request, decide, cancel."""

from __future__ import annotations

from datetime import date

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.zone import site_zone
from scheduling import access
from scheduling.models import (
    LeaveRequest,
    LeaveStatus,
)
from scheduling.services.common import lead_of


@transaction.atomic
def leave_request(
    *,
    agent: Agent,
    first_day: date | None,
    last_day: date | None,
    kind: str = "annual",
    reason: str = "",
    today: date | None = None,
) -> LeaveRequest:
    """An agent asks for leave; every problem of the two days is reported at once (a day None:
    the form gave no date)."""
    today = today or timezone.localdate(timezone=site_zone())
    problems = Problems()
    if first_day is None:
        problems.add("first_day", _("Give the first day as a date."))
    elif first_day <= today:
        problems.add("first_day", _("Leave is requested before the day it starts."))
    if last_day is None:
        problems.add("last_day", _("Give the last day as a date."))
    elif first_day is not None and last_day < first_day:
        problems.add("last_day", _("The last day cannot be before the first day."))
    elif first_day is not None and (last_day - first_day).days > 60:
        problems.add("last_day", _("Ask for 61 days at most at once."))
    problems.raise_if_any()
    overlapping = LeaveRequest.objects.filter(
        agent=agent,
        status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED],
        first_day__lte=last_day,
        last_day__gte=first_day,
    ).exists()
    if overlapping:
        raise DomainError(
            _("You have asked for leave on some of these days already."), field="first_day"
        )
    leave = LeaveRequest.objects.create(
        agent=agent,
        first_day=first_day,
        last_day=last_day,
        kind=kind.strip() or "annual",
        reason=reason.strip(),
    )
    audit_record(
        actor=agent.user,
        action="leave.requested",
        target=leave,
        data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    lead = lead_of(agent)
    transaction.on_commit(
        lambda: notify(
            recipients=[lead],
            kind="leave.requested",
            link=reverse("leave"),
            text=lambda: (
                _("%(display_name)s asks for leave %(day)s–%(day2)s.")
                % {
                    "display_name": agent.display_name,
                    "day": dateformat.format(first_day, _("d M")),
                    "day2": dateformat.format(last_day, _("d M")),
                }
            ),
        )
    )
    return leave


@transaction.atomic
def leave_decide(
    *, leave: LeaveRequest, actor: User, approve: bool, reason: str = "", today: date | None = None
) -> LeaveRequest:
    """The team lead approves (before the first day) or refuses (with a reason)."""
    today = today or timezone.localdate(timezone=site_zone())
    if not access.can_decide_for_agent(actor, leave.agent):
        raise DomainError(
            _("Only the agent's team lead decides this leave."),
            status_code=403,
            code="permission_denied",
        )
    if approve and leave.first_day <= today:
        raise DomainError(_("Leave is approved before its first day."), field="first_day")
    if not approve and not reason.strip():
        raise DomainError(_("Give the reason for refusing."), field="reason")
    new = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    updated = LeaveRequest.objects.filter(pk=leave.pk, status=LeaveStatus.REQUESTED).update(
        status=new, decided_by=actor, decided_at=timezone.now(), decision_reason=reason.strip()
    )
    if not updated:
        raise Conflict(_("This leave request is decided already."))
    leave.refresh_from_db()
    audit_record(actor=actor, action=f"leave.{new}", target=leave, data={"reason": reason})
    transaction.on_commit(
        lambda: notify(
            recipients=[leave.agent.user],
            kind=f"leave.{new}",
            link=reverse("leave"),
            text=lambda: (
                _("Your leave %(first)s–%(last)s is %(status)s.")
                % {
                    "first": dateformat.format(leave.first_day, _("d M")),
                    "last": dateformat.format(leave.last_day, _("d M")),
                    "status": str(LeaveStatus(new).label).lower(),
                }
                + (f" {reason}" if reason else "")
            ),
        )
    )
    return leave


@transaction.atomic
def leave_cancel(*, leave: LeaveRequest, agent: Agent) -> LeaveRequest:
    if leave.agent_id != agent.pk:
        raise DomainError(
            _("Only the agent cancels their leave."), status_code=403, code="permission_denied"
        )
    updated = LeaveRequest.objects.filter(
        pk=leave.pk, status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED]
    ).update(status=LeaveStatus.CANCELLED)
    if not updated:
        raise Conflict(_("This leave request cannot be cancelled any more."))
    leave.refresh_from_db()
    audit_record(actor=agent.user, action="leave.cancelled", target=leave)
    return leave
