"""Password reset by e-mail (throttled, never telling who has an account) and the password
change an admin can require."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.core.cache import cache

from agents.models import AuditEntry, PasswordChangeRequired

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Quiet-harbour-2026"
TEMPLATES = Path(__file__).resolve().parents[2] / "templates" / "registration"


@pytest.fixture(autouse=True)
def _fresh_throttle():
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def ann(cast):
    cast.ann.email = "ann@example.com"
    cast.ann.save(update_fields=["email"])
    return cast.ann


def _reset_link() -> str:
    (message,) = mail.outbox
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


def test_the_login_page_offers_a_password_reset(client):
    page = client.get("/accounts/login/").content.decode()
    assert 'href="/accounts/password_reset/"' in page and "Forgot password?" in page


def test_the_reset_mail_arrives_and_its_link_works_once(ann, client, cast):
    PasswordChangeRequired.objects.create(user=ann)
    response = client.post("/accounts/password_reset/", {"email": "ANN@example.com"})
    assert response.status_code == 302 and response["Location"] == "/accounts/password_reset/done/"
    assert mail.outbox[0].to == ["ann@example.com"]
    link = _reset_link()
    form = client.get(link, follow=True)
    assert b'name="new_password1"' in form.content
    done = client.post(
        form.redirect_chain[-1][0], {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    )
    assert done.status_code == 302 and done["Location"] == "/accounts/reset/done/"
    assert not PasswordChangeRequired.objects.filter(user=ann).exists()
    assert AuditEntry.objects.filter(action="user.password_changed", object_id=str(ann.pk)).exists()
    again = client.get(link, follow=True)
    assert b'data-testid="reset-invalid"' in again.content
    assert b'name="new_password1"' not in again.content
    old = client.post("/accounts/login/", {"username": "ann", "password": cast.password})
    assert old.status_code == 200  # refused, the form again
    new = client.post("/accounts/login/", {"username": "ann", "password": NEW_PASSWORD})
    assert new.status_code == 302


def test_the_answer_is_the_same_whether_the_address_exists_or_not(ann, client):
    known = client.post("/accounts/password_reset/", {"email": "ann@example.com"})
    unknown = client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1


def test_reset_requests_are_refused_past_the_limit_per_address(ann, client, settings):
    settings.CALLFLOOR_PASSWORD_RESETS_PER_EMAIL = 3
    for _ in range(3):
        assert (
            client.post("/accounts/password_reset/", {"email": "ann@example.com"}).status_code
            == 302
        )
    refused = client.post("/accounts/password_reset/", {"email": "ann@example.com"})
    assert refused.status_code == 429 and b"Too many requests" in refused.content
    assert len(mail.outbox) == 3
    # An unknown address is counted the same way, so the refusal tells nothing either.
    for _ in range(3):
        client.post("/accounts/password_reset/", {"email": "nobody@example.com"})
    assert (
        client.post("/accounts/password_reset/", {"email": "nobody@example.com"}).status_code == 429
    )


def test_reset_requests_are_refused_past_the_limit_per_client(ann, client, settings):
    settings.CALLFLOOR_PASSWORD_RESETS_PER_ADDRESS = 2
    for number in range(2):
        response = client.post("/accounts/password_reset/", {"email": f"x{number}@example.com"})
        assert response.status_code == 302
    assert client.post("/accounts/password_reset/", {"email": "ann@example.com"}).status_code == 429
    assert mail.outbox == []
    other = client.post(
        "/accounts/password_reset/", {"email": "ann@example.com"}, REMOTE_ADDR="192.0.2.8"
    )
    assert other.status_code == 302 and len(mail.outbox) == 1


def _require_change_in_admin(client, admin, user):
    client.force_login(admin)
    return client.post(
        "/admin/auth/user/",
        {"action": "require_password_change", "_selected_action": [user.pk]},
    )


def test_a_required_password_change_comes_first_until_it_is_done(cast, client):
    assert _require_change_in_admin(client, cast.ada, cast.ann).status_code == 302
    entry = AuditEntry.objects.get(action="user.password_change_required")
    assert (entry.actor, entry.object_id) == (cast.ada, str(cast.ann.pk))
    client.force_login(cast.ann)
    page = client.get("/quality/")
    assert page.status_code == 302 and page["Location"] == "/accounts/password_change/"
    api = client.get("/api/me/")
    assert api.status_code == 403
    assert api.json()["error"]["code"] == "password_change_required"
    form = client.get("/accounts/password_change/")
    assert form.status_code == 200 and b'data-testid="change-required"' in form.content
    changed = client.post(
        "/accounts/password_change/",
        {
            "old_password": cast.password,
            "new_password1": NEW_PASSWORD,
            "new_password2": NEW_PASSWORD,
        },
    )
    assert changed.status_code == 302 and changed["Location"] == "/accounts/password_change/done/"
    assert client.get("/quality/").status_code == 200
    assert client.get("/api/me/").status_code == 200
    assert AuditEntry.objects.get(action="user.password_changed").data == {"required": True}


def test_changing_a_password_needs_a_log_in(client):
    for url in ("/accounts/password_change/", "/accounts/password_change/done/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_supervisor_cannot_require_a_password_change(cast, client):
    _require_change_in_admin(client, cast.sam, cast.ann)
    assert not PasswordChangeRequired.objects.exists()
    assert not AuditEntry.objects.filter(action="user.password_change_required").exists()


def test_the_password_pages_carry_no_inline_script_handler_or_style():
    for path in TEMPLATES.glob("password_*.html"):
        text = path.read_text()
        assert not re.search(r"<script|\son[a-z]+\s*=|style\s*=", text, re.I), path.name
