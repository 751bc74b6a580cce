"""Monthly test fixtures on the cast: a topic of three questions, an open test for Billing
(ann), a closed one ann took, a draft, and a test only for Cards (bob)."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone


def right_answers(quiz_or_attempt) -> dict:
    """The right answers of a paper, as an agent would post them."""
    from qa.models import QuizQuestion

    ids = quiz_or_attempt.paper.question_ids
    return {str(q.pk): list(q.correct) for q in QuizQuestion.objects.filter(pk__in=ids)}


def closed_quiz(cast, questions, *, title, team, scores: dict, days_ago=None, closes_at=None):
    """A test that closed `days_ago` days ago (or at `closes_at`) and each agent's attempt in
    `scores`: how many of the paper's questions they answered right (the others wrong)."""
    from qa.models import Quiz, QuizStatus
    from qa.quizzes import services

    closes = closes_at or timezone.now() - timedelta(days=days_ago)
    opens = closes - timedelta(hours=2)
    quiz = services.quiz_create(
        actor=cast.quinn,
        title=title,
        opens_at=opens,
        closes_at=closes,
        time_limit_minutes=20,
        questions=questions,
        teams=[team] if team else [],
        agents=[] if team else list(scores),
    )
    # Published back then (a test is published before it closes).
    Quiz.objects.filter(pk=quiz.pk).update(status=QuizStatus.PUBLISHED, published_at=opens)
    quiz.refresh_from_db()
    attempts = {}
    for agent, right in scores.items():
        started = opens + timedelta(minutes=5)
        attempt = services.quiz_attempt_start(actor=agent.user, quiz=quiz, now=started)
        given = {}
        for index, (qid, key) in enumerate(sorted(right_answers(attempt).items())):
            given[qid] = key if index < right else [(key[0] + 1) % 2]
        attempts[agent.pk] = services.quiz_attempt_submit(
            actor=agent.user, attempt=attempt, answers=given, now=started + timedelta(minutes=5)
        )
    return quiz, attempts


@pytest.fixture
def bank(cast):
    from qa.quizzes import services

    topic = services.quiz_topic_create(actor=cast.quinn, name="Billing rules")
    single = services.quiz_question_create(
        actor=cast.quinn,
        topic=topic,
        kind="single",
        text="When is the invoice sent?",
        choices=["On the 1st", "On the 15th", "On request"],
        correct=[0],
        explanation="Invoices go out on the 1st of the month.",
    )
    multiple = services.quiz_question_create(
        actor=cast.quinn,
        topic=topic,
        kind="multiple",
        text="Which two questions identify the caller?",
        choices=["Date of birth", "Favourite colour", "Account number"],
        correct=[0, 2],
    )
    true_false = services.quiz_question_create(
        actor=cast.quinn,
        topic=topic,
        kind="true_false",
        text="A refund needs a supervisor's approval.",
        choices=[],
        correct=[1],
    )
    return SimpleNamespace(
        topic=topic,
        single=single,
        multiple=multiple,
        true_false=true_false,
        questions=[single, multiple, true_false],
    )


@pytest.fixture
def quizzes(cast, bank):
    from qa.quizzes import services

    now = timezone.now()

    def make(title, **kwargs):
        return services.quiz_create(
            actor=cast.quinn,
            title=title,
            opens_at=now - timedelta(hours=1),
            closes_at=now + timedelta(days=2),
            time_limit_minutes=20,
            questions=bank.questions,
            **kwargs,
        )

    open_quiz = services.quiz_publish(
        actor=cast.quinn,
        quiz=make("December test", teams=[cast.billing], attempts_allowed=2),
    )
    cards_only = services.quiz_publish(
        actor=cast.quinn, quiz=make("Cards test", teams=[cast.cards])
    )
    draft = make("January test", teams=[cast.billing])
    closed, attempts = closed_quiz(
        cast,
        bank.questions,
        title="November test",
        team=None,
        days_ago=3,
        scores={cast.ann_agent: 3, cast.bob_agent: 0},
    )
    return SimpleNamespace(
        open=open_quiz,
        cards_only=cards_only,
        draft=draft,
        closed=closed,
        ann_closed=attempts[cast.ann_agent.pk],
        bob_closed=attempts[cast.bob_agent.pk],
    )
