"""In Debian's Chromium, on the seeded demo floor: every page a role's menu leads to, the admin
and the API docs run under the Content-Security-Policy without a single violation, and the bits
that used to be inline (the schedule's team picker, the handover form's "Add a case", the
complaint timers' meters, the API docs' script) still work."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]
PASSWORD = "demo-pass-123"

WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


@pytest.fixture
def demo_floor(live_asgi, monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", PASSWORD)
    call_command("seed_demo", verbosity=0)
    return live_asgi


def watched(page) -> list[str]:
    refused = []
    page.on(
        "console",
        lambda m: refused.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.add_init_script(WATCH)
    return refused


def assert_no_violation(page, refused, where: str) -> None:
    assert page.evaluate("window.__violations") == [], where
    assert refused == [], where


@pytest.mark.parametrize("username", ["supervisor", "teamlead", "qa", "agent", "admin"])
def test_every_menu_page_runs_under_the_policy(demo_floor, page, username):
    refused = watched(page)
    browser_login(page, demo_floor.url, username, PASSWORD)
    links = page.eval_on_selector_all(
        "header.topbar nav a", "(links) => links.map((a) => a.getAttribute('href'))"
    )
    assert links or username == "admin"
    for path in [*links, "/floor/?tv=1"] if username == "supervisor" else links:
        response = page.goto(f"{demo_floor.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        page.wait_for_load_state("networkidle")
        assert_no_violation(page, refused, path)


def test_the_admin_and_the_api_docs_run_under_the_policy(demo_floor, page):
    refused = watched(page)
    browser_login(page, demo_floor.url, "admin", PASSWORD)
    for path in ("/admin/", "/admin/auth/user/", "/admin/auth/user/add/", "/admin/auth/group/"):
        response = page.goto(f"{demo_floor.url}{path}")
        assert "default-src 'self'" in response.headers["content-security-policy"]
        page.wait_for_load_state("networkidle")
        assert_no_violation(page, refused, path)
    page.goto(f"{demo_floor.url}/admin/auth/user/")
    page.locator("#result_list tbody a").first.click()  # a change form, with its widgets
    page.wait_for_load_state("networkidle")
    assert_no_violation(page, refused, page.url)

    page.goto(f"{demo_floor.url}/api/docs/")
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("callfloor API")
    expect(page.locator(".swagger-ui .opblock").first).to_be_visible()
    assert_no_violation(page, refused, "/api/docs/")


def test_the_schedules_team_picker_sends_its_form(demo_floor, page):
    refused = watched(page)
    browser_login(page, demo_floor.url, "supervisor", PASSWORD)  # every team
    page.goto(f"{demo_floor.url}/schedule/")
    picker = page.locator("select[name=team]")
    other = picker.locator("option:not([selected])").first
    value = other.get_attribute("value")
    with page.expect_navigation():
        picker.select_option(value)  # the form goes by itself
    assert f"team={value}" in page.url
    assert_no_violation(page, refused, "schedule")


def test_the_handover_forms_add_a_case_works(demo_floor, page):
    refused = watched(page)
    browser_login(page, demo_floor.url, "teamlead", PASSWORD)
    page.goto(f"{demo_floor.url}/handovers/new/")
    rows = page.locator("#case-rows .case-row")
    before = rows.count()
    page.click("#add-case")
    expect(rows).to_have_count(before + 1)

    assert_no_violation(page, refused, "handover")


def test_the_complaint_timers_meters_get_their_width_without_inline_style(
    cast, new_case, live_asgi, page
):
    refused = watched(page)
    browser_login(page, live_asgi.url, "sam")
    page.goto(f"{live_asgi.url}/complaints/{new_case.pk}/")
    meters = page.locator(".timer .meter span")
    expect(meters).to_have_count(2)
    widths = meters.evaluate_all("(spans) => spans.map((s) => s.style.width)")
    assert all(w.endswith("%") for w in widths), widths
    assert_no_violation(page, refused, "complaint detail")
