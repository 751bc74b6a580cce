"""Listeners: re-attribute telephony history when an agent's aliases change."""

from django.dispatch import receiver

from agents.services import agent_aliases_changed
from metrics import services


@receiver(agent_aliases_changed)
def attribute_member_history(sender, *, agent, aliases, **kwargs) -> None:
    services.member_history_attribute(agent=agent, aliases=list(aliases))
