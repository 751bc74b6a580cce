"""Reviewer rotation pages: the plan (leads, QA analysts, supervisors) and a peer review."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agents.access import has_role, role_required
from agents.models import Agent, Team
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from qa.models import Evaluation
from qa.rotation import access, selectors, services
from qa.rotation.models import PEER_ITEMS, PEER_RATING_MAX, PeerReview, PeerReviewStatus


def _today() -> date:
    return timezone.localtime(timezone.now(), site_zone()).date()


def _date(raw: str | None) -> date:
    try:
        return date.fromisoformat(raw or "")
    except ValueError:
        raise DomainError(_("Give the week as a date."), field="week_start") from None


def _plannable_agents(user):
    agents = Agent.objects.filter(active=True).select_related("team")
    if has_role(user, *access.WHOLE_FLOOR_PLANNERS):
        return agents
    return agents.filter(team__lead=user)


def _plannable_teams(user):
    if has_role(user, *access.WHOLE_FLOOR_PLANNERS):
        return Team.objects.all()
    return Team.objects.filter(lead=user)


def _plan_action(request) -> str:
    action = request.POST.get("action")
    if action == "round_robin":
        team = get_object_or_404(Team, pk=request.POST.get("team") or 0)
        weeks = services.rotation_plan_round_robin(
            actor=request.user,
            team=team,
            first_week=_date(request.POST.get("week_start")),
            weeks=int(request.POST.get("weeks") or 0),
        )
        return _("%(count)s week(s) planned.") % {"count": len(weeks)}
    if action == "choose":
        reviewer = get_object_or_404(Agent, pk=request.POST.get("reviewer") or 0)
        services.rotation_week_plan(
            actor=request.user, reviewer=reviewer, week_start=_date(request.POST.get("week_start"))
        )
        return _("The reviewer is planned.")
    if action == "assign":
        week = get_object_or_404(
            selectors.rotation_weeks_visible_to(request.user), pk=request.POST.get("week") or 0
        )
        evaluation = Evaluation.objects.filter(pk=request.POST.get("evaluation") or 0).first()
        if evaluation is None:
            raise DomainError(_("No evaluation has this number."), field="evaluation")
        services.peer_review_assign(actor=request.user, week=week, evaluation=evaluation)
        return _("The call is given to the reviewer.")
    raise DomainError(_("Unknown action."))


@role_required(*access.PLANNERS)
@require_http_methods(["GET", "POST"])
def rotation_plan(request):
    if request.method == "POST":
        try:
            messages.success(request, _plan_action(request))
        except DomainError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
        except ValueError:
            messages.error(request, _("Give the number of weeks."))
        return redirect("qa-rotation")
    today = _today()
    return render(
        request,
        "qa/rotation/plan.html",
        {
            "weeks": selectors.rotation_weeks_visible_to(request.user, since=today).order_by(
                "week_start", "reviewer__display_name"
            ),
            "agents": _plannable_agents(request.user),
            "teams": _plannable_teams(request.user),
            "next_monday": services.monday_of(today),
        },
    )


@role_required(*Role.values)
@require_http_methods(["GET", "POST"])
def peer_review(request, review_id: int):
    review = get_object_or_404(
        PeerReview.objects.select_related("week__reviewer", "reviewed", "evaluation__call__queue"),
        pk=review_id,
    )
    if not access.can_view_peer_review(request.user, review):
        raise Http404
    reviewing = access.is_reviewer(request.user, review)
    if request.method == "POST":
        if not reviewing:
            raise PermissionDenied
        ratings = {key: request.POST.get(f"rating_{key}") for key, _label in PEER_ITEMS}
        try:
            services.peer_review_submit(
                actor=request.user,
                review=review,
                ratings=ratings,
                comment=request.POST.get("comment", ""),
            )
        except DomainError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you: your colleague can read your feedback."))
        return redirect("qa-peer-review", review_id=review.pk)
    return render(
        request,
        "qa/rotation/peer_review.html",
        {
            "review": review,
            "reviewing": reviewing and review.status == PeerReviewStatus.ASSIGNED,
            "items": PEER_ITEMS,
            "scale": range(1, PEER_RATING_MAX + 1),
        },
    )
