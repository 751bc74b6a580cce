"""Each transition of the monthly tests: allowed, refused for the wrong person or state, and
audited with a sentence."""

from datetime import timedelta

import pytest
from django.utils import timezone, translation

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe
from qa.models import AttemptStatus, QuizAttempt, QuizPaper, QuizStatus
from qa.quizzes import selectors, services
from tests.qa.quizzes.conftest import right_answers

pytestmark = pytest.mark.django_db


def audited(target, action):
    return AuditEntry.objects.filter(
        action=action, object_type=target._meta.label_lower, object_id=str(target.pk)
    )


def sentence(target, action) -> str:
    entry = audited(target, action).get()
    with translation.override("en"):
        return describe(entry.action, entry.data)


def test_a_question_needs_a_markable_key_and_every_problem_is_named(cast, bank):
    with pytest.raises(DomainError) as error:
        services.quiz_question_create(
            actor=cast.quinn, topic=bank.topic, kind="single", text=" ", choices=["a"], correct=[]
        )
    assert set(error.value.fields) == {"text", "choices"}
    with pytest.raises(DomainError) as error:
        services.quiz_question_create(
            actor=cast.quinn,
            topic=bank.topic,
            kind="single",
            text="Two right?",
            choices=["a", "b"],
            correct=[0, 1],
        )
    assert set(error.value.fields) == {"correct"}


def test_a_true_or_false_question_gets_its_two_choices_and_the_bank_is_audited(cast, bank):
    assert len(bank.true_false.choices) == 2
    assert sentence(bank.single, "quizquestion.created") == (
        "Added a question to the topic Billing rules"
    )
    assert sentence(bank.topic, "quiztopic.created") == "Added the test topic Billing rules"
    services.quiz_question_retire(actor=cast.sam, question=bank.single)
    assert sentence(bank.single, "quizquestion.retired") == "Took the question out of use"
    with pytest.raises(Conflict):
        services.quiz_question_retire(actor=cast.sam, question=bank.single)


def test_setting_a_test_checks_its_window_questions_and_takers(cast, bank):
    now = timezone.now()
    with pytest.raises(DomainError) as error:
        services.quiz_create(
            actor=cast.quinn,
            title="",
            opens_at=now,
            closes_at=now,
            time_limit_minutes=0,
            random_count=5,
            topics=[bank.topic],
        )
    assert set(error.value.fields) == {
        "title",
        "closes_at",
        "time_limit_minutes",
        "random_count",
        "agents",
    }


def test_publishing_tells_the_agents_and_only_a_draft_is_published(cast, quizzes):
    quiz = quizzes.open
    assert quiz.status == QuizStatus.PUBLISHED
    assert sentence(quiz, "quiz.published") == "Published the test"
    assert sentence(quiz, "quiz.created") == "Set the test December test"
    told = Notification.objects.filter(kind="qa.quiz", recipient=cast.ann)
    assert told.count() == 1 and "December test" in told.get().text
    assert not Notification.objects.filter(
        kind="qa.quiz", recipient=cast.bob, link__contains=f"/{quiz.pk}/"
    )
    with pytest.raises(Conflict):
        services.quiz_publish(actor=cast.quinn, quiz=quiz)
    services.quiz_withdraw(actor=cast.sam, quiz=quiz)
    assert sentence(quiz, "quiz.withdrawn") == "Withdrew the test"
    with pytest.raises(Conflict):
        services.quiz_attempt_start(actor=cast.ann, quiz=quiz)


def test_an_agent_takes_the_test_and_it_is_marked(cast, bank, quizzes):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    assert attempt.number == 1 and attempt.question_count == 3
    assert attempt.deadline == attempt.started_at + timedelta(minutes=20)
    assert sentence(attempt, "quizattempt.started") == "Started attempt 1"
    # Starting again resumes the same attempt.
    assert services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open).pk == attempt.pk
    answers = right_answers(attempt)
    answers[str(bank.multiple.pk)] = [0]  # one right choice missing: wrong
    done = services.quiz_attempt_submit(actor=cast.ann, attempt=attempt, answers=answers)
    assert done.status == AttemptStatus.SUBMITTED
    assert (done.correct_count, done.question_count, str(done.score)) == (2, 3, "66.67")
    assert sentence(done, "quizattempt.submitted") == (
        "Handed in the test: 2 of 3 right, score 66.67"
    )
    with pytest.raises(Conflict):
        services.quiz_attempt_submit(actor=cast.ann, attempt=done, answers=answers)


