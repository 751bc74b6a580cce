"""In Debian's Chromium: a rotation week — the team lead plans it, the agent reviews a peer's
call on the peer scorecard, the peer reads the feedback."""

from datetime import timedelta

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from callfloor.zone import site_zone
from tests.conftest import browser_login
from tests.qa.conftest import make_call, released_evaluation

pytestmark = [pytest.mark.browser]


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


@pytest.fixture
def cleo(cast, world):
    """Cleo, Ann's teammate in Billing, with an evaluated call."""
    from agents import services

    agent = services.agent_create(
        username="cleo",
        display_name="Cleo Agent",
        employee_number="E2006",
        team=cast.billing,
        password=cast.password,
    )
    call = make_call(world, agent, call_id="3001", recording_id="REC-3001")
    released_evaluation(world, agent, call=call, empathy=1)
    return agent


def test_an_agent_reviews_a_peer_in_their_rotation_week_and_the_peer_reads_it(
    live_asgi, cast, world, cleo, page
):
    from qa.models import Evaluation

    scores_before = dict(Evaluation.objects.values_list("pk", "score"))

    # Tina, Billing's team lead, makes Ann this week's reviewer.
    as_user(page, live_asgi, "tina")
    page.goto(f"{live_asgi.url}/qa/rotation/")
    form = page.get_by_test_id("choose-reviewer")
    form.get_by_role("combobox").select_option(label="Ann Agent · Billing")
    form.get_by_role("button").click()
    expect(page.locator(".messages")).to_contain_text("The reviewer is planned.")
    expect(page.get_by_test_id("rotation-plan")).to_contain_text("Call of Cleo Agent")

    # Ann sees her week and the call on her page, and reviews it.
    as_user(page, live_asgi, "ann")
    mine = page.get_by_test_id("my-rotation")
    today = timezone.localtime(timezone.now(), site_zone()).date()
    monday = today - timedelta(days=today.weekday())
    expect(mine).to_contain_text(f"From {monday:%Y-%m-%d}")
    mine.get_by_role("link", name="Call of Cleo Agent").click()
    expect(page.get_by_test_id("peer-review")).to_contain_text("REC-3001")
    for key, value in [("listening", "5"), ("clarity", "4"), ("solution", "4"), ("courtesy", "5")]:
        page.get_by_test_id(f"rating-{key}").select_option(value)
    page.get_by_test_id("peer-comment").fill("You stayed calm; next time offer the app.")
    page.get_by_test_id("submit-peer-review").click()
    expect(page.get_by_test_id("peer-review-status")).to_have_text("Submitted")

    # Cleo is told in her inbox, follows it, and finds the feedback on her page too.
    as_user(page, live_asgi, "cleo")
    page.get_by_test_id("inbox").click()
    page.get_by_role(
        "link", name="A colleague reviewed one of your calls: read their feedback."
    ).click()
    expect(page.get_by_test_id("peer-feedback-comment")).to_have_text(
        "You stayed calm; next time offer the app."
    )
    page.goto(f"{live_asgi.url}/quality/")
    feedback = page.get_by_test_id("peer-feedback")
    expect(feedback).to_contain_text("You stayed calm")
    feedback.get_by_role("link").first.click()
    expect(page.get_by_test_id("peer-ratings")).to_contain_text("4 / 5")
    # Feedback only: no official score moved.
    assert dict(Evaluation.objects.values_list("pk", "score")) == scores_before
