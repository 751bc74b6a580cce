"""What the scheduling services share: the user model, local times in messages, team leads."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from callfloor.zone import site_zone

User = get_user_model()


def local_text(moment: datetime) -> str:
    """A moment in the site's zone, in the active language's words ("Mon 07 Dec 09:00",
    "12月7日 周一 09:00"): Django's date format, the one the pages use, not strftime's English."""
    return dateformat.format(timezone.localtime(moment, site_zone()), _("D d M H:i"))


def lead_of(agent: Agent):
    return agent.team.lead if agent.team_id and agent.team.lead_id else None
