"""The demo seeds coaching and training, once."""

import pytest
from django.core.management import call_command

pytestmark = pytest.mark.django_db


def test_the_demo_has_coaching_and_training_to_show(monkeypatch):
    from qa.models import CoachingSession
    from scheduling.training.models import TrainingAttendance, TrainingCourse

    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    sessions = CoachingSession.objects.order_by("pk")
    assert [s.status for s in sessions] == ["acknowledged", "followed_up"]
    assert sessions[0].evaluation is not None and sessions[0].criteria.exists()
    assert any(a.is_overdue for a in sessions[0].actions.all())
    assigned = TrainingCourse.objects.get(kind="new_business")
    assert assigned.team is not None and assigned.invites.exists() and assigned.materials.exists()
    refresher = TrainingCourse.objects.get(kind="on_the_job")
    invited = refresher.invites.count()
    assert invited >= 2  # the first team's agents, up to four
    assert TrainingAttendance.objects.filter(present=True).count() == invited - 1
    assert TrainingAttendance.objects.filter(present=False).count() == 1
    call_command("seed_quality_demo", verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    assert CoachingSession.objects.count() == 2 and TrainingCourse.objects.count() == 2
