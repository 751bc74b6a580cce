"""The audit trail is append-only in the database itself: raw SQL cannot change or delete it."""

import pytest
from django.db import DatabaseError, connection, transaction

from agents.models import AuditEntry
from agents.services import audit_record

pytestmark = pytest.mark.django_db


@pytest.fixture
def entry(cast):
    return audit_record(actor=cast.sam, action="test.done", target=cast.ann_agent, data={"a": 1})


def test_raw_sql_cannot_update_an_audit_row(entry):
    refused = pytest.raises(DatabaseError, match="never changed or deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "UPDATE agents_auditentry SET action = %s WHERE id = %s", ["forged", entry.pk]
        )
    entry.refresh_from_db()
    assert entry.action == "test.done"


def test_raw_sql_cannot_delete_an_audit_row(entry):
    refused = pytest.raises(DatabaseError, match="never changed or deleted")
    with refused, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM agents_auditentry WHERE id = %s", [entry.pk])
    assert AuditEntry.objects.filter(pk=entry.pk).exists()


def test_nor_can_a_queryset(entry):
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).update(action="forged")
    with pytest.raises(DatabaseError), transaction.atomic():
        AuditEntry.objects.filter(pk=entry.pk).delete()
    assert AuditEntry.objects.get(pk=entry.pk).action == "test.done"


def test_new_rows_are_still_written(cast, entry):
    audit_record(actor=cast.sam, action="test.again", target=cast.ann_agent)
    assert AuditEntry.objects.filter(action__startswith="test.").count() == 2


def test_a_person_with_an_audit_trail_cannot_be_deleted(cast, entry):
    # The actor link is PROTECT: deleting the person never needs to touch the trail.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        cast.sam.delete()
    assert AuditEntry.objects.filter(pk=entry.pk, actor=cast.sam).exists()
