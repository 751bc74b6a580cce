"""Telephony sources gone silent, on the wall board's alert panel (registered in
`MetricsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.utils.translation import gettext as _

from metrics.models import TelephonySource


def source_silent_s() -> float:
    """After how many seconds without an event an active source counts as silent
    (`CALLFLOOR_SOURCE_SILENT_S`)."""
    return float(getattr(settings, "CALLFLOOR_SOURCE_SILENT_S", 300))


def source_silent_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One alert per active source of `site` whose newest event is older than the limit.

    `events_until` is the time of the newest raw event the source delivered (raised by every
    ingestion); a source that never sent an event is not live yet and an inactive one is not
    expected to send, so neither is silent. One query; the alert clears with the source's next
    event (ingestion tells the board) or when an admin deactivates it.
    """
    limit = source_silent_s()
    rows = TelephonySource.objects.filter(
        site=site, active=True, events_until__lt=now - timedelta(seconds=limit)
    ).values_list("pk", "name", "events_until")
    alerts = []
    for pk, name, until in rows:
        silent = (now - until).total_seconds()
        alerts.append(
            {
                "key": f"source_silent:{pk}",
                "kind": "source_silent",
                "severity": "red",
                "text": _("Telephony source %(name)s: no event for %(min)d min")
                % {"name": name, "min": silent // 60},
                "since": round(until.timestamp(), 3),
                "figure": round(silent, 1),
                "limit": limit,
                "subject_name": name,
            }
        )
    return alerts
