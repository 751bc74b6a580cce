"""Listeners: attribute telephony history to the agent who owns a member name."""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver

from agents.models import Agent
from agents.services import agent_aliases_changed
from metrics.telephony import services


@receiver(agent_aliases_changed)
def attribute_member_history(sender, *, agent, aliases, **kwargs) -> None:
    services.member_history_attribute(agent=agent, aliases=list(aliases))


@receiver(post_save, sender=Agent)
def attribute_new_agent_history(sender, *, instance, created, **kwargs) -> None:
    # A new agent's aliases are written after the agent row, in the same transaction.
    if created:
        transaction.on_commit(
            lambda: services.member_history_attribute(
                agent=instance, aliases=list(instance.aliases.values_list("name", flat=True))
            )
        )
