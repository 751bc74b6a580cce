"""Coaching on other pages: who may coach an agent ("Coach on this"), and the strip of open
coaching actions and training due on the agent's and the team lead's pages."""

from django import template

from qa.coaching import access
from qa.coaching.selectors import open_actions_for_agent, open_actions_for_lead

register = template.Library()


@register.filter
def can_coach(user, agent) -> bool:
    return access.can_coach(user, agent)


@register.filter
def is_coach(user) -> bool:
    return access.is_coach(user)


@register.inclusion_tag("qa/coaching/_due.html")
def coaching_due(user, agent=None, lead=False):
    """The open coaching actions of `agent` (the agent's page) or, with `lead`, of the agents in
    the teams `user` leads (the team lead's page); overdue ones first and marked."""
    if lead:
        actions = list(open_actions_for_lead(user)[:50])
    else:
        actions = list(open_actions_for_agent(agent)[:50]) if agent is not None else []
    return {"actions": actions, "lead": lead}
