"""Raw events (`metrics_callevent`) partitioned by UTC day on PostgreSQL.

PostgreSQL requires a partitioned table's primary key and unique constraints to hold the
partition key: the primary key becomes (id, at) and `callevent_once` (source, natural_key, at)
in the database (Django still reads `id` as the key: it stays unique, from one sequence).

The table is rebuilt: the partitioned table is created beside it, with one partition per UTC day
of its rows, today and tomorrow (the beat task `metrics.raw_event_partitions` creates the days
ahead) and a DEFAULT partition; the rows are copied, the old table dropped and the id sequence
continues where it was. This takes as long as copying the raw events once, with the table
locked. Reversible: the rows go back into a plain table with (id) and (source, natural_key).
On SQLite (the embedded demo) the table does not change.
"""

from django.db import migrations, models

TABLE = "metrics_callevent"
OLD = "metrics_callevent_unpartitioned"
SEQUENCE = "metrics_callevent_id_seq"
COLUMNS = (
    "id, source_id, natural_key, at, ordinal, call_id, queue_name, member, event, data, received_at"
)


def _constraint_names(cursor, table: str) -> dict[str, str]:
    cursor.execute(
        "SELECT conname, contype FROM pg_constraint WHERE conrelid = to_regclass(%s)", [table]
    )
    return {name: kind for name, kind in cursor.fetchall()}


def _next_id(cursor, table: str) -> int:
    """The id the next row would get: past both the sequence and every stored id."""
    cursor.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
    sequence = cursor.fetchone()[0]
    following = 1
    if sequence:
        cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608
        last, called = cursor.fetchone()
        following = last + 1 if called else last
    cursor.execute(f"SELECT coalesce(max(id), 0) + 1 FROM {table}")  # noqa: S608
    return max(following, cursor.fetchone()[0])


def partition_by_day(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {OLD}")
        for name in _constraint_names(cursor, OLD):
            cursor.execute(f"ALTER TABLE {OLD} RENAME CONSTRAINT {name} TO {name}_unpartitioned")
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {OLD} INCLUDING CONSTRAINTS INCLUDING STORAGE) "
            "PARTITION BY RANGE (at)"
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id, at), "
            "ADD CONSTRAINT callevent_once UNIQUE (source_id, natural_key, at)"
        )
        cursor.execute(
            f"SELECT DISTINCT (at AT TIME ZONE 'UTC')::date FROM {OLD} "  # noqa: S608
            "UNION SELECT (now() AT TIME ZONE 'UTC')::date "
            "UNION SELECT (now() AT TIME ZONE 'UTC')::date + 1"
        )
        for (day,) in cursor.fetchall():
            cursor.execute(
                f"CREATE TABLE {TABLE}_p{day:%Y%m%d} PARTITION OF {TABLE} "
                "FOR VALUES FROM (%s::date::timestamp AT TIME ZONE 'UTC') "
                "TO ((%s::date + 1)::timestamp AT TIME ZONE 'UTC')",
                [day, day],
            )
        cursor.execute(f"CREATE TABLE {TABLE}_default PARTITION OF {TABLE} DEFAULT")
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {OLD}"  # noqa: S608
        )
        following = _next_id(cursor, OLD)
        cursor.execute(f"DROP TABLE {OLD}")
        cursor.execute(f"CREATE SEQUENCE {SEQUENCE} START WITH {int(following)}")
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute(f"ALTER TABLE {TABLE} ALTER COLUMN id SET DEFAULT nextval('{SEQUENCE}')")


def unpartition(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    partitioned = f"{TABLE}_partitioned"
    with connection.cursor() as cursor:
        cursor.execute(f"LOCK TABLE {TABLE} IN ACCESS EXCLUSIVE MODE")
        cursor.execute(f"ALTER TABLE {TABLE} RENAME TO {partitioned}")
        for name in _constraint_names(cursor, partitioned):
            cursor.execute(
                f"ALTER TABLE {partitioned} RENAME CONSTRAINT {name} TO {name}_partitioned"
            )
        cursor.execute(
            f"CREATE TABLE {TABLE} (LIKE {partitioned} INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
            "INCLUDING STORAGE)"
        )
        cursor.execute(
            f"INSERT INTO {TABLE} ({COLUMNS}) SELECT {COLUMNS} FROM {partitioned}"  # noqa: S608
        )
        cursor.execute(
            f"ALTER TABLE {TABLE} ADD CONSTRAINT {TABLE}_pkey PRIMARY KEY (id), "
            "ADD CONSTRAINT callevent_once UNIQUE (source_id, natural_key)"
        )
        # The sequence belongs to the plain table before the partitioned one is dropped.
        cursor.execute(f"ALTER SEQUENCE {SEQUENCE} OWNED BY {TABLE}.id")
        cursor.execute(f"DROP TABLE {partitioned}")


class Migration(migrations.Migration):
    dependencies = [("metrics", "0022_merge_emergency_plans_and_recordings")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.RemoveConstraint(model_name="callevent", name="callevent_once"),
                migrations.AddConstraint(
                    model_name="callevent",
                    constraint=models.UniqueConstraint(
                        fields=("source", "natural_key", "at"), name="callevent_once"
                    ),
                ),
            ],
            database_operations=[migrations.RunPython(partition_by_day, unpartition)],
        )
    ]
