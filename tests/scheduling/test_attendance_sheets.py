"""Daily and monthly attendance sheets from agent states in the database, and their exports."""

import csv
import io
from datetime import date, timedelta

import pytest
from openpyxl import load_workbook

from agents import services as agent_services
from agents.models import Agent
from metrics.models import AgentState, TelephonySource
from scheduling import selectors
from scheduling.models import LeaveRequest, LeaveStatus
from tests.scheduling.conftest import at, make_shift
from tests.scheduling.test_attendance import STATES

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 16)  # the scripted day of test_attendance, a week earlier
WEEK = timedelta(days=7)
MONTH = (2026, 11)


@pytest.fixture
def scripted(cast):
    """Ann works the scripted day; Cy is absent; Dee is on approved leave."""
    source = TelephonySource.objects.create(name="pbx", kind="asterisk_file")
    make_shift(
        cast.ann_agent,
        at(DAY, 8),
        at(DAY, 16),
        activities=[
            ("break", at(DAY, 10), at(DAY, 10, 15)),
            ("lunch", at(DAY, 12), at(DAY, 12, 30)),
        ],
    )
    AgentState.objects.bulk_create(
        AgentState(
            source=source,
            member="PJSIP/2004",
            agent=cast.ann_agent,
            status=s.status,
            activity=s.activity,
            reason=s.reason,
            started_at=s.start - WEEK,
            ended_at=s.end - WEEK if s.end else None,
        )
        for s in STATES
    )
    cy = agent_services.agent_create(
        username="cy", display_name="Cy Agent", employee_number="E2006", team=cast.billing
    )
    make_shift(cy, at(DAY, 9), at(DAY, 17))
    dee = agent_services.agent_create(
        username="dee", display_name="Dee Agent", employee_number="E2007", team=cast.billing
    )
    LeaveRequest.objects.create(
        agent=dee,
        first_day=DAY,
        last_day=date(2026, 11, 17),
        status=LeaveStatus.APPROVED,
        decided_by=cast.tina,
    )
    return cast


def test_the_daily_sheet_shows_late_early_absent_and_leave_with_totals(scripted):
    sheet = selectors.attendance_day(team=scripted.billing, day=DAY, now=at(DAY, 20))
    rows = {r["agent"].user.username: r for r in sheet["rows"]}
    ann = rows["ann"]
    assert ann["attendance"].label == "late, early leave"
    assert (ann["attendance"].late_min, ann["attendance"].early_leave_min) == (7, 15)
    assert ann["adherence"].adherent_min == 441 and len(ann["adherence"].exceptions) == 5
    assert rows["cy"]["attendance"].status == "absent"
    assert rows["dee"]["attendance"].status == "leave"
    totals = sheet["totals"]
    assert (totals["scheduled"], totals["present"], totals["absent"], totals["leave"]) == (
        2,
        1,
        1,
        1,
    )
    assert (totals["late"], totals["late_min"], totals["early_leave_min"]) == (1, 7, 15)


def test_the_monthly_sheet_adds_up_the_days(scripted):
    sheet = selectors.attendance_month(team=scripted.billing, year=2026, month=11, now=at(DAY, 20))
    assert len(sheet["days"]) == 30
    by_name = {r["agent"].display_name: r["totals"] for r in sheet["rows"]}
    assert by_name["Ann Agent"]["late_min"] == 7 and by_name["Ann Agent"]["present"] == 1
    assert by_name["Cy Agent"]["absent"] == 1
    assert by_name["Dee Agent"]["leave"] == 2
    assert sheet["totals"]["leave"] == 2 and sheet["totals"]["scheduled"] == 2


def test_the_sheets_export_to_csv_and_xlsx(scripted, client):
    client.force_login(scripted.tina)
    url = f"/attendance/export/?team={scripted.billing.pk}&day={DAY}&format=csv"
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Disposition"] == (
        'attachment; filename="attendance_Billing_2026-11-16_UTC.csv"; '
        "filename*=UTF-8''Attendance_Billing_2026-11-16_UTC.csv"
    )
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][0] == "Agent"
    ann = next(r for r in rows if r[0] == "Ann Agent")
    assert ann[6] == "late, early leave" and ann[7:9] == ["7", "15"]
    assert rows[-1][0] == "Total"
    response = client.get(
        f"/attendance/export/?team={scripted.billing.pk}&month=2026-11&format=xlsx"
    )
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][:3] == ["Agent", "Employee", "Scheduled days"]
    assert values[-1][0] == "Total" and values[-1][10] == 2
    assert (
        client.get(f"/attendance/export/?team={scripted.billing.pk}&month=nope").status_code == 400
    )


def test_a_lead_cannot_read_another_teams_sheet(scripted, client):
    client.force_login(scripted.tom)
    response = client.get(f"/attendance/?team={scripted.billing.pk}&day={DAY}")
    assert response.status_code == 200
    assert b"Ann Agent" not in response.content


def test_hostile_agent_names_leave_the_attendance_exports_as_text(scripted, client):
    """A name that is a formula stays text; a control character does not stop the XLSX."""
    scripted.ann_agent.display_name = '=HYPERLINK("http://x","y")'
    scripted.ann_agent.save(update_fields=["display_name"])
    Agent.objects.filter(user__username="cy").update(display_name="Cy\x07\x1b")
    client.force_login(scripted.tina)
    base = f"/attendance/export/?team={scripted.billing.pk}&day={DAY}"
    rows = list(
        csv.reader(io.StringIO(client.get(base + "&format=csv").content.decode("utf-8-sig")))
    )
    names = [row[0] for row in rows]
    assert '\'=HYPERLINK("http://x","y")' in names and "Cy\ufffd\ufffd" in names
    for query in ("&format=xlsx", f"&month={MONTH[0]}-{MONTH[1]}&format=xlsx"):
        response = client.get(base + query)
        assert response.status_code == 200
        sheet = load_workbook(io.BytesIO(response.content)).active
        cells = {c.value: c for c in sheet["A"]}
        assert cells['=HYPERLINK("http://x","y")'].quotePrefix and "Cy\ufffd\ufffd" in cells
        assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
