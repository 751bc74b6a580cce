"""Complaint reports: rates per 1,000 calls, ages, breaches, resolve times, exports."""

import csv
import io
from datetime import timedelta

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone

from qa.complaints import reports, services
from qa.complaints.models import Complaint
from tests.qa.complaints.conftest import walk_to_callback

pytestmark = pytest.mark.django_db


@pytest.fixture
def logged(cast, floor):
    """ann: one complaint on her billing call (4 calls); bob: two on his cards call (1 call)."""

    def log(actor, call, category, severity="normal"):
        return services.complaint_create(
            actor=actor,
            customer_name="C",
            customer_contact="c@example.com",
            category=category,
            description="d",
            severity=severity,
            calls=[call],
        )

    ann = log(cast.ann, floor.ann_call, floor.billing_errors)
    bob1 = log(cast.bob, floor.bob_call, floor.rudeness, "high")
    bob2 = log(cast.bob, floor.bob_call, floor.rudeness, "high")
    return ann, bob1, bob2


def test_complaint_rate_per_thousand_calls_by_queue_and_agent(logged):
    tables = reports.build(reports.Period.last_weeks(4))
    by_queue = {r["queue"]: r for r in reports.records(tables["rate_by_queue"])}
    assert by_queue["billing"] == {
        "queue": "billing",
        "calls": 4,
        "complaints": 1,
        "per_1000_calls": 250.0,
    }
    assert by_queue["cards"]["per_1000_calls"] == 2000.0
    by_agent = {r["agent"]: r for r in reports.records(tables["rate_by_agent"])}
    assert by_agent["Ann Agent"]["per_1000_calls"] == 250.0
    assert by_agent["Bob Agent"]["complaints"] == 2


def test_open_cases_by_age_and_tier(cast, logged):
    ann, bob1, _ = logged
    Complaint.objects.filter(pk=ann.pk).update(created_at=timezone.now() - timedelta(days=4))
    services.complaint_escalate(complaint=bob1, actor=cast.bob, reason="r")
    table = reports.open_by_age_tier().set_index("age")
    assert table.loc["3–7 days", "Agent"] == 1
    assert table.loc["under 1 day", "Agent"] == 1
    assert table.loc["under 1 day", "Team lead"] == 1
    assert table["total"].sum() == 3


def test_breaches_and_time_to_resolve(cast, floor, logged):
    ann = logged[0]
    services.complaint_check_timers(now=timezone.now() + timedelta(days=30))
    walk_to_callback(ann, cast.sam)
    tables = reports.build(reports.Period.last_weeks(2))
    breaches = tables["breaches"].set_index("severity")
    assert breaches.loc["high", "cases"] == 2 and breaches.loc["high", "breached"] == 2
    assert breaches.loc["normal", "acknowledge_breaches"] == 1
    assert breaches.loc["critical", "cases"] == 0
    resolve = reports.records(tables["time_to_resolve"])
    assert [(r["category"], r["severity"], r["resolved"]) for r in resolve] == [
        ("Billing error", "normal", 1)
    ]
    assert resolve[0]["median_hours"] < 1


def test_the_weekly_trend_covers_every_week_of_the_period(logged):
    period = reports.Period.last_weeks(6)
    trend = reports.trend_by_week(reports._cases(period), period)
    assert len(trend) in (6, 7)  # the period may start mid-week
    assert trend["complaints"].sum() == 3 and trend["complaints"].iloc[-1] == 3


def test_exports_as_csv_and_xlsx(cast, client, logged):
    client.force_login(cast.sam)
    response = client.get(
        reverse("complaint-report-export", kwargs={"fmt": "csv"}), {"table": "rate_by_queue"}
    )
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response.content.startswith(b"\xef\xbb\xbf")  # Excel reads it as UTF-8
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["queue"]: r["complaints"] for r in rows} == {"cards": "2", "billing": "1"}
    response = client.get(reverse("complaint-report-export", kwargs={"fmt": "xlsx"}))
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == [*(reports.sheet_name(name) for name in reports.TABLES), "About"]
    sheet = book[reports.sheet_name("rate_by_queue")]
    assert [c.value for c in sheet[1]] == ["queue", "calls", "complaints", "per 1,000 calls"]
    response = client.get(
        reverse("complaint-report-export", kwargs={"fmt": "csv"}), {"table": "nope"}
    )
    assert response.status_code == 400 and b"table" in response.content


def test_the_reports_page_charts_the_weekly_trend(cast, client, logged):
    client.force_login(cast.tina)
    response = client.get(reverse("complaint-reports"))
    assert response.status_code == 200
    (chart,) = response.context["charts"]
    complaints, breached = chart["series"]
    assert (complaints["name"], complaints["values"][-1]) == ("complaints", 3)
    assert breached["name"] == "breached"
    html = response.content.decode()
    assert '<script id="complaint-charts" type="application/json">' in html
    assert "Complaints per 1,000 calls by queue" in html


def test_reports_of_an_empty_centre_are_empty_not_broken(cast):
    tables = reports.build(reports.Period.last_weeks(3))
    assert tables["open_by_age_tier"]["total"].sum() == 0
    assert tables["breaches"]["cases"].sum() == 0
    assert tables["time_to_resolve"].empty and tables["rate_by_queue"].empty
    assert tables["trend_by_week"]["complaints"].sum() == 0
    assert reports.to_xlsx(tables)[:2] == b"PK"


