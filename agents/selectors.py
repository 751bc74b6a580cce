"""Reads for people and teams."""

from django.db.models import QuerySet

from agents.access import readable_agents_q
from agents.models import Agent, Team


def agent_list_visible_to(user) -> QuerySet[Agent]:
    """QA analysts, supervisors and admins see every agent; a team lead their teams' agents
    (every agent when the site allows it); an agent only themself."""
    qs = Agent.objects.select_related("team", "user").prefetch_related("aliases")
    condition = readable_agents_q(user)
    return qs if condition is None else qs.filter(condition)


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead")
