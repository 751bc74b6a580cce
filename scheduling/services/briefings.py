"""Briefings: create one and its minutes, mark it read."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.db import transaction
from django.urls import reverse
from django.utils.translation import gettext as _

from agents.models import Agent, Team
from agents.services import audit_record, notify
from callfloor.errors import DomainError, Problems
from scheduling import access
from scheduling.models import (
    Briefing,
    BriefingKind,
    BriefingRead,
)
from scheduling.services.common import local_text


@transaction.atomic
def briefing_create(
    *,
    author,
    team: Team,
    kind: str,
    held_at: datetime | None,
    agenda: str,
    minutes: str,
    attendees: Sequence[Agent] = (),
) -> Briefing:
    """File a briefing's minutes; the team's agents who were not there are told to read them."""
    if not access.can_manage_team(author, team):
        raise DomainError(
            _("You file briefings for the teams you lead."),
            field="team",
            status_code=403,
            code="permission_denied",
        )
    # The fields are independent: every problem is reported at once (held_at None: no time).
    problems = Problems()
    if kind not in BriefingKind.values:
        problems.add("kind", _("A briefing is pre-shift or post-shift."))
    if held_at is None:
        problems.add("held_at", _("Give the time the briefing was held."))
    if not agenda.strip():
        problems.add("agenda", _("Write the agenda."))
    if not minutes.strip():
        problems.add("minutes", _("Write the minutes."))
    strangers = [a.display_name for a in attendees if a.team_id != team.pk]
    if strangers:
        problems.add(
            "attendees",
            _("Not in %(team_name)s: %(join)s.")
            % {"team_name": team.name, "join": ", ".join(strangers)},
        )
    problems.raise_if_any()
    briefing = Briefing.objects.create(
        team=team,
        kind=kind,
        held_at=held_at,
        author=author,
        agenda=agenda.strip(),
        minutes=minutes.strip(),
    )
    briefing.attendees.set(attendees)
    audit_record(
        actor=author,
        action="briefing.filed",
        target=briefing,
        data={"attendees": [a.pk for a in attendees]},
    )
    absent = [
        a.user
        for a in team.agents.filter(active=True)
        .exclude(pk__in=[a.pk for a in attendees])
        .select_related("user")
    ]
    link = reverse("briefing-detail", kwargs={"briefing_id": briefing.pk})
    transaction.on_commit(
        lambda: notify(
            recipients=absent,
            kind="briefing.missed",
            link=link,
            text=lambda: (
                _("You missed the %(display)s briefing of %(text)s: read the minutes.")
                % {"display": briefing.get_kind_display().lower(), "text": local_text(held_at)}
            ),
        )
    )
    return briefing


def briefing_mark_read(*, briefing: Briefing, agent: Agent) -> BriefingRead:
    """An agent of the team marks the minutes read (once; later calls change nothing)."""
    if agent.team_id != briefing.team_id:
        raise DomainError(
            _("This briefing is not for your team."), status_code=403, code="permission_denied"
        )
    read, _created = BriefingRead.objects.get_or_create(briefing=briefing, agent=agent)
    return read
