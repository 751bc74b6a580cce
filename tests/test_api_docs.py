"""The API schema and its docs page are for logged-in staff, unless the site makes them public."""

import pytest
from rest_framework.test import APIClient

from agents.roles import Role

pytestmark = pytest.mark.django_db

URLS = ("/api/schema/?format=json", "/api/docs/")


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_and_agents_cannot_read_the_api_docs(cast, url):
    assert APIClient().get(url).status_code in {401, 403}
    agent = APIClient()
    agent.force_login(cast.ann)
    assert agent.get(url).status_code == 403


@pytest.mark.parametrize("role", [Role.SUPERVISOR, Role.TEAM_LEAD, Role.QA_ANALYST, Role.ADMIN])
@pytest.mark.parametrize("url", URLS)
def test_staff_read_the_api_docs(cast, role, url):
    client = APIClient()
    client.force_login(cast.by_role[role])
    assert client.get(url).status_code == 200


def test_django_staff_without_a_role_read_the_schema(db, django_user_model):
    client = APIClient()
    client.force_login(django_user_model.objects.create_user("ops", is_staff=True))
    response = client.get("/api/schema/?format=json")
    assert response.status_code == 200 and "/api/telephony/events" in response.json()["paths"]


def test_the_site_may_make_the_api_docs_public(db, settings):
    settings.CALLFLOOR_PUBLIC_API_DOCS = True
    assert all(APIClient().get(url).status_code == 200 for url in URLS)
