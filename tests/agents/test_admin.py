"""The admin: people's profiles, aliases, teams and roles change only with an audit row."""

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from agents.models import Agent, AuditEntry, TelephonyAlias
from agents.roles import Role
from tests.admin_forms import admin_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.ada)
    return client


def change_page(client, url):
    response = client.get(url)
    assert response.status_code == 200
    return admin_form_data(response)


def test_an_agents_team_active_flag_and_number_changed_in_the_admin_are_audited(admin_client, cast):
    agent = cast.ann_agent
    url = f"/admin/agents/agent/{agent.pk}/change/"
    data = change_page(admin_client, url)
    data.update(team=str(cast.cards.pk), employee_number="E9004")
    data.pop("active")  # unticked
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    agent.refresh_from_db()
    assert (agent.team, agent.active, agent.employee_number) == (cast.cards, False, "E9004")
    entry = AuditEntry.objects.get(action="agent.updated", object_id=str(agent.pk))
    assert entry.actor == cast.ada
    assert entry.data == {"team": cast.cards.pk, "active": False, "employee_number": "E9004"}


def test_an_unchanged_save_in_the_admin_writes_no_audit_row(admin_client, cast):
    url = f"/admin/agents/agent/{cast.ann_agent.pk}/change/"
    before = AuditEntry.objects.count()
    assert admin_client.post(url, change_page(admin_client, url)).status_code == 302
    assert AuditEntry.objects.count() == before


def test_the_person_a_profile_belongs_to_cannot_be_changed_in_the_admin(admin_client, cast):
    """Who the profile belongs to decides whose evaluations and schedule they see."""
    agent = cast.ann_agent
    url = f"/admin/agents/agent/{agent.pk}/change/"
    data = change_page(admin_client, url)
    assert "user" not in data
    data["user"] = str(cast.tina.pk)
    assert admin_client.post(url, data).status_code == 302
    agent.refresh_from_db()
    assert agent.user == cast.ann


def test_aliases_edited_in_the_admin_go_through_the_audited_service(admin_client, cast):
    agent = cast.ann_agent
    url = f"/admin/agents/agent/{agent.pk}/change/"
    data = change_page(admin_client, url)
    kept = TelephonyAlias.objects.get(name="PJSIP/2004")
    dropped = TelephonyAlias.objects.get(name="Local/2004@from-internal/n")
    index = {data[f"aliases-{i}-id"]: i for i in range(2)}
    data[f"aliases-{index[str(dropped.pk)]}-DELETE"] = "on"
    data.update(
        {
            "aliases-TOTAL_FORMS": "3",
            "aliases-2-id": "",
            "aliases-2-agent": str(agent.pk),
            "aliases-2-name": "SIP/2004",
        }
    )
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert sorted(agent.aliases.values_list("name", flat=True)) == ["PJSIP/2004", "SIP/2004"]
    assert TelephonyAlias.objects.filter(pk=kept.pk).exists()
    entry = AuditEntry.objects.get(action="agent.updated", object_id=str(agent.pk))
    assert entry.actor == cast.ada
    assert sorted(entry.data["aliases"]) == ["PJSIP/2004", "SIP/2004"]


def test_an_alias_of_another_agent_is_refused_in_the_admin(admin_client, cast):
    url = f"/admin/agents/agent/{cast.ann_agent.pk}/change/"
    data = change_page(admin_client, url)
    data.update(
        {
            "aliases-TOTAL_FORMS": "3",
            "aliases-2-id": "",
            "aliases-2-agent": str(cast.ann_agent.pk),
            "aliases-2-name": "PJSIP/2005",
        }
    )
    assert admin_client.post(url, data).status_code == 200  # the form again, with the error
    assert TelephonyAlias.objects.get(name="PJSIP/2005").agent == cast.bob_agent
    assert not AuditEntry.objects.filter(action="agent.updated").exists()


