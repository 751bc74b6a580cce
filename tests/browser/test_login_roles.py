"""In Debian's Chromium: each seeded demo role logs in and lands on its own home."""

import pytest
from django.core.management import call_command

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


@pytest.fixture
def demo_floor(live_asgi, monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", verbosity=0)
    return live_asgi


@pytest.mark.parametrize(
    ("username", "path", "heading"),
    [
        ("supervisor", "/floor/", "Floor"),
        ("teamlead", "/handovers/", "Handovers"),
        ("qa", "/qa/worklist/", "QA work list"),
        ("agent", "/quality/", "My quality"),
        ("admin", "/admin/", "Site administration"),
    ],
)
def test_each_demo_role_logs_in_and_lands_on_its_home(demo_floor, page, username, path, heading):
    browser_login(page, demo_floor.url, username, "demo-pass-123")
    assert page.url == f"{demo_floor.url}{path}"
    assert heading in page.inner_text("h1")
    if username != "admin":
        assert page.get_by_test_id("who").inner_text() == username


def test_a_wrong_password_shows_an_error(demo_floor, page):
    browser_login(page, demo_floor.url, "agent", "not-the-password")
    assert "/accounts/login/" in page.url
    assert "did not match" in page.get_by_role("alert").inner_text()
