"""Who confirms a peer nomination and who sees the pending ones."""

from __future__ import annotations

from agents.access import has_role, leads_agent
from agents.roles import Role

CONFIRMERS = (Role.SUPERVISOR, Role.ADMIN)


def can_confirm(user, nomination) -> bool:
    """The nominee's team lead, or a supervisor (admins too)."""
    return has_role(user, *CONFIRMERS) or leads_agent(user, nomination.nominee)


def sees_pending(user) -> bool:
    return has_role(user, Role.TEAM_LEAD, *CONFIRMERS)
