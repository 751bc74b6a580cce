"""Monthly test pages and API: every endpoint × every role (and anonymous).

The world (tests/qa/quizzes/conftest.py): an open test for Billing (ann, the matrix's agent;
tina leads Billing), a test only for Cards (bob), a draft, and a closed test ann and bob took.
ann also has an attempt in progress at the open test.
"""

from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.permissions import ROLES, Case, check_case

MANAGERS_PAGE = {"anonymous": 302, "agent": 403, "team_lead": 403}
MANAGERS_POST = {"anonymous": 302, "agent": 403, "team_lead": 403, "qa_analyst": 302}
MANAGERS_API = {"anonymous": 403, "agent": 403, "team_lead": 403}
READERS_API = {"anonymous": 403, "agent": 403}


def _question(w) -> dict:
    return {
        "form": "question",
        "topic": w.bank.topic.pk,
        "kind": "single",
        "text": "Which queue takes refunds?",
        "choices": "Billing\nCards",
        "correct": "1",
    }


def _quiz(w) -> dict:
    local = timezone.localtime()
    return {
        "title": "February test",
        "opens_at": (local + timezone.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (local + timezone.timedelta(days=2)).strftime("%Y-%m-%dT%H:%M"),
        "time_limit_minutes": 15,
        "questions": [q.pk for q in w.bank.questions],
        "random_count": 0,
        "attempts_allowed": 1,
        "counts": "best",
        "teams": [w.billing.pk],
    }


def _quiz_api(w) -> dict:
    now = timezone.now()
    return {
        "title": "February test",
        "opens_at": (now + timezone.timedelta(days=1)).isoformat(),
        "closes_at": (now + timezone.timedelta(days=2)).isoformat(),
        "time_limit_minutes": 15,
        "questions": [q.pk for q in w.bank.questions],
        "teams": [w.billing.pk],
    }


MATRIX = [
    # --- pages ---
    Case("qa-quizzes", api=False, expect={"anonymous": 302}, default=200),
    Case("qa-quiz-results", api=False, expect={"anonymous": 302}, default=200),
    Case("qa-quiz-bank", api=False, expect=MANAGERS_PAGE, default=200),
    Case(
        "qa-quiz-bank",
        method="post",
        api=False,
        data=_question,
        expect=MANAGERS_PAGE,
        default=302,
    ),
    Case(
        "qa-quiz-question-retire",
        method="post",
        api=False,
        kwargs=lambda w: {"question_id": w.bank.single.pk},
        expect=MANAGERS_PAGE,
        default=302,
    ),
    Case("qa-quiz-new", api=False, expect=MANAGERS_PAGE, default=200),
    Case("qa-quiz-new", method="post", api=False, data=_quiz, expect=MANAGERS_PAGE, default=302),
    Case(
        "qa-quiz",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect={"anonymous": 302},
        default=200,
    ),
    Case(
        "qa-quiz",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.cards_only.pk},
        expect={"anonymous": 302, "agent": 404},
        default=200,
        label="another team's",
    ),
    Case(
        "qa-quiz",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.draft.pk},
        expect={"anonymous": 302, "agent": 404},
        default=200,
        label="draft",
    ),
    Case(
        "qa-quiz-publish",
        method="post",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.draft.pk},
        expect=MANAGERS_PAGE,
        default=302,
    ),
    Case(
        "qa-quiz-withdraw",
        method="post",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect=MANAGERS_PAGE,
        default=302,
    ),
    Case(
        "qa-quiz-start",
        method="post",
        api=False,
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "qa-quiz-attempt",
        api=False,
        kwargs=lambda w: {"attempt_id": w.quizzes.ann_closed.pk},
        expect={"anonymous": 302},
        default=200,
    ),
    # Bob's paper: never another agent; tina leads Billing, not Cards.
    Case(
        "qa-quiz-attempt",
        api=False,
        kwargs=lambda w: {"attempt_id": w.quizzes.bob_closed.pk},
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
        label="bob's",
    ),
    # A paper being written: only its agent.
    Case(
        "qa-quiz-attempt",
        api=False,
        kwargs=lambda w: {"attempt_id": w.writing.pk},
        expect={"anonymous": 302, "agent": 200},
        default=404,
        label="in progress",
    ),
    Case(
        "qa-quiz-attempt",
        method="post",
        api=False,
        kwargs=lambda w: {"attempt_id": w.writing.pk},
        data=lambda w: {f"q{w.bank.single.pk}": "0"},
        expect={"anonymous": 302, "agent": 302},
        default=404,
    ),
    # --- API ---
    Case("api-qa-quiz-topic-list", expect=MANAGERS_API, default=200),
    Case(
        "api-qa-quiz-topic-list",
        method="post",
        data={"name": "Cards rules"},
        expect=MANAGERS_API,
        default=201,
    ),
    Case("api-qa-quiz-question-list", expect=MANAGERS_API, default=200),
    Case(
        "api-qa-quiz-question-list",
        method="post",
        data=lambda w: {
            "topic": w.bank.topic.pk,
            "kind": "true_false",
            "text": "Cards are blocked at once.",
            "correct": [0],
        },
        expect=MANAGERS_API,
        default=201,
    ),
    Case(
        "api-qa-quiz-question-retire",
        method="post",
        kwargs=lambda w: {"question_id": w.bank.single.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case("api-qa-quiz-list", expect={"anonymous": 403}, default=200),
    Case("api-qa-quiz-list", method="post", data=_quiz_api, expect=MANAGERS_API, default=201),
    Case(
        "api-qa-quiz-detail",
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect={"anonymous": 403},
        default=200,
    ),
    Case(
        "api-qa-quiz-detail",
        kwargs=lambda w: {"quiz_id": w.quizzes.cards_only.pk},
        expect={"anonymous": 403, "agent": 404},
        default=200,
        label="another team's",
    ),
    Case(
        "api-qa-quiz-detail",
        kwargs=lambda w: {"quiz_id": w.quizzes.draft.pk},
        expect={"anonymous": 403, "agent": 404},
        default=200,
        label="draft",
    ),
    Case(
        "api-qa-quiz-publish",
        method="post",
        kwargs=lambda w: {"quiz_id": w.quizzes.draft.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-quiz-withdraw",
        method="post",
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect=MANAGERS_API,
        default=200,
    ),
    Case(
        "api-qa-quiz-start",
        method="post",
        kwargs=lambda w: {"quiz_id": w.quizzes.open.pk},
        expect={"anonymous": 403, "agent": 201},
        default=403,
    ),
    Case(
        "api-qa-quiz-results",
        kwargs=lambda w: {"quiz_id": w.quizzes.closed.pk},
        expect=READERS_API,
        default=200,
    ),
    Case(
        "api-qa-quiz-attempt-detail",
        kwargs=lambda w: {"attempt_id": w.quizzes.ann_closed.pk},
        expect={"anonymous": 403},
        default=200,
    ),
    Case(
        "api-qa-quiz-attempt-detail",
        kwargs=lambda w: {"attempt_id": w.quizzes.bob_closed.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
        label="bob's",
    ),
    Case(
        "api-qa-quiz-attempt-detail",
        kwargs=lambda w: {"attempt_id": w.writing.pk},
        expect={"anonymous": 403, "agent": 200},
        default=404,
        label="in progress",
    ),
    Case(
        "api-qa-quiz-attempt-submit",
        method="post",
        kwargs=lambda w: {"attempt_id": w.writing.pk},
        data=lambda w: {"answers": {str(w.bank.single.pk): [0]}},
        expect={"anonymous": 403, "agent": 200},
        default=404,
    ),
]


@pytest.fixture
def quiz_world(cast, bank, quizzes):
    from qa.quizzes import services

    writing = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    return SimpleNamespace(**vars(cast), bank=bank, quizzes=quizzes, writing=writing)


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(quiz_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, quiz_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_test_url():
    from qa.quizzes.urls import urlpatterns

    assert {p.name for p in urlpatterns} <= {case.url_name for case in MATRIX}
