import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("role_user", "home"),
    [
        ("sam", "/floor/"),
        ("tina", "/handovers/"),
        ("quinn", "/qa/worklist/"),
        ("ann", "/quality/"),
        ("ada", "/admin/"),
    ],
)
def test_each_role_lands_on_its_own_home(cast, client, role_user, home):
    response = client.post(
        "/accounts/login/", {"username": role_user, "password": cast.password}, follow=True
    )
    assert response.redirect_chain[-1][0] == home
    assert response.status_code == 200


def test_anonymous_visitors_are_sent_to_the_login_page(client):
    response = client.get("/floor/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=/floor/")


def test_login_is_throttled_after_five_failures(cast, client):
    for _ in range(5):
        response = client.post("/accounts/login/", {"username": "ann", "password": "wrong"})
    response = client.post("/accounts/login/", {"username": "ann", "password": cast.password})
    assert response.status_code == 429
    assert b"Too many failed log-ins" in response.content
    # Another user from the same address is not locked out.
    response = client.post("/accounts/login/", {"username": "bob", "password": cast.password})
    assert response.status_code == 302


def test_logout_needs_a_post(cast, client):
    client.force_login(cast.ann)
    assert client.get("/accounts/logout/").status_code == 405
    assert client.post("/accounts/logout/").status_code == 302
    assert client.get("/quality/").status_code == 302


def test_seed_demo_is_safe_to_run_twice(db):
    from django.core.management import call_command

    from agents.models import Agent, Team

    call_command("seed_demo", verbosity=0)
    call_command("seed_demo", verbosity=0)
    assert Team.objects.count() == 3
    assert Agent.objects.count() == 40
    assert Agent.objects.get(user__username="agent").aliases.count() == 3
    from metrics.models import Queue

    # Each demo team works its queue: the demo team lead's board shows billing only.
    assert {q.name: [t.name for t in q.teams.all()] for q in Queue.objects.all()} == {
        "billing": ["Billing"],
        "cards": ["Cards"],
        "mortgages": ["Mortgages"],
    }
