"""The admin shows the question bank, tests and attempts but cannot add, change or delete
them: they change only through their services, which write the audit rows."""

import pytest
from django.test import Client

from qa.models import Quiz, QuizAttempt, QuizQuestion, QuizTopic

pytestmark = pytest.mark.django_db

MODELS = {
    "quiztopic": QuizTopic,
    "quizquestion": QuizQuestion,
    "quiz": Quiz,
    "quizattempt": QuizAttempt,
}


@pytest.mark.parametrize("model", sorted(MODELS))
def test_the_admin_shows_but_cannot_add_change_or_delete(cast, quizzes, model):
    client = Client()
    client.force_login(cast.ada)
    row = MODELS[model].objects.first()
    before = MODELS[model].objects.count()
    base = f"/admin/qa/{model}/"
    assert client.get(base).status_code == 200
    assert client.get(f"{base}{row.pk}/change/").status_code == 200  # view only
    assert client.get(f"{base}add/").status_code == 403
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    assert MODELS[model].objects.count() == before
