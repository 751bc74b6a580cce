"""The training due on the agent's and the team lead's pages."""

from django import template

from scheduling.training.selectors import training_due_for_agent, training_due_for_lead

register = template.Library()


@register.inclusion_tag("scheduling/training/_due_strip.html")
def training_due(user, agent=None, lead=False):
    """Assigned training not attended yet: `agent`'s, or with `lead` that of the agents in the
    teams `user` leads; overdue after its date."""
    if lead:
        return {"due": training_due_for_lead(user), "lead": True}
    return {"due": training_due_for_agent(agent) if agent is not None else [], "lead": False}
