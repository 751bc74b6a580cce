"""Who may do what with scorecards, evaluations, appeals and sampling rules."""

from __future__ import annotations

from agents.access import agent_of, can_see_agent, has_role, is_staff_role
from agents.roles import Role
from qa.models import Appeal, Evaluation, PanelMember, QaSettings, Seat

QA_MANAGERS = (Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)


def is_qa_manager(user) -> bool:
    """Builds scorecards and sampling rules, sees drafts."""
    return has_role(user, *QA_MANAGERS)


def owns_evaluation(user, evaluation: Evaluation) -> bool:
    own = agent_of(user)
    return own is not None and own.pk == evaluation.agent_id


def can_view_evaluation(user, evaluation: Evaluation) -> bool:
    if not evaluation.is_released:
        return evaluation.evaluator_id == user.pk or is_qa_manager(user)
    if owns_evaluation(user, evaluation) or can_see_agent(user, evaluation.agent):
        return True
    if is_staff_role(user):  # a team lead of another team: only from an appeal's panel seat
        return PanelMember.objects.filter(user=user, appeal__evaluation=evaluation).exists()
    return agent_of(user) is not None and QaSettings.load().transparency


def shows_evaluator(user, evaluation: Evaluation) -> bool:
    """Peers reading through transparency may not see who evaluated."""
    if is_staff_role(user) or owns_evaluation(user, evaluation):
        return True
    return not QaSettings.load().hide_evaluator_names


def can_edit_evaluation(user, evaluation: Evaluation) -> bool:
    return not evaluation.is_released and evaluation.evaluator_id == user.pk


def can_pin_moment(user, evaluation: Evaluation) -> bool:
    """The evaluator pins comments and deductions to moments of the call while scoring it."""
    return can_edit_evaluation(user, evaluation)


def can_revise_evaluation(user, evaluation: Evaluation) -> bool:
    """QA analysts and supervisors revise a released score, never of their own call, and never
    while an appeal of it is open (the panel judges the score the agent appealed).

    Criteria a panel decided stay as decided: `evaluation_revise` refuses a revision touching
    them, so a decided appeal cannot be overturned; the other criteria may still change, and
    the agent may appeal what changed.
    """
    if not evaluation.is_released or not has_role(user, Role.QA_ANALYST, Role.SUPERVISOR):
        return False
    if owns_evaluation(user, evaluation):
        return False
    return not evaluation.has_open_appeal()


def can_view_appeal(user, appeal: Appeal) -> bool:
    """The agent, whoever reads the agent (a team lead: their teams'), and the panel."""
    return can_see_agent(user, appeal.agent) or panel_seat(user, appeal) is not None


def can_screen(user, appeal: Appeal) -> bool:
    """The agent's team lead screens; an agent without a team lead has a supervisor do it."""
    team = appeal.agent.team
    if team is None or team.lead_id is None:
        return has_role(user, Role.SUPERVISOR)
    return has_role(user, Role.TEAM_LEAD) and team.lead_id == user.pk


def panel_seat(user, appeal: Appeal) -> PanelMember | None:
    if not getattr(user, "is_authenticated", False):
        return None
    return appeal.panel.filter(user=user).first()


def can_decide(user, appeal: Appeal) -> bool:
    seat = panel_seat(user, appeal)
    return seat is not None and seat.seat == Seat.SUPERVISOR


def can_explain(user, appeal: Appeal) -> bool:
    return appeal.evaluation.evaluator_id == user.pk
