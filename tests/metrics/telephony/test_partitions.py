"""Raw events partitioned by UTC day (PostgreSQL): the migration, the beat task, retention."""

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from agents.models import AuditEntry
from metrics.models import CallEvent, TelephonySource
from metrics.telephony import partitions
from metrics.telephony.tasks import raw_event_partitions
from tests.conftest import shared_data
from tests.metrics.telephony.test_events_api import call_events
from tests.metrics.telephony.test_import_follow import run

pytestmark = pytest.mark.django_db

BEFORE = ("metrics", "0022_merge_emergency_plans_and_recordings")
AFTER = ("metrics", "0023_raw_events_partitioned_by_day")


def _rows_by_partition() -> dict[str, int]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT tableoid::regclass::text, count(*) FROM metrics_callevent GROUP BY 1"
        )
        return dict(cursor.fetchall())


def _days_of_rows() -> dict[str, int]:
    """Rows per UTC day, named as the day's partition."""
    counts: dict[str, int] = {}
    for at in CallEvent.objects.values_list("at", flat=True):
        name = partitions.partition_name(at.astimezone(UTC).date())
        counts[name] = counts.get(name, 0) + 1
    return counts


def _key_columns(constraint: str) -> list[str]:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT a.attname FROM pg_constraint c "
            "CROSS JOIN LATERAL unnest(c.conkey) WITH ORDINALITY AS k(attnum, n) "
            "JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum "
            "WHERE c.conrelid = 'metrics_callevent'::regclass AND c.conname = %s ORDER BY k.n",
            [constraint],
        )
        return [r[0] for r in cursor.fetchall()]


def test_after_migrate_the_raw_events_are_partitioned_by_utc_day():
    assert partitions.is_partitioned()
    today = datetime.now(UTC).date()
    days = partitions.day_partitions()
    assert today in days
    with connection.cursor() as cursor:
        cursor.execute("SELECT to_regclass('metrics_callevent_default') IS NOT NULL")
        assert cursor.fetchone()[0]
    assert _key_columns("metrics_callevent_pkey") == ["id", "at"]
    assert _key_columns("callevent_once") == ["source_id", "natural_key", "at"]


def _two_day_log(tmp_path) -> str:
    """The FreePBX log, then the same lines two days later."""
    lines = shared_data("asterisk/freepbx-2010-queue_log").read_text().splitlines()
    shifted = []
    for line in lines:
        ts, _, rest = line.partition("|")
        if ts.isdigit():
            shifted.append(f"{int(ts) + 2 * 86400}|{rest}")
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines + shifted) + "\n")
    return str(path)


def test_a_file_import_lands_in_default_then_the_task_gives_each_day_its_partition(tmp_path):
    path = _two_day_log(tmp_path)
    run("import_queue_log", path, "--source", "pbx")
    stored = CallEvent.objects.count()
    assert stored > 278
    # 2010 is far outside the days created ahead: every line is kept, in DEFAULT.
    assert _rows_by_partition() == {"metrics_callevent_default": stored}
    expected = _days_of_rows()
    assert len(expected) == 2

    result = raw_event_partitions()

    assert _rows_by_partition() == expected
    assert result["moved"] == stored
    assert set(expected) <= {partitions.partition_name(d) for d in partitions.day_partitions()}
    # The same lines again count once: they are found in their day's partition.
    out = run("import_queue_log", path, "--source", "pbx", "--from-start")
    assert CallEvent.objects.count() == stored, out
    # A second source's import of the same file now lands in the days' partitions directly.
    run("import_queue_log", path, "--source", "pbx2")
    assert _rows_by_partition() == {name: 2 * n for name, n in expected.items()}


def test_a_line_stored_twice_is_refused_by_the_constraint_across_partitions():
    source = TelephonySource.objects.create(name="pbx", kind="queue_log_file", site="main")
    at = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
    CallEvent.objects.create(source=source, natural_key="k", at=at, event="ENTERQUEUE")
    raw_event_partitions()
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CallEvent.objects.create(source=source, natural_key="k", at=at, event="ENTERQUEUE")
    assert CallEvent.objects.count() == 1


def test_a_json_event_sent_again_at_another_time_is_still_a_duplicate(pbx, post_events):
    events = call_events()
    assert post_events(events).json()["accepted"] == 3
    later = [dict(e, at=e["at"].replace("2026-03-02", "2026-03-05")) for e in events]
    body = post_events(later).json()
    assert (body["accepted"], body["duplicates"]) == (0, 3)
    raw_event_partitions()
    # Now in the partition of 2 March; 5 March has its own partition: still found.
    assert _rows_by_partition() == {"metrics_callevent_p20260302": 3}
    assert partitions.partition_create(day=date(2026, 3, 5)) == 0
    body = post_events(later).json()
    assert (body["accepted"], body["duplicates"]) == (0, 3)
    assert CallEvent.objects.count() == 3


