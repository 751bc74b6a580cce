"""Reviewer rotation: plan a week (chosen or round robin), assign peers' calls, submit a review.

A peer review is feedback for the reviewed agent only: these services never touch an
evaluation, its score or its revisions.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent, Team
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from qa.models import Evaluation, EvaluationStatus
from qa.rotation import access
from qa.rotation.models import (
    PEER_ITEMS,
    PEER_RATING_MAX,
    PeerReview,
    PeerReviewStatus,
    RotationMethod,
    RotationWeek,
)

User = get_user_model()

# How far back a reviewer's calls to hear are drawn from.
DRAW_DAYS = 30


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _refuse_unless(allowed: bool) -> None:
    if not allowed:
        raise DomainError(_("You may not do this."), code="forbidden", status_code=403)


@transaction.atomic
def rotation_week_plan(
    *,
    actor: User,
    reviewer: Agent,
    week_start: date,
    method: str = RotationMethod.CHOSEN,
    calls: int = 2,
) -> RotationWeek:
    """Make `reviewer` a reviewer of their peers for the week of `week_start`, with up to
    `calls` of their peers' evaluated calls to hear."""
    _refuse_unless(access.can_plan_for(actor, reviewer))
    if not reviewer.active:
        raise DomainError(_("This agent is not active."), field="reviewer")
    if method not in RotationMethod.values:
        raise DomainError(_("Unknown rotation method."), field="method")
    week_start = monday_of(week_start)
    try:
        with transaction.atomic():
            week = RotationWeek.objects.create(
                reviewer=reviewer,
                team=reviewer.team,
                week_start=week_start,
                method=method,
                planned_by=actor,
            )
    except IntegrityError:
        raise Conflict(
            _("%(agent)s reviews in the week of %(week)s already.")
            % {"agent": reviewer.display_name, "week": week_start.isoformat()}
        ) from None
    audit_record(
        actor=actor,
        action="rotation.planned",
        target=week,
        data={"reviewer": reviewer.display_name, "week": week_start.isoformat(), "method": method},
    )
    for evaluation in _peer_calls(week, limit=calls):
        peer_review_assign(actor=actor, week=week, evaluation=evaluation)
    notify(
        recipients=[reviewer.user],
        text=lambda: (
            _("You review your peers' calls in the week of %(week)s.")
            % {"week": week_start.isoformat()}
        ),
        link=reverse("my-quality"),
        kind="qa.rotation",
    )
    return week


def _peer_calls(week: RotationWeek, *, limit: int) -> list[Evaluation]:
    """Recent released evaluations of the reviewer's teammates (the whole floor when they have
    no team), never the reviewer's own, none they were given before."""
    if limit <= 0:
        return []
    qs = Evaluation.objects.filter(
        status=EvaluationStatus.RELEASED,
        released_at__gte=timezone.now() - timedelta(days=DRAW_DAYS),
        agent__active=True,
    ).exclude(agent_id=week.reviewer_id)
    if week.team_id is not None:
        qs = qs.filter(agent__team_id=week.team_id)
    heard = PeerReview.objects.filter(week__reviewer_id=week.reviewer_id).values("evaluation_id")
    return list(qs.exclude(pk__in=heard).order_by("-released_at", "-id")[:limit])


@transaction.atomic
def rotation_plan_round_robin(
    *, actor: User, team: Team, first_week: date, weeks: int, calls: int = 2
) -> list[RotationWeek]:
    """Plan `weeks` consecutive weeks for `team`, its active agents taking turns by name,
    carrying on after the last reviewer planned for the team before `first_week`."""
    _refuse_unless(access.can_plan_team(actor, team))
    if not 1 <= weeks <= 26:
        raise DomainError(_("Plan between 1 and 26 weeks."), field="weeks")
    agents = list(team.agents.filter(active=True).order_by("display_name", "pk"))
    if len(agents) < 2:
        raise DomainError(_("A rotation needs at least two agents in the team."), field="team")
    first_week = monday_of(first_week)
    # After the last reviewer planned for the team (chosen or in turn): nobody twice in a row.
    last = (
        RotationWeek.objects.filter(team=team, week_start__lt=first_week)
        .order_by("-week_start", "-pk")
        .first()
    )
    ids = [agent.pk for agent in agents]
    offset = ids.index(last.reviewer_id) + 1 if last and last.reviewer_id in ids else 0
    return [
        rotation_week_plan(
            actor=actor,
            reviewer=agents[(offset + i) % len(agents)],
            week_start=first_week + timedelta(weeks=i),
            method=RotationMethod.ROUND_ROBIN,
            calls=calls,
        )
        for i in range(weeks)
    ]


@transaction.atomic
def peer_review_assign(*, actor: User, week: RotationWeek, evaluation: Evaluation) -> PeerReview:
    """Give the week's reviewer one more evaluated call of a peer to hear."""
    _refuse_unless(access.can_plan_for(actor, week.reviewer))
    if evaluation.status != EvaluationStatus.RELEASED:
        raise DomainError(_("Only evaluated calls are reviewed by peers."), field="evaluation")
    if evaluation.agent_id == week.reviewer_id:
        raise DomainError(_("A reviewer never reviews their own call."), field="evaluation")
    review, created = PeerReview.objects.get_or_create(
        week=week, evaluation=evaluation, defaults={"reviewed_id": evaluation.agent_id}
    )
    if not created:
        raise Conflict(_("This call is assigned for this week already."))
    audit_record(
        actor=actor,
        action="peer_review.assigned",
        target=review,
        data={"evaluation": evaluation.pk, "reviewer": week.reviewer.display_name},
    )
    return review


def _clean_ratings(ratings: dict) -> dict[str, int]:
    cleaned = {}
    for key, label in PEER_ITEMS:
        value = ratings.get(key)
        try:
            value = int(value)
        except (TypeError, ValueError):
            value = None
        if value is None or not 1 <= value <= PEER_RATING_MAX:
            raise DomainError(
                _("Rate %(item)s from 1 to %(max)s.") % {"item": label, "max": PEER_RATING_MAX},
                field="ratings",
            )
        cleaned[key] = value
    return cleaned


@transaction.atomic
def peer_review_submit(
    *, actor: User, review: PeerReview, ratings: dict, comment: str = ""
) -> PeerReview:
    """The reviewer rates the call on the peer scorecard; the reviewed agent is told."""
    _refuse_unless(access.is_reviewer(actor, review))
    cleaned = _clean_ratings(ratings)
    comment = comment.strip()
    if not comment:
        raise DomainError(_("Say in a few words what your colleague did well."), field="comment")
    changed = PeerReview.objects.filter(pk=review.pk, status=PeerReviewStatus.ASSIGNED).update(
        status=PeerReviewStatus.SUBMITTED,
        ratings=cleaned,
        comment=comment,
        submitted_at=timezone.now(),
    )
    if not changed:
        raise Conflict(_("This review is submitted already."))
    review.refresh_from_db()
    audit_record(
        actor=actor,
        action="peer_review.submitted",
        target=review,
        data={"ratings": cleaned, "reviewed": review.reviewed.display_name},
    )
    notify(
        recipients=[review.reviewed.user],
        text=lambda: _("A colleague reviewed one of your calls: read their feedback."),
        link=reverse("qa-peer-review", args=[review.pk]),
        kind="qa.peer_review",
    )
    return review
