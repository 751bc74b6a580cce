"""What the scheduling API views share: permission classes, the agent behind a request and
domain errors."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.utils.translation import gettext as _

from agents.access import HasRole, agent_of
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from scheduling import access

User = get_user_model()
IsLead = HasRole.of(*access.LEADS)
IsTeamLead = HasRole.of(Role.TEAM_LEAD)


def not_found() -> DomainError:
    return DomainError(_("Not found."), status_code=404, code="not_found")


def own_agent(request) -> Agent:
    agent = agent_of(request.user)
    if agent is None:
        raise DomainError(_("Only agents do this."), status_code=403, code="permission_denied")
    return agent
