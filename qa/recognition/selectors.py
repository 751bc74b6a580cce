"""The monthly recognition: the most featured calls, confirmed peer nominations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from agents.access import has_role
from agents.models import Agent
from agents.roles import Role
from callfloor.zone import site_zone
from metrics.board.snapshot import default_site
from qa.models import GreatCall, NominationStatus
from qa.quizzes.selectors import Improvement, most_improved
from qa.recognition.models import PeerNomination, PeerNominationStatus


def month_from(raw: str | None) -> date:
    """`?month=2026-12`; this month when absent or malformed."""
    try:
        return date.fromisoformat(f"{raw}-01")
    except (TypeError, ValueError):
        return timezone.localtime(timezone.now(), site_zone()).date().replace(day=1)


def month_bounds(month: date) -> tuple[datetime, datetime]:
    """[first instant, first instant of next month) of `month` in the site's zone."""
    first = month.replace(day=1)
    following = (first.replace(day=28) + timedelta(days=4)).replace(day=1)
    zone = site_zone()
    return (
        timezone.make_aware(datetime.combine(first, time.min), zone),
        timezone.make_aware(datetime.combine(following, time.min), zone),
    )


@dataclass
class Recognition:
    month: date
    most_featured: list[Agent] = field(default_factory=list)  # with .featured_count
    featured_calls: list[GreatCall] = field(default_factory=list)
    confirmed: list[PeerNomination] = field(default_factory=list)
    pending: list[PeerNomination] = field(default_factory=list)
    # The monthly tests' best improvement on the month before.
    improved: list[Improvement] = field(default_factory=list)


def recognition_of_month(*, month: date, user) -> Recognition:
    start, end = month_bounds(month)
    in_month = Q(
        great_calls__status=NominationStatus.FEATURED,
        great_calls__featured_at__gte=start,
        great_calls__featured_at__lt=end,
    )
    most = (
        Agent.objects.annotate(featured_count=Count("great_calls", filter=in_month))
        .filter(featured_count__gt=0)
        .order_by("-featured_count", "display_name")[:10]
    )
    calls = GreatCall.objects.filter(
        status=NominationStatus.FEATURED, featured_at__gte=start, featured_at__lt=end
    ).select_related("agent", "nominated_by")
    nominations = PeerNomination.objects.filter(month=month.replace(day=1)).select_related(
        "nominee", "nominated_by", "confirmed_by"
    )
    pending = []
    if has_role(user, Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN):
        # A team lead sees (and confirms) their own teams' nominations.
        pending_qs = nominations.filter(status=PeerNominationStatus.NOMINATED)
        if not has_role(user, Role.SUPERVISOR, Role.ADMIN):
            pending_qs = pending_qs.filter(nominee__team__lead=user)
        pending = list(pending_qs)
    return Recognition(
        month=month.replace(day=1),
        most_featured=list(most),
        featured_calls=list(calls),
        confirmed=list(nominations.filter(status=PeerNominationStatus.CONFIRMED)),
        pending=pending,
        improved=most_improved(site=default_site(), month=month.replace(day=1)),
    )
