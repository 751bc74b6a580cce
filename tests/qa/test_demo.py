"""The quality demo data loads on top of the demo floor."""

import pytest
from django.core.management import call_command

from agents.models import Agent
from qa.models import (
    Appeal,
    Evaluation,
    GreatCall,
    PeerNomination,
    PeerReview,
    RotationWeek,
    SamplingRule,
)
from qa.rotation.services import monday_of
from qa.services import local_today

pytestmark = pytest.mark.django_db


def test_the_quality_demo_seeds_a_sample_evaluations_and_an_appeal(monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    assert Evaluation.objects.filter(status="released", pick__isnull=False).count() == 2
    assert Appeal.objects.get().status == "screening"
    assert SamplingRule.objects.filter(status="published").count() == 2
    assert GreatCall.objects.filter(status="featured").count() == 1
    # The rotation: the demo agent reviews this week; a teammate's feedback from last week.
    agent = Agent.objects.get(user__username="agent")
    this_week = RotationWeek.objects.get(week_start=monday_of(local_today()))
    assert this_week.reviewer == agent and this_week.reviews.count() == 1
    assert PeerReview.objects.get(reviewed=agent).status == "submitted"
    assert sorted(PeerNomination.objects.values_list("status", flat=True)) == [
        "confirmed",
        "nominated",
    ]
    call_command("seed_quality_demo", verbosity=0)  # a second run changes nothing
    assert Evaluation.objects.count() == 3  # the sample's two and the teammate's peer-reviewed call
