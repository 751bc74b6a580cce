"""Who may plan training, see a course, check in and mark attendance."""

from __future__ import annotations

from agents.access import agent_of, can_see_agent, has_role, leads_agent
from agents.roles import STAFF_ROLES, Role

PLANNERS = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)


def can_plan(user) -> bool:
    """Team leads, supervisors and admins create courses."""
    return has_role(user, *PLANNERS)


def can_manage_course(user, course) -> bool:
    """Supervisors and admins manage every course; a team lead the courses they created or
    those assigned to a team they lead."""
    if has_role(user, *MANAGERS):
        return True
    if not has_role(user, Role.TEAM_LEAD):
        return False
    if course.created_by_id == user.pk:
        return True
    return course.team_id is not None and course.team.lead_id == user.pk


def can_view_course(user, course) -> bool:
    """Staff read every course (its attendance filtered to the agents they read); an agent the
    courses they are invited to."""
    if has_role(user, *STAFF_ROLES):
        return True
    own = agent_of(user)
    return own is not None and course.invites.filter(agent=own).exists()


def can_mark(user, session, agent) -> bool:
    """The session's trainer, the agent's team lead, a supervisor or an admin."""
    if has_role(user, *MANAGERS) or leads_agent(user, agent):
        return True
    return session.trainer_id == user.pk and user.pk != agent.user_id


def reads_attendance_of(user, agent) -> bool:
    return can_see_agent(user, agent)
