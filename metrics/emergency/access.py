"""Who may do what with emergency plans.

Supervisors and admins keep the library, start plans, schedule drills and close activations;
team leads tick steps and write notes beside them; everyone on the floor reads the plans that
concern them (their team's, the whole site's, and those naming them).
"""

from __future__ import annotations

from django.db.models import Q, QuerySet

from agents.access import HasRole, agent_of, has_role
from agents.roles import Role
from metrics.emergency.models import EmergencyPlan

PLAN_EDITORS = (Role.SUPERVISOR, Role.ADMIN)
ACTIVATORS = (Role.SUPERVISOR, Role.ADMIN)
STEP_TICKERS = (Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)
REPORT_READERS = (Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)
# Roles that read every plan of the library.
PLAN_READERS = (Role.SUPERVISOR, Role.ADMIN, Role.QA_ANALYST)
FLOOR_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)

CanEditPlans = HasRole.of(*PLAN_EDITORS)
CanActivate = HasRole.of(*ACTIVATORS)
CanTickSteps = HasRole.of(*STEP_TICKERS)
IsOnTheFloor = HasRole.of(*FLOOR_ROLES)


def readable_plans(user) -> QuerySet[EmergencyPlan]:
    """The plans `user` may read: every plan for the readers, else those that concern them."""
    plans = EmergencyPlan.objects.all()
    if has_role(user, *PLAN_EDITORS):
        return plans
    if has_role(user, *PLAN_READERS):
        return plans.filter(active=True)
    concerns = Q(teams__isnull=True) | Q(roles__person=user)
    if has_role(user, Role.TEAM_LEAD):
        concerns |= Q(teams__lead=user)
    agent = agent_of(user)
    if agent is not None and agent.team_id is not None:
        concerns |= Q(teams=agent.team_id)
    ids = plans.filter(concerns, active=True).values("pk")
    return plans.filter(pk__in=ids)


def can_read_plan(user, plan: EmergencyPlan) -> bool:
    return readable_plans(user).filter(pk=plan.pk).exists()