def test_nobody_but_the_agent_starts_or_hands_in_their_paper(cast, quizzes):
    for user in (cast.bob, cast.tina, cast.quinn, cast.sam):
        with pytest.raises(DomainError) as error:
            services.quiz_attempt_start(actor=user, quiz=quizzes.open)
        assert error.value.status_code == 403
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    with pytest.raises(DomainError) as error:
        services.quiz_attempt_submit(actor=cast.bob, attempt=attempt, answers={})
    assert error.value.status_code == 403
    assert not audited(attempt, "quizattempt.submitted").exists()


def test_answers_after_the_limit_and_its_grace_are_refused_and_the_attempt_closes(cast, quizzes):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    # Within the grace: accepted.
    late_but_fine = attempt.deadline + timedelta(seconds=20)
    second = QuizAttempt.objects.get(pk=attempt.pk)
    services.quiz_attempt_submit(
        actor=cast.ann, attempt=second, answers=right_answers(attempt), now=late_but_fine
    )
    again = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    assert again.number == 2
    with pytest.raises(Conflict) as error:
        services.quiz_attempt_submit(
            actor=cast.ann,
            attempt=again,
            answers=right_answers(again),
            now=again.deadline + timedelta(seconds=31),
        )
    assert error.value.code == "time_up"
    assert "ran out" in error.value.message
    again.refresh_from_db()
    assert again.status == AttemptStatus.EXPIRED and again.score == 0
    assert sentence(again, "quizattempt.expired") == "The time for the attempt ran out"
    # Two attempts allowed: none left; the best one counts.
    with pytest.raises(Conflict):
        services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    counted = selectors.counted(selectors.attempts_of(quizzes.open, cast.ann_agent), "best")
    assert counted.number == 1 and counted.score == 100


def test_the_last_attempt_counts_when_the_centre_says_so(cast, quizzes):
    attempts = [
        QuizAttempt(number=1, status=AttemptStatus.SUBMITTED, score=90),
        QuizAttempt(number=2, status=AttemptStatus.SUBMITTED, score=70),
        QuizAttempt(number=3, status=AttemptStatus.IN_PROGRESS, score=None),
    ]
    assert selectors.counted(attempts, "last").number == 2
    assert selectors.counted(attempts, "best").number == 1


def test_a_random_paper_is_drawn_once_and_kept_for_the_retake(cast, bank):
    now = timezone.now()
    quiz = services.quiz_create(
        actor=cast.quinn,
        title="Random",
        opens_at=now - timedelta(minutes=1),
        closes_at=now + timedelta(days=1),
        time_limit_minutes=10,
        topics=[bank.topic],
        random_count=2,
        attempts_allowed=3,
        agents=[cast.ann_agent],
    )
    services.quiz_publish(actor=cast.quinn, quiz=quiz)
    first = services.quiz_attempt_start(actor=cast.ann, quiz=quiz)
    assert len(first.paper.question_ids) == 2
    assert set(first.paper.question_ids) <= {q.pk for q in bank.questions}
    services.quiz_attempt_submit(actor=cast.ann, attempt=first, answers={})
    second = services.quiz_attempt_start(actor=cast.ann, quiz=quiz)
    assert second.paper.pk == first.paper.pk
    assert QuizPaper.objects.filter(quiz=quiz).count() == 1


def test_a_bad_answer_is_refused_with_its_field(cast, bank, quizzes):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    for answers in ({"999999": [0]}, {str(bank.single.pk): [7]}, {str(bank.single.pk): [0, 1]}):
        with pytest.raises(DomainError) as error:
            services.quiz_attempt_submit(actor=cast.ann, attempt=attempt, answers=answers)
        assert error.value.field == "answers"
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.IN_PROGRESS


def test_the_agents_read_when_a_test_opens_on_the_site_s_clock(cast, bank, settings):
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    opens = (timezone.now() + timedelta(days=1)).replace(hour=1, minute=30, second=0, microsecond=0)
    quiz = services.quiz_create(
        actor=cast.quinn,
        title="Zone test",
        opens_at=opens,
        closes_at=opens + timedelta(hours=4),
        time_limit_minutes=20,
        questions=bank.questions,
        teams=[cast.billing],
    )
    services.quiz_publish(actor=cast.quinn, quiz=quiz)
    text = Notification.objects.get(kind="qa.quiz", recipient=cast.ann).text
    assert f"(opens {opens + timedelta(hours=8):%Y-%m-%d} 09:30)" in text, text
