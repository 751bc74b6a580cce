"""The scheduling API beyond the permission matrix: errors name their field or row."""

import pytest

from scheduling.models import Shift, SwapStatus

pytestmark = pytest.mark.django_db


def test_a_bad_csv_import_answers_400_with_one_entry_per_bad_row(cast, api):
    text = (
        "employee_number,date,start,end,activities\n"
        "E2004,2026-12-01,08:00,16:00,\n"
        "E2004,2026-12-02,25:00,16:00,\n"
        "E0000,2026-12-03,08:00,16:00,\n"
    )
    response = api(cast.tina).post("/api/shifts/import/", {"csv": text}, format="json")
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"line 3.start", "line 4.employee_number"}
    assert Shift.objects.count() == 0


def test_an_agent_sees_only_her_published_shifts_of_the_week(floor, api):
    body = api(floor.ann).get("/api/shifts/", {"week": str(floor.day3)}).json()
    assert [row["id"] for row in body] == [floor.ann_shift.pk]
    response = api(floor.tom).get(
        "/api/shifts/", {"week": str(floor.day3), "team": floor.billing.pk}
    )
    assert response.status_code == 400 and "team" in response.json()["error"]["fields"]


def test_the_swap_api_shows_the_rules_and_approves(floor, api):
    response = api(floor.ann).post(
        "/api/swaps/",
        {"shift": floor.ann_shift.pk, "colleague_shift": floor.cy_shift.pk},
        format="json",
    )
    assert response.status_code == 201
    swap = response.json()
    assert {r["code"]: r["ok"] for r in swap["rules"]} == {
        "future": True,
        "notice": True,
        "skills": True,
        "rest": True,
        "hours": True,
    }
    assert api(floor.cy).post(f"/api/swaps/{swap['id']}/accept/").status_code == 200
    response = api(floor.tina).post(f"/api/swaps/{swap['id']}/approve/")
    assert response.status_code == 200 and response.json()["status"] == SwapStatus.APPROVED
    assert Shift.objects.get(pk=floor.cy_shift.pk).agent == floor.ann_agent


def test_proposing_a_swap_that_breaks_a_rule_is_a_400_naming_the_rule(floor, api):
    response = api(floor.ann).post(
        "/api/swaps/",
        {"shift": floor.ann_shift.pk, "colleague_shift": floor.bob_shift.pk},
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "rules_not_met"
    assert "Bob Agent does not work billing" in error["fields"]["rules"][0]


def test_refusing_leave_without_a_reason_is_a_400_naming_reason(cast, api):
    created = api(cast.ann).post(
        "/api/leave/", {"first_day": "2099-03-01", "last_day": "2099-03-02"}, format="json"
    )
    assert created.status_code == 201
    response = api(cast.tina).post(
        f"/api/leave/{created.json()['id']}/decide/", {"decision": "refuse"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"reason": ["Give the reason for refusing."]}