def test_an_agent_added_in_the_admin_is_audited(admin_client, cast):
    from agents import services

    person = services.user_create(username="zed", password=None, roles=[Role.AGENT])
    response = admin_client.post(
        "/admin/agents/agent/add/",
        {
            "user": str(person.pk),
            "employee_number": "E77",
            "display_name": "Zed Agent",
            "team": str(cast.billing.pk),
            "active": "on",
            "aliases-TOTAL_FORMS": "1",
            "aliases-INITIAL_FORMS": "0",
            "aliases-MIN_NUM_FORMS": "0",
            "aliases-MAX_NUM_FORMS": "1000",
            "aliases-0-name": "PJSIP/7777",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    agent = Agent.objects.get(employee_number="E77")
    created = AuditEntry.objects.get(action="agent.created", object_id=str(agent.pk))
    assert created.actor == cast.ada
    assert created.data == {"user": "zed", "employee_number": "E77", "team": cast.billing.pk}
    aliases = AuditEntry.objects.get(action="agent.updated", object_id=str(agent.pk))
    assert aliases.data == {"aliases": ["PJSIP/7777"]}


def test_an_agent_and_the_aliases_are_not_deleted_in_the_admin(admin_client, cast):
    agent = cast.ann_agent
    assert (
        admin_client.post(f"/admin/agents/agent/{agent.pk}/delete/", {"post": "yes"}).status_code
        == 403
    )
    admin_client.post(
        "/admin/agents/agent/",
        {"action": "delete_selected", "_selected_action": [agent.pk], "post": "yes"},
    )
    assert Agent.objects.filter(pk=agent.pk).exists()
    alias = agent.aliases.first()
    base = "/admin/agents/telephonyalias/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{alias.pk}/change/").status_code == 200
    assert admin_client.post(f"{base}add/", {"name": "X", "agent": agent.pk}).status_code == 403
    assert admin_client.post(f"{base}{alias.pk}/change/", {"name": "X"}).status_code == 403
    assert admin_client.post(f"{base}{alias.pk}/delete/", {"post": "yes"}).status_code == 403
    alias.refresh_from_db()
    assert alias.name != "X"


def test_a_teams_lead_changed_in_the_admin_is_audited(admin_client, cast):
    url = f"/admin/agents/team/{cast.billing.pk}/change/"
    data = change_page(admin_client, url)
    data["lead"] = str(cast.tom.pk)
    assert admin_client.post(url, data).status_code == 302
    cast.billing.refresh_from_db()
    assert cast.billing.lead == cast.tom
    entry = AuditEntry.objects.get(action="team.updated", object_id=str(cast.billing.pk))
    assert (entry.actor, entry.data) == (cast.ada, {"lead": "tom"})


def test_roles_and_admin_rights_changed_in_the_admin_are_audited(admin_client, cast):
    person = cast.tina
    url = f"/admin/auth/user/{person.pk}/change/"
    data = change_page(admin_client, url)
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    data["groups"] = [*data.get("groups", []), str(supervisor.pk)]
    data["is_superuser"] = "on"
    response = admin_client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    assert person.groups.filter(name=Role.SUPERVISOR).exists()
    entry = AuditEntry.objects.get(action="user.privileges_changed", object_id=str(person.pk))
    assert entry.actor == cast.ada
    assert entry.data == {
        "before": {"roles": [Role.TEAM_LEAD], "is_superuser": False},
        "after": {"roles": [Role.SUPERVISOR, Role.TEAM_LEAD], "is_superuser": True},
    }


def test_a_name_change_of_a_person_writes_no_privilege_row(admin_client, cast):
    url = f"/admin/auth/user/{cast.tina.pk}/change/"
    data = change_page(admin_client, url)
    data["first_name"] = "Christina"
    assert admin_client.post(url, data).status_code == 302
    cast.tina.refresh_from_db()
    assert cast.tina.first_name == "Christina"
    assert not AuditEntry.objects.filter(action="user.privileges_changed").exists()


def test_a_taken_employee_number_is_refused_by_the_service(cast):
    from agents import services
    from callfloor.errors import DomainError

    with pytest.raises(DomainError) as error:
        services.agent_update(agent=cast.ann_agent, employee_number="E2005", actor=cast.ada)
    assert error.value.field == "employee_number"
    cast.ann_agent.refresh_from_db()
    assert cast.ann_agent.employee_number == "E2004"


def test_a_team_deleted_in_the_admin_is_audited_with_its_agents(admin_client, cast):
    from agents.models import Team

    team = cast.cards
    url = f"/admin/agents/team/{team.pk}/delete/"
    assert admin_client.post(url, {"post": "yes"}).status_code == 302
    assert not Team.objects.filter(pk=team.pk).exists()
    entry = AuditEntry.objects.get(action="team.deleted", object_id=str(team.pk))
    assert entry.actor == cast.ada
    assert entry.data == {"name": "Cards", "lead": "tom", "agents": [cast.bob_agent.pk]}


def test_notifications_are_not_written_in_the_admin(admin_client, cast):
    from agents.models import Notification
    from agents.services import notify

    notify(recipients=[cast.ann], text="Your evaluation is released.")
    note = Notification.objects.get(recipient=cast.ann)
    base = "/admin/agents/notification/"
    assert admin_client.get(f"{base}{note.pk}/change/").status_code == 200
    forged = {"recipient": cast.ann.pk, "text": "Log in again here", "link": "https://evil"}
    assert admin_client.post(f"{base}add/", forged).status_code == 403
    assert admin_client.post(f"{base}{note.pk}/change/", forged).status_code == 403
    assert list(Notification.objects.values_list("text", flat=True)) == [
        "Your evaluation is released."
    ]


def test_the_role_groups_are_read_only_in_the_admin(admin_client, cast):
    """The roles' permissions are the product's (set at every migration); an edit here would
    change what a whole role may do, unaudited, and be undone at the next upgrade."""
    supervisor = Group.objects.get(name=Role.SUPERVISOR)
    permissions = set(supervisor.permissions.values_list("pk", flat=True))
    base = "/admin/auth/group/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{supervisor.pk}/change/").status_code == 200  # to read
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {"name": "floor_owner"}).status_code == 403
    response = admin_client.post(
        f"{base}{supervisor.pk}/change/", {"name": "renamed", "permissions": []}
    )
    assert response.status_code == 403
    assert admin_client.post(f"{base}{supervisor.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        base, {"action": "delete_selected", "_selected_action": [supervisor.pk], "post": "yes"}
    )
    supervisor.refresh_from_db()
    assert supervisor.name == Role.SUPERVISOR
    assert set(supervisor.permissions.values_list("pk", flat=True)) == permissions
    assert not Group.objects.filter(name="floor_owner").exists()
