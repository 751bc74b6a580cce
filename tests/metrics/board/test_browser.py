"""The wall board in Debian's Chromium against a live server.

`CALLFLOOR_SCREENSHOTS=1 make test PYTEST_ARGS="tests/metrics/board/test_browser.py -k tv"`
refreshes docs/wallboard-tv.png.
"""

import os
import re
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events

pytestmark = [pytest.mark.browser]
REPO = Path(__file__).resolve().parents[3]


def open_board(page, live, username="sam", path="/floor/"):
    browser_login(page, live.url, username)
    page.goto(f"{live.url}{path}")
    expect(page.get_by_test_id("feed-state")).to_have_text("live") if "tv=1" not in path else None
    return page


def test_events_posted_to_the_api_change_a_tile_and_an_agent_row_without_reload(
    cast, source, live_board, page
):
    open_board(page, live_board)
    page.evaluate("window.__sameDocument = true")
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", member="PJSIP/2004"),
            event("call_queued", call_id="c1", queue="billing", caller="+3225550101"),
        ],
    )
    tile = page.locator("[data-testid=queue-tile][data-queue=billing]")
    expect(tile.get_by_test_id("waiting")).to_have_text("1")
    expect(tile.get_by_test_id("waiting-list")).to_contain_text("+3225550101")
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-state")).to_have_text("Available")

    post_events(
        live_board.url,
        source.token,
        [
            event(
                "call_answered",
                call_id="c1",
                queue="billing",
                member="PJSIP/2004",
                wait_s=4,
                ring_s=2,
            ),
        ],
    )
    expect(tile.get_by_test_id("waiting")).to_have_text("0")
    expect(tile.get_by_test_id("answered")).to_have_text("1")
    expect(ann.get_by_test_id("agent-state")).to_have_text("On call · billing")
    assert page.evaluate("window.__sameDocument") is True


def test_a_ringing_phone_shows_on_the_agent_row_in_its_time_band(cast, source, live_board, page):
    open_board(page, live_board)
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("call_queued", ago=30, call_id="r1", queue="billing"),
        ],
    )
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-state")).to_have_text("Available")
    # Ringing for 15 s already: past the ringing band's amber mark (10 s), not its red (20 s).
    ring = {"call_id": "r1", "queue": "billing", "member": "PJSIP/2004"}
    post_events(live_board.url, source.token, [event("call_ringing", ago=15, **ring)])
    expect(ann.get_by_test_id("agent-state")).to_have_text("Ringing · billing")
    expect(ann).to_have_attribute("data-band", "amber")
    post_events(live_board.url, source.token, [event("call_answered", **ring)])
    expect(ann.get_by_test_id("agent-state")).to_have_text("On call · billing")
    expect(ann).to_have_attribute("data-band", "green")


def test_a_dropped_socket_shows_the_stale_banner_then_recovers(cast, source, live_board, page):
    open_board(page, live_board)
    banner = page.get_by_test_id("stale-banner")
    expect(banner).to_be_hidden()
    # The network goes away for 4 s; the heartbeat is 1 s, so the feed is stale after 2 s.
    page.evaluate("window.callfloorFloor.drop(4000)")
    expect(banner).to_be_visible(timeout=5000)
    expect(banner).to_contain_text("Data is stale since")
    post_events(live_board.url, source.token, [event("agent_login", member="PJSIP/2005")])
    expect(banner).to_be_hidden(timeout=15000)
    expect(page.get_by_test_id("feed-state")).to_have_text("live")
    # The snapshot after reconnecting holds what happened while away.
    expect(page.locator("[data-testid=agent-row][data-agent='Bob Agent']")).to_be_visible()


def test_an_agents_help_request_and_a_broadcast_cross_the_floor(
    cast, source, live_board, browser, page
):
    open_board(page, live_board)
    agent_context = browser.new_context()
    try:
        agent = agent_context.new_page()
        browser_login(agent, live_board.url, "ann")
        agent.goto(f"{live_board.url}/floor/me/")
        expect(agent.get_by_test_id("feed-state")).to_have_text("live")
        agent.get_by_test_id("help-reason").select_option("difficult_customer")
        agent.fill("#help-form input[name=note]", "Shouting customer")
        agent.click("#help-form button[type=submit]")

        alert = page.locator("[data-testid=alert][data-kind=help]")
        expect(alert).to_contain_text("Ann Agent asks for help: Difficult customer")
        expect(alert).to_contain_text("Shouting customer")
        expect(agent.get_by_test_id("help-status")).to_contain_text("a supervisor will come")

        alert.get_by_role("button", name="Take").click()
        expect(alert).to_have_count(0)
        expect(agent.get_by_test_id("help-status")).to_contain_text("Sam Supervisor is coming")

        page.fill("#broadcast-form input[name=text]", "Outage: use the fallback script")
        page.select_option("#broadcast-form select[name=priority]", "urgent")
        page.click("#broadcast-form button[type=submit]")
        expect(agent.get_by_test_id("broadcast")).to_contain_text("Outage: use the fallback script")
        expect(page.get_by_test_id("broadcast")).to_contain_text("URGENT")
    finally:
        agent_context.close()


