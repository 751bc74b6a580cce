"""Reads for complaints: visible cases, their timers, the business calendar, live escalations."""

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import TypedDict

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone

from agents.access import agent_of, has_role
from agents.models import AuditEntry
from agents.roles import Role
from metrics.models import QueueCall
from qa.complaints import access, timers
from qa.complaints.models import (
    OPEN_STATUSES,
    CentreManager,
    ClosedDay,
    Complaint,
    LiveEscalation,
    LiveStatus,
    OpeningHours,
    ServiceLevelPolicy,
    Severity,
    Status,
)

# Minutes to acknowledge, minutes to resolve, counted in business hours?
DEFAULT_POLICIES = {
    Severity.LOW: (8 * 60, 5 * 9 * 60, True),
    Severity.NORMAL: (4 * 60, 3 * 9 * 60, True),
    Severity.HIGH: (60, 9 * 60, True),
    Severity.CRITICAL: (30, 8 * 60, False),
}
DEFAULT_OPENING = (time(9), time(18))  # Monday–Friday, when no opening hours are set


@dataclass(frozen=True)
class Policy:
    acknowledge_s: int
    resolve_s: int
    business_hours: bool


def policy_for(severity: str) -> Policy:
    row = ServiceLevelPolicy.objects.filter(severity=severity).first()
    if row is not None:
        return Policy(row.acknowledge_minutes * 60, row.resolve_minutes * 60, row.business_hours)
    ack, resolve, business = DEFAULT_POLICIES[Severity(severity)]
    return Policy(ack * 60, resolve * 60, business)


def business_calendar() -> timers.Calendar:
    """The centre's opening hours (site zone), minus closed days."""
    hours: dict[int, list[tuple[int, int]]] = {}
    for row in OpeningHours.objects.all():
        hours.setdefault(row.weekday, []).append(
            (row.opens.hour * 60 + row.opens.minute, row.closes.hour * 60 + row.closes.minute)
        )
    closed = ClosedDay.objects.values_list("date", flat=True)
    zone = settings.CALLFLOOR_TIME_ZONE
    if not hours:
        return timers.Calendar.weekdays(zone, *DEFAULT_OPENING, closed_dates=closed)
    return timers.Calendar(
        zone=zone, hours={d: tuple(s) for d, s in hours.items()}, closed_dates=frozenset(closed)
    )


def calendar_for(complaint: Complaint, calendar: timers.Calendar | None = None):
    if not complaint.business_hours:
        return None
    return calendar or business_calendar()


def pauses_of(complaint: Complaint) -> list[timers.Pause]:
    return [(p.started_at, p.ended_at) for p in complaint.pauses.all()]


@dataclass(frozen=True)
class Timers:
    acknowledge: timers.TimerState
    resolve: timers.TimerState

    @property
    def worst(self) -> timers.TimerState:
        order = [
            timers.Level.RED,
            timers.Level.AMBER,
            timers.Level.PAUSED,
            timers.Level.GREEN,
            timers.Level.DONE,
        ]
        return min((self.acknowledge, self.resolve), key=lambda s: order.index(s.level))


def complaint_timers(
    complaint: Complaint, *, now: datetime | None = None, calendar: timers.Calendar | None = None
) -> Timers:
    now = now or timezone.now()
    cal = calendar_for(complaint, calendar)
    pauses = pauses_of(complaint)
    ack = timers.timer_state(
        start=complaint.created_at,
        budget_s=complaint.acknowledge_budget_s,
        now=now,
        calendar=cal,
        pauses=pauses,
        stopped_at=complaint.acknowledged_at,
    )
    resolve_stop = complaint.resolved_at or complaint.closed_at
    resolve = timers.timer_state(
        start=complaint.resolve_started_at,
        budget_s=complaint.resolve_budget_s,
        now=now,
        calendar=cal,
        pauses=pauses,
        stopped_at=resolve_stop,
    )
    return Timers(acknowledge=ack, resolve=resolve)


def complaint_list(
    *,
    user,
    status: str | None = None,
    tier: int | None = None,
    severity: str | None = None,
    mine: bool = False,
    open_only: bool = False,
) -> QuerySet[Complaint]:
    qs = access.filter_visible(
        Complaint.objects.select_related(
            "category", "owner", "team", "agent", "queue", "created_by", "root_cause"
        ).prefetch_related("pauses", "calls"),
        user,
    )
    if mine:
        own = Q(owner=user) | Q(created_by=user)
        agent = agent_of(user)
        if agent is not None:
            own |= Q(agent=agent)
        qs = qs.filter(own)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.filter(status__in=OPEN_STATUSES)
    if tier:
        qs = qs.filter(tier=tier)
    if severity:
        qs = qs.filter(severity=severity)
    return qs


