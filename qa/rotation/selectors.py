"""Reads of the reviewer rotation."""

from __future__ import annotations

from datetime import timedelta

from django.db.models import Prefetch, QuerySet

from agents.access import has_role, readable_agents_q
from qa.rotation.access import WHOLE_FLOOR_PLANNERS
from qa.rotation.models import PeerReview, PeerReviewStatus, RotationWeek


def _weeks():
    reviews = PeerReview.objects.select_related("reviewed", "evaluation").order_by("pk")
    return RotationWeek.objects.select_related("reviewer", "team", "planned_by").prefetch_related(
        Prefetch("reviews", queryset=reviews)
    )


def rotation_weeks_visible_to(user, *, since=None) -> QuerySet[RotationWeek]:
    """Planners see the weeks of the agents they read (a team lead: their teams'); an agent
    their own weeks."""
    qs = _weeks()
    if since is not None:
        qs = qs.filter(week_start__gte=since - timedelta(days=6))
    if has_role(user, *WHOLE_FLOOR_PLANNERS):
        return qs
    condition = readable_agents_q(user, prefix="reviewer__")
    return qs if condition is None else qs.filter(condition)


def my_rotation_weeks(agent, *, today) -> list[RotationWeek]:
    """The agent's current and coming weeks as a reviewer, with the calls to hear."""
    if agent is None:
        return []
    return list(
        _weeks()
        .filter(reviewer=agent, week_start__gte=today - timedelta(days=6))
        .order_by("week_start")
    )


def peer_feedback_for(agent) -> QuerySet[PeerReview]:
    """The submitted peer reviews of the agent's calls, newest first."""
    return (
        PeerReview.objects.filter(reviewed=agent, status=PeerReviewStatus.SUBMITTED)
        .select_related("week__reviewer", "evaluation")
        .order_by("-submitted_at")
    )
