"""Who may see and act on handovers, schedules, swaps, leave and attendance."""

from agents.access import agent_of, has_role, team_leads_read_whole_floor, teams_led_by
from agents.roles import Role

LEADS = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)
MANAGERS = (Role.SUPERVISOR, Role.ADMIN)


def can_see_handover(user, handover) -> bool:
    """The two leads, the copied supervisor, and any supervisor or admin."""
    if has_role(user, *MANAGERS):
        return True
    return user.pk in (handover.author_id, handover.to_lead_id, handover.supervisor_id)


def can_edit_handover(user, handover) -> bool:
    return user.pk == handover.author_id


def can_receive_handover(user, handover) -> bool:
    return user.pk == handover.to_lead_id


def can_append_to_handover(user, handover) -> bool:
    return user.pk in (handover.author_id, handover.to_lead_id, handover.supervisor_id)


def can_manage_team(user, team) -> bool:
    """Supervisors and admins manage every team; a team lead their own."""
    if team is None:
        return has_role(user, *MANAGERS)
    if has_role(user, *MANAGERS):
        return True
    return has_role(user, Role.TEAM_LEAD) and team.lead_id == user.pk


def managed_teams(user):
    from agents.models import Team

    if has_role(user, *MANAGERS):
        return Team.objects.all()
    if has_role(user, Role.TEAM_LEAD):
        return teams_led_by(user)
    return Team.objects.none()


def readable_teams(user):
    """The teams whose schedules and attendance `user` reads: the teams they manage, or every
    team for a team lead when the site lets team leads read the whole floor."""
    from agents.models import Team

    if has_role(user, Role.TEAM_LEAD) and team_leads_read_whole_floor():
        return Team.objects.all()
    return managed_teams(user)


def team_lead_reads_every_team(user) -> bool:
    return has_role(user, Role.TEAM_LEAD) and team_leads_read_whole_floor()


def can_decide_for_agent(user, agent) -> bool:
    """The agent's team lead (or a supervisor / admin) approves their swaps and leave."""
    return can_manage_team(user, agent.team)


def roles_of_user(user) -> frozenset[str]:
    from agents.access import roles_of

    return roles_of(user)


def has_lead_role(user) -> bool:
    return has_role(user, *LEADS)


def can_decide_leftover(user, case) -> bool:
    """The lead of the team the agent handed the case to; supervisors and admins."""
    if has_role(user, *MANAGERS):
        return True
    return (
        has_role(user, Role.TEAM_LEAD) and case.team_id is not None and case.team.lead_id == user.pk
    )


def can_see_leftover(user, case) -> bool:
    """The agent who handed it over, the colleague it was given to, and those who decide."""
    agent = agent_of(user)
    if agent is not None and agent.pk in (case.agent_id, case.reassigned_to_id):
        return True
    return can_decide_leftover(user, case)
