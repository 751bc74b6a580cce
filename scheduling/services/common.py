"""What the scheduling services share: the user model, local times in messages, team leads."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import timezone

from agents.models import Agent
from callfloor.zone import site_zone

User = get_user_model()


def local_text(moment: datetime) -> str:
    return f"{timezone.localtime(moment, site_zone()):%a %d %b %H:%M}"


def lead_of(agent: Agent):
    return agent.team.lead if agent.team_id and agent.team.lead_id else None
