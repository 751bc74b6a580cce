"""In Debian's Chromium: an appeal from the agent's page to the panel's decision and back."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


def test_an_appeal_goes_through_screening_and_the_panel_to_a_revised_score(
    live_asgi, cast, world, ann_evaluation, page
):
    greeting, answer = world.crit["greeting"], world.crit["correct_answer"]

    # Ann opens her released evaluation from her home page and appeals two deductions.
    as_user(page, live_asgi, "ann")
    assert page.url.endswith("/quality/")
    page.get_by_test_id("my-evaluations").get_by_role("link").first.click()
    expect(page.get_by_test_id("score")).to_have_text("61.11")
    page.get_by_test_id(f"appeal-check-{greeting.pk}").check()
    page.get_by_test_id(f"appeal-reason-{greeting.pk}").fill("I gave the company name at 0:03.")
    page.get_by_test_id(f"appeal-check-{answer.pk}").check()
    page.get_by_test_id(f"appeal-reason-{answer.pk}").fill("The fee I quoted is the tariff's.")
    page.get_by_test_id("file-appeal").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("Waiting for the team lead")
    appeal_url = page.url
    assert re.search(r"/qa/appeals/\d+/$", appeal_url)

    # Tina, Ann's team lead, finds it in her screening queue and accepts it.
    as_user(page, live_asgi, "tina")
    page.goto(f"{live_asgi.url}/qa/screening/")
    page.get_by_test_id("screening-queue").get_by_role("link").first.click()
    expect(page.get_by_test_id("screening")).to_contain_text("Quinn Analyst")
    expect(page.get_by_test_id("screening")).not_to_contain_text("Quincy")  # the evaluator
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("With the review panel")

    # The three panel members propose points, with their reasons.
    for username, proposals in [
        ("tina", ("2", "3")),
        ("quinn", ("2", "3")),
        ("sam", ("2", "5")),
    ]:
        as_user(page, live_asgi, username)
        page.goto(appeal_url)
        page.get_by_test_id("propose-points-greeting").select_option(proposals[0])
        page.get_by_test_id("propose-reason-greeting").fill(f"{username} heard the greeting.")
        page.get_by_test_id("propose-points-correct-answer").select_option(proposals[1])
        page.get_by_test_id("propose-reason-correct-answer").fill(f"{username} checked the fee.")
        page.get_by_test_id("give-proposals").click()
        expect(page.locator(".messages")).to_contain_text("Proposals recorded")

    # Sam, the senior supervisor on the panel, gives full points on one criterion and none
    # back on the other.
    expect(page.get_by_test_id("proposals-correct-answer")).to_contain_text(
        "Senior supervisor: 5 / 5"
    )
    page.get_by_test_id("decision-points-greeting").select_option("2")
    page.get_by_test_id("decision-reason-greeting").fill("The greeting is on the recording.")
    page.get_by_test_id("decision-points-correct-answer").select_option("3")
    page.get_by_test_id("decision-reason-correct-answer").fill("The quoted fee was outdated.")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("Decided")

    # Ann sees the outcome, the reasons and the revised score.
    as_user(page, live_asgi, "ann")
    expect(page.get_by_test_id("my-appeals")).to_contain_text("Decided")
    expect(page.get_by_test_id("my-appeals")).to_contain_text("61.11 → 77.78")
    page.goto(appeal_url)
    items = page.get_by_test_id("appeal-items")
    expect(page.get_by_test_id("item-greeting")).to_contain_text("Upheld")
    expect(page.get_by_test_id("item-greeting")).to_contain_text(
        "The greeting is on the recording."
    )
    expect(page.get_by_test_id("item-correct-answer")).to_contain_text("Rejected")
    expect(page.get_by_test_id("item-correct-answer")).to_contain_text(
        "The quoted fee was outdated."
    )
    expect(items).to_contain_text("Senior supervisor: 2 / 2 — sam heard the greeting.")
    expect(page.get_by_test_id("history")).to_contain_text("Accepted by the team lead")
    expect(page.get_by_test_id("history")).to_contain_text("Decided by the senior supervisor")
    page.get_by_role("link", name=f"evaluation #{ann_evaluation.pk}").click()
    expect(page.get_by_test_id("score")).to_have_text("77.78")
    expect(page.get_by_test_id("revisions")).to_contain_text("upheld on Greeting")
    page.get_by_test_id("acknowledge").click()
    expect(page.locator(".messages")).to_contain_text("Acknowledged")
