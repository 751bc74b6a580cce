"""Reads of role swaps."""

from __future__ import annotations

from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.access import has_role
from agents.roles import Role
from agents.swaps.models import RoleSwap, RoleSwapStatus


def can_manage_role_swaps(user) -> bool:
    """Supervisors and admins grant and end swaps (never someone lent rights by a swap)."""
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def role_swaps_visible_to(user) -> QuerySet[RoleSwap]:
    """Every swap for those who manage them; the people of a swap see their own."""
    qs = RoleSwap.objects.select_related("agent_as_analyst", "analyst_as_agent", "granted_by")
    if can_manage_role_swaps(user):
        return qs
    return qs.filter(Q(agent_as_analyst=user) | Q(analyst_as_agent=user))


def role_swaps_now(user) -> list[RoleSwap]:
    """The swaps of `user` in force or still to come (shown on every page they open)."""
    if not getattr(user, "is_authenticated", False):
        return []
    return list(
        RoleSwap.objects.filter(
            Q(agent_as_analyst=user) | Q(analyst_as_agent=user),
            status__in=(RoleSwapStatus.SCHEDULED, RoleSwapStatus.ACTIVE),
            ends_at__gt=timezone.now(),
        ).select_related("agent_as_analyst", "analyst_as_agent")
    )
