"""`manage.py backup` then `manage.py restore`: the restored database gives the same KPIs and
the same workflow states, after the live one was wiped and changed in between."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from metrics.formulas import round_figures
from metrics.models import AgentDay, CallEvent, Queue
from metrics.selectors import floor_queue_stats
from tests.conftest import shared_data
from tests.metrics.telephony.test_import_follow import NOW, calls_of, run

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def state() -> dict:
    from agents.models import AuditEntry
    from qa.complaints.models import Complaint

    queue = Queue.objects.get(name="9000")
    return {
        "stats": round_figures(floor_queue_stats(queues=[queue], now=NOW)[queue.pk]),
        "calls": calls_of("freepbx"),
        "events": CallEvent.objects.count(),
        "days": sorted(AgentDay.objects.values_list("member", "day", "answered")),
        "complaints": sorted(Complaint.objects.values_list("pk", "status", "customer_contact")),
        "audit": sorted(AuditEntry.objects.values_list("pk", "action", "object_id")),
    }


def test_a_restored_backup_has_the_same_kpis_and_workflow_states(tmp_path, cast, new_case):
    from qa.complaints import services

    run(
        "import_queue_log",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--source",
        "freepbx",
    )
    services.complaint_acknowledge(complaint=new_case, actor=cast.tina)
    before = state()
    assert before["stats"]["offered"] == 21 and before["complaints"][0][1] == "acknowledged"
    dump = tmp_path / "callfloor.dump"
    out = StringIO()
    call_command("backup", str(dump), stdout=out)
    assert "Backed up" in out.getvalue() and dump.stat().st_size > 10_000

    # Life goes on, then goes wrong: the case moves on, the calls are wiped.
    services.complaint_investigate(complaint=new_case, actor=cast.tina)
    CallEvent.objects.all().delete()
    call_command("flush", "--no-input")
    assert not CallEvent.objects.exists()

    with pytest.raises(CommandError, match="--yes"):
        call_command("restore", str(dump))
    call_command("restore", str(dump), "--yes", stdout=StringIO())
    assert state() == before


def test_restore_refuses_a_missing_file(tmp_path, db):
    with pytest.raises(CommandError, match="not a file"):
        call_command("restore", str(tmp_path / "nothing.dump"), "--yes")


def test_a_dump_cut_short_restores_nothing_and_keeps_the_database(tmp_path, cast):
    run(
        "import_queue_log",
        str(shared_data("asterisk/freepbx-2010-queue_log")),
        "--source",
        "freepbx",
    )
    dump = tmp_path / "callfloor.dump"
    call_command("backup", str(dump), stdout=StringIO())
    cut = tmp_path / "cut.dump"
    data = dump.read_bytes()
    cut.write_bytes(data[: len(data) * 2 // 3])
    events = CallEvent.objects.count()
    Queue.objects.create(name="made after the backup")

    with pytest.raises(CommandError):
        call_command("restore", str(cut), "--yes", stdout=StringIO())

    assert CallEvent.objects.count() == events > 0
    assert Queue.objects.filter(name="made after the backup").exists()
