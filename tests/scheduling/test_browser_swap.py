"""A shift swap in real Chromium: a rule violation refused on proposal, then propose, accept,
approve a valid one."""

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

    # Ann proposes her shift against Bob's, who works other queues: refused at once, saying why.
    ann.goto(f"{base}/my-schedule/")
    row = ann.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")
    row.get_by_label("Swap with").select_option(label=f"Bob Agent — {day4}")
    row.get_by_role("button", name="Propose").click()
    expect(ann.locator(".messages")).to_contain_text("The swap breaks the rules")
    expect(ann.locator(".messages")).to_contain_text("Bob Agent does not work billing")
    assert not SwapRequest.objects.exists()

    # A valid swap with Cy: every rule passes, Cy accepts, Tina approves.
    good = _propose(ann, base, floor.day3, f"Cy Agent — {day4}")
    expect(ann.locator(".rule-fail")).to_have_count(0)
    cy = _as(browser, live_asgi, "cy")
    cy.goto(f"{base}/swaps/{good}/")
    cy.get_by_test_id("accept").click()
    expect(cy.get_by_test_id("swap-status")).to_contain_text("Accepted")
    tina = _as(browser, live_asgi, "tina")
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
    assert SwapRequest.objects.get(pk=good).status == SwapStatus.APPROVED
