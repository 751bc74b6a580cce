"""In Debian's Chromium with a Chinese browser: the language switch, remembered per person."""

import pytest

from agents.models import UserPreferences
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


@pytest.fixture
def chinese_page(browser):
    """A browser whose language is Simplified Chinese (zh-CN), as on a mainland floor."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_a_chinese_browser_gets_chinese_and_the_switch_persists_across_devices(
    live_asgi, cast, chinese_page, browser
):
    page = chinese_page
    page.goto(f"{live_asgi.url}/accounts/login/")
    # First visit: the browser's Accept-Language (zh-CN) decides.
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert page.get_by_role("button", name="登录").is_visible()

    browser_login(page, live_asgi.url, "tina")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    assert "交接班" in page.inner_text("h1")

    # Picking 繁體中文 in the header switches at once (a small script submits the form).
    with page.expect_navigation():
        page.get_by_test_id("language-switch").locator("select").select_option("zh-hant")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    assert "交接班" in page.inner_text("h1")
    assert page.get_by_role("button", name="登出").is_visible()
    assert UserPreferences.objects.get(user=cast.tina).language == "zh-hant"

    # Logging out keeps the language on this device's login page ...
    page.get_by_role("button", name="登出").click()
    page.wait_for_url("**/accounts/login/")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    # ... and logging in again keeps it too.
    browser_login(page, live_asgi.url, "tina")
    assert page.locator("html").get_attribute("lang") == "zh-hant"

    # Another device whose browser is English: once tina signs in, her choice applies.
    laptop = browser.new_context(locale="en-US")
    try:
        other = laptop.new_page()
        other.goto(f"{live_asgi.url}/accounts/login/")
        assert other.locator("html").get_attribute("lang") == "en"
        browser_login(other, live_asgi.url, "tina")
        assert other.locator("html").get_attribute("lang") == "zh-hant"
        assert other.get_by_role("button", name="登出").is_visible()
    finally:
        laptop.close()
