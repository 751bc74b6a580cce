"""The wall board in Chinese, in Debian's Chromium against a live server.

`CALLFLOOR_SCREENSHOTS=1 make test PYTEST_ARGS="tests/metrics/board/test_browser_chinese.py"`
refreshes docs/wallboard-zh-hans.png and docs/my-quality-zh-hans.png.
"""

import os
import re
from pathlib import Path

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events

pytestmark = [pytest.mark.browser]
REPO = Path(__file__).resolve().parents[3]


def screenshot_path(name: str) -> Path:
    if os.environ.get("CALLFLOOR_SCREENSHOTS"):
        return REPO / "docs" / name
    return Path(os.environ.get("TMPDIR", "/tmp")) / name


@pytest.fixture
def chinese(browser):
    """A browser set to Simplified Chinese (zh-CN), as on a mainland floor."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    try:
        yield context.new_page()
    finally:
        context.close()


def test_the_board_in_simplified_chinese_updates_live(cast, source, live_board, chinese):
    page = chinese
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    assert page.locator("html").get_attribute("lang") == "zh-hans"
    expect(page.get_by_test_id("feed-state")).to_have_text("实时")
    page.evaluate("window.__sameDocument = true")
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", member="PJSIP/2004"),
            event("call_queued", call_id="z1", queue="billing", caller="+3225550101"),
        ],
    )
    tile = page.locator("[data-testid=queue-tile][data-queue=billing]")
    expect(tile.get_by_test_id("waiting")).to_have_text("1")
    expect(tile).to_contain_text("排队数")
    expect(tile).to_contain_text("服务水平")
    expect(tile).to_contain_text("接通率")
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-state")).to_have_text("空闲")
    post_events(
        live_board.url,
        source.token,
        [event("call_answered", call_id="z1", queue="billing", member="PJSIP/2004", wait_s=4)],
    )
    expect(ann.get_by_test_id("agent-state")).to_have_text("通话中 · billing")
    expect(tile.get_by_test_id("answered")).to_have_text("1")
    # An alert reads in Chinese too: the agent asks the floor for help.
    post_events(
        live_board.url,
        source.token,
        [event("call_ended", call_id="z1", queue="billing", member="PJSIP/2004", talk_s=30)],
    )
    expect(page.get_by_test_id("summary")).to_contain_text("在岗")
    assert page.evaluate("window.__sameDocument") is True  # no reload: pushed over the socket


def _words_alerts_on_an_english_server(cast, source, live_board):
    """An agent out of adherence (scheduled on queue, not ready "Break" for 7 min), a handover
    5 min past its deadline, the board's telephony source silent for 7 min and a complaint
    whose acknowledgement is due in 10 min: alerts the server words in English."""
    from datetime import UTC, datetime, timedelta

    from qa.complaints import services as complaints
    from qa.complaints.models import Category, Complaint
    from scheduling import services
    from scheduling.models import Handover, Shift
    from tests.scheduling.conftest import send_handover

    now = datetime.now(UTC)
    start = now.replace(second=0, microsecond=0) - timedelta(hours=1)
    shift = services.shift_create(agent=cast.ann_agent, start=start, end=start + timedelta(hours=8))
    Shift.objects.filter(pk=shift.pk).update(published_at=start)
    handover = send_handover(cast, cases=[])
    Handover.objects.filter(pk=handover.pk).update(ack_due_at=now - timedelta(minutes=5))
    case = complaints.complaint_create(
        actor=cast.sam,
        customer_name="Jane Doe",
        customer_contact="+44 20 7946 0958",
        category=Category.objects.create(name="Billing error"),
        description="Charged twice.",
    )
    Complaint.objects.filter(pk=case.pk).update(ack_due_at=now + timedelta(minutes=10, seconds=30))
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=7200, member="PJSIP/2004"),
            event("agent_status", ago=420, member="PJSIP/2004", status="not_ready", reason="Break"),
        ],
    )
    return case


def test_schedule_handover_source_and_complaint_alerts_read_in_the_boards_language(
    cast, source, live_board, chinese
):
    """The server pushes in English (its language); a 简体中文 board words these alerts itself
    from their kind and values, the English text staying in the pushed state."""
    case = _words_alerts_on_an_english_server(cast, source, live_board)
    page = chinese
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_text("实时")
    alerts = page.get_by_test_id("alert")
    adherence = alerts.and_(page.locator("[data-kind=adherence]"))
    expect(adherence).to_have_text(
        re.compile(r"^Ann Agent 未遵从排班：排班为接听，但已“示忙 · Break”超过 5 分钟")
    )
    handover = alerts.and_(page.locator("[data-kind=handover_unacknowledged]"))
    expect(handover).to_contain_text("交给 Tom Lead 的交接单 2026-11-23 early 尚未签收（")
    silent = alerts.and_(page.locator("[data-kind=source_silent]"))
    expect(silent).to_contain_text(re.compile(r"话务数据源 pbx-board：[78] 分钟没有事件"))
    due = alerts.and_(page.locator("[data-kind=complaint_due]"))
    expect(due).to_contain_text(re.compile(rf"{case.reference}：(9|10)分 后升级（确认时限）"))
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-scheduled")).to_have_text("排班：接听")
    # The English of the server is still what was pushed, and none of it shows.
    pushed = page.evaluate(
        "() => Object.values(window.callfloorFloor.state.alerts).map((a) => a.text)"
    )
    assert any("is out of adherence: scheduled On queue, but Not ready" in t for t in pushed)
    shown = page.locator("#alerts").inner_text()
    for english in (
        "out of adherence",
        "On queue",
        "Not ready",
        "Handover",
        "not acknowledged",
        "Telephony source",
        "no event",
        "escalation",
        "acknowledge",
    ):
        assert english not in shown, english
    shots = os.environ.get("CALLFLOOR_NOTES_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/board-alerts-zh-hans.png", full_page=True)


def test_the_same_alerts_read_in_english_on_an_english_board(cast, source, live_board, page):
    """The English board words them as the server does."""
    case = _words_alerts_on_an_english_server(cast, source, live_board)
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_text("live")
    alerts = page.get_by_test_id("alert")
    expect(alerts.and_(page.locator("[data-kind=adherence]"))).to_have_text(
        re.compile(
            r"^Ann Agent is out of adherence: scheduled On queue, but Not ready · Break "
            r"for over 5 min"
        )
    )
    expect(alerts.and_(page.locator("[data-kind=handover_unacknowledged]"))).to_contain_text(
        "Handover 2026-11-23 early to Tom Lead not acknowledged (due "
    )
    expect(alerts.and_(page.locator("[data-kind=source_silent]"))).to_contain_text(
        re.compile(r"Telephony source pbx-board: no event for [78] min")
    )
    expect(alerts.and_(page.locator("[data-kind=complaint_due]"))).to_contain_text(
        re.compile(rf"{case.reference}: escalation due in (9|10) m \(time to acknowledge\)")
    )
    shots = os.environ.get("CALLFLOOR_NOTES_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/board-alerts-en.png", full_page=True)


def test_the_tv_board_speaks_traditional_chinese_from_its_url(cast, source, live_board, page):
    """An English browser on the TV; the URL asks for 繁體中文 and gets it."""
    browser_login(page, live_board.url, "sam")
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", member="PJSIP/2004"),
            event("call_queued", call_id="t1", queue="billing", caller="+3225550101"),
        ],
    )
    page.goto(f"{live_board.url}/floor/?tv=1&lang=zh-hant")
    assert page.locator("html").get_attribute("lang") == "zh-hant"
    tile = page.locator("[data-testid=queue-tile][data-queue=billing]")
    expect(tile).to_contain_text("服務水準")
    expect(tile).to_contain_text("排隊數")
    expect(tile).to_contain_text("放棄率")
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-state")).to_have_text("空閒")
    # Chinese labels stay inside the tiles in TV mode.
    overflowing = page.evaluate(
        """() => [...document.querySelectorAll('.tile, .agent')]
             .filter((el) => el.scrollWidth > el.clientWidth + 1).length"""
    )
    assert overflowing == 0


def test_screenshots_of_the_chinese_demo(settings, monkeypatch, live_board, chinese):
    """The board and "My quality" of `CALLFLOOR_LANGUAGE=zh-hans make demo`."""
    from metrics.telephony.services import source_create

    settings.LANGUAGE_CODE = "zh-hans"
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=12, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    _pbx, token = source_create(name="pbx-demo", kind="http_json", site="main")
    events = []
    for n in range(12):
        events.append(event("agent_login", member=f"PJSIP/{2001 + n}", ago=900 - n * 30))
    for n, queue in enumerate(["账单", "信用卡", "房贷", "账单", "信用卡", "账单"]):
        events.append(event("call_queued", call_id=f"d{n}", queue=queue, ago=600 - n * 60))
    for n in range(4):
        queue = ["账单", "信用卡", "房贷", "账单"][n]
        member = f"PJSIP/{2001 + n}"
        events.append(event("call_answered", call_id=f"d{n}", queue=queue, member=member, ago=300))
    events.append(event("call_abandoned", call_id="d4", queue="信用卡", wait_s=80, ago=120))
    events.append(
        event("agent_status", member="PJSIP/2007", status="not_ready", reason="小休", ago=200)
    )
    post_events(live_board.url, token, events)

    page = chinese
    browser_login(page, live_board.url, "supervisor", "demo-pass-123")
    page.goto(f"{live_board.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_text("实时")
    expect(page.locator("[data-testid=queue-tile]")).to_have_count(3)
    page.wait_for_timeout(1500)
    board = screenshot_path("wallboard-zh-hans.png")
    page.screenshot(path=str(board), full_page=True)
    assert board.stat().st_size > 10_000

    page.get_by_role("button", name="退出登录").click()
    browser_login(page, live_board.url, "agent", "demo-pass-123")
    page.goto(f"{live_board.url}/quality/")
    expect(page.locator("h1")).to_have_text("我的质检")
    expect(page.get_by_test_id("my-evaluations")).to_contain_text("服务来电")
    quality = screenshot_path("my-quality-zh-hans.png")
    page.screenshot(path=str(quality), full_page=True)
    assert quality.stat().st_size > 10_000
