"""Who plans the reviewer rotation, who reviews, who reads a peer review."""

from __future__ import annotations

from agents.access import agent_of, can_see_agent, has_role, leads_agent
from agents.roles import Role

# QA analysts, supervisors and admins plan for every team; a team lead for their own teams.
WHOLE_FLOOR_PLANNERS = (Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)
PLANNERS = (Role.TEAM_LEAD, *WHOLE_FLOOR_PLANNERS)


def can_plan_for(user, agent) -> bool:
    if has_role(user, *WHOLE_FLOOR_PLANNERS):
        return True
    return leads_agent(user, agent)


def can_plan_team(user, team) -> bool:
    if has_role(user, *WHOLE_FLOOR_PLANNERS):
        return True
    return has_role(user, Role.TEAM_LEAD) and team is not None and team.lead_id == user.pk


def is_reviewer(user, review) -> bool:
    own = agent_of(user)
    return own is not None and has_role(user, Role.AGENT) and own.pk == review.week.reviewer_id


def can_view_peer_review(user, review) -> bool:
    """The reviewer; the reviewed agent once it is submitted; whoever reads the reviewed
    agent's quality (their lead, QA analysts, supervisors)."""
    if is_reviewer(user, review):
        return True
    own = agent_of(user)
    if own is not None and own.pk == review.reviewed_id:
        return review.status == "submitted"
    return has_role(user, *PLANNERS) and can_see_agent(user, review.reviewed)
