"""The scheduling demo seed runs on top of the demo floor, and twice without harm."""

import pytest
from django.core.management import call_command

from scheduling.models import Handover, Shift, Skill

pytestmark = pytest.mark.django_db


def test_the_demo_seed_adds_shifts_skills_and_a_handover_once():
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    shifts = Shift.objects.count()
    assert shifts > 0 and Skill.objects.count() == 6
    assert Shift.objects.filter(published_at__isnull=True).exists()
    handover = Handover.objects.get()
    assert handover.cases.count() == 2 and handover.to_lead.username == "teamlead2"
    call_command("seed_scheduling_demo", verbosity=0)
    assert Shift.objects.count() == shifts and Handover.objects.count() == 1
