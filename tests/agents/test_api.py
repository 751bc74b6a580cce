import pytest

pytestmark = pytest.mark.django_db


def test_an_agent_lists_only_themself(cast, api):
    response = api(cast.ann).get("/api/agents/")
    assert response.status_code == 200
    assert [row["username"] for row in response.json()["results"]] == ["ann"]


@pytest.mark.parametrize("role", ["sam", "quinn", "ada"])
def test_supervisors_analysts_and_admins_list_every_agent_with_aliases(cast, api, role):
    rows = api(getattr(cast, role)).get("/api/agents/").json()["results"]
    assert {row["username"] for row in rows} == {"ann", "bob"}
    ann = next(row for row in rows if row["username"] == "ann")
    assert ann["aliases"] == ["Local/2004@from-internal/n", "PJSIP/2004"]
    assert ann["team_name"] == "Billing"


def test_a_team_lead_lists_only_their_teams_agents(cast, api):
    rows = api(cast.tina).get("/api/agents/").json()["results"]
    assert [row["username"] for row in rows] == ["ann"]
    rows = api(cast.tom).get("/api/agents/").json()["results"]
    assert [row["username"] for row in rows] == ["bob"]


def test_the_site_may_let_team_leads_read_every_team(cast, api, settings):
    settings.CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = True
    rows = api(cast.tina).get("/api/agents/").json()["results"]
    assert {row["username"] for row in rows} == {"ann", "bob"}
    assert api(cast.tina).get(f"/api/agents/{cast.bob_agent.pk}/").status_code == 200


def test_creating_an_agent_with_an_unknown_team_is_a_400_naming_the_field(cast, api):
    response = api(cast.ada).post(
        "/api/agents/",
        {
            "username": "zed",
            "display_name": "Zed",
            "employee_number": "E1",
            "team": 99999,
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert "team" in error["fields"]
    assert "99999" in error["fields"]["team"][0]


def test_a_duplicate_telephony_alias_is_a_400_naming_the_field(cast, api):
    response = api(cast.ada).post(
        "/api/agents/",
        {
            "username": "zed",
            "display_name": "Zed",
            "employee_number": "E1",
            "team": cast.cards.pk,
            "aliases": ["PJSIP/2004"],
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"] == {"aliases": ["The alias 'PJSIP/2004' belongs to Ann Agent already."]}
    from agents.models import Agent

    assert not Agent.objects.filter(employee_number="E1").exists()


def test_an_admin_creates_an_agent_and_the_change_is_audited(cast, api):
    from agents.models import AuditEntry

    response = api(cast.ada).post(
        "/api/agents/",
        {
            "username": "zed",
            "display_name": "Zed Agent",
            "employee_number": "E77",
            "team": cast.cards.pk,
            "aliases": ["PJSIP/7777", "Agent/7777"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["aliases"] == ["Agent/7777", "PJSIP/7777"]
    entry = AuditEntry.objects.get(action="agent.created", object_id=str(response.json()["id"]))
    assert entry.actor == cast.ada


def test_moving_an_alias_between_agents_is_refused_but_renaming_keeps_history(cast, api):
    client = api(cast.ada)
    response = client.patch(
        f"/api/agents/{cast.bob_agent.pk}/", {"aliases": ["PJSIP/2004"]}, format="json"
    )
    assert response.status_code == 400
    assert "aliases" in response.json()["error"]["fields"]
    response = client.patch(
        f"/api/agents/{cast.bob_agent.pk}/",
        {"aliases": ["PJSIP/2005", "Agent/2005"]},
        format="json",
    )
    assert response.status_code == 200
    assert response.json()["aliases"] == ["Agent/2005", "PJSIP/2005"]


def test_validation_errors_share_one_shape(cast, api):
    response = api(cast.ada).post("/api/teams/", {}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "code": "invalid",
            "message": "name: This field is required.",
            "fields": {"name": ["This field is required."]},
        }
    }


def test_a_duplicate_team_name_is_refused(cast, api):
    response = api(cast.ada).post("/api/teams/", {"name": "billing"}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "name": ["A team named 'billing' exists already."]
    }


def test_the_api_is_paginated(cast, api):
    body = api(cast.sam).get("/api/agents/?page_size=1").json()
    assert body["count"] == 2
    assert len(body["results"]) == 1
    assert body["next"]


def test_token_authentication_works_for_scripts(cast, api):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    token = Token.objects.create(user=cast.sam)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    assert client.get("/api/me/").json()["roles"] == ["supervisor"]


def test_the_openapi_schema_is_served(cast, api):
    response = api(cast.sam).get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    assert "/api/agents/" in response.json()["paths"]


def test_notifications_are_private_and_can_be_marked_read(cast, api):
    from agents.services import notify

    notify(recipients=[cast.ann, cast.bob, cast.ann], text="Your evaluation was released")
    rows = api(cast.ann).get("/api/notifications/").json()["results"]
    assert [row["text"] for row in rows] == ["Your evaluation was released"]
    assert api(cast.ann).post("/api/notifications/read/", {}, format="json").json() == {"marked": 1}
    assert api(cast.bob).get("/api/notifications/").json()["results"][0]["read_at"] is None


def test_the_audit_trail_cannot_be_changed(cast):
    from agents.models import AuditEntry

    entry = AuditEntry.objects.filter(action="agent.created").first()
    entry.action = "forged"
    with pytest.raises(PermissionError):
        entry.save()
    with pytest.raises(PermissionError):
        entry.delete()


def test_an_agent_created_without_a_team_has_none(cast, api):
    """The team is optional; leaving it out answered 500 (found by the API fuzz test)."""
    response = api(cast.ada).post(
        "/api/agents/",
        {"username": "zed", "display_name": "Zed", "employee_number": "E1"},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert (response.json()["team"], response.json()["team_name"]) == (None, None)
