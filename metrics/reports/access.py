"""Who may see which report: agents their own, team leads their team, supervisors everything."""

from agents.access import agent_of, has_role, teams_led_by
from agents.roles import Role

EVERYTHING = (Role.SUPERVISOR, Role.ADMIN)
ANY_REPORT = (Role.AGENT, Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)


def can_see_all_reports(user) -> bool:
    """Queue, site and abandoned-call reports, every team and every agent."""
    return has_role(user, *EVERYTHING)


def can_see_some_report(user) -> bool:
    return has_role(user, *ANY_REPORT)


def can_see_team_report(user, team) -> bool:
    if can_see_all_reports(user):
        return True
    return has_role(user, Role.TEAM_LEAD) and team.lead_id == user.pk


def can_see_agent_report(user, agent) -> bool:
    if can_see_all_reports(user):
        return True
    if (
        has_role(user, Role.TEAM_LEAD)
        and agent.team_id is not None
        and teams_led_by(user).filter(pk=agent.team_id).exists()
    ):
        return True
    own = agent_of(user)
    return has_role(user, Role.AGENT) and own is not None and own.pk == agent.pk
