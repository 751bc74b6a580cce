"""`make demo` shows two emergency plans and a past drill, in the site's language."""

import re

import pytest
from django.core.management import call_command
from django.utils import timezone

from agents.models import AuditEntry
from metrics.emergency.models import Activation, EmergencyPlan

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def seed(monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_emergency_demo", verbosity=0)


def test_the_demo_has_a_flood_plan_a_failure_plan_and_a_past_drill(monkeypatch):
    seed(monkeypatch)
    call_command("seed_emergency_demo", verbosity=0)  # a second run changes nothing
    flood = EmergencyPlan.objects.get(trigger="call_flood")
    assert flood.title == "Flood of calls on billing"
    moves = flood.steps.exclude(move="")
    assert moves.count() == 2 and {s.queue.name for s in moves} == {"billing"}
    assert all(s.agent.team.name == "Cards" for s in moves)
    failure = EmergencyPlan.objects.get(trigger="system_failure")
    drill = Activation.objects.get()
    assert drill.plan == failure and drill.drill and drill.status == "closed"
    assert (timezone.now() - drill.started_at).days >= 20
    assert drill.steps.filter(done_at__isnull=True).count() == 0
    assert drill.attendance.count() == 5  # the supervisor, the lead who ticked, three marked
    timeline = AuditEntry.objects.filter(object_type="metrics.activation", object_id=str(drill.pk))
    assert all((timezone.now() - row.at).days >= 20 for row in timeline)
    assert timeline.filter(action="emergency.closed").exists()
    assert EmergencyPlan.objects.count() == 2


def test_the_chinese_demo_writes_its_plans_in_chinese(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    seed(monkeypatch)
    for plan in EmergencyPlan.objects.all():
        assert HAN.search(plan.title) and HAN.search(plan.broadcast_text)
        assert all(HAN.search(step.text) for step in plan.steps.exclude(text=""))
