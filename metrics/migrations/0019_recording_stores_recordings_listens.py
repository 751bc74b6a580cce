# The listen trail is append-only in the database too (as the audit trail: agents 0003).

from django.conf import settings
from django.db import migrations, models
import django.db.models.deletion

MESSAGE = "recording listens are never changed or deleted"
TABLE = "metrics_recordinglisten"
POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION {TABLE}_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    f"""
    CREATE TRIGGER {TABLE}_append_only
    BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION {TABLE}_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    f"DROP TRIGGER IF EXISTS {TABLE}_append_only ON {TABLE}",
    f"DROP FUNCTION IF EXISTS {TABLE}_append_only()",
]
SQLITE = [
    f"""
    CREATE TRIGGER {TABLE}_no_{verb.lower()}
    BEFORE {verb} ON {TABLE}
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [f"DROP TRIGGER IF EXISTS {TABLE}_no_{verb}" for verb in ("update", "delete")]


def _run(schema_editor, statements):
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def protect(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def unprotect(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):

    dependencies = [
        ('metrics', '0018_verbose_names_translated'),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.CreateModel(
            name='RecordingStore',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('kind', models.CharField(choices=[('directory', 'A directory the PBX writes (mounted read-only)'), ('url_template', 'An HTTP(S) address per call')], max_length=20, verbose_name='kind')),
                ('directory', models.CharField(blank=True, help_text='the recording directory as this server sees it, e.g. /var/spool/asterisk/monitor', max_length=500, verbose_name='directory')),
                ('file_pattern', models.CharField(blank=True, default='{yyyy}/{mm}/{dd}/*-{call_id}.{ext}', help_text="under the directory: {yyyy} {mm} {dd} (the call's local date), {call_id}, {ext} (wav, mp3 or gsm) and * for any text within a name", max_length=200, verbose_name='file-name pattern')),
                ('url_template', models.CharField(blank=True, help_text='e.g. https://pbx.example/recordings/{call_id} — the server fetches it and only ever reaches this host', max_length=500, verbose_name='address template')),
                ('username', models.CharField(blank=True, max_length=200, verbose_name='user name')),
                ('secret_encrypted', models.TextField(blank=True, editable=False)),
                ('retention_days', models.PositiveIntegerField(blank=True, help_text='recordings older than this many days are no longer played (empty: always)', null=True, verbose_name='retention (days)')),
                ('source', models.OneToOneField(on_delete=django.db.models.deletion.CASCADE, related_name='recording_store', to='metrics.telephonysource', verbose_name='source')),
            ],
            options={
                'verbose_name': 'recording store',
                'verbose_name_plural': 'recording stores',
            },
        ),
        migrations.CreateModel(
            name='Recording',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('call_id', models.CharField(max_length=100, verbose_name='call id')),
                ('location', models.CharField(max_length=500, verbose_name='location')),
                ('content_type', models.CharField(blank=True, max_length=50, verbose_name='content type')),
                ('linked_at', models.DateTimeField(auto_now_add=True, verbose_name='linked at')),
                ('source', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='recordings', to='metrics.telephonysource', verbose_name='source')),
            ],
            options={
                'verbose_name': 'recording',
                'verbose_name_plural': 'recordings',
                'constraints': [models.UniqueConstraint(fields=('source', 'call_id'), name='recording_once')],
            },
        ),
        migrations.CreateModel(
            name='RecordingListen',
            fields=[
                ('id', models.BigAutoField(auto_created=True, primary_key=True, serialize=False, verbose_name='ID')),
                ('at', models.DateTimeField(auto_now_add=True, db_index=True, verbose_name='at')),
                ('call', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='listens', to='metrics.queuecall', verbose_name='call')),
                ('user', models.ForeignKey(on_delete=django.db.models.deletion.PROTECT, related_name='+', to=settings.AUTH_USER_MODEL, verbose_name='listener')),
            ],
            options={
                'verbose_name': 'recording listen',
                'verbose_name_plural': 'recording listens',
                'ordering': ['-at', '-id'],
                'indexes': [models.Index(fields=['call', 'at'], name='metrics_rec_call_id_f96cbc_idx')],
            },
        ),
        migrations.RunPython(protect, unprotect),
    ]
