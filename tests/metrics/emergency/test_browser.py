"""A plan started from the board, its checklist ticked by two supervisors and seen live on a
third board (a team lead's), in Debian's Chromium against a live server. Screenshots go to
$TMPDIR (emergency-*.png)."""

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.emergency.conftest import make_plan

pytestmark = [pytest.mark.browser]


def shot(page, name: str) -> None:
    page.screenshot(path=str(Path(os.environ.get("TMPDIR", "/tmp")) / f"emergency-{name}.png"))


def board(browser, live, username: str, *, locale="en-GB", size=(1400, 900), path="/floor/"):
    context = browser.new_context(viewport={"width": size[0], "height": size[1]}, locale=locale)
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live.url, username)
    page.goto(f"{live.url}{path}")
    if "tv=1" not in path:
        expect(page.get_by_test_id("feed-state")).to_have_attribute("data-status", "live")
    return page


def step(page, position: int):
    return page.locator(f"[data-testid=emergency-step][data-position='{position}']")


def test_a_plan_started_on_one_board_is_ticked_by_two_supervisors_and_seen_on_a_third(
    cast, sue, live_board, browser
):
    from metrics.models import Queue

    billing = Queue.objects.create(name="billing", site="main")
    make_plan(
        cast,
        title="CRM failure",
        steps=[
            {"text": "Call the IT hotline"},
            {"text": "Hand out paper call sheets"},
            {"text": "", "agent": cast.bob_agent, "queue": billing, "move": "add"},
        ],
    )
    sam = board(browser, live_board, "sam")
    sue_page = board(browser, live_board, "sue")
    tina = board(browser, live_board, "tina")
    try:
        # Starting asks first: the dialog shows what the floor will receive.
        sam.get_by_test_id("emergency-open").click()
        expect(sam.get_by_test_id("emergency-message")).to_contain_text("CRM down")
        shot(sam, "start-dialog")
        sam.get_by_test_id("emergency-confirm").click()
        expect(sam.get_by_test_id("emergency-dialog")).not_to_be_visible()

        for page in (sam, sue_page, tina):
            expect(page.get_by_test_id("emergency-title")).to_have_text("CRM failure")
            expect(page.get_by_test_id("emergency-tag")).to_have_text("EMERGENCY PLAN")
            expect(page.get_by_test_id("broadcasts")).to_contain_text("CRM down: take details")
        tina.evaluate("window.__sameDocument = true")

        step(sam, 1).locator("button").click()
        expect(step(tina, 1).get_by_test_id("step-who")).to_have_text(
            re.compile(r"^Sam Supervisor at \d\d:\d\d:\d\d$")
        )
        step(sue_page, 2).locator("button").click()
        expect(step(tina, 2).get_by_test_id("step-who")).to_have_text(
            re.compile(r"^Sue Second at \d\d:\d\d:\d\d$")
        )
        expect(step(tina, 1)).to_have_class("done")
        expect(step(tina, 3)).not_to_have_class("done")
        expect(step(tina, 3)).to_contain_text("Add Bob Agent to the queue billing")
        expect(tina.get_by_test_id("emergency-card")).to_contain_text("2 of 3 steps done")
        shot(tina, "third-board")

        # A second start of the running plan is refused, and says why.
        sue_page.get_by_test_id("emergency-open").click()
        sue_page.get_by_test_id("emergency-confirm").click()
        expect(sue_page.locator("#emergency-error")).to_contain_text(
            "already running: Sam Supervisor started it"
        )
        sue_page.keyboard.press("Escape")

        # Closing asks for the after-action note; every board then drops the checklist.
        sam.get_by_test_id("emergency-close").click()
        sam.locator("[data-testid=emergency-close-form] textarea").fill("CRM back after 9 min")
        sam.get_by_test_id("emergency-close-confirm").click()
        expect(tina.get_by_test_id("emergency-card")).to_have_count(0)
        expect(tina.get_by_test_id("broadcasts")).not_to_contain_text("CRM down")
        assert tina.evaluate("window.__sameDocument") is True
    finally:
        for page in (sam, sue_page, tina):
            page.context.close()

    from metrics.emergency.models import Activation

    activation = Activation.objects.get()
    assert activation.status == "closed"
    assert [s.done_by.username if s.done_by else None for s in activation.steps.all()] == [
        "sam",
        "sue",
        None,
    ]


def test_a_drill_reads_as_a_drill_in_chinese_on_the_tv(cast, live_board, browser):
    from metrics.emergency.services import activation_start, activation_step_tick
    from metrics.models import Queue

    billing = Queue.objects.create(name="billing", site="main")
    plan = make_plan(
        cast,
        title="系统故障应急预案",
        steps=[
            {"text": "拨打IT热线"},
            {"text": "", "agent": cast.bob_agent, "queue": billing, "move": "add"},
        ],
    )
    drill = activation_start(actor=cast.sam, plan=plan, drill=True)
    activation_step_tick(actor=cast.tina, step=drill.steps.first())
    tv = board(browser, live_board, "sam", locale="zh-CN", size=(1920, 1080), path="/floor/?tv=1")
    try:
        expect(tv.get_by_test_id("emergency-tag")).to_have_text("演练")
        expect(step(tv, 2)).to_contain_text("把 Bob Agent 加入队列 billing")
        expect(tv.get_by_test_id("broadcasts")).to_contain_text("DRILL")
        expect(step(tv, 1).get_by_test_id("step-who")).to_contain_text("Tina Lead")
        # The TV shows the checklist without controls.
        expect(tv.locator("#emergencies button")).to_have_count(0)
        shot(tv, "tv-drill-zh")
    finally:
        tv.context.close()
