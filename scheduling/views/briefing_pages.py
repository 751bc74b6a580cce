"""Briefing pages: the list, filing a briefing, reading one."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agents.access import agent_of, role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from scheduling import access, selectors, services
from scheduling.models import (
    BriefingKind,
)
from scheduling.views.common import LEADS, SWAP_ROLES, own_agent, render_page


def _attendee_groups(user, team_id: str, ticked=()) -> tuple[list, object]:
    """The teams a lead files briefings for, each with its active agents (`ticked` ids checked);
    the chosen team (the query's or the refused form's, else the first) comes first."""
    teams = list(access.managed_teams(user).order_by("name"))
    chosen = next((t for t in teams if str(t.pk) == team_id), teams[0] if teams else None)
    agents: dict[int, list[Agent]] = {}
    for agent in Agent.objects.filter(team__in=teams, active=True).order_by("display_name"):
        agent.checked = str(agent.pk) in ticked
        agents.setdefault(agent.team_id, []).append(agent)
    groups = [{"team": t, "agents": agents.get(t.pk, []), "chosen": t == chosen} for t in teams]
    groups.sort(key=lambda g: not g["chosen"])
    return groups, chosen


@role_required(*SWAP_ROLES)
def briefings(request):
    agent = agent_of(request.user)
    is_lead = access.has_lead_role(request.user)
    # A refused form comes back with its own team and ticks (see render_again).
    sent = request.POST if request.method == "POST" else request.GET
    groups, chosen = (
        _attendee_groups(request.user, sent.get("team", ""), set(sent.getlist("attendees")))
        if is_lead
        else ([], None)
    )
    return render_page(
        request,
        "scheduling/briefings.html",
        {
            "mine": selectors.briefings_for_agent(agent) if agent and agent.team_id else [],
            "filed": selectors.briefings_visible_to(request.user)[:50] if is_lead else [],
            "teams": [g["team"] for g in groups],
            "chosen_team": chosen,
            "attendee_groups": groups,
            "kinds": BriefingKind.choices,
            "now": timezone.now(),
        },
    )


BRIEFING_LABELS = {
    "team": gettext_lazy("Team"),
    "kind": gettext_lazy("Kind"),
    "held_at": gettext_lazy("Held at"),
    "agenda": gettext_lazy("Agenda"),
    "minutes": gettext_lazy("Minutes"),
    "attendees": gettext_lazy("Attendees"),
}


@role_required(*LEADS)
@require_POST
def briefing_new(request):
    post = request.POST
    team = access.managed_teams(request.user).filter(pk=post.get("team") or 0).first()
    if team is None:
        raise PermissionDenied
    try:
        held_at = datetime.fromisoformat(post.get("held_at", ""))
    except ValueError:
        held_at = None  # the service names it, with every other problem
    if held_at is not None and timezone.is_naive(held_at):
        held_at = held_at.replace(tzinfo=site_zone())
    attendees = list(
        Agent.objects.filter(pk__in=[v for v in post.getlist("attendees") if v.isdigit()])
    )
    try:
        briefing = services.briefing_create(
            author=request.user,
            team=team,
            kind=post.get("kind", ""),
            held_at=held_at,
            agenda=post.get("agenda", ""),
            minutes=post.get("minutes", ""),
            attendees=attendees,
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        errors = FormErrors.from_error(exc, labels=BRIEFING_LABELS)
        return render_again(request, briefings, errors=errors)
    return redirect("briefing-detail", briefing_id=briefing.pk)


@role_required(*SWAP_ROLES)
def briefing_detail(request, briefing_id: int):
    briefing = selectors.briefings_visible_to(request.user).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404
    agent = agent_of(request.user)
    attendees = list(briefing.attendees.all())
    return render_page(
        request,
        "scheduling/briefing_detail.html",
        {
            "briefing": briefing,
            "attendees": attendees,
            "reads": briefing.reads.select_related("agent"),
            "can_mark": agent is not None
            and agent.team_id == briefing.team_id
            and not briefing.reads.filter(agent=agent).exists(),
            "attended": agent is not None and agent in attendees,
        },
    )


@role_required(Role.AGENT)
@require_POST
def briefing_read(request, briefing_id: int):
    agent = own_agent(request)
    briefing = selectors.briefings_visible_to(request.user).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404
    try:
        services.briefing_mark_read(briefing=briefing, agent=agent)
    except DomainError as exc:
        raise PermissionDenied from exc
    return redirect("briefing-detail", briefing_id=briefing.pk)
