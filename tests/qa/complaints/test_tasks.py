"""The timer-check beat task: registered, scheduled, idempotent and safe to run twice at once."""

import threading
from datetime import timedelta

import pytest
from django.conf import settings
from django.db import connection
from django.db.models import F

from agents.models import Notification
from callfloor.celery import app
from qa.complaints import services, tasks
from qa.complaints.models import Complaint, Escalation, Tier


def test_the_check_runs_every_minute_from_beat():
    entry = settings.CELERY_BEAT_SCHEDULE["complaints-check-timers"]
    assert entry["task"] == "complaints.check_timers"
    assert entry["options"]["expires"] < entry["schedule"]
    app.loader.import_default_modules()
    assert "complaints.check_timers" in app.tasks


def _log_cases(cast, floor, count: int) -> list[int]:
    ids = []
    for i in range(count):
        case = services.complaint_create(
            actor=cast.ann,
            customer_name=f"Customer {i}",
            customer_contact=f"+3161234{i:04d}",
            category=floor.billing_errors,
            description="Waited too long.",
            severity="critical",
        )
        ids.append(case.pk)
    # Logged an hour ago: the 30-minute acknowledge time (calendar time) has run out, the
    # eight-hour resolve time has not.
    hour = timedelta(hours=1)
    Complaint.objects.filter(pk__in=ids).update(
        created_at=F("created_at") - hour,
        resolve_started_at=F("resolve_started_at") - hour,
        ack_due_at=F("ack_due_at") - hour,
        resolve_due_at=F("resolve_due_at") - hour,
    )
    return ids


@pytest.mark.django_db
def test_the_task_escalates_each_breach_once(cast, floor):
    ids = _log_cases(cast, floor, 2)
    assert tasks.check_timers.apply().get() == 2
    assert tasks.check_timers.apply().get() == 0
    assert set(Complaint.objects.filter(pk__in=ids).values_list("tier", "owner")) == {
        (Tier.TEAM_LEAD, cast.tina.pk)
    }
    assert Notification.objects.filter(recipient=cast.tina, kind="complaint_escalated").count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_checks_running_at_once_escalate_each_case_once(cast, floor):
    assert connection.vendor == "postgresql", "run through make test (PostgreSQL)"
    ids = _log_cases(cast, floor, 25)
    barrier = threading.Barrier(2)
    results: list[int] = []
    errors: list[BaseException] = []

    def run():
        try:
            barrier.wait(timeout=30)
            results.append(tasks.check_timers())
        except BaseException as error:  # reported by the assertion below
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    assert sum(results) == 25, results
    per_case = Escalation.objects.filter(complaint__in=ids).values_list("complaint", flat=True)
    assert sorted(per_case) == sorted(ids)
    assert Notification.objects.filter(kind="complaint_escalated").count() == 25
    assert not Complaint.objects.filter(pk__in=ids, ack_breached_at__isnull=True).exists()


@pytest.mark.django_db
def test_the_check_can_run_from_the_command_line(cast, floor):
    from io import StringIO

    from django.core.management import call_command

    ids = _log_cases(cast, floor, 1)
    out = StringIO()
    call_command("check_complaint_timers", stdout=out)
    reference = Complaint.objects.get(pk=ids[0]).reference
    assert f"{reference}: time to acknowledge breached, now with tina (team lead)" in out.getvalue()
    assert "1 case(s) escalated." in out.getvalue()
