"""In Debian's Chromium: a coaching session from an evaluation to its follow-up."""

import re
from datetime import timedelta

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


def test_a_coaching_session_from_an_evaluation_to_its_follow_up(
    live_asgi, cast, world, ann_evaluation, page
):
    from qa.services import local_today

    due = (local_today() + timedelta(days=7)).isoformat()

    # Tina, Ann's team lead, coaches on Ann's evaluation: the deducted items are ticked.
    as_user(page, live_asgi, "tina")
    page.goto(f"{live_asgi.url}/qa/evaluations/{ann_evaluation.pk}/")
    page.get_by_test_id("coach-on-this").click()
    expect(page.get_by_test_id("coached-agent")).to_have_text("Ann Agent")
    items = page.get_by_test_id("items")
    expect(items).to_contain_text("Deducted on Greeting")
    greeting = items.locator(f"input[value='{world.crit['greeting'].pk}']")
    expect(greeting).to_be_checked()
    page.get_by_test_id("topic").fill("Greeting with the company name")
    page.get_by_test_id("action-0").fill("Say the company name in the first sentence")
    page.get_by_test_id("due-0").fill(due)
    page.get_by_test_id("save-coaching").click()
    expect(page.get_by_test_id("coaching-status")).to_have_text("Waiting for the agent")
    session_url = page.url
    assert re.search(r"/qa/coaching/\d+/$", session_url)
    expect(page.get_by_test_id("coaching-items")).to_contain_text("Greeting")

    # Ann sees the open action on her page, opens the session and acknowledges it.
    as_user(page, live_asgi, "ann")
    assert page.url.endswith("/quality/")
    due_strip = page.get_by_test_id("coaching-due")
    expect(due_strip).to_contain_text("Say the company name in the first sentence")
    due_strip.get_by_role("link").first.click()
    page.locator("textarea[name=comment]").fill("I will.")
    page.get_by_test_id("acknowledge-coaching").click()
    expect(page.get_by_test_id("coaching-status")).to_have_text("Acknowledged")
    expect(page.get_by_test_id("acknowledged")).to_be_visible()

    # Tina's page lists the open action of her team; she records the follow-up.
    as_user(page, live_asgi, "tina")
    expect(page.get_by_test_id("coaching-due")).to_contain_text("Ann Agent")
    page.goto(session_url)
    page.get_by_test_id("record-follow-up").click()  # no outcome chosen: refused, kept
    expect(page.get_by_test_id("field-error-outcomes")).to_contain_text(
        "Say whether each action was done."
    )
    page.get_by_test_id("outcome-0").select_option("done")
    page.get_by_test_id("note-0").fill("Heard it on three calls this week.")
    page.get_by_test_id("record-follow-up").click()
    expect(page.get_by_test_id("coaching-status")).to_have_text("Followed up")
    expect(page.get_by_test_id("outcome")).to_have_text("Done")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("Held the coaching session and agreed 1 action")
    expect(history).to_contain_text("Acknowledged the coaching session")
    expect(history).to_contain_text("Followed up the coaching session: 1 of 1 action done")

    # Ann's page no longer lists the action; the session shows its outcome.
    as_user(page, live_asgi, "ann")
    expect(page.get_by_test_id("coaching-due")).to_have_count(0)
    page.goto(session_url)
    expect(page.get_by_test_id("coaching-actions")).to_contain_text(
        "Heard it on three calls this week."
    )