def test_retention_drops_exactly_the_old_days_whole_and_audits_them(settings):
    source = TelephonySource.objects.create(name="pbx", kind="http_json", site="main")
    today = datetime.now(UTC).date()
    for back in range(6):
        day = today - timedelta(days=back)
        at = datetime(day.year, day.month, day.day, 12, tzinfo=UTC)
        for n in range(back + 1):
            CallEvent.objects.create(source=source, natural_key=f"{back}-{n}", at=at, event="x")
    raw_event_partitions()  # no retention: nothing dropped
    assert CallEvent.objects.count() == 21
    settings.CALLFLOOR_RAW_EVENT_RETENTION_DAYS = 3

    result = raw_event_partitions()

    dropped = [today - timedelta(days=4), today - timedelta(days=5)]
    assert sorted(result["dropped"]) == sorted(d.isoformat() for d in dropped)
    days = partitions.day_partitions()
    assert not set(dropped) & set(days)
    for back in range(4):
        assert today - timedelta(days=back) in days
    assert today + timedelta(days=settings.CALLFLOOR_RAW_EVENT_PARTITIONS_AHEAD_DAYS) in days
    assert CallEvent.objects.count() == 1 + 2 + 3 + 4
    audits = AuditEntry.objects.filter(action="raw_events.partition_dropped")
    assert {a.object_id: a.data["rows"] for a in audits} == {
        partitions.partition_name(today - timedelta(days=4)): 5,
        partitions.partition_name(today - timedelta(days=5)): 6,
    }


def test_the_migration_converts_a_table_with_rows_and_keeps_the_sequence():
    source = TelephonySource.objects.create(name="pbx", kind="http_json", site="main")
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    assert not partitions.is_partitioned()
    assert _key_columns("callevent_once") == ["source_id", "natural_key"]
    days = [datetime(2025, 1, 1, 23, 59, 59, tzinfo=UTC), datetime(2025, 1, 2, tzinfo=UTC)]
    with connection.cursor() as cursor:
        for n, at in enumerate(days * 2):
            cursor.execute(
                "INSERT INTO metrics_callevent (source_id, natural_key, at, ordinal, call_id, "
                "queue_name, member, event, data, received_at) "
                "VALUES (%s, %s, %s, 0, '', '', '', 'x', '[]', now()) RETURNING id",
                [source.pk, f"k{n}", at],
            )
        last_id = cursor.fetchone()[0]

    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate([AFTER])

    assert partitions.is_partitioned()
    assert _rows_by_partition() == {
        "metrics_callevent_p20250101": 2,
        "metrics_callevent_p20250102": 2,
    }
    made = CallEvent.objects.create(
        source=source, natural_key="new", at=datetime.now(UTC), event="x"
    )
    assert made.pk == last_id + 1

    # And back: a plain table with the same rows and the old constraint.
    executor = MigrationExecutor(connection)
    executor.migrate([BEFORE])
    assert not partitions.is_partitioned()
    assert CallEvent.objects.count() == 5
    assert _key_columns("callevent_once") == ["source_id", "natural_key"]
    executor = MigrationExecutor(connection)
    executor.migrate([AFTER])
    assert partitions.is_partitioned()
    assert CallEvent.objects.order_by("-id").first().pk == last_id + 1


def test_an_event_of_a_day_past_the_retention_is_refused(settings, pbx, post_events):
    settings.CALLFLOOR_RAW_EVENT_RETENTION_DAYS = 3
    today = datetime.now(UTC).date()

    def event(key: str, day: date) -> dict:
        return {
            "id": key,
            "type": "call_queued",
            "at": f"{day.isoformat()}T00:00:01Z",
            "call_id": key,
            "queue": "billing",
        }

    body = post_events(
        [event("kept", today - timedelta(days=3)), event("dropped", today - timedelta(days=4))]
    ).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected"]
    assert "outside the accepted window" in body["results"][1]["reason"]
    assert list(CallEvent.objects.values_list("natural_key", flat=True)) == ["kept"]


def test_the_partition_task_is_on_the_beat_schedule(settings):
    from callfloor.celery import app

    entry = settings.CELERY_BEAT_SCHEDULE["metrics-raw-event-partitions"]
    assert entry["task"] == raw_event_partitions.name
    assert entry["task"] in app.tasks
    # Hourly, so a day's partition exists long before the day starts (7 days ahead).
    assert entry["schedule"] <= 3600 and entry["options"]["expires"] < entry["schedule"]
