"""Who may act on the phone system from the board, and on which agents.

Supervisors act on every agent of the site; team leads on the agents of the teams they lead
(`CALLFLOOR_PBX_CONTROL_TEAM_LEADS`: "own_team", the default; "site"; or "none"); agents,
QA analysts and administrators never (an administrator sets the floor up, a supervisor runs it).
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import User

from agents.access import has_role, leads_agent, teams_led_by
from agents.models import Agent
from agents.roles import Role

TEAM_LEAD_SCOPES = ("own_team", "site", "none")
CONTROL_ROLES = (Role.SUPERVISOR, Role.TEAM_LEAD)


def team_lead_scope() -> str:
    scope = getattr(settings, "CALLFLOOR_PBX_CONTROL_TEAM_LEADS", "own_team")
    return scope if scope in TEAM_LEAD_SCOPES else "own_team"


def may_control(user: User) -> bool:
    """`user` may use the phone-system controls at all (on some agents)."""
    if has_role(user, Role.SUPERVISOR):
        return True
    return has_role(user, Role.TEAM_LEAD) and team_lead_scope() != "none"


def may_control_agent(user: User, agent: Agent) -> bool:
    if has_role(user, Role.SUPERVISOR):
        return True
    if not has_role(user, Role.TEAM_LEAD):
        return False
    scope = team_lead_scope()
    return scope == "site" or (scope == "own_team" and leads_agent(user, agent))


def controlled_teams(user: User) -> list[int] | None:
    """The teams whose agents `user` acts on: None for every team, [] for none."""
    if has_role(user, Role.SUPERVISOR):
        return None
    if not has_role(user, Role.TEAM_LEAD):
        return []
    scope = team_lead_scope()
    if scope == "site":
        return None
    if scope == "none":
        return []
    return list(teams_led_by(user).values_list("pk", flat=True))
