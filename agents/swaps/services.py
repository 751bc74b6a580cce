"""Role swaps: grant, start, end — each a checked transition with an audit row."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.roles import Role
from agents.services import audit_record, notify
from agents.swaps.models import RoleSwap, RoleSwapStatus
from callfloor.errors import Conflict, Problems
from callfloor.history import person

User = get_user_model()

OPEN_STATUSES = (RoleSwapStatus.SCHEDULED, RoleSwapStatus.ACTIVE)


def _in_group(user, role: str) -> bool:
    # The person's own role, not one a swap lends them: a swap never chains into another.
    return user.groups.filter(name=role).exists()


def _facts(swap: RoleSwap) -> dict:
    return {
        "agent_as_analyst": person(swap.agent_as_analyst) if swap.agent_as_analyst else None,
        "analyst_as_agent": person(swap.analyst_as_agent) if swap.analyst_as_agent else None,
        "starts_at": swap.starts_at.isoformat(),
        "ends_at": swap.ends_at.isoformat(),
    }


def _tell(swap: RoleSwap, text) -> None:
    notify(recipients=swap.people(), text=text, link=reverse("role-swaps"), kind="agents.swap")


@transaction.atomic
def role_swap_grant(
    *,
    actor: User,
    starts_at: datetime,
    ends_at: datetime,
    agent_as_analyst: User | None = None,
    analyst_as_agent: User | None = None,
    reason: str = "",
) -> RoleSwap:
    """Lend an agent QA analyst rights and/or an analyst agent rights for a period; a period
    that has begun starts at once."""
    problems = Problems()
    if agent_as_analyst is None and analyst_as_agent is None:
        problems.add("agent_as_analyst", _("Name the agent, the QA analyst, or both."))
    if agent_as_analyst is not None and not _in_group(agent_as_analyst, Role.AGENT):
        problems.add("agent_as_analyst", _("This person is not an agent."))
    if analyst_as_agent is not None and not _in_group(analyst_as_agent, Role.QA_ANALYST):
        problems.add("analyst_as_agent", _("This person is not a QA analyst."))
    if ends_at <= starts_at:
        problems.add("ends_at", _("The swap must end after it starts."))
    elif ends_at <= timezone.now():
        problems.add("ends_at", _("The end must be in the future."))
    problems.raise_if_any()
    people = [u for u in (agent_as_analyst, analyst_as_agent) if u is not None]
    overlapping = RoleSwap.objects.filter(
        Q(agent_as_analyst__in=people) | Q(analyst_as_agent__in=people),
        status__in=OPEN_STATUSES,
        starts_at__lt=ends_at,
        ends_at__gt=starts_at,
    )
    if overlapping.exists():
        raise Conflict(_("One of them has a role swap in this period already."))
    swap = RoleSwap.objects.create(
        agent_as_analyst=agent_as_analyst,
        analyst_as_agent=analyst_as_agent,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        granted_by=actor,
    )
    audit_record(actor=actor, action="role_swap.granted", target=swap, data=_facts(swap))
    if starts_at <= timezone.now():
        role_swap_start(swap=swap, actor=actor)
    else:
        _tell(swap, lambda: _("A role swap is planned for you; it starts automatically."))
    return swap


@transaction.atomic
def role_swap_start(*, swap: RoleSwap, actor: User | None = None) -> RoleSwap:
    """Put a scheduled swap in force once its period has begun."""
    now = timezone.now()
    changed = RoleSwap.objects.filter(
        pk=swap.pk, status=RoleSwapStatus.SCHEDULED, starts_at__lte=now, ends_at__gt=now
    ).update(status=RoleSwapStatus.ACTIVE, started_at=now)
    if not changed:
        raise Conflict(_("This role swap cannot start now."))
    swap.refresh_from_db()
    audit_record(actor=actor, action="role_swap.started", target=swap, data=_facts(swap))
    _tell(swap, lambda: _("Your role swap has started."))
    return swap


@transaction.atomic
def role_swap_end(*, swap: RoleSwap, actor: User | None = None) -> RoleSwap:
    """End a swap (early, by a supervisor, or at its end, by the schedule): its rights go."""
    now = timezone.now()
    changed = RoleSwap.objects.filter(pk=swap.pk, status__in=OPEN_STATUSES).update(
        status=RoleSwapStatus.ENDED, ended_at=now, ended_by=actor
    )
    if not changed:
        raise Conflict(_("This role swap has ended already."))
    swap.refresh_from_db()
    audit_record(
        actor=actor,
        action="role_swap.ended",
        target=swap,
        data={**_facts(swap), "early": now < swap.ends_at},
    )
    _tell(swap, lambda: _("Your role swap has ended."))
    return swap


def role_swaps_apply_schedule() -> tuple[int, int]:
    """Start the swaps whose period has begun and end those whose period is over."""
    now = timezone.now()
    started = ended = 0
    for swap in RoleSwap.objects.filter(status__in=OPEN_STATUSES, ends_at__lte=now):
        try:
            role_swap_end(swap=swap)
            ended += 1
        except Conflict:
            pass  # ended by a supervisor meanwhile
    for swap in RoleSwap.objects.filter(
        status=RoleSwapStatus.SCHEDULED, starts_at__lte=now, ends_at__gt=now
    ):
        try:
            role_swap_start(swap=swap)
            started += 1
        except Conflict:
            pass
    return started, ended
