"""What the API shows of a paper (never the key while the test is open, never another agent's
answers), the agent and team reports' test columns and their exports, and the month's most
improved agents."""

import io
from datetime import datetime, timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from callfloor.zone import site_zone
from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from qa.models import GRACE, Quiz
from qa.quizzes import selectors, services
from tests.qa.quizzes.conftest import closed_quiz, right_answers

pytestmark = pytest.mark.django_db


def test_no_answer_key_leaves_the_server_while_the_test_is_open(cast, bank, quizzes, api):
    client = api(cast.ann)
    started = client.post(f"/api/qa/tests/{quizzes.open.pk}/start/")
    assert started.status_code == 201
    paper = started.json()
    assert {q["correct"] for q in paper["questions"]} == {None}
    assert {q["explanation"] for q in paper["questions"]} == {None}
    attempt_id = paper["id"]
    done = client.post(
        f"/api/qa/test-attempts/{attempt_id}/submit/",
        {"answers": right_answers(quizzes.open.attempts.get(pk=attempt_id))},
        format="json",
    )
    assert done.status_code == 200 and done.json()["score"] == "100.00"
    # Handed in, but colleagues may still be writing: the key stays on the server, for the
    # agent and for their team lead alike.
    for user in (cast.ann, cast.tina, cast.quinn):
        shown = api(user).get(f"/api/qa/test-attempts/{attempt_id}/").json()
        assert {q["correct"] for q in shown["questions"]} == {None}, user
    assert "correct" not in str(api(cast.ann).get(f"/api/qa/tests/{quizzes.open.pk}/").json())
    assert api(cast.ann).get("/api/qa/test-questions/").status_code == 403

    # Just closed: a colleague who started at the last minute may still hand in within the
    # grace, so the key waits for it too.
    Quiz.objects.filter(pk=quizzes.open.pk).update(closes_at=timezone.now() - timedelta(seconds=10))
    shown = client.get(f"/api/qa/test-attempts/{attempt_id}/").json()
    assert [q["correct"] for q in shown["questions"]] == [None, None, None]
    # Once the window and its grace are over, the key and the explanations show.
    Quiz.objects.filter(pk=quizzes.open.pk).update(closes_at=timezone.now() - GRACE)
    shown = client.get(f"/api/qa/test-attempts/{attempt_id}/").json()
    by_id = {q["id"]: q for q in shown["questions"]}
    assert by_id[bank.single.pk]["correct"] == [0]
    assert by_id[bank.single.pk]["explanation"] == "Invoices go out on the 1st of the month."
    assert by_id[bank.single.pk]["right"] is True


def test_an_agent_never_reads_another_agents_answers(cast, quizzes, api):
    client = api(cast.ann)
    assert client.get(f"/api/qa/test-attempts/{quizzes.bob_closed.pk}/").status_code == 404
    assert client.get(f"/qa/tests/attempts/{quizzes.bob_closed.pk}/").status_code == 404
    assert client.get(f"/api/qa/tests/{quizzes.closed.pk}/results/").status_code == 403
    # Tina (Billing) reads ann's result, not bob's (Cards).
    rows = api(cast.tina).get(f"/api/qa/tests/{quizzes.closed.pk}/results/").json()
    assert [(r["agent_name"], r["score"]) for r in rows] == [("Ann Agent", "100.00")]


def test_answers_after_the_time_limit_are_refused_with_a_clear_message(cast, quizzes, api):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    type(attempt).objects.filter(pk=attempt.pk).update(
        deadline=timezone.now() - timedelta(minutes=1)
    )
    response = api(cast.ann).post(
        f"/api/qa/test-attempts/{attempt.pk}/submit/",
        {"answers": right_answers(attempt)},
        format="json",
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "time_up"
    assert "no longer accepted" in response.json()["error"]["message"]
    attempt.refresh_from_db()
    assert attempt.status == "expired"


def test_a_bad_answer_through_the_api_is_a_400_naming_the_field(cast, quizzes, api):
    attempt = services.quiz_attempt_start(actor=cast.ann, quiz=quizzes.open)
    response = api(cast.ann).post(
        f"/api/qa/test-attempts/{attempt.pk}/submit/", {"answers": {"1x": [0]}}, format="json"
    )
    assert response.status_code == 400
    assert "answers" in response.json()["error"]["fields"]


def _week():
    today = timezone.localdate()
    return reports.ReportRange(today - timedelta(days=7), today)


def test_the_agent_report_and_its_export_show_the_tests_of_the_period(cast, bank, quizzes):
    # Another closed test in the week: ann 1 of 3 right (33.33); one outside the week.
    closed_quiz(
        cast, bank.questions, title="Extra", team=None, days_ago=2, scores={cast.ann_agent: 1}
    )
    closed_quiz(
        cast, bank.questions, title="Old", team=None, days_ago=20, scores={cast.ann_agent: 0}
    )
    report = agent_reports.agent_report(agent=cast.ann_agent, span=_week())
    total = report.rows[-1]
    assert total["tests_taken"] == 2
    assert total["test_average"] == pytest.approx((100 + 33.33) / 2, abs=0.01)
    keys = [c.key for c in report.columns]
    assert keys.index("test_average") > keys.index("qa_average")

    sheet = load_workbook(io.BytesIO(report_exports.as_xlsx(report))).active
    titles = [c.value for c in sheet[1]]
    cell = sheet.cell(row=sheet.max_row, column=titles.index("Test average") + 1)
    assert cell.value == pytest.approx(66.67, abs=0.01)
    assert sheet.cell(row=sheet.max_row, column=titles.index("Tests taken") + 1).value == 2


def test_the_team_report_shows_each_agents_tests_and_the_teams(cast, quizzes):
    report = agent_reports.team_report(team=cast.billing, span=_week())
    ann = next(r for r in report.rows if r["label"] == "Ann Agent")
    assert ann["tests_taken"] == 1 and ann["test_average"] == 100.0
    assert report.rows[-1]["tests_taken"] == 1  # Billing: ann's only, not bob's 0


def test_the_most_improved_agent_of_a_month(cast, bank):
    zone = site_zone()
    november = datetime(2026, 11, 20, 12, tzinfo=zone)
    october = datetime(2026, 10, 20, 12, tzinfo=zone)
    closed_quiz(
        cast,
        bank.questions,
        title="October",
        team=None,
        closes_at=october,
        scores={cast.ann_agent: 1, cast.bob_agent: 3},
    )
    closed_quiz(
        cast,
        bank.questions,
        title="November",
        team=None,
        closes_at=november,
        scores={cast.ann_agent: 3, cast.bob_agent: 2},
    )
    # Another site's test does not count.
    other, _ = closed_quiz(
        cast,
        bank.questions,
        title="North",
        team=None,
        closes_at=november,
        scores={cast.bob_agent: 3},
    )
    Quiz.objects.filter(pk=other.pk).update(site="north")
    best = selectors.most_improved(site="main", month=november.date())
    assert [(row.agent, str(row.before), str(row.after)) for row in best] == [
        (cast.ann_agent, "33.33", "100.00")
    ]
    assert str(best[0].gain) == "66.67"
    assert selectors.most_improved(site="main", month=october.date()) == []
