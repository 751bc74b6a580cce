"""Complaints on the wall board's alert panel (registered in `ComplaintsConfig.ready`): live
escalations, and cases whose escalation is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext as _

from qa.complaints import timers
from qa.complaints.access import TAKEOVER_ROLES
from qa.complaints.models import (
    RESOLVING_STATUSES,
    Complaint,
    LiveStatus,
    Status,
    reason_beyond_ask,
)
from qa.complaints.selectors import live_escalation_alert, live_escalations_open


def live_escalation_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One red alert per live escalation still waiting for a supervisor (one query).

    A taken or closed escalation drops off the panel; the services send `floor_changed` after
    each transition, so the board follows at once.
    """
    link = reverse("complaint-escalations")
    alerts = []
    for live in live_escalations_open(site).filter(status=LiveStatus.OPEN):
        row = live_escalation_alert(live, link=link)
        # Without an agent, the alert names who raised it.
        who = row["agent"] if row["agent"] is not None else live.raised_by.get_username()
        queue = row["queue"] if row["queue"] is not None else ""
        in_queue = f" ({queue})" if row["queue"] is not None else ""
        reason = reason_beyond_ask(row["reason"])  # "" when it only repeats the ask
        alerts.append(
            {
                "key": f"live_escalation:{live.pk}",
                "kind": "live_escalation",
                "severity": "red",
                # Every board gets the same alert: each writes it in its own language from
                # the kind and params; the text stays for anything that does not know it.
                "text": f"{who}{in_queue}: customer asks for a supervisor"
                + (f" — {reason}" if reason else ""),
                "params": {"who": who, "queue": queue, "reason": reason},
                "since": round(live.raised_at.timestamp(), 3),
                "agent": f"a{live.agent_id}" if live.agent_id else None,
                "team_id": live.agent.team_id if live.agent else None,
                "live_id": live.pk,
                "link": row["link"],
                "action": reverse("api-live-escalation-take", args=[live.pk]),
                "action_roles": list(TAKEOVER_ROLES),
            }
        )
    return alerts


def complaint_due_minutes() -> float:
    """How long before its escalation a case shows on the board (`CALLFLOOR_COMPLAINT_DUE_MIN`)."""
    return float(getattr(settings, "CALLFLOOR_COMPLAINT_DUE_MIN", 30))


def complaint_site_filter(site: str) -> Q:
    """A case belongs to the site of its queue; a case without a queue to the default site."""
    from metrics.board.snapshot import default_site

    own = Q(queue__site=site)
    return own | Q(queue__isnull=True) if site == default_site() else own


def complaint_due_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One alert per open case whose next escalation is due within the window or has passed.

    The deadlines are the ones the timers worked out and stored (`ack_due_at`, `resolve_due_at`,
    business hours and pauses counted; a paused case has none); one query on those indexed
    fields. The alert clears when the case is acknowledged, resolved, paused, closed or
    escalated (its breach recorded by `complaint_check_timers`). It names the case by its
    reference only: no customer details.
    """
    horizon = now + timedelta(minutes=complaint_due_minutes())
    ack_due = Q(status=Status.NEW, ack_breached_at__isnull=True, ack_due_at__lte=horizon)
    resolve_due = Q(
        status__in=RESOLVING_STATUSES,
        resolve_breached_at__isnull=True,
        resolve_due_at__lte=horizon,
    )
    rows = (
        Complaint.objects.filter(complaint_site_filter(site))
        .filter(ack_due | resolve_due)
        .values(
            "pk",
            "severity",
            "tier",
            "status",
            "ack_due_at",
            "ack_breached_at",
            "resolve_due_at",
            "resolve_breached_at",
            "queue_id",
            "queue__name",
            "team_id",
            "team__name",
            "agent_id",
        )
    )
    alerts = []
    for row in rows:
        dues = []
        if row["status"] == Status.NEW and row["ack_breached_at"] is None and row["ack_due_at"]:
            dues.append((row["ack_due_at"], "acknowledge"))
        if (
            row["status"] in RESOLVING_STATUSES
            and row["resolve_breached_at"] is None
            and row["resolve_due_at"]
        ):
            dues.append((row["resolve_due_at"], "resolve"))
        due, timer = min(d for d in dues if d[0] <= horizon)
        left = (due - now).total_seconds()
        reference = f"C-{row['pk']:06d}"
        if left >= 0:
            text = _("%(ref)s: escalation due in %(left)s (time to %(timer)s)")
        else:
            text = _("%(ref)s: escalation overdue by %(left)s (time to %(timer)s)")
        alerts.append(
            {
                # Stable while the same deadline stands: a reopened case's new timer is new.
                "key": f"complaint_due:{row['pk']}:{timer}:{due.timestamp():.0f}",
                "kind": "complaint_due",
                "severity": "red" if left < 0 else "amber",
                "text": text
                % {
                    "ref": reference,
                    "left": timers.format_duration(abs(left)),
                    "timer": _("acknowledge") if timer == "acknowledge" else _("resolve"),
                },
                # For each board to word it in its own language: the time left (or overdue)
                # in whole minutes, as the text counts it, and the timer's code.
                "params": {
                    "ref": reference,
                    "minutes": int(abs(left)) // 60,
                    "overdue": left < 0,
                    "timer": timer,
                },
                "since": None,
                "figure": round(left, 1),
                "limit": complaint_due_minutes() * 60,
                "subject_name": reference,
                "queue_id": row["queue_id"],
                "queue": row["queue__name"] or "",
                "team_id": row["team_id"],
                "team": row["team__name"] or "",
                "agent": f"a{row['agent_id']}" if row["agent_id"] else None,
                "link": reverse("complaint-detail", args=[row["pk"]]),
            }
        )
    return alerts
