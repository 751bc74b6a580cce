"""`make demo` shows the monthly tests: a topic with questions, past tests with results and
one open now."""

import pytest
from django.core.management import call_command
from django.utils import timezone

from agents.models import Agent
from qa.models import Quiz, QuizAttempt, QuizQuestion, QuizTopic

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_demo_has_a_topic_past_results_and_an_open_test(monkeypatch, settings, language):
    settings.LANGUAGE_CODE = language
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    now = timezone.now()
    assert QuizTopic.objects.count() == 1 and QuizQuestion.objects.count() == 5
    assert {q.kind for q in QuizQuestion.objects.all()} == {"single", "multiple", "true_false"}
    past = Quiz.objects.filter(status="published", closes_at__lt=now)
    assert past.count() == 2
    team = Agent.objects.get(user__username="agent").team
    takers = Agent.objects.filter(team=team, active=True).count()
    for quiz in past:
        assert QuizAttempt.objects.filter(quiz=quiz, status="submitted").count() == takers
    open_now = [q for q in Quiz.objects.all() if q.is_open(now)]
    assert len(open_now) == 1
    assert not QuizAttempt.objects.filter(quiz=open_now[0]).exists()
    if language == "zh-hans":
        assert QuizTopic.objects.get().name == "账单规则"
