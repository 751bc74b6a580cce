"""Reads of emergency plans: the board's entries, step times, the drills of a quarter."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from callfloor.history import person
from callfloor.zone import site_zone
from metrics.emergency.models import (
    Activation,
    ActivationStatus,
    ActivationStep,
    DrillAttendance,
    MoveAction,
)

# Scheduled drills show on the board from this long before they are due.
UPCOMING_SHOWN = timedelta(days=7)


def step_label(step) -> str:
    """What a step says: its text, and the move it makes (in the reader's language)."""
    if not step.move:
        return step.text
    values = {"agent": str(step.agent), "queue": str(step.queue)}
    if step.move == MoveAction.ADD:
        move = _("Add %(agent)s to the queue %(queue)s") % values
    else:
        move = _("Take %(agent)s off the queue %(queue)s") % values
    return f"{step.text} — {move}" if step.text else move


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 3)


def _steps() -> Prefetch:
    return Prefetch(
        "steps",
        queryset=ActivationStep.objects.select_related("done_by", "agent", "queue").order_by(
            "position", "id"
        ),
    )


def board_activations(*, site: str, now: datetime) -> QuerySet[Activation]:
    """The live activations of `site` and the drills scheduled within `UPCOMING_SHOWN`."""
    from django.db.models import Q

    return (
        Activation.objects.filter(
            Q(status=ActivationStatus.LIVE)
            | Q(status=ActivationStatus.SCHEDULED, scheduled_for__lte=now + UPCOMING_SHOWN),
            site=site,
        )
        .select_related("plan", "started_by")
        .prefetch_related(_steps())
        .order_by("status", "scheduled_for", "started_at", "id")
    )


def board_entries(*, site: str, now: datetime) -> dict[str, dict]:
    """The board's `emergencies` section: each live activation with its checklist, and the
    upcoming drills (a fixed number of queries)."""
    entries = {}
    for activation in board_activations(site=site, now=now):
        key = f"e{activation.pk}"
        entries[key] = {
            "key": key,
            "id": activation.pk,
            "plan_id": activation.plan_id,
            "title": activation.plan.title,
            "drill": activation.drill,
            "status": activation.status,
            "scheduled_for": _ts(activation.scheduled_for),
            "started_at": _ts(activation.started_at),
            "started_by": person(activation.started_by) if activation.started_by else "",
            "link": f"/floor/emergency/activations/{activation.pk}/",
            "steps": [
                {
                    "id": step.pk,
                    "position": step.position,
                    # A move is sent as its parts: each board words it in its own language.
                    "text": step.text,
                    "move": step.move,
                    "agent": str(step.agent) if step.agent_id else "",
                    "queue": str(step.queue) if step.queue_id else "",
                    "done_at": _ts(step.done_at),
                    "done_by": person(step.done_by) if step.done_by else "",
                }
                for step in activation.steps.all()
            ],
        }
    return entries


@dataclass(frozen=True)
class StepTime:
    step: ActivationStep
    label: str
    seconds: float | None  # from the previous tick (or the start) to this one

    @property
    def who(self) -> str:
        return person(self.step.done_by) if self.step.done_by_id else ""


def step_times(activation: Activation) -> list[StepTime]:
    """Each step with the time it took: from the start, or the tick before it, to its tick."""
    times = []
    previous = activation.started_at
    steps = sorted(activation.steps.all(), key=lambda s: (s.position, s.pk))
    ticks = sorted(s.done_at for s in steps if s.done_at is not None)
    for step in steps:
        seconds = None
        if step.done_at is not None and previous is not None:
            before = [t for t in ticks if t < step.done_at]
            start = max(before[-1], previous) if before else previous
            seconds = max(0.0, (step.done_at - start).total_seconds())
        times.append(StepTime(step=step, label=step_label(step), seconds=seconds))
    return times


def quarter_bounds(year: int, quarter: int) -> tuple[datetime, datetime]:
    """The quarter's first moment and the next quarter's, in the site's zone."""
    zone = site_zone()
    first = date(year, 3 * (quarter - 1) + 1, 1)
    following = date(year + (quarter == 4), (3 * quarter) % 12 + 1, 1)
    return (
        datetime.combine(first, datetime.min.time(), tzinfo=zone),
        datetime.combine(following, datetime.min.time(), tzinfo=zone),
    )


def current_quarter(now: datetime | None = None) -> tuple[int, int]:
    today = timezone.localdate(now or timezone.now(), timezone=site_zone())
    return today.year, (today.month - 1) // 3 + 1


def quarter_drills(*, year: int, quarter: int, site: str | None = None) -> list[Activation]:
    """The drills started in the quarter (live or closed), oldest first, with their steps
    and attendance."""
    start, end = quarter_bounds(year, quarter)
    drills = Activation.objects.filter(
        drill=True,
        status__in=[ActivationStatus.LIVE, ActivationStatus.CLOSED],
        started_at__gte=start,
        started_at__lt=end,
    )
    if site:
        drills = drills.filter(site=site)
    return list(
        drills.select_related("plan", "started_by", "closed_by")
        .prefetch_related(
            _steps(),
            Prefetch(
                "attendance",
                queryset=DrillAttendance.objects.select_related("person").order_by(
                    "person__last_name", "person__first_name", "person__username"
                ),
            ),
        )
        .order_by("started_at", "id")
    )


def activation_detail(pk: int) -> Activation:
    return (
        Activation.objects.select_related("plan", "started_by", "closed_by", "scheduled_by")
        .prefetch_related(
            _steps(),
            Prefetch("attendance", queryset=DrillAttendance.objects.select_related("person")),
        )
        .get(pk=pk)
    )


def activation_timeline(activation: Activation):
    """The activation's timeline: its audit rows as sentences, oldest first."""
    from agents.models import AuditEntry
    from callfloor.history import history_lines

    rows = AuditEntry.objects.filter(
        object_type=Activation._meta.label_lower, object_id=str(activation.pk)
    ).select_related("actor")
    return history_lines(rows.order_by("at", "id"))


def emergency_config(user) -> dict:
    """What the board's emergency panel needs: the plans this person may start, and whether
    they tick steps."""
    from agents.access import has_role
    from metrics.emergency.access import ACTIVATORS, STEP_TICKERS
    from metrics.emergency.models import EmergencyPlan

    can_start = has_role(user, *ACTIVATORS)
    plans = EmergencyPlan.objects.filter(active=True).order_by("title") if can_start else []
    return {
        "emergency_plans": [
            {
                "id": plan.pk,
                "title": plan.title,
                "trigger": plan.get_trigger_display(),
                "broadcast_text": plan.broadcast_text,
            }
            for plan in plans
        ],
        "can_start_plans": can_start,
        "can_tick_steps": has_role(user, *STEP_TICKERS),
    }
