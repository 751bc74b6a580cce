"""Leave pages: the list with its filters, request, decide, cancel."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agents.access import agent_of, role_required
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from scheduling import access, selectors, services
from scheduling.models import (
    LEAVE_KINDS,
    LeaveRequest,
    LeaveStatus,
)
from scheduling.views.common import LEADS, SWAP_ROLES, flash_error, own_agent, render_page

LEAVE_FILTERS = ("team", "status", "since", "until")


def _leave_filters(request, teams) -> tuple[dict, list[str]]:
    """The Leave page's filters from the query, and the reasons for any left out."""
    query = request.GET
    errors = []
    chosen = {"team": None, "status": "", "since": None, "until": None}
    team_id = query.get("team", "")
    if team_id:
        chosen["team"] = next((t for t in teams if str(t.pk) == team_id), None)
        if chosen["team"] is None:
            errors.append(_("Team: choose one of the teams listed."))
    state = query.get("status", "")
    if state and state not in LeaveStatus.values:
        errors.append(_("State: choose one of the states listed."))
    else:
        chosen["status"] = state
    for name, label in (("since", _("From")), ("until", _("To"))):
        value = query.get(name, "")
        if not value:
            continue
        try:
            chosen[name] = date.fromisoformat(value)
        except ValueError:
            errors.append(
                _("%(field)s: give a date (YYYY-MM-DD), not “%(value)s”.")
                % {"field": label, "value": value[:40]}
            )
    if chosen["since"] and chosen["until"] and chosen["until"] < chosen["since"]:
        errors.append(_("To: the last day is before the first."))
    return chosen, errors


@role_required(*SWAP_ROLES)
def leave(request):
    agent = agent_of(request.user)
    context = {
        "agent": agent,
        "mine": selectors.leave_visible_to(request.user).filter(agent=agent) if agent else [],
        "kinds": LEAVE_KINDS.items(),
    }
    status = 200
    if access.has_lead_role(request.user):
        teams = list(access.readable_teams(request.user).order_by("name"))
        chosen, errors = _leave_filters(request, teams)
        for error in errors:
            messages.error(request, error)
        status = 400 if errors else 200
        context.update(
            teams=teams,
            states=LeaveStatus.choices,
            chosen=chosen,
            groups=selectors.leave_by_team(
                request.user,
                team=chosen["team"],
                status=chosen["status"] or None,
                since=chosen["since"],
                until=chosen["until"],
            ),
            query=request.GET.urlencode(),
        )
    return render_page(request, "scheduling/leave.html", context, status=status)


def _back_to_leave(request):
    """Back to the Leave page with the filters the decision was made under."""
    from django.http import QueryDict

    kept = QueryDict(mutable=True)
    previous = QueryDict(request.POST.get("query", ""))
    for name in LEAVE_FILTERS:
        if previous.get(name):
            kept[name] = previous[name]
    return redirect(f"{reverse('leave')}?{kept.urlencode()}" if kept else reverse("leave"))


LEAVE_LABELS = {
    "first_day": gettext_lazy("First day"),
    "last_day": gettext_lazy("Last day"),
    "kind": gettext_lazy("Kind"),
    "reason": gettext_lazy("Reason"),
}


def _date_or_none(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@role_required(Role.AGENT)
@require_POST
def leave_request(request):
    agent = own_agent(request)
    try:
        services.leave_request(
            agent=agent,
            first_day=_date_or_none(request.POST.get("first_day", "")),
            last_day=_date_or_none(request.POST.get("last_day", "")),
            kind=request.POST.get("kind", "annual"),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        if exc.field is None:
            flash_error(request, exc)
            return redirect("leave")
        errors = FormErrors.from_error(exc, labels=LEAVE_LABELS)
        return render_again(request, leave, errors=errors)
    messages.success(request, _("Leave requested; your team lead decides."))
    return redirect("leave")


@role_required(*LEADS)
@require_POST
def leave_decide(request, leave_id: int):
    item = selectors.leave_visible_to(request.user).filter(pk=leave_id).first()
    if item is None:
        raise Http404
    try:
        services.leave_decide(
            leave=item,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
        done = (
            _("Leave of %(name)s approved; they are told.")
            if item.status == LeaveStatus.APPROVED
            else _("Leave of %(name)s refused; they are told.")
        )
        messages.success(request, done % {"name": item.agent.display_name})
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        flash_error(request, exc)
    return _back_to_leave(request)


@role_required(Role.AGENT)
@require_POST
def leave_cancel(request, leave_id: int):
    agent = own_agent(request)
    item = get_object_or_404(LeaveRequest, pk=leave_id, agent=agent)
    try:
        services.leave_cancel(leave=item, agent=agent)
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("leave")
