"""The monthly test pages: refused forms keep what was typed and name each field, a paper
handed in too late says why, an abandoned paper closes by itself."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from qa.models import AttemptStatus, QuizAttempt, QuizQuestion
from qa.quizzes import services
from qa.tasks import expire_test_attempts
from tests.qa.quizzes.conftest import right_answers

pytestmark = pytest.mark.django_db


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_a_refused_question_names_its_fields_and_keeps_what_was_typed(cast, bank):
    response = client_for(cast.quinn).post(
        "/qa/tests/bank/",
        {
            "form": "question",
            "topic": bank.topic.pk,
            "kind": "single",
            "text": "Which queue takes refunds?",
            "choices": "Billing\nCards",
            "correct": "1,2",
        },
    )
    assert response.status_code == 400
    assert "This kind of question has exactly one right choice." in response.content.decode()
    assert "Which queue takes refunds?" in response.content.decode()
    assert not QuizQuestion.objects.filter(text="Which queue takes refunds?").exists()


def test_a_test_set_on_the_page_opens_in_the_sites_zone(cast, bank, settings):
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    response = client_for(cast.sam).post(
        "/qa/tests/new/",
        {
            "title": "February test",
            "opens_at": "2027-02-01T09:00",
            "closes_at": "2027-02-03T18:00",
            "time_limit_minutes": 15,
            "questions": [q.pk for q in bank.questions],
            "random_count": 0,
            "attempts_allowed": 2,
            "counts": "last",
            "teams": [cast.billing.pk],
        },
    )
    assert response.status_code == 302
    from qa.models import Quiz

    quiz = Quiz.objects.get(title="February test")
    assert quiz.opens_at.isoformat() == "2027-02-01T01:00:00+00:00"
    assert (quiz.status, quiz.counts, quiz.attempts_allowed) == ("draft", "last", 2)


def test_a_paper_handed_in_too_late_says_the_time_ran_out(cast, quizzes):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=2))
    client = client_for(cast.ann)
    response = client.post(
        f"/qa/tests/attempts/{attempt.pk}/",
        {f"q{qid}": given for qid, given in right_answers(attempt).items()},
        follow=True,
    )
    page = response.content.decode()
    assert "The time for this test ran out: answers are no longer accepted." in page
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED and attempt.score == 0


def test_a_paper_left_open_closes_by_itself_after_its_time(cast, quizzes):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    assert expire_test_attempts() == 0
    QuizAttempt.objects.filter(pk=attempt.pk).update(deadline=timezone.now() - timedelta(minutes=1))
    assert expire_test_attempts() == 1
    attempt.refresh_from_db()
    assert attempt.status == AttemptStatus.EXPIRED
    # The agent may take the second attempt the test allows.
    page = client_for(cast.ann).get(f"/qa/tests/{quizzes.open.pk}/").content.decode()
    assert "Take it again" in page
