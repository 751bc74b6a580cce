"""The pages of emergency plans: the editor, closing with a note, the drill report and its
exports, the board's start menu, and every page in Chinese."""

import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from openpyxl import load_workbook

from agents.models import AuditEntry
from metrics.emergency import services
from metrics.emergency.models import Activation, EmergencyPlan
from tests.i18n.pages import walk
from tests.metrics.emergency.conftest import make_plan
from tests.metrics.emergency.test_permissions import MATRIX

pytestmark = pytest.mark.django_db


def client_for(user, language="en") -> Client:
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(user)
    return client


def test_the_editor_saves_roles_steps_and_a_move_in_order(cast, plans):
    data = {
        "title": "Power cut",
        "trigger": "power_cut",
        "broadcast_text": "Power cut: stay at your desk",
        "active": "on",
        "teams": [cast.billing.pk],
        "roles-TOTAL_FORMS": "2",
        "roles-INITIAL_FORMS": "0",
        "roles-0-duty": "Calls the building manager",
        "roles-0-role": "supervisor",
        "roles-1-duty": "Counts the people on the floor",
        "roles-1-person": str(cast.tina.pk),
        "steps-TOTAL_FORMS": "3",
        "steps-INITIAL_FORMS": "0",
        "steps-0-text": "Switch the PBX to the generator line",
        "steps-1-agent": str(cast.bob_agent.pk),
        "steps-1-queue": str(plans.billing.pk),
        "steps-1-move": "add",
        "steps-2-text": "Keep the fire exits clear",
    }
    response = client_for(cast.sam).post("/floor/emergency/plans/new/", data)
    assert response.status_code == 302
    plan = EmergencyPlan.objects.get(title="Power cut")
    assert list(plan.teams.all()) == [cast.billing]
    assert [(s.position, s.move) for s in plan.steps.all()] == [(1, ""), (2, "add"), (3, "")]
    assert plan.roles.get(position=2).person == cast.tina
    page = client_for(cast.ann).get(f"/floor/emergency/plans/{plan.pk}/")
    assert "Add Bob Agent to the queue billing" in page.content.decode()


def test_the_editor_refuses_half_a_move_and_keeps_what_was_typed(cast, plans):
    data = {
        "title": "Power cut",
        "trigger": "power_cut",
        "broadcast_text": "Stay at your desk",
        "roles-TOTAL_FORMS": "0",
        "roles-INITIAL_FORMS": "0",
        "steps-TOTAL_FORMS": "1",
        "steps-INITIAL_FORMS": "0",
        "steps-0-agent": str(cast.bob_agent.pk),
    }
    response = client_for(cast.sam).post("/floor/emergency/plans/new/", data)
    assert response.status_code == 400
    body = response.content.decode()
    assert "A move needs an agent, a queue and whether to add or take off." in body
    assert 'value="Power cut"' in body
    assert not EmergencyPlan.objects.filter(title="Power cut").exists()


def test_closing_on_the_page_needs_the_after_action_note(cast, plans):
    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    url = f"/floor/emergency/activations/{activation.pk}/"
    refused = client_for(cast.sam).post(url, {"action": "close", "note": ""})
    assert refused.status_code == 400
    assert "Write a short after-action note" in refused.content.decode()
    done = client_for(cast.sam).post(url, {"action": "close", "note": "Back at 10:12"})
    assert done.status_code == 302
    activation.refresh_from_db()
    assert activation.status == "closed"
    page = client_for(cast.tina).get(url).content.decode()
    assert "Closed it. After-action note: Back at 10:12" in page
    assert client_for(cast.sam).post(url, {"action": "dance"}).status_code == 400


def test_the_board_offers_the_plans_to_supervisors_only(cast, plans):
    board = client_for(cast.sam).get("/floor/").content.decode()
    assert 'data-testid="emergency-open"' in board and "Cards flood" in board
    lead = client_for(cast.tina).get("/floor/").content.decode()
    assert 'data-testid="emergency-open"' not in lead and "emergency-plans-link" in lead


