"""The wall board on a TV of any size, typed text that never widens it, and alerts that reach
people: Debian's Chromium against a live server.

`CALLFLOOR_SHOTS=<folder>` keeps a screenshot of each TV size there.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events

pytestmark = [pytest.mark.browser]

SIZES = [(1366, 768), (1920, 1080), (3840, 2160)]
QUEUES = ["billing", "cards", "loans", "mortgages", "insurance", "business"]

# Every card of the page that is whole inside both the screen and the agents' area.
WHOLE_CARDS = """() => {
  const area = document.getElementById("agents").getBoundingClientRect();
  const inside = (r, box) => r.width > 0 && r.height > 0 && r.left >= box.left - 0.5
    && r.top >= box.top - 0.5 && r.right <= box.right + 0.5 && r.bottom <= box.bottom + 0.5;
  const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  return [...document.querySelectorAll("[data-testid=agent-row]")]
    .filter((el) => {
      const r = el.getBoundingClientRect();
      return inside(r, area) && inside(r, screen);
    })
    .map((el) => el.dataset.key);
}"""

NO_SCROLL = """() => {
  const doc = document.scrollingElement;
  return { height: doc.scrollHeight, width: doc.scrollWidth, innerHeight, innerWidth };
}"""

# The smallest font size of any visible element that holds text of its own.
SMALLEST_TEXT = """() => {
  let smallest = null;
  for (const el of document.querySelectorAll("body *")) {
    const own = [...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim());
    if (!own) continue;
    const style = getComputedStyle(el);
    const r = el.getBoundingClientRect();
    if (style.visibility === "hidden" || style.display === "none") continue;
    if (!r.width || !r.height) continue;
    if (r.bottom < 0 || r.top > innerHeight) continue;
    const size = parseFloat(style.fontSize);
    if (smallest === null || size < smallest.size) {
      smallest = { size, text: el.textContent.slice(0, 40) };
    }
  }
  return smallest;
}"""

# The font size of the first element that matches, read in one go (the pages turn every second:
# an element found first and read later may have left the page by then).
FONT_SIZE = "(selector) => parseFloat(getComputedStyle(document.querySelector(selector)).fontSize)"

# Every label and figure of the queue tiles that is not wholly readable: wider or taller than
# its own box where the box clips (an ellipsis "Answer r…" is one), or drawn outside its tile,
# outside a clipping ancestor inside the tile, or off the screen.
CLIPPED_TILE_TEXT = """() => {
  const found = [];
  const screen = { left: 0, top: 0, right: innerWidth, bottom: innerHeight };
  const inside = (r, box) => r.left >= box.left - 1 && r.top >= box.top - 1
    && r.right <= box.right + 1 && r.bottom <= box.bottom + 1;
  for (const tile of document.querySelectorAll("[data-testid=queue-tile]")) {
    if (!tile.getClientRects().length) continue;
    const tileBox = tile.getBoundingClientRect();
    const walker = document.createTreeWalker(tile, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim()) continue;
      const el = node.parentElement;
      if (el.closest("svg")) continue;
      const style = getComputedStyle(el);
      if (style.display === "none" || style.visibility === "hidden") continue;
      const text = el.textContent.trim().slice(0, 40);
      if (style.display !== "inline" && el.scrollWidth > el.clientWidth + 1) {
        found.push({ text, why: "wider than its box", width: el.scrollWidth, box: el.clientWidth });
        continue;
      }
      if (style.display !== "inline" && style.overflowY !== "visible"
          && el.scrollHeight > el.clientHeight + 1) {
        found.push({ text, why: "taller than its box" });
        continue;
      }
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (!r.width) continue;
        let why = !inside(r, tileBox) ? "outside its tile"
          : !inside(r, screen) ? "off the screen" : null;
        for (let up = el; !why && up && up !== tile; up = up.parentElement) {
          const s = getComputedStyle(up);
          if (s.overflowX !== "visible" || s.overflowY !== "visible") {
            if (!inside(r, up.getBoundingClientRect())) why = "cut by " + up.className;
          }
        }
        if (why) { found.push({ text, why }); break; }
      }
    }
  }
  return found;
}"""

# Records every desktop notification the page constructs (permission is granted by the test).
RECORD_NOTIFICATIONS = """(() => {
  const Real = window.Notification;
  window.__notifications = [];
  class Recorded extends Real {
    constructor(title, options) {
      super(title, options);
      window.__notifications.push({ title, body: options && options.body });
    }
  }
  Object.defineProperty(Recorded, "permission", { get: () => Real.permission });
  Recorded.requestPermission = (...args) => Real.requestPermission(...args);
  window.Notification = Recorded;
})();"""


def seed_floor(cast, live, token: str, agents: int) -> None:
    """`agents` agents logged in (a few with long names), some on calls, calls waiting."""
    from agents import services

    events = [event("agent_login", ago=600, member=m) for m in ["PJSIP/2004", "PJSIP/2005"]]
    for n in range(agents - 2):
        name = f"Agent {n:03d}" if n % 7 else f"Agent {n:03d} Maximiliana Oyelaran-Vasquez"
        member = f"PJSIP/4{n:03d}"
        services.agent_create(
            username=f"fl{n}",
            display_name=name,
            employee_number=f"F{n}",
            team=cast.billing if n % 2 else cast.cards,
            aliases=[member],
        )
        events.append(event("agent_login", ago=600, member=member))
        if n % 3 == 0:
            queue = QUEUES[n % len(QUEUES)]
            events += [
                event("call_queued", ago=200, call_id=f"k{n}", queue=queue, caller="+3225550101"),
                event("call_answered", ago=190, call_id=f"k{n}", queue=queue, member=member),
            ]
    for n, queue in enumerate(QUEUES):
        events.append(event("call_queued", ago=30 + n, call_id=f"w{n}", queue=queue, caller="+1"))
    # A caller who has waited over ten minutes: the longest wait reads "10:…" on its tile.
    events.append(event("call_queued", ago=620, call_id="w-long", queue="loans", caller="+2"))
    for start in range(0, len(events), 500):
        post_events(live.url, token, events[start : start + 500])


def shot(page, name: str) -> None:
    folder = os.environ.get("CALLFLOOR_SHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / name))


def one_rotation(page) -> tuple[set[str], int]:
    """The cards seen whole while the pages turn once (rotation sped up to 1 s).

    Each sample reads the page indicator, the scroll sizes, the whole cards and the tiles' text
    in one go, so a page turn cannot fall between them. No tile text may be cut on any page.
    """
    seen: set[str] = set()
    pages_seen: set[str] = set()
    total = None
    for _ in range(200):
        sample = page.evaluate(
            f"""() => ({{
          indicator: document.getElementById("page-indicator").textContent.trim(),
          metrics: ({NO_SCROLL})(),
          cards: ({WHOLE_CARDS})(),
          clipped: ({CLIPPED_TILE_TEXT})(),
        }})"""
        )
        indicator, metrics = sample["indicator"], sample["metrics"]
        assert sample["clipped"] == [], (indicator, sample["clipped"][:6])
        total = int(indicator.split("/")[1]) if indicator else 1
        assert metrics["height"] <= metrics["innerHeight"], metrics
        assert metrics["width"] <= metrics["innerWidth"], metrics
        seen |= set(sample["cards"])
        pages_seen.add(indicator)
        if len(pages_seen) >= total:
            break
        page.wait_for_timeout(150)
    return seen, total


@pytest.mark.parametrize("language", ["en", "zh-hans", "zh-hant"])
@pytest.mark.parametrize("agents", [40, 120])
def test_tv_mode_fits_every_screen_and_shows_every_agent_within_one_rotation(
    agents, language, cast, source, live_board, page
):
    """...and every label and figure of every tile whole (no "Answer r…"), in each language."""
    seed_floor(cast, live_board, source.token, agents)
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/?tv=1&rotate=1&lang={language}")
    assert page.locator("html").get_attribute("lang") == language
    expect(page.get_by_test_id("agent-row").first).to_be_visible()
    expect(page.get_by_test_id("queue-tile").first).to_be_visible()
    everyone = set(page.evaluate("Object.keys(window.callfloorFloor.state.agents)"))
    assert len(everyone) == agents
    for width, height in SIZES:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(600)  # the resize re-lays the board out
        shot(page, f"tv-{language}-{agents}-{width}x{height}.png")
        seen, pages = one_rotation(page)
        assert seen == everyone, (width, height, pages, sorted(everyone - seen)[:5])
        if (width, height) == (1920, 1080):
            smallest = page.evaluate(SMALLEST_TEXT)
            assert smallest["size"] >= 14, smallest
            assert page.evaluate(FONT_SIZE, "[data-testid=service-level]") >= 42
        if (width, height) == (3840, 2160):
            # 4K uses its room: bigger type, not a 1080p board in a corner.
            assert page.evaluate(FONT_SIZE, "[data-testid=agent-row]") >= 28


# The queue tiles on screen now: how many are whole on the screen, and the height they cover.
TILES_ON_SCREEN = """() => {
  const whole = [];
  let top = Infinity, bottom = -Infinity;
  for (const el of document.querySelectorAll("[data-testid=queue-tile]")) {
    const r = el.getBoundingClientRect();
    if (!r.width || r.left < -0.5 || r.top < -0.5 || r.right > innerWidth + 0.5
        || r.bottom > innerHeight + 0.5) continue;
    whole.push(el.dataset.queue);
    top = Math.min(top, r.top);
    bottom = Math.max(bottom, r.bottom);
  }
  return { whole, covered: whole.length ? bottom - top : 0, innerHeight,
    indicator: document.getElementById("page-indicator").textContent.trim() };
}"""


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_queues_display_fills_the_screen_with_its_tiles(
    language, cast, source, live_board, browser
):
    """A wall display of queues only: every queue at once in a grid of rows that fills the
    screen; with more queues than fit, pages of whole rows turn and show each in one turn."""
    from metrics.board import displays

    seed_floor(cast, live_board, source.token, 40)
    _display, token = displays.display_create(
        actor=cast.sam, name="Queues wall", site="main", layout="queues", language=language
    )
    context = browser.new_context(viewport={"width": 1366, "height": 768})
    try:
        tv = context.new_page()
        tv.goto(f"{live_board.url}/display/{token}/?rotate=1")
        expect(tv.get_by_test_id("queue-tile")).to_have_count(len(QUEUES))
        for width, height in SIZES:
            tv.set_viewport_size({"width": width, "height": height})
            tv.wait_for_timeout(600)
            shot(tv, f"queues-{language}-{width}x{height}.png")
            on_screen = tv.evaluate(TILES_ON_SCREEN)
            # All six queues whole at once, no pages, and the tiles use the screen's height.
            assert sorted(on_screen["whole"]) == sorted(QUEUES), (width, on_screen)
            assert on_screen["indicator"] == "", (width, on_screen)
            assert on_screen["covered"] >= 0.6 * height, (width, on_screen)
            assert tv.evaluate(CLIPPED_TILE_TEXT) == [], width
            metrics = tv.evaluate(NO_SCROLL)
            assert metrics["height"] <= metrics["innerHeight"], (width, metrics)
            assert metrics["width"] <= metrics["innerWidth"], (width, metrics)

        # Twenty-four queues do not fit a 1366×768 screen: pages of whole tiles turn.
        more = [f"line{n:02d}" for n in range(len(QUEUES), 24)]
        post_events(
            live_board.url,
            source.token,
            [event("call_queued", ago=20, call_id=f"m{n}", queue=q) for n, q in enumerate(more)],
        )
        tv.set_viewport_size({"width": 1366, "height": 768})
        expect(tv.locator("#page-indicator")).not_to_have_text("", timeout=10_000)
        seen: set[str] = set()
        for _ in range(100):
            on_screen = tv.evaluate(TILES_ON_SCREEN)
            assert tv.evaluate(CLIPPED_TILE_TEXT) == [], on_screen["indicator"]
            seen |= set(on_screen["whole"])
            if seen >= set(QUEUES + more):
                break
            tv.wait_for_timeout(200)
        assert seen == set(QUEUES + more), sorted(set(QUEUES + more) - seen)
    finally:
        context.close()


def test_a_broadcast_on_the_tv_is_in_high_contrast(cast, source, live_board, page):
    from metrics.board import actions

    actions.broadcast_send(actor=cast.sam, text="Outage: use the fallback script")
    page.set_viewport_size({"width": 1920, "height": 1080})
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/?tv=1")
    banner = page.get_by_test_id("broadcast")
    expect(banner).to_contain_text("Outage")
    ratio = banner.evaluate(
        """(el) => {
      const rgb = (c) => c.match(/\\d+/g).slice(0, 3).map(Number).map((v) => {
        v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
      const lum = (c) => { const [r, g, b] = rgb(c); return 0.2126 * r + 0.7152 * g + 0.0722 * b; };
      const s = getComputedStyle(el);
      const [a, b] = [lum(s.color), lum(s.backgroundColor)].sort((x, y) => y - x);
      return (a + 0.05) / (b + 0.05);
    }"""
    )
    assert ratio >= 7, ratio  # WCAG AAA
    assert float(banner.evaluate("(el) => getComputedStyle(el).fontSize")[:-2]) >= 20


def test_a_help_request_comes_first_marks_the_card_notifies_and_names_who_comes(
    cast, source, live_board, browser
):
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("agent_login", ago=60, member="PJSIP/2005"),
            # A red service-level alert and a long wait stand already.
            event("call_queued", ago=400, call_id="x1", queue="billing", caller="+1"),
        ],
    )
    board_context = browser.new_context(viewport={"width": 1400, "height": 900})
    board_context.grant_permissions(["notifications"], origin=live_board.url)
    board_context.add_init_script(RECORD_NOTIFICATIONS)
    agent_context = browser.new_context(viewport={"width": 1400, "height": 900})
    try:
        board = board_context.new_page()
        browser_login(board, live_board.url, "sam")
        board.goto(f"{live_board.url}/floor/")
        expect(board.get_by_test_id("feed-state")).to_have_text("live")
        expect(board.locator("[data-testid=urgent] [data-testid=alert]").first).to_be_visible()
        tv = board_context.new_page()
        tv.set_viewport_size({"width": 1920, "height": 1080})
        tv.goto(f"{live_board.url}/floor/?tv=1")
        expect(tv.get_by_test_id("agent-row").first).to_be_visible()

        agent = agent_context.new_page()
        browser_login(agent, live_board.url, "ann")
        agent.goto(f"{live_board.url}/floor/me/")
        expect(agent.get_by_test_id("feed-state")).to_have_text("live")
        agent.get_by_test_id("help-reason").select_option("difficult_customer")
        agent.fill("#help-form input[name=note]", "x" * 300)
        agent.click("#help-form button[type=submit]")

        urgent = board.locator("[data-testid=urgent] > [data-testid=alert]")
        expect(urgent.first).to_have_attribute("data-kind", "help")
        expect(urgent.first).to_contain_text("Ann Agent asks for help: Difficult customer")
        assert board.locator("[data-testid=alerts] [data-kind=help]").count() == 0
        ann = board.locator("[data-testid=agent-row][data-agent='Ann Agent']")
        expect(ann.get_by_test_id("help-mark")).to_contain_text("Difficult customer")
        expect(ann).to_have_class("agent needs-help")
        # The first card of the grid is the agent who waits for help.
        expect(board.get_by_test_id("agent-row").first).to_have_attribute("data-agent", "Ann Agent")
        board.wait_for_function("window.__notifications.some((n) => n.title === 'Help request')")
        notes = board.evaluate("window.__notifications")
        help_note = next(n for n in notes if n["title"] == "Help request")
        assert "Ann Agent asks for help" in help_note["body"]
        # 300 characters without a space leave both boards as wide as the screen.
        for screen in (board, tv):
            expect(screen.locator("[data-kind=help]").first).to_be_visible()
            metrics = screen.evaluate(NO_SCROLL)
            assert metrics["width"] <= metrics["innerWidth"], metrics
        expect(tv.locator("[data-testid=urgent] > [data-testid=alert]").first).to_have_attribute(
            "data-kind", "help"
        )
        # On the TV an urgent alert stands out in deep red, not in the grey of the other alerts.
        expect(tv.locator("[data-testid=urgent] > [data-testid=alert]").first).to_have_css(
            "background-color", "rgb(92, 11, 18)"
        )
        metrics = tv.evaluate(NO_SCROLL)
        assert metrics["height"] <= metrics["innerHeight"], metrics
        shot(board, "help-desk-board.png")
        shot(tv, "help-tv-1920x1080.png")

        board.bring_to_front()
        urgent.first.get_by_role("button", name="Take").click()
        expect(board.locator("[data-kind=help]")).to_have_count(0)
        expect(ann.get_by_test_id("help-mark")).to_have_count(0)
        expect(agent.get_by_test_id("help-taker")).to_have_text("Sam Supervisor is coming")
        shot(agent, "help-agent-page.png")
    finally:
        agent_context.close()
        board_context.close()


def test_a_muted_board_neither_rings_nor_notifies(cast, source, live_board, browser):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.grant_permissions(["notifications"], origin=live_board.url)
    context.add_init_script(RECORD_NOTIFICATIONS)
    try:
        board = context.new_page()
        browser_login(board, live_board.url, "sam")
        board.goto(f"{live_board.url}/floor/")
        expect(board.get_by_test_id("feed-state")).to_have_text("live")
        mute = board.get_by_test_id("mute-alerts")
        mute.click()
        expect(mute).to_have_attribute("aria-pressed", "true")
        board.reload()  # remembered for this user
        expect(board.get_by_test_id("mute-alerts")).to_have_attribute("aria-pressed", "true")
        expect(board.get_by_test_id("feed-state")).to_have_text("live")
        from metrics.board import actions

        actions.help_request_create(user=cast.ann, reason="technical")
        expect(board.locator("[data-testid=urgent] [data-kind=help]")).to_have_count(1)
        board.wait_for_timeout(1500)
        assert board.evaluate("window.__notifications.length") == 0
    finally:
        context.close()


def test_alert_texts_speak_words_not_code_names(cast, source, live_board, page):
    from metrics.models import Queue

    Queue.objects.create(name="billing", site="main", sl_variant="answered_only")
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", ago=600, member="PJSIP/2004"),
            event("call_queued", ago=300, call_id="s1", queue="billing"),
            event("call_answered", ago=200, call_id="s1", queue="billing", member="PJSIP/2004"),
        ],
    )
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    alert = page.locator("[data-testid=alert][data-kind=queue_sl]")
    expect(alert).to_contain_text("of answered calls only")
    assert "answered_only" not in page.locator("main").inner_text()


def test_a_service_level_just_under_its_target_does_not_read_as_the_target(
    cast, source, live_board, page
):
    """2 of 3 calls in time against a 67 % target: 66.7 % rounds to 67 %, which would read as
    "67 % under the 67 % target"; the tile and the alert say 66.6 %."""
    from metrics.models import Queue

    Queue.objects.create(name="billing", site="main", sl_target=0.67)
    events = [event("agent_login", ago=600, member="PJSIP/2004")]
    for n, wait in enumerate([5, 5, 40]):
        call = f"u{n}"
        events += [
            event("call_queued", ago=500 - 100 * n, call_id=call, queue="billing"),
            event(
                "call_answered",
                ago=500 - 100 * n - wait,
                call_id=call,
                queue="billing",
                member="PJSIP/2004",
                wait_s=wait,
            ),
            event(
                "call_ended",
                ago=500 - 100 * n - wait - 30,
                call_id=call,
                queue="billing",
                member="PJSIP/2004",
                talk_s=30,
            ),
        ]
    post_events(live_board.url, source.token, events)
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    tile = page.locator("[data-testid=queue-tile][data-queue=billing]")
    expect(tile.get_by_test_id("service-level")).to_have_text("66.6%")
    alert = page.locator("[data-testid=alert][data-kind=queue_sl]")
    expect(alert).to_contain_text("service level 66.6% under the 67% target")


# The urgent band on screen: its alerts (and its "+N more" line) with whether each lies wholly
# inside the band's box, and how many urgent alerts the board holds in all.
URGENT_BAND = """() => {
  const band = document.querySelector("[data-testid=urgent]").getBoundingClientRect();
  const inside = (r) => r.width > 0 && r.height > 0 && r.left >= band.left - 0.5
    && r.top >= band.top - 0.5 && r.right <= band.right + 0.5 && r.bottom <= band.bottom + 0.5;
  const read = (el) => ({ kind: el.dataset.kind, title: el.title, text: el.textContent.trim(),
    whole: inside(el.getBoundingClientRect()) });
  const alerts = Object.values(window.callfloorFloor.state.alerts);
  return {
    alerts: [...document.querySelectorAll("#urgent > [data-testid=alert]")].map(read),
    more: [...document.querySelectorAll("#urgent > [data-testid=urgent-more]")].map(read),
    total: alerts.filter((a) => a.kind === "help" || (a.severity === "red" && !a.ack)).length,
  };
}"""

MORE_URGENT = {"en": "+{n} more urgent alerts", "zh-hans": "另有 {n} 条紧急告警"}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_full_urgent_band_on_the_tv_shows_whole_alerts_and_how_many_more(
    language, cast, source, live_board, page
):
    """Twelve help requests do not fit the TV's urgent band: it shows whole alerts only, the
    oldest help request first, and a last line "+N more" for the ones that did not fit."""
    from django.contrib.auth import get_user_model

    from metrics.board import actions

    User = get_user_model()

    seed_floor(cast, live_board, source.token, 40)
    helpers = [User.objects.get(username=f"fl{n}") for n in range(12)]
    for user in helpers:
        actions.help_request_create(user=user, reason="difficult_customer")
    oldest = helpers[0].agent.display_name
    page.set_viewport_size({"width": 1366, "height": 768})
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/?tv=1&lang={language}")
    expect(page.locator("[data-testid=urgent] > [data-testid=alert]").first).to_be_visible()
    for width, height in [(1366, 768), (1920, 1080)]:
        page.set_viewport_size({"width": width, "height": height})
        page.wait_for_timeout(600)  # the resize re-lays the board out
        shot(page, f"urgent-{language}-{width}x{height}.png")
        band = page.evaluate(URGENT_BAND)
        alerts, more = band["alerts"], band["more"]
        assert band["total"] >= 12, band["total"]
        assert alerts, (width, band)
        cut = [a["title"][:40] for a in alerts + more if not a["whole"]]
        assert cut == [], (width, cut)
        hidden = band["total"] - len(alerts)
        assert hidden > 0, (width, len(alerts))  # twelve do not fit: the test needs a full band
        assert [m["text"] for m in more] == [MORE_URGENT[language].format(n=hidden)], (width, more)
        assert alerts[0]["kind"] == "help", (width, alerts[0])
        assert oldest in alerts[0]["title"], (width, alerts[0]["title"])