def complaint_get(*, user, pk: int) -> Complaint:
    """A complaint the user may see (404 otherwise)."""
    qs = access.filter_visible(
        Complaint.objects.select_related(
            "category", "owner", "team__lead", "agent", "queue", "created_by", "root_cause"
        ),
        user,
    )
    return get_object_or_404(qs, pk=pk)


def complaint_history(complaint: Complaint) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(
            object_type=complaint._meta.label_lower, object_id=str(complaint.pk)
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def callbacks_in_round(complaint: Complaint):
    return complaint.callbacks.filter(round=complaint.round)


def calls_to_log_from(user, *, days: int = 3) -> QuerySet[QueueCall]:
    """The user's own recent calls (agents), or everybody's recent answered calls (staff)."""
    since = timezone.now() - timedelta(days=days)
    qs = QueueCall.objects.select_related("queue", "agent").filter(offered_at__gte=since)
    agent = agent_of(user)
    if has_role(user, Role.TEAM_LEAD, Role.SUPERVISOR):
        return qs.order_by("-offered_at")
    if agent is None:
        return qs.none()
    return qs.filter(agent=agent).order_by("-offered_at")


def centre_managers():
    return [row.user for row in CentreManager.objects.select_related("user") if row.user.is_active]


def least_loaded(users) -> object | None:
    """Of these users, the one owning the fewest open cases (then by user name)."""
    users = list(users)
    if not users:
        return None
    loads = dict(
        Complaint.objects.filter(owner__in=users, status__in=OPEN_STATUSES)
        .values("owner")
        .annotate(n=Count("id"))
        .values_list("owner", "n")
    )
    return min(users, key=lambda u: (loads.get(u.pk, 0), u.username))


def supervisors_on_floor():
    from django.contrib.auth import get_user_model

    managers = CentreManager.objects.values("user")
    return (
        get_user_model()
        .objects.filter(groups__name=Role.SUPERVISOR, is_active=True)
        .exclude(pk__in=managers)
        .distinct()
    )


def live_escalations_open(site: str | None = None) -> QuerySet[LiveEscalation]:
    """Live escalations not yet closed (waiting or taken over), oldest first."""
    qs = LiveEscalation.objects.filter(status__in=[LiveStatus.OPEN, LiveStatus.TAKEN])
    if site:
        qs = qs.filter(site=site)
    return qs.select_related("agent", "call__queue", "raised_by", "taken_by").order_by(
        "raised_at", "id"
    )


class LiveEscalationAlert(TypedDict):
    """One row of the wall board's alert panel."""

    id: int
    site: str
    agent: str | None
    queue: str | None
    reason: str
    raised_at: str  # ISO 8601, UTC
    status: str
    taken_by: str | None
    link: str


def live_escalation_alert(live: LiveEscalation, *, link: str) -> LiveEscalationAlert:
    """One live escalation as a plain, JSON-ready row (the wall board's alert is made from it,
    `qa.complaints.floor`); `link` is the escalations page, reversed once per list."""
    return LiveEscalationAlert(
        id=live.pk,
        site=live.site,
        agent=live.agent.display_name if live.agent else None,
        queue=live.call.queue.name if live.call else None,
        reason=live.reason,
        raised_at=live.raised_at.isoformat(),
        status=live.status,
        taken_by=live.taken_by.get_username() if live.taken_by else None,
        link=link,
    )


def live_escalation_alerts(site: str | None = None) -> list[LiveEscalationAlert]:
    """The live escalations not yet closed (waiting or taken over) as plain rows."""
    link = reverse("complaint-escalations")
    return [live_escalation_alert(live, link=link) for live in live_escalations_open(site)]


def escalations_recent(*, user, limit: int = 100):
    from qa.complaints.models import Escalation

    visible = access.filter_visible(Complaint.objects.all(), user).values("pk")
    return Escalation.objects.filter(complaint__in=visible).select_related(
        "complaint", "from_owner", "to_owner", "by"
    )[:limit]


def status_counts(*, user) -> dict[str, int]:
    qs = access.filter_visible(Complaint.objects.all(), user)
    counts = dict(qs.values("status").annotate(n=Count("id")).values_list("status", "n"))
    return {s.value: counts.get(s.value, 0) for s in Status}


def agent_report_complaints(*, agents, start: datetime, end: datetime) -> dict:
    """The agent report's complaint column: per agent, the cases logged in [start, end) that
    are linked to them (through their call); under the key None, the total over `agents`."""
    counts = dict(
        Complaint.objects.filter(agent__in=agents, created_at__gte=start, created_at__lt=end)
        .values("agent")
        .annotate(n=Count("id"))
        .values_list("agent", "n")
    )
    figures = {agent.pk: {"complaints": counts.get(agent.pk, 0)} for agent in agents}
    figures[None] = {"complaints": sum(counts.values())}
    return figures
