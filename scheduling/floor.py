"""Scheduling on the wall board (registered in `SchedulingConfig.ready`): "required now" on the
queue tiles, and handovers not acknowledged by their deadline on the alert panel."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from callfloor.zone import site_zone
from scheduling.forecast import bucket


def _key(queue, now: datetime) -> str:
    start = bucket(timezone.localtime(now, site_zone()), queue.interval_minutes)
    return f"scheduling:required-now:{queue.pk}:{queue.interval_minutes}:{start.isoformat()}"


def required_now_tiles(*, site: str, queues, now: datetime) -> dict[int, dict]:
    """Per queue, the agents the current interval's forecast needs (Erlang C).

    The forecast changes only with the interval, so each queue's figure is worked out once per
    interval and cached; a snapshot then costs one cache read, however many queues.
    """
    from scheduling.selectors import staffing_now

    keys = {queue.pk: _key(queue, now) for queue in queues}
    cached = cache.get_many(list(keys.values()))
    out = {}
    for queue in queues:
        key = keys[queue.pk]
        if key not in cached:
            try:
                required = staffing_now(queue=queue, now=now)["required"]
            except ValueError:  # a target Erlang C cannot reach (100 %)
                required = None
            cache.set(key, required, timeout=queue.interval_minutes * 60)
            cached[key] = required
        out[queue.pk] = {"required_now": cached[key]}
    return out


def handover_site_filter(site: str) -> Q:
    """A handover belongs to the sites its team works queues at; a handover without a team, or
    whose team works no queue, to the default site."""
    from metrics.board.snapshot import default_site
    from metrics.models import Queue

    own = Q(Exists(Queue.objects.filter(site=site, teams=OuterRef("team_id"))))
    if site != default_site():
        return own
    anywhere = Exists(Queue.objects.filter(teams=OuterRef("team_id")))
    return own | Q(team__isnull=True) | ~anywhere


def handover_unacknowledged_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One alert per handover sent and not acknowledged by its deadline (`ack_due_at`).

    One query on the (status, ack_due_at) index; the alert clears when the incoming lead
    acknowledges it (the service tells the board at once). Names the shift, the team and the
    lead it waits for: never the customer cases it carries.
    """
    from scheduling.models import Handover, HandoverStatus

    rows = (
        Handover.objects.filter(status=HandoverStatus.SENT, ack_due_at__lte=now)
        .filter(handover_site_filter(site))
        .select_related("to_lead", "team")
        .order_by("ack_due_at", "pk")
    )
    alerts = []
    for handover in rows:
        lead = handover.to_lead.get_full_name() or handover.to_lead.get_username()
        shift = f"{handover.shift_date:%Y-%m-%d} {handover.shift_name}"
        due = timezone.localtime(handover.ack_due_at, site_zone())
        alerts.append(
            {
                "key": f"handover_unacknowledged:{handover.pk}",
                "kind": "handover_unacknowledged",
                "severity": "amber",
                "text": _("Handover %(shift)s to %(lead)s not acknowledged (due %(due)s)")
                % {"shift": shift, "lead": lead, "due": f"{due:%H:%M}"},
                "since": round(handover.ack_due_at.timestamp(), 3),
                "figure": round((now - handover.ack_due_at).total_seconds(), 1),
                "limit": 0.0,
                "subject_name": shift,
                "team_id": handover.team_id,
                "team": handover.team.name if handover.team else "",
                "link": reverse("handover-detail", args=[handover.pk]),
            }
        )
    return alerts
