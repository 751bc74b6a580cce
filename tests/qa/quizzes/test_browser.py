"""In Debian's Chromium: an agent takes a test against the clock, it is marked, and the team
lead sees the score in the test's results."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


def test_an_agent_takes_a_test_and_the_team_lead_sees_the_score(
    live_asgi, cast, bank, quizzes, page
):
    as_user(page, live_asgi, "ann")
    page.goto(f"{live_asgi.url}/qa/tests/")
    page.get_by_test_id("my-tests").get_by_role("link", name="December test").click()
    page.get_by_test_id("start-test").click()

    # The paper, with the server's countdown running.
    clock = page.get_by_test_id("countdown").locator("[data-countdown-clock]")
    expect(clock).to_have_text(re.compile(r"^(19|20):\d\d$"))
    first = clock.text_content()
    page.wait_for_timeout(1300)
    assert clock.text_content() != first

    page.get_by_test_id("question-1").get_by_label("On the 1st").check()
    page.get_by_test_id("question-2").get_by_label("Date of birth").check()
    page.get_by_test_id("question-2").get_by_label("Account number").check()
    page.get_by_test_id("question-3").get_by_label("False").check()
    page.get_by_test_id("hand-in").click()

    expect(page.locator(".messages")).to_contain_text("Handed in and marked")
    expect(page.get_by_test_id("score")).to_have_text("100.00")
    # Colleagues may still be writing: the right answers wait for the window to close.
    expect(page.get_by_test_id("key-later")).to_be_visible()
    expect(page.get_by_test_id("answers")).not_to_contain_text("right answer")

    # Tina, Ann's team lead, sees the score in the test's results.
    as_user(page, live_asgi, "tina")
    page.goto(f"{live_asgi.url}/qa/tests/{quizzes.open.pk}/")
    row = page.get_by_test_id("results").get_by_role("row", name=re.compile("Ann Agent"))
    expect(row).to_contain_text("100.00")
