"""Who may coach an agent, read a coaching session, acknowledge it and follow it up."""

from __future__ import annotations

from agents.access import agent_of, can_see_agent, has_role, leads_agent
from agents.roles import Role

COACH_ROLES = (Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR)


def can_coach(user, agent) -> bool:
    """QA analysts and supervisors coach any agent; a team lead the agents of their teams.
    Nobody coaches themself."""
    own = agent_of(user)
    if agent is None or (own is not None and own.pk == agent.pk):
        return False
    if has_role(user, Role.QA_ANALYST, Role.SUPERVISOR):
        return True
    return leads_agent(user, agent)


def is_coach(user) -> bool:
    return has_role(user, *COACH_ROLES)


def can_view_session(user, session) -> bool:
    """The coach, the agent, and whoever reads the agent (a team lead: their teams')."""
    if not getattr(user, "is_authenticated", False):
        return False
    return session.coach_id == user.pk or can_see_agent(user, session.agent)


def can_acknowledge(user, session) -> bool:
    own = agent_of(user)
    return own is not None and own.pk == session.agent_id


def can_follow_up(user, session) -> bool:
    """The coach follows up; a supervisor may when the coach is away."""
    return session.coach_id == user.pk or has_role(user, Role.SUPERVISOR)
