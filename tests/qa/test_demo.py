"""The quality demo data loads on top of the demo floor."""

import pytest
from django.core.management import call_command

from qa.models import Appeal, Evaluation, GreatCall, SamplingRule

pytestmark = pytest.mark.django_db


def test_the_quality_demo_seeds_a_sample_evaluations_and_an_appeal(monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    assert Evaluation.objects.filter(status="released", pick__isnull=False).count() == 2
    assert Appeal.objects.get().status == "screening"
    assert SamplingRule.objects.filter(status="published").count() == 2
    assert GreatCall.objects.filter(status="featured").count() == 1
    call_command("seed_quality_demo", verbosity=0)  # a second run changes nothing
    assert Evaluation.objects.count() == 2
