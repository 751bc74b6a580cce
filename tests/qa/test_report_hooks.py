"""The agent and team reports carry the QA average of released evaluations."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from qa.selectors import agent_report_qa
from tests.qa.conftest import released_evaluation

pytestmark = pytest.mark.django_db


@pytest.fixture
def scored(cast, world, ann_evaluation):
    """Ann: 61.11 (the fixture) and 100 released today, a draft, a 0 released last month;
    Bob: 83.33 released today."""
    from qa import services

    released_evaluation(world, cast.ann_agent)  # full marks: 100
    old = released_evaluation(world, cast.ann_agent, compliance_notice=0)  # fails: 0
    old.released_at = timezone.now() - timedelta(days=40)
    old.save(update_fields=["released_at"])
    services.evaluation_create(
        evaluator=world.quincy,
        scorecard_version=world.version,
        agent=cast.ann_agent,
        recording_id="rec-draft",
    )
    # Bob: greeting 0/2 → opening 0.5, resolution 1 → 100 × (0.5 + 2 × 1) / 3 = 83.33.
    released_evaluation(world, cast.bob_agent, greeting=0)
    return world


def _today():
    today = timezone.localdate()
    return reports.ReportRange(today - timedelta(days=1), today)


def test_the_ann_fixture_and_bobs_scores_are_as_worked_out(cast, scored, ann_evaluation):
    # Opening (greeting 0/2, identification 2/2) = 0.5; resolution (3 + 2 + 1) / 9 = 2/3;
    # 100 × (1 × 0.5 + 2 × 2/3) / 3 = 61.11.
    assert ann_evaluation.score == pytest.approx(61.11)


def test_the_agent_report_has_the_mean_of_released_evaluations_in_the_range(cast, scored):
    report = agent_reports.agent_report(agent=cast.ann_agent, span=_today())
    total = report.rows[-1]
    # (61.11 + 100) / 2; the draft and last month's 0 do not count.
    assert total["qa_average"] == pytest.approx(80.555, abs=0.006)
    assert total["qa_evaluations"] == 2
    keys = [c.key for c in report.columns]
    assert "qa_average" in keys and "qa_evaluations" in keys

    text = report_exports.as_csv(report).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if "QA average" in r)
    assert rows[-1][header.index("QA evaluations")] == "2"
    assert rows[-1][header.index("QA average")].startswith("80.5")

    sheet = load_workbook(io.BytesIO(report_exports.as_xlsx(report))).active
    titles = [c.value for c in sheet[1]]  # the column headers lead the sheet
    cell = sheet.cell(row=sheet.max_row, column=titles.index("QA average") + 1)
    assert cell.value == pytest.approx(80.555, abs=0.006) and cell.number_format == "0.00"


def test_a_teams_qa_average_is_the_mean_of_all_its_evaluations(cast, scored):
    start, end = _today().bounds()
    figures = agent_report_qa(agents=[cast.ann_agent, cast.bob_agent], start=start, end=end)
    assert figures[cast.ann_agent.pk]["qa_evaluations"] == 2
    assert figures[cast.bob_agent.pk] == {"qa_average": 83.33, "qa_evaluations": 1}
    # (61.11 + 100 + 83.33) / 3 = 81.48, not the mean of the means (80.56 + 83.33) / 2.
    assert figures[None] == {"qa_average": 81.48, "qa_evaluations": 3}

    report = agent_reports.team_report(team=cast.billing, span=_today())
    ann = next(r for r in report.rows if r["label"] == "Ann Agent")
    assert ann["qa_average"] == pytest.approx(80.555, abs=0.006)
    assert report.rows[-1]["qa_evaluations"] == 2  # Billing: Ann's only


def test_an_agent_without_evaluations_has_no_qa_average(cast, world):
    report = agent_reports.agent_report(agent=cast.bob_agent, span=_today())
    assert report.rows[-1].get("qa_average") is None
