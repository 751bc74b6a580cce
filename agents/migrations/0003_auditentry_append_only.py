"""The audit trail is append-only in the database too: UPDATE and DELETE of a row are refused.

Row triggers do not fire on TRUNCATE, so `manage.py flush` and the test database's cleanup still
work on PostgreSQL; a restore (`pg_restore --clean`) drops and recreates the table with its
trigger. On SQLite, `flush` deletes row by row and is refused: start from a new database file.
"""

from django.db import migrations

MESSAGE = "audit entries are never changed or deleted"

POSTGRESQL = [
    f"""
    CREATE OR REPLACE FUNCTION agents_auditentry_append_only() RETURNS trigger AS $$
    BEGIN
        RAISE EXCEPTION '{MESSAGE}' USING ERRCODE = 'insufficient_privilege';
    END
    $$ LANGUAGE plpgsql
    """,
    """
    CREATE TRIGGER agents_auditentry_append_only
    BEFORE UPDATE OR DELETE ON agents_auditentry
    FOR EACH ROW EXECUTE FUNCTION agents_auditentry_append_only()
    """,
]
POSTGRESQL_REVERSE = [
    "DROP TRIGGER IF EXISTS agents_auditentry_append_only ON agents_auditentry",
    "DROP FUNCTION IF EXISTS agents_auditentry_append_only()",
]
SQLITE = [
    f"""
    CREATE TRIGGER agents_auditentry_no_{verb.lower()}
    BEFORE {verb} ON agents_auditentry
    BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END
    """
    for verb in ("UPDATE", "DELETE")
]
SQLITE_REVERSE = [
    f"DROP TRIGGER IF EXISTS agents_auditentry_no_{verb}" for verb in ("update", "delete")
]


def _run(schema_editor, statements: dict[str, list[str]]) -> None:
    for statement in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(statement)


def protect(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL, "sqlite": SQLITE})


def unprotect(apps, schema_editor):
    _run(schema_editor, {"postgresql": POSTGRESQL_REVERSE, "sqlite": SQLITE_REVERSE})


class Migration(migrations.Migration):
    dependencies = [("agents", "0002_create_role_groups")]

    operations = [migrations.RunPython(protect, unprotect)]
