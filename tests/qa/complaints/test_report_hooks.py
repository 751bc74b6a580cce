"""The agent and team reports count the complaints linked to each agent."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from qa.complaints import services
from qa.complaints.models import Complaint
from qa.complaints.selectors import agent_report_complaints

pytestmark = pytest.mark.django_db


@pytest.fixture
def cases(cast, floor, new_case):
    """Ann: the fixture's case and one from another of her calls today, one last month;
    Bob: one case today (logged by the supervisor); one case linked to nobody."""

    def log(actor, calls, description="Case"):
        return services.complaint_create(
            actor=actor,
            customer_name="Jo",
            customer_contact="+44 20 7946 0000",
            category=floor.billing_errors,
            description=description,
            calls=calls,
        )

    log(cast.ann, [floor.extra_calls[0]])
    old = log(cast.ann, [floor.extra_calls[1]])
    Complaint.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=40))
    log(cast.sam, [floor.bob_call])
    log(cast.sam, [])
    return floor


def _today():
    today = timezone.localdate()
    return reports.ReportRange(today - timedelta(days=1), today)


def test_the_agent_report_counts_the_agents_complaints_in_the_range(cast, cases):
    report = agent_reports.agent_report(agent=cast.ann_agent, span=_today())
    assert report.rows[-1]["complaints"] == 2  # last month's and unlinked cases do not count
    text = report_exports.as_csv(report).decode()
    rows = list(csv.reader(io.StringIO(text)))
    header = next(r for r in rows if "Complaints" in r)
    assert rows[-1][header.index("Complaints")] == "2"
    sheet = load_workbook(io.BytesIO(report_exports.as_xlsx(report))).active
    titles = [c.value for c in sheet[1]]  # the column headers lead the sheet
    assert sheet.cell(row=sheet.max_row, column=titles.index("Complaints") + 1).value == 2


def test_a_team_counts_its_agents_complaints(cast, cases):
    start, end = _today().bounds()
    figures = agent_report_complaints(agents=[cast.ann_agent, cast.bob_agent], start=start, end=end)
    assert figures == {
        cast.ann_agent.pk: {"complaints": 2},
        cast.bob_agent.pk: {"complaints": 1},
        None: {"complaints": 3},
    }
    report = agent_reports.team_report(team=cast.billing, span=_today())
    ann = next(r for r in report.rows if r["label"] == "Ann Agent")
    assert ann["complaints"] == 2 and report.rows[-1]["complaints"] == 2