def test_closed_cases_by_root_cause(cast, floor, logged):
    ann, bob1, bob2 = logged
    for case, cause in [(ann, floor.process), (bob1, floor.training), (bob2, floor.training)]:
        walk_to_callback(case, cast.sam)
        services.complaint_record_callback(complaint=case, actor=cast.sam, outcome="satisfied")
        services.complaint_close(
            complaint=case, actor=cast.sam, root_cause=cause, corrective_action="x"
        )
    rows = reports.records(reports.build(reports.Period.last_weeks(1))["root_causes"])
    assert rows == [
        {"root_cause": "Coaching gap", "Billing error": 0, "Rude agent": 2, "total": 2},
        {"root_cause": "Process gap", "Billing error": 1, "Rude agent": 0, "total": 1},
    ]


def test_a_hostile_queue_name_leaves_the_exports_as_text(cast, client, floor):
    """A queue named by a telephony event is no formula in Excel and no control character."""
    from rest_framework.test import APIClient

    from metrics.telephony.services import source_create

    _, token = source_create(name="pbx-json", kind="http_json", site="main")
    pbx = APIClient()
    pbx.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    events = [
        {
            "id": "q1",
            "type": "call_queued",
            "at": timezone.now().isoformat(),
            "call_id": "hostile.1",
            "queue": '=HYPERLINK("http://x","y")',
            "caller": "+3225550101",
        }
    ]
    response = pbx.post(reverse("api-telephony-events"), {"events": events}, format="json")
    assert response.json()["accepted"] == 1
    services.complaint_create(
        actor=cast.sam,
        customer_name="C",
        customer_contact="c@example.com",
        category=floor.billing_errors,
        description="d",
        calls=[floor.bob_call],
    )
    floor.cards.name = "cards\x07\x1b"
    floor.cards.save(update_fields=["name"])
    client.force_login(cast.sam)
    url = reverse("complaint-report-export", kwargs={"fmt": "csv"})
    rows = list(
        csv.reader(
            io.StringIO(client.get(url, {"table": "rate_by_queue"}).content.decode("utf-8-sig"))
        )
    )
    assert ['\'=HYPERLINK("http://x","y")', "1", "0", "0.0"] in rows
    assert "cards\ufffd\ufffd" in [row[0] for row in rows]
    response = client.get(reverse("complaint-report-export", kwargs={"fmt": "xlsx"}))
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content))[
        reports.sheet_name("rate_by_queue")
    ]
    cells = {c.value: c for c in sheet["A"]}
    hyperlink = cells['=HYPERLINK("http://x","y")']
    assert hyperlink.data_type == "s" and hyperlink.quotePrefix
    assert "cards\ufffd\ufffd" in cells
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def _agent_rows(cast, client, user) -> dict[str, dict]:
    """The per-agent rows `user` reads in the API, the page and both exports (all the same)."""
    from rest_framework.test import APIClient

    api = APIClient()
    api.force_login(user)
    response = api.get(reverse("api-complaint-reports"))
    assert response.status_code == 200
    from_api = {r["agent"]: r for r in response.json()["tables"]["rate_by_agent"]}
    client.force_login(user)
    csv_url = reverse("complaint-report-export", kwargs={"fmt": "csv"})
    rows = csv.DictReader(
        io.StringIO(client.get(csv_url, {"table": "rate_by_agent"}).content.decode("utf-8-sig"))
    )
    assert {r["agent"] for r in rows} == set(from_api)
    xlsx = client.get(reverse("complaint-report-export", kwargs={"fmt": "xlsx"})).content
    sheet = openpyxl.load_workbook(io.BytesIO(xlsx))[reports.sheet_name("rate_by_agent")]
    assert {row[0].value for row in sheet.iter_rows(min_row=2)} == set(from_api)
    page = client.get(reverse("complaint-reports")).content.decode()
    for name in ("Ann Agent", "Bob Agent"):
        assert (name in page) == (name in from_api), name
    return from_api


@pytest.mark.parametrize("whole_floor", [False, True])
def test_a_team_lead_reads_their_teams_agents_in_the_complaint_reports(
    cast, client, logged, settings, whole_floor
):
    """tina leads Billing (ann), tom leads Cards (bob): each reads their own agents' rows; the
    site setting lets team leads read every team's. Supervisors read every agent."""
    settings.CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = whole_floor
    everyone = {"Ann Agent", "Bob Agent"}
    assert set(_agent_rows(cast, client, cast.sam)) == everyone
    tina = _agent_rows(cast, client, cast.tina)
    assert set(tina) == (everyone if whole_floor else {"Ann Agent"})
    assert tina["Ann Agent"] == {
        "agent": "Ann Agent",
        "calls": 4,
        "complaints": 1,
        "per_1000_calls": 250.0,
    }
    tom = _agent_rows(cast, client, cast.tom)
    assert set(tom) == (everyone if whole_floor else {"Bob Agent"})
    assert tom["Bob Agent"]["complaints"] == 2
    # The floor's own tables are unchanged: both queues' complaints are counted.
    response = client.get(
        reverse("complaint-report-export", kwargs={"fmt": "csv"}), {"table": "rate_by_queue"}
    )
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert {r["queue"]: r["complaints"] for r in rows} == {"cards": "2", "billing": "1"}
