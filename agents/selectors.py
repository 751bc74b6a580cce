"""Reads for people and teams."""

from django.db.models import QuerySet

from agents.access import agent_of, is_staff_role
from agents.models import Agent, Team


def agent_list_visible_to(user) -> QuerySet[Agent]:
    """Staff see every agent; an agent sees only themself."""
    qs = Agent.objects.select_related("team", "user").prefetch_related("aliases")
    if is_staff_role(user):
        return qs
    own = agent_of(user)
    return qs.filter(pk=own.pk) if own else qs.none()


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead")
