"""Raw telephony events (`CallEvent`) partitioned by day (PostgreSQL).

On PostgreSQL `metrics_callevent` is a partitioned table, RANGE on `at`, one partition per UTC
day (`metrics_callevent_pYYYYMMDD`) and a DEFAULT partition (`metrics_callevent_default`), so
that no event is ever refused for lack of a partition. Days are UTC days: the database stores
UTC, sources of one installation may sit in different zones, and a UTC day is always 24 hours
(a zone's day is 23 or 25 hours on its clock-change days).

The beat task `metrics.raw_event_partitions` (`partitions_maintain`) creates the partitions of
today and the next `CALLFLOOR_RAW_EVENT_PARTITIONS_AHEAD_DAYS` days, gives every day that has
rows in the DEFAULT partition its own partition (moving the rows), and, when
`CALLFLOOR_RAW_EVENT_RETENTION_DAYS` is set, detaches and drops the partitions of the days
older than that, whole (never row by row), writing an audit row per partition dropped.

On SQLite (the embedded demo) the table is a plain table and every function here does nothing.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.db import connection, transaction

logger = logging.getLogger(__name__)

TABLE = "metrics_callevent"
DEFAULT = f"{TABLE}_default"
_DAY_NAME = re.compile(rf"^{TABLE}_p(\d{{8}})$")
# A partition's creation takes the table's lock: wait at most this long for ingestion's
# transactions to finish (the next beat tries again), never hold up ingestion longer.
LOCK_TIMEOUT = "10s"


@dataclass
class Maintenance:
    """What one run of `partitions_maintain` did."""

    created: list[date] = field(default_factory=list)
    moved: dict[date, int] = field(default_factory=dict)  # rows moved out of DEFAULT, per day
    dropped: dict[date, int] = field(default_factory=dict)  # rows dropped, per day


def partition_name(day: date) -> str:
    return f"{TABLE}_p{day:%Y%m%d}"


def _bounds(day: date) -> tuple[datetime, datetime]:
    start = datetime(day.year, day.month, day.day, tzinfo=UTC)
    return start, start + timedelta(days=1)


def is_partitioned() -> bool:
    """Whether the raw events live in a partitioned table (PostgreSQL, after the migration)."""
    if connection.vendor != "postgresql":
        return False
    with connection.cursor() as cursor:
        cursor.execute("SELECT relkind FROM pg_class WHERE oid = to_regclass(%s)", [TABLE])
        row = cursor.fetchone()
    return bool(row) and row[0] == "p"


def day_partitions() -> dict[date, str]:
    """The day partitions that exist, by day."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
            "WHERE i.inhparent = to_regclass(%s)",
            [TABLE],
        )
        names = [r[0] for r in cursor.fetchall()]
    days = {}
    for name in names:
        match = _DAY_NAME.match(name)
        if match:
            days[datetime.strptime(match.group(1), "%Y%m%d").date()] = name
    return days


def default_days() -> list[date]:
    """The UTC days of the rows held by the DEFAULT partition."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT DISTINCT (at AT TIME ZONE 'UTC')::date FROM {DEFAULT} ORDER BY 1"  # noqa: S608
        )
        return [r[0] for r in cursor.fetchall()]


def partition_create(*, day: date) -> int:
    """Create the partition of a UTC day (if missing), moving that day's rows out of the
    DEFAULT partition into it; return the rows moved.

    PostgreSQL refuses a new partition while the DEFAULT one holds rows of its range, so in
    one transaction, with the table locked against writes: the day's rows are taken out of
    DEFAULT, the partition is created, and the rows go back in through the table.
    """
    name = partition_name(day)
    start, end = _bounds(day)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute("SELECT to_regclass(%s) IS NOT NULL", [name])
        if cursor.fetchone()[0]:
            return 0
        cursor.execute(
            f"CREATE TEMPORARY TABLE callevent_moving (LIKE {TABLE}) ON COMMIT DROP; "  # noqa: S608
            f"WITH moved AS (DELETE FROM {DEFAULT} WHERE at >= %s AND at < %s RETURNING *) "
            "INSERT INTO callevent_moving SELECT * FROM moved",
            [start, end],
        )
        moved = cursor.rowcount
        cursor.execute(
            f"CREATE TABLE {name} PARTITION OF {TABLE} FOR VALUES FROM (%s) TO (%s)",
            [start, end],
        )
        if moved:
            cursor.execute(f"INSERT INTO {TABLE} SELECT * FROM callevent_moving")  # noqa: S608
        cursor.execute("DROP TABLE callevent_moving")
    logger.info("raw events: partition %s created (%d rows moved from DEFAULT)", name, moved)
    return moved


def partition_drop(*, day: date) -> int:
    """Detach and drop the partition of a UTC day; return the rows it held. Audited."""
    from agents.models import AuditEntry

    name = partition_name(day)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"SET LOCAL lock_timeout = '{LOCK_TIMEOUT}'")
        cursor.execute(f"SELECT count(*) FROM {name}")  # noqa: S608
        rows = cursor.fetchone()[0]
        cursor.execute(f"ALTER TABLE {TABLE} DETACH PARTITION {name}")
        cursor.execute(f"DROP TABLE {name}")
        AuditEntry.objects.create(
            actor=None,
            action="raw_events.partition_dropped",
            object_type="metrics.callevent",
            object_id=name,
            data={"day": day.isoformat(), "rows": rows},
        )
    logger.warning("raw events: partition %s dropped by retention (%d rows)", name, rows)
    return rows


def partitions_maintain(
    *, today: date | None = None, ahead_days: int, retention_days: int
) -> Maintenance:
    """Partitions for today and `ahead_days` days after it; the DEFAULT partition's rows moved
    to partitions of their days; with `retention_days` > 0, the partitions of the days before
    today − `retention_days` dropped (whole). Nothing on a table that is not partitioned."""
    done = Maintenance()
    if not is_partitioned():
        return done
    today = today or datetime.now(UTC).date()
    existing = day_partitions()
    wanted = [today + timedelta(days=n) for n in range(ahead_days + 1)]
    for day in sorted(set(wanted) | set(default_days())):
        if day in existing:
            continue
        moved = partition_create(day=day)
        done.created.append(day)
        if moved:
            done.moved[day] = moved
    if retention_days > 0:
        cutoff = today - timedelta(days=retention_days)
        for day, _name in sorted(day_partitions().items()):
            if day < cutoff:
                done.dropped[day] = partition_drop(day=day)
    return done
