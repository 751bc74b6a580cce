"""The briefing form in real Chromium: each checkbox on its name's line, the briefing's team
only, and "everyone in the team"."""

import pytest
from playwright.sync_api import expect

from scheduling.models import Briefing
from tests.conftest import browser_login
from tests.scheduling.test_briefings import _more_agents

pytestmark = pytest.mark.django_db(transaction=True)


def test_attendee_checkboxes_sit_on_their_names_and_only_the_teams_agents_are_listed(
    cast, live_asgi, page
):
    _more_agents(cast)
    browser_login(page, live_asgi.url, "sam")
    page.goto(f"{live_asgi.url}/briefings/")
    billing = page.get_by_test_id(f"attendees-{cast.billing.pk}")
    cards = page.get_by_test_id(f"attendees-{cast.cards.pk}")
    expect(billing).to_be_visible()
    expect(cards).to_be_hidden()  # Billing is the form's team: Cards' agents are not listed
    labels = billing.locator(".attendee-list label")
    expect(labels).to_have_count(3)
    for index in range(3):
        box = labels.nth(index).locator("input").bounding_box()
        name = labels.nth(index).locator("span").bounding_box()
        # On the same line, centred on the name, just left of it.
        assert abs((box["y"] + box["height"] / 2) - (name["y"] + name["height"] / 2)) <= 2
        assert box["width"] < 30 and 0 <= name["x"] - (box["x"] + box["width"]) < 20

    billing.get_by_label("Everyone in the team").check()
    for index in range(3):
        expect(labels.nth(index).locator("input")).to_be_checked()
    expect(billing.locator(".attendee-count")).to_have_text("3 of 3 present")
    labels.nth(0).locator("input").uncheck()
    expect(billing.locator(".attendee-count")).to_have_text("2 of 3 present")

    # Choosing Cards lists Cards' agents instead; only they are sent.
    page.locator("select[data-attendee-team]").select_option(label="Cards")
    expect(billing).to_be_hidden()
    expect(cards).to_be_visible()
    cards.get_by_label("Everyone in the team").check()
    page.get_by_label("Agenda").fill("Card fraud wave")
    page.get_by_label("Minutes").fill("Check the caller twice.")
    page.get_by_role("button", name="File the briefing").click()
    page.wait_for_url("**/briefings/*/")
    briefing = Briefing.objects.get()
    assert briefing.team == cast.cards
    assert sorted(a.display_name for a in briefing.attendees.all()) == ["Bob Agent", "Fay Agent"]
