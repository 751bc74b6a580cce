"""Writes of the monthly tests: the bank, setting a test, taking and marking it.

Every state change is one service with a conditional update where two people could race
(0 rows → `Conflict`), an audit row and, where people must know, a notification.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Sequence
from datetime import datetime

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import agent_of
from agents.models import Agent, Team
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.zone import site_zone
from qa.models import (
    GRACE,
    AttemptStatus,
    CountedAttempt,
    QuestionKind,
    Quiz,
    QuizAttempt,
    QuizPaper,
    QuizQuestion,
    QuizStatus,
    QuizTopic,
)
from qa.quizzes import marking, selectors
from qa.services.common import notify_people

KEY_PROBLEMS = {
    "true_false_two_choices": lambda: _("A true-or-false question has exactly two choices."),
    "too_few_choices": lambda: _("Give at least two choices."),
    "empty_choice": lambda: _("A choice may not be empty."),
    "no_correct": lambda: _("Mark the right choice."),
    "correct_out_of_range": lambda: _("A right answer must be one of the choices."),
    "one_correct": lambda: _("This kind of question has exactly one right choice."),
}


@transaction.atomic
def quiz_topic_create(*, actor: User, name: str, description: str = "") -> QuizTopic:
    name = name.strip()
    if not name:
        raise DomainError(_("Name the topic."), field="name")
    if QuizTopic.objects.filter(name__iexact=name).exists():
        raise DomainError(_("A topic with this name exists already."), field="name")
    topic = QuizTopic.objects.create(name=name, description=description.strip())
    audit_record(actor=actor, action="quiztopic.created", target=topic, data={"name": name})
    return topic


@transaction.atomic
def quiz_question_create(
    *,
    actor: User,
    topic: QuizTopic,
    kind: str,
    text: str,
    choices: Sequence[str],
    correct: Sequence[int],
    explanation: str = "",
) -> QuizQuestion:
    problems = Problems()
    text = text.strip()
    if not text:
        problems.add("text", _("Write the question."))
    if kind not in QuestionKind.values:
        problems.add("kind", _("Choose the kind of question."))
    choices = [str(choice).strip() for choice in choices]
    if kind == QuestionKind.TRUE_FALSE and not any(choices):
        choices = [str(_("True")), str(_("False"))]
    problem = marking.key_problem(kind, choices, correct)
    if problem is not None and kind in QuestionKind.values:
        field = (
            "correct"
            if problem in ("no_correct", "one_correct", "correct_out_of_range")
            else "choices"
        )
        problems.add(field, KEY_PROBLEMS[problem]())
    problems.raise_if_any()
    question = QuizQuestion.objects.create(
        topic=topic,
        kind=kind,
        text=text,
        choices=choices,
        correct=sorted(set(correct)),
        explanation=explanation.strip(),
        created_by=actor,
    )
    audit_record(
        actor=actor, action="quizquestion.created", target=question, data={"topic": topic.name}
    )
    return question


@transaction.atomic
def quiz_question_retire(*, actor: User, question: QuizQuestion) -> QuizQuestion:
    """Take a question out of use: no new paper draws it; papers drawn keep it."""
    if not QuizQuestion.objects.filter(pk=question.pk, active=True).update(active=False):
        raise Conflict(_("This question is out of use already."))
    question.refresh_from_db()
    audit_record(actor=actor, action="quizquestion.retired", target=question)
    return question


@transaction.atomic
def quiz_create(
    *,
    actor: User,
    title: str,
    opens_at: datetime,
    closes_at: datetime,
    time_limit_minutes: int,
    questions: Iterable[QuizQuestion] = (),
    topics: Iterable[QuizTopic] = (),
    random_count: int = 0,
    attempts_allowed: int = 1,
    counts: str = CountedAttempt.BEST,
    agents: Iterable[Agent] = (),
    teams: Iterable[Team] = (),
    site: str = "main",
) -> Quiz:
    """Set a test as a draft: chosen questions, or `random_count` drawn per agent from
    `topics`; nobody sees it before it is published."""
    questions, topics, agents, teams = list(questions), list(topics), list(agents), list(teams)
    problems = Problems()
    title = title.strip()
    if not title:
        problems.add("title", _("Give the test a title."))
    if closes_at <= opens_at:
        problems.add("closes_at", _("The test must close after it opens."))
    if not 1 <= time_limit_minutes <= 600:
        problems.add("time_limit_minutes", _("The time limit is between 1 and 600 minutes."))
    if not 1 <= attempts_allowed <= 10:
        problems.add("attempts_allowed", _("Allow between 1 and 10 attempts."))
    if counts not in CountedAttempt.values:
        problems.add("counts", _("Choose which attempt counts."))
    if random_count:
        available = QuizQuestion.objects.filter(topic__in=topics, active=True).count()
        if not topics:
            problems.add("topics", _("Choose the topics to draw the questions from."))
        elif available < random_count:
            problems.add(
                "random_count",
                _("The topics have only %(count)s questions in use.") % {"count": available},
            )
    elif not questions:
        problems.add("questions", _("Choose the questions, or a number to draw at random."))
    if any(not q.active for q in questions):
        problems.add("questions", _("A question out of use cannot be set."))
    if not agents and not teams:
        problems.add("agents", _("Set the test for agents or teams."))
    problems.raise_if_any()
    quiz = Quiz.objects.create(
        title=title,
        site=site,
        opens_at=opens_at,
        closes_at=closes_at,
        time_limit_minutes=time_limit_minutes,
        random_count=random_count,
        attempts_allowed=attempts_allowed,
        counts=counts,
        created_by=actor,
    )
    quiz.questions.set([] if random_count else questions)
    quiz.topics.set(topics if random_count else [])
    quiz.agents.set(agents)
    quiz.teams.set(teams)
    audit_record(actor=actor, action="quiz.created", target=quiz, data={"title": title})
    return quiz


@transaction.atomic
def quiz_publish(*, actor: User, quiz: Quiz) -> Quiz:
    """Publish a draft: the agents it is set for see it and are told when it opens."""
    if quiz.closes_at <= timezone.now():
        raise DomainError(_("This test closed already; change its window first."))
    changed = Quiz.objects.filter(pk=quiz.pk, status=QuizStatus.DRAFT).update(
        status=QuizStatus.PUBLISHED, published_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("This test is published already."))
    quiz.refresh_from_db()
    audit_record(actor=actor, action="quiz.published", target=quiz)
    opens = timezone.localtime(quiz.opens_at, site_zone())
    notify_people(
        recipients=[agent.user for agent in selectors.assigned_agents(quiz)],
        kind="qa.quiz",
        text=lambda: (
            _("A test is set for you: %(title)s (opens %(opens)s).")
            % {"title": quiz.title, "opens": f"{opens:%Y-%m-%d %H:%M}"}
        ),
        link=reverse("qa-quiz", args=[quiz.pk]),
    )
    return quiz


@transaction.atomic
def quiz_withdraw(*, actor: User, quiz: Quiz) -> Quiz:
    """Withdraw a published test (a mistake in it): nobody may start it any more."""
    changed = Quiz.objects.filter(pk=quiz.pk, status=QuizStatus.PUBLISHED).update(
        status=QuizStatus.WITHDRAWN
    )
    if not changed:
        raise Conflict(_("Only a published test can be withdrawn."))
    quiz.refresh_from_db()
    audit_record(actor=actor, action="quiz.withdrawn", target=quiz)
    return quiz


def _paper(quiz: Quiz, agent: Agent) -> QuizPaper:
    """The agent's paper, drawn once: a retake answers the same questions."""
    paper = QuizPaper.objects.filter(quiz=quiz, agent=agent).first()
    if paper is not None:
        return paper
    if quiz.random_count:
        pool = list(
            QuizQuestion.objects.filter(topic__in=quiz.topics.all(), active=True)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        ids = random.SystemRandom().sample(pool, min(quiz.random_count, len(pool)))
    else:
        ids = list(quiz.questions.order_by("pk").values_list("pk", flat=True))
    return QuizPaper.objects.create(quiz=quiz, agent=agent, question_ids=ids)


def _expire(attempt: QuizAttempt, now: datetime) -> bool:
    """Close an attempt whose time ran out: the questions count as unanswered (score 0)."""
    changed = QuizAttempt.objects.filter(pk=attempt.pk, status=AttemptStatus.IN_PROGRESS).update(
        status=AttemptStatus.EXPIRED,
        finished_at=now,
        correct_count=0,
        question_count=len(attempt.paper.question_ids),
        score=marking.score(0, len(attempt.paper.question_ids)),
    )
    if changed:
        attempt.refresh_from_db()
        audit_record(actor=None, action="quizattempt.expired", target=attempt)
    return bool(changed)


def quiz_attempts_expire_overdue(*, now: datetime | None = None) -> int:
    """Close every attempt whose time ran out without a hand-in (the agent left the page)."""
    now = now or timezone.now()
    closed = 0
    overdue = QuizAttempt.objects.filter(
        status=AttemptStatus.IN_PROGRESS, deadline__lt=now - GRACE
    ).select_related("paper")
    for attempt in overdue:
        with transaction.atomic():
            closed += _expire(attempt, now)
    return closed


@transaction.atomic
def quiz_attempt_start(*, actor: User, quiz: Quiz, now: datetime | None = None) -> QuizAttempt:
    """Start (or resume) the acting agent's attempt at an open test."""
    now = now or timezone.now()
    agent = agent_of(actor)
    if agent is None or not selectors.is_assigned(quiz, agent):
        raise DomainError(_("This test is not set for you."), status_code=403, code="forbidden")
    if not quiz.is_open(now):
        raise Conflict(_("This test is not open now."))
    # One attempt at a time per agent and test: lock the agent's row while counting.
    Agent.objects.select_for_update().filter(pk=agent.pk).first()
    current = selectors.open_attempt(quiz, agent)
    if current is not None:
        if not current.overdue(now):
            return current
        _expire(current, now)
    attempts = selectors.attempts_of(quiz, agent)
    if not selectors.attempts_left(quiz, attempts):
        raise Conflict(_("You have no attempts left at this test."))
    paper = _paper(quiz, agent)
    try:
        with transaction.atomic():
            attempt = QuizAttempt.objects.create(
                paper=paper,
                quiz=quiz,
                agent=agent,
                number=len(attempts) + 1,
                started_at=now,
                # Never past the window: the test closes for everyone at the same time.
                deadline=min(now + quiz.time_limit, quiz.closes_at),
                question_count=len(paper.question_ids),
            )
    except IntegrityError as error:
        raise Conflict(_("This attempt was started already.")) from error
    audit_record(
        actor=actor, action="quizattempt.started", target=attempt, data={"number": attempt.number}
    )
    return attempt


def _clean_answers(attempt: QuizAttempt, answers: dict) -> dict[str, list[int]]:
    questions = {q.pk: q for q in QuizQuestion.objects.filter(pk__in=attempt.paper.question_ids)}
    clean: dict[str, list[int]] = {}
    for key, given in (answers or {}).items():
        try:
            qid = int(key)
        except (TypeError, ValueError):
            raise DomainError(
                _("An answer names no question of this paper."), field="answers"
            ) from None
        question = questions.get(qid)
        if question is None:
            raise DomainError(_("An answer names no question of this paper."), field="answers")
        chosen = given if isinstance(given, list) else [given]
        try:
            chosen = sorted({int(i) for i in chosen})
        except (TypeError, ValueError):
            raise DomainError(_("An answer is not one of the choices."), field="answers") from None
        if any(not 0 <= i < len(question.choices) for i in chosen):
            raise DomainError(_("An answer is not one of the choices."), field="answers")
        if question.kind != QuestionKind.MULTIPLE and len(chosen) > 1:
            raise DomainError(_("Choose one answer to this question."), field="answers")
        clean[str(qid)] = chosen
    return clean


def quiz_attempt_submit(
    *, actor: User, attempt: QuizAttempt, answers: dict, now: datetime | None = None
) -> QuizAttempt:
    """Hand in the answers and mark them; answers after the time limit (and its grace) are
    refused and the attempt closes as timed out."""
    now = now or timezone.now()
    with transaction.atomic():
        if agent_of(actor) is None or agent_of(actor).pk != attempt.agent_id:
            raise DomainError(_("This is not your paper."), status_code=403, code="forbidden")
        if attempt.overdue(now):
            _expire(attempt, now)
            late = True
        else:
            late = False
            clean = _clean_answers(attempt, answers)
            key = {
                q.pk: q.correct
                for q in QuizQuestion.objects.filter(pk__in=attempt.paper.question_ids)
            }
            right, total, score = marking.mark(
                key, {int(qid): given for qid, given in clean.items()}
            )
            changed = QuizAttempt.objects.filter(
                pk=attempt.pk, status=AttemptStatus.IN_PROGRESS
            ).update(
                status=AttemptStatus.SUBMITTED,
                finished_at=now,
                answers=clean,
                correct_count=right,
                question_count=total,
                score=score,
            )
            if not changed:
                raise Conflict(_("This paper was handed in already."))
            attempt.refresh_from_db()
            audit_record(
                actor=actor,
                action="quizattempt.submitted",
                target=attempt,
                data={"score": str(score), "right": right, "questions": total},
            )
    if late:
        raise Conflict(
            _("The time for this test ran out: answers are no longer accepted."), code="time_up"
        )
    return attempt