def test_an_acknowledgement_shows_on_every_board(cast, source, live_board, browser, page):
    post_events(
        live_board.url,
        source.token,
        [
            event("call_queued", ago=90, call_id="w1", queue="cards", caller="+1"),
        ],
    )
    open_board(page, live_board)
    other_context = browser.new_context()
    try:
        other = other_context.new_page()
        open_board(other, live_board, username="ada")
        wait_alert = page.locator("[data-testid=alert][data-kind=queue_wait]")
        wait_alert.get_by_role("button", name="Acknowledge").click()
        expect(
            other.locator("[data-testid=alert][data-kind=queue_wait]").get_by_test_id("alert-ack")
        ).to_contain_text("sam")
    finally:
        other_context.close()


def test_an_agent_cannot_open_the_board(cast, live_board, page):
    browser_login(page, live_board.url, "ann")
    response = page.goto(f"{live_board.url}/floor/")
    assert response.status == 403
    assert page.locator("[data-testid=queues]").count() == 0


def test_tv_mode_is_full_screen_without_controls(cast, source, live_board, page):
    from agents import services
    from metrics.telephony.simulator import FloorSimulator

    members = ["PJSIP/2004", "PJSIP/2005"]
    names = [
        "Grace Kim",
        "Hugo Silva",
        "Ines Patel",
        "Jon Okafor",
        "Kemi Chen",
        "Liam Berg",
        "Mei Durand",
        "Nora Walsh",
        "Omar Costa",
        "Priya Lund",
        "Rosa Aziz",
        "Sven Rao",
        "Tara Haddad",
        "Uma Yilmaz",
        "Victor Martin",
        "Wen Adeyemi",
    ]
    for n, name in enumerate(names):
        services.agent_create(
            username=f"tv{n}",
            display_name=name,
            employee_number=f"T{n}",
            team=cast.billing if n % 2 else cast.cards,
            aliases=[f"PJSIP/3{n:03d}"],
        )
        members.append(f"PJSIP/3{n:03d}")
    now = time.time()
    simulator = FloorSimulator(
        members=members,
        queues={"billing": 3, "cards": 2, "loans": 1},
        rate=lambda ts: 0.06,
        start=now - 40 * 60,
        seed=7,
    )
    history = simulator.advance(now)
    for start in range(0, len(history), 1000):
        post_events(live_board.url, source.token, history[start : start + 1000])

    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/?tv=1")
    expect(page.get_by_test_id("queue-tile")).to_have_count(3)
    expect(page.get_by_test_id("agent-row").first).to_be_visible()
    assert page.locator(".topbar").is_hidden()
    assert page.locator("main button, #broadcast-form, #filter-team").count() == 0
    page.wait_for_timeout(1500)  # one tick of the clocks
    target = (
        REPO / "docs" / "wallboard-tv.png"
        if os.environ.get("CALLFLOOR_SCREENSHOTS")
        else Path(os.environ.get("TMPDIR", "/tmp")) / "wallboard-tv.png"
    )
    page.screenshot(path=str(target))
    assert target.stat().st_size > 10_000


def test_tv_mode_shows_waiting_callers_by_their_last_four_digits(cast, source, live_board, page):
    post_events(
        live_board.url,
        source.token,
        [
            event("call_queued", ago=20, call_id="c1", queue="billing", caller="+32 2 555 0101"),
            event("call_queued", ago=10, call_id="c2", queue="billing", caller="201"),
            event("call_queued", ago=5, call_id="c3", queue="billing"),
        ],
    )
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/?tv=1")
    callers = page.locator("[data-testid=queue-tile][data-queue=billing]").get_by_test_id(
        "waiting-caller"
    )
    expect(callers).to_have_count(3)
    expect(callers.nth(0)).to_contain_text("••• 0101")
    expect(callers.nth(1)).to_contain_text("••••")
    expect(callers.nth(2)).to_contain_text("c3")  # no number: the call id, which is no one's
    assert "555" not in page.locator("main").inner_text()
    assert "201" not in callers.nth(1).locator("span").first.inner_text()
    # The supervisor's own desk board keeps the full numbers.
    page.goto(f"{live_board.url}/floor/")
    desk = page.locator("[data-testid=queue-tile][data-queue=billing]")
    expect(desk.get_by_test_id("waiting-caller").nth(0)).to_contain_text("+32 2 555 0101")


def test_a_live_escalation_arrives_on_the_board_and_goes_once_taken_over(
    cast, source, live_board, page
):
    from qa.complaints import services as complaints
    from qa.complaints.models import LiveEscalation

    open_board(page, live_board)
    expect(page.get_by_test_id("feed-state")).to_have_text("live")
    live = complaints.live_escalation_raise(actor=cast.ann, reason="Asks for a supervisor")
    alert = page.locator("[data-testid=alert][data-kind=live_escalation]")
    expect(alert).to_contain_text("Ann Agent: customer asks for a supervisor")
    expect(alert.get_by_test_id("alert-link")).to_have_attribute("href", "/complaints/escalations/")
    alert.get_by_role("button", name="Take over").click()
    expect(alert).to_have_count(0)
    live.refresh_from_db()
    assert (live.status, live.taken_by) == ("taken", cast.sam)
    assert LiveEscalation.objects.filter(status="open").count() == 0


