"""A shift swap in real Chromium: propose, accept, a rule violation, approve a valid one."""

import pytest
from playwright.sync_api import expect

from scheduling.models import Shift, SwapRequest, SwapStatus
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser, live_asgi, username):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live_asgi.url, username)
    return page


def _propose(page, base, day, label):
    page.goto(f"{base}/my-schedule/")
    row = page.get_by_test_id(f"my-shift-{day:%Y-%m-%d}")
    row.get_by_label("Swap with").select_option(label=label)
    row.get_by_role("button", name="Propose").click()
    expect(page.get_by_test_id("swap-status")).to_contain_text("Proposed")
    return int(page.url.rstrip("/").split("/")[-1])


def test_a_swap_is_proposed_accepted_checked_and_approved(floor, live_asgi, browser):
    base = live_asgi.url
    ann = _as(browser, live_asgi, "ann")
    day4 = f"{floor.bob_shift.start:%a %d %b %H:%M}–16:00"

    # Ann proposes her shift against Bob's, who works other queues.
    bad = _propose(ann, base, floor.day3, f"Bob Agent — {day4}")
    expect(ann.locator("[data-rule=skills]")).to_have_class("rule-fail")
    expect(ann.locator("[data-rule=skills]")).to_contain_text("Bob Agent does not work billing")

    bob = _as(browser, live_asgi, "bob")
    bob.goto(f"{base}/swaps/{bad}/")
    bob.get_by_test_id("accept").click()
    expect(bob.get_by_test_id("swap-status")).to_contain_text("Accepted")
    expect(bob.locator("[data-rule=skills]")).to_have_class("rule-fail")

    # The team lead sees the violation; approving is refused, so she refuses with a reason.
    tina = _as(browser, live_asgi, "tina")
    tina.goto(f"{base}/swaps/{bad}/")
    expect(tina.locator("[data-rule=skills]")).to_contain_text("Different queues")
    tina.get_by_test_id("approve").click()
    expect(tina.locator(".messages")).to_contain_text("The swap breaks the rules")
    tina.get_by_label("Reason").fill("Bob does not take billing calls")
    tina.get_by_test_id("refuse").click()
    expect(tina.get_by_test_id("swap-status")).to_contain_text(
        "Refused by the team lead — Bob does not take billing calls"
    )

    # A valid swap with Cy: every rule passes, Cy accepts, Tina approves.
    good = _propose(ann, base, floor.day3, f"Cy Agent — {day4}")
    expect(ann.locator(".rule-fail")).to_have_count(0)
    cy = _as(browser, live_asgi, "cy")
    cy.goto(f"{base}/swaps/{good}/")
    cy.get_by_test_id("accept").click()
    expect(cy.get_by_test_id("swap-status")).to_contain_text("Accepted")
    tina.goto(f"{base}/swaps/{good}/")
    tina.get_by_test_id("approve").click()
    expect(tina.get_by_test_id("swap-status")).to_contain_text("Approved")

    # Both agents' schedules changed.
    ann.goto(f"{base}/my-schedule/")
    expect(ann.get_by_test_id(f"my-shift-{floor.day4:%Y-%m-%d}")).to_be_visible()
    expect(ann.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")).to_have_count(0)
    cy.goto(f"{base}/my-schedule/")
    expect(cy.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")).to_be_visible()
    expect(cy.get_by_test_id(f"my-shift-{floor.day4:%Y-%m-%d}")).to_have_count(0)
    assert Shift.objects.get(pk=floor.ann_shift.pk).agent == floor.cy_agent
    assert Shift.objects.get(pk=floor.cy_shift.pk).agent == floor.ann_agent
    assert SwapRequest.objects.get(pk=bad).status == SwapStatus.REFUSED
