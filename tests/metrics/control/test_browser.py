"""The phone controls on the wall board, in Debian's Chromium against a live server whose
Asterisk is the scripted AMI server.

`CALLFLOOR_SHOTS_DIR=<folder>` keeps screenshots of the board with its controls there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, ingest
from tests.metrics.control.conftest import sent

pytestmark = [pytest.mark.browser]


def shot(page, name: str) -> None:
    folder = os.environ.get("CALLFLOOR_SHOTS_DIR")
    if folder:
        page.screenshot(path=str(Path(folder) / name), full_page=True)


def card(page, name: str):
    return page.locator(f"[data-testid=agent-row][data-agent='{name}']")


def open_board(page, live, username="sam"):
    browser_login(page, live.url, username)
    page.goto(f"{live.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_attribute("data-status", "live")


def test_listen_on_a_card_rings_the_supervisor_into_chanspy(cast, ami_floor, live_board, page):
    open_board(page, live_board)
    ann = card(page, "Ann Agent")
    expect(ann.get_by_test_id("agent-queues")).to_have_text("Queues: billing, cards")
    ann.get_by_test_id("control-listen").click()
    originate = ami_floor.server.wait_for_action("Originate")
    assert (originate["Channel"], originate["Application"], originate["Data"]) == (
        "PJSIP/2001",
        "ChanSpy",
        "PJSIP/2004-,qE",
    )
    expect(ann.get_by_test_id("agent-monitor")).to_have_text(
        "listened to by Sam Supervisor Hang up"
    )
    expect(page.get_by_test_id("control-status")).to_have_text(
        "Calling your phone to listen to Ann Agent…"
    )
    shot(page, "board-listening-en.png")


def test_moving_three_agents_updates_their_queues_on_the_board(cast, ami_floor, live_board, page):
    open_board(page, live_board)
    for name in ("Ann Agent", "Bob Agent", "Cleo Agent"):
        card(page, name).get_by_test_id("agent-choose").check()
    expect(page.get_by_test_id("chosen-count")).to_have_text("3 chosen")
    page.get_by_test_id("move-from").select_option(label="billing")
    page.get_by_test_id("move-to").select_option(label="cards")
    shot(page, "board-move-chosen-en.png")
    page.get_by_test_id("move-submit").click()
    expect(page.get_by_test_id("control-status")).to_have_text("Moved 3 agents.")
    for name in ("Ann Agent", "Bob Agent", "Cleo Agent"):
        expect(card(page, name).get_by_test_id("agent-queues")).to_have_text("Queues: cards")
    assert len(sent(ami_floor.server, "QueueRemove")) == 3
    assert len(sent(ami_floor.server, "QueueAdd")) == 2  # ann was in cards already
    shot(page, "board-moved-en.png")


def test_an_asterisk_refusal_shows_on_the_board(cast, ami_floor, live_board, page):
    ami_floor.server.script("QueuePause", response="Error", message="Interface not found")
    open_board(page, live_board)
    card(page, "Cleo Agent").get_by_test_id("control-pause").click()
    page.get_by_test_id("pause-reason").fill("Coaching")
    page.get_by_test_id("pause-submit").click()
    status = page.get_by_test_id("control-status")
    expect(status).to_have_text("Asterisk refused QueuePause: Interface not found")
    expect(status).to_have_class("control-status failed")
    assert len(sent(ami_floor.server, "QueuePause")) == 1
    shot(page, "board-refused-en.png")


def test_a_source_that_only_reports_shows_no_controls(cast, source, live_board, page):
    ingest(source.source, [event("agent_login", ago=60, member="PJSIP/2004", queue="billing")])
    open_board(page, live_board)
    ann = card(page, "Ann Agent")
    expect(ann.get_by_test_id("agent-queues")).to_have_text("Queues: billing")
    expect(ann.get_by_test_id("agent-controls")).to_have_count(0)
    expect(ann.get_by_test_id("agent-choose")).to_have_count(0)


def test_the_controls_in_simplified_chinese(cast, ami_floor, live_board, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        open_board(page, live_board)
        ann = card(page, "Ann Agent")
        expect(ann.get_by_test_id("control-listen")).to_have_text("监听")
        ann.get_by_test_id("control-listen").click()
        expect(ann.get_by_test_id("agent-monitor")).to_contain_text("Sam Supervisor 正在监听")
        expect(ann.get_by_test_id("agent-queues")).to_have_text("队列：billing, cards")
        card(page, "Cleo Agent").get_by_test_id("agent-choose").check()
        expect(page.get_by_test_id("chosen-count")).to_have_text("已选 1 人")
        shot(page, "board-listening-zh-hans.png")
    finally:
        context.close()


def test_take_over_barges_in_and_is_finished_from_the_card(cast, ami_floor, live_board, page):
    open_board(page, live_board)
    ann = card(page, "Ann Agent")
    ann.get_by_role("button", name="Take over").click()
    originate = ami_floor.server.wait_for_action("Originate")
    assert originate["Data"] == "PJSIP/2004-,qBE"
    expect(ann.locator(".takeover")).to_have_text("taken over by sam")
    expect(ann.get_by_test_id("agent-monitor")).to_contain_text("barged into by Sam Supervisor")
    shot(page, "board-takeover-en.png")
    ann.get_by_test_id("finish-takeover").click()
    hangup = ami_floor.server.wait_for_action("Hangup")
    assert hangup["Channel"].startswith("callfloor-")
    expect(page.get_by_test_id("control-status")).to_have_text("Takeover finished.")
    expect(ann.locator(".takeover")).to_have_count(0)
    expect(ann.get_by_test_id("agent-monitor")).to_have_count(0)