def test_an_urgent_broadcast_reaches_the_agents_my_quality_page(
    cast, source, live_board, browser, page
):
    open_board(page, live_board)
    agent_context = browser.new_context()
    try:
        agent = agent_context.new_page()
        browser_login(agent, live_board.url, "ann")
        agent.goto(f"{live_board.url}/quality/")
        expect(agent.get_by_test_id("feed-state")).to_have_text("live")
        page.fill("#broadcast-form input[name=text]", "Outage: use the fallback script")
        page.select_option("#broadcast-form select[name=priority]", "urgent")
        page.click("#broadcast-form button[type=submit]")
        expect(agent.get_by_test_id("broadcast")).to_contain_text(
            "URGENT · Sam Supervisor: Outage: use the fallback script"
        )
    finally:
        agent_context.close()


def test_an_admin_sees_no_take_over_button_the_api_would_refuse(
    cast, source, live_board, page, browser
):
    """Taking over is for supervisors and team leads: the admin's board offers no Take over,
    neither on a live escalation nor on an agent's call; a team lead's does, for their team."""
    from qa.complaints import services as complaints

    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("agent_login", ago=60, member="PJSIP/2005"),
            event("call_queued", ago=30, call_id="t1", queue="billing"),
            event("call_answered", ago=20, call_id="t1", queue="billing", member="PJSIP/2004"),
            event("call_queued", ago=30, call_id="t2", queue="cards"),
            event("call_answered", ago=20, call_id="t2", queue="cards", member="PJSIP/2005"),
        ],
    )
    complaints.live_escalation_raise(actor=cast.ann, reason="Asks for a supervisor")
    boards = {}
    for username in ["ada", "tina"]:
        board = page if username == "ada" else browser.new_page()
        open_board(board, live_board, username)
        expect(board.locator("[data-testid=alert][data-kind=live_escalation]")).to_have_count(1)
        expect(board.locator("[data-testid=agent-row][data-agent='Ann Agent']")).to_contain_text(
            "On call"
        )
        boards[username] = board
    ada, tina = boards["ada"], boards["tina"]
    assert ada.get_by_role("button", name="Take over").count() == 0
    assert ada.get_by_role("button", name="Acknowledge").count() > 0  # she still acknowledges
    escalation = tina.locator("[data-testid=alert][data-kind=live_escalation]")
    expect(escalation.get_by_role("button", name="Take over")).to_have_count(1)
    ann = tina.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_role("button", name="Take over")).to_have_count(1)
    tina.close()


def test_an_agent_out_of_adherence_past_the_threshold_has_a_marked_card(
    cast, source, live_board, page
):
    """Ann's break began 7 min ago and she is still available: past the 5 min threshold her
    card is marked and names the break; Bob, with no schedule, is not; the team strip shows
    Billing's figures. (Adherence by hand: 53 of 60 min.)"""
    from datetime import UTC, datetime, timedelta

    from scheduling import services
    from scheduling.models import Shift

    now = datetime.now(UTC).replace(second=0, microsecond=0)
    start, brk = now - timedelta(hours=1), now - timedelta(minutes=7)
    shift = services.shift_create(
        agent=cast.ann_agent,
        start=start,
        end=start + timedelta(hours=8),
        activities=[services.ActivityInput("break", brk, brk + timedelta(minutes=15))],
    )
    Shift.objects.filter(pk=shift.pk).update(published_at=start)
    open_board(page, live_board)
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=7200, member="PJSIP/2004"),
            event("agent_login", ago=7200, member="PJSIP/2005"),
        ],
    )
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    bob = page.locator("[data-testid=agent-row][data-agent='Bob Agent']")
    expect(ann).to_have_class(re.compile(r"\bout-of-adherence\b"))
    expect(ann.get_by_test_id("agent-scheduled")).to_have_text("Scheduled: Break")
    expect(bob.get_by_test_id("agent-state")).to_have_text("Available")
    expect(bob).not_to_have_class(re.compile(r"adherence"))
    expect(page.locator("[data-testid=alert][data-kind=adherence]")).to_contain_text(
        "Ann Agent is out of adherence: scheduled Break, but Available"
    )
    strip = page.get_by_test_id("team-adherence")
    expect(strip).to_contain_text("Billing")
    # 53 of 60 min (54 of 61 if the server's minute has turned): 87–88 %.
    expect(strip).to_contain_text(re.compile(r"Billing adherence 8[78]%"))
    shots = os.environ.get("CALLFLOOR_NOTES_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=f"{shots}/board-adherence.png", full_page=True)