def _drill(cast, plan, ticks: list[int]) -> Activation:
    from metrics.emergency.models import ActivationStep

    drill = services.activation_start(actor=cast.sam, plan=plan, drill=True)
    for step, seconds in zip(drill.steps.order_by("position"), ticks, strict=False):
        ActivationStep.objects.filter(pk=step.pk).update(
            done_at=drill.started_at + timedelta(seconds=seconds), done_by=cast.tina
        )
    services.drill_attendance_mark(actor=cast.sam, activation=drill, person=cast.ann)
    services.activation_close(actor=cast.sam, activation=drill, note="=1+1 went fine")
    return drill


def test_the_drill_report_lists_the_quarters_drills_with_step_times_and_attendance(cast, plans):
    _drill(cast, plans.site_wide, [30, 95, 125])
    now = timezone.localtime(timezone.now())
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    page = client_for(cast.tina).get("/floor/emergency/drills/", {"quarter": quarter})
    body = page.content.decode()
    assert page.status_code == 200
    assert body.count('data-testid="drill"') == 1
    assert "30 s" in body and "65 s" in body and "Ann Agent" in body
    empty = client_for(cast.tina).get("/floor/emergency/drills/", {"quarter": "2001-Q1"})
    assert 'data-testid="no-drills"' in empty.content.decode()
    assert (
        client_for(cast.tina).get("/floor/emergency/drills/", {"quarter": "Q5"}).status_code == 400
    )


def test_the_drill_exports_neutralise_formulas(cast):
    plan = make_plan(cast, title='=HYPERLINK("http://evil","x")')
    _drill(cast, plan, [10, 20, 30])
    now = timezone.localtime(timezone.now())
    quarter = f"{now.year}-Q{(now.month - 1) // 3 + 1}"
    client = client_for(cast.sam)
    csv = client.get("/floor/emergency/drills/", {"quarter": quarter, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    text = csv.content.decode("utf-8-sig")
    assert "'=HYPERLINK" in text and "'=1+1 went fine" in text
    xlsx = client.get("/floor/emergency/drills/", {"quarter": quarter, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Drill" and len(rows) == 4
    title = sheet.cell(row=2, column=2)
    assert title.value.startswith("=HYPERLINK") and title.data_type == "s" and title.quotePrefix
    assert [row[8] for row in rows[1:]] == [10, 10, 10]


@pytest.mark.parametrize("language", ["zh-hans", "zh-hant"])
@pytest.mark.parametrize("role", ["supervisor", "team_lead", "qa_analyst", "agent"])
def test_every_emergency_page_reads_in_chinese(cast, plans, role, language):
    # A drill that took place, so the report and the timeline have rows to show.
    drill = services.activation_start(actor=cast.sam, plan=plans.cards_only, drill=True)
    services.activation_step_tick(actor=cast.sam, step=drill.steps.first())
    services.activation_close(actor=cast.sam, activation=drill, note="ok")
    services.drill_schedule(
        actor=cast.sam, plan=plans.site_wide, scheduled_for=timezone.now() + timedelta(days=1)
    )
    # The plans the matrix's cases make, stored first so that their titles count as data.
    make_plan(cast, title="Site plan")
    make_plan(cast, title="Cards plan", teams=[cast.cards], roles=[])
    problems = walk(cast, MATRIX, role, language)
    assert not problems, "\n".join(problems)


def test_the_editor_page_and_its_audit(cast, plans):
    page = client_for(cast.sam).get(f"/floor/emergency/plans/{plans.site_wide.pk}/edit/")
    assert page.status_code == 200 and "Call the IT hotline" in page.content.decode()
    assert AuditEntry.objects.filter(action="emergency_plan.created").count() == 2


def test_the_admin_shows_plans_and_activations_without_changing_them(cast, plans):
    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    admin = client_for(cast.ada)
    page = admin.get(f"/admin/metrics/emergencyplan/{plans.site_wide.pk}/change/")
    assert page.status_code == 200 and "Call the IT hotline" in page.content.decode()
    assert admin.get(f"/admin/metrics/activation/{activation.pk}/change/").status_code == 200
    assert admin.get("/admin/metrics/emergencyplan/add/").status_code == 403
