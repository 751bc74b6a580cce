"""Telephony sources gone silent, on the wall board's alert panel (registered in
`MetricsConfig.ready`)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from metrics.models import TelephonySource


def _utc(value) -> datetime:
    """A timestamp read by plain SQL: PostgreSQL gives aware datetimes, SQLite a naive UTC
    one (or its text)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


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
    # Plain SQL: this runs on every push of a telephony batch, where the ORM's query building
    # costs more than the query.
    ops = connection.ops
    table = ops.quote_name(TelephonySource._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, name, events_until FROM {table} "  # noqa: S608
            "WHERE site = %s AND active AND events_until < %s",
            [site, ops.adapt_datetimefield_value(now - timedelta(seconds=limit))],
        )
        rows = cursor.fetchall()
    alerts = []
    for pk, name, value in rows:
        until = _utc(value)
        silent = (now - until).total_seconds()
        minutes = int(silent // 60)
        alerts.append(
            {
                "key": f"source_silent:{pk}",
                "kind": "source_silent",
                "severity": "red",
                "text": _("Telephony source %(name)s: no event for %(min)d min")
                % {"name": name, "min": minutes},
                # For each board to word it in its own language.
                "params": {"name": name, "minutes": minutes},
                "since": round(until.timestamp(), 3),
                "figure": round(silent, 1),
                "limit": limit,
                "subject_name": name,
            }
        )
    return alerts
