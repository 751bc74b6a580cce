"""Keys of queue_log lines stored before: prefixed with their second (`queue_log.line_key`),
so that reading those lines again still finds them."""

from django.db import migrations

LINE_KINDS = ("queue_log_file", "queue_log_db")
DIGEST = "^[0-9a-f]{32}$"


def prefix_line_keys(apps, schema_editor):
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        schema_editor.execute(
            "UPDATE metrics_callevent e SET natural_key = "
            "lpad(floor(extract(epoch FROM e.at))::bigint::text, 12, '0') || '-' || e.natural_key "
            "FROM metrics_telephonysource s WHERE s.id = e.source_id AND s.kind IN %s "
            "AND e.natural_key ~ %s",
            [LINE_KINDS, DIGEST],
        )
        return
    import re

    CallEvent = apps.get_model("metrics", "CallEvent")
    digest = re.compile(DIGEST)
    changed = []
    rows = CallEvent.objects.filter(source__kind__in=LINE_KINDS).only("id", "natural_key", "at")
    for event in rows.iterator(chunk_size=2000):
        if digest.match(event.natural_key):
            event.natural_key = f"{int(event.at.timestamp()):012d}-{event.natural_key}"
            changed.append(event)
        if len(changed) >= 2000:
            CallEvent.objects.bulk_update(changed, ["natural_key"])
            changed = []
    CallEvent.objects.bulk_update(changed, ["natural_key"])


class Migration(migrations.Migration):
    dependencies = [("metrics", "0012_bulk_write_fewer_checks")]

    operations = [migrations.RunPython(prefix_line_keys, migrations.RunPython.noop)]
