"""Stored script through the board's free-text fields, in Debian's Chromium against a live server.

A telephony source (or a person) can put markup in a member name, a queue name, a pause reason,
a help note or a broadcast. On the supervisor's board and the TV every one of them shows as
literal text: no element is injected, no script runs, and the page's own code runs cleanly under
the Content-Security-Policy (no violation reported, tiles and agents still render).
"""

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events

pytestmark = [pytest.mark.browser]

MEMBER = '"><img src=x onerror=window.__pwned=1><script>window.__pwned=2</script>'
QUEUE = "q'><svg onload=window.__pwned=3><img src=x onerror=window.__pwned=4>"
REASON = "</div><img src=x onerror=window.__pwned=5>"
NOTE = '<img src=x onerror="window.__pwned=6"><a href="javascript:window.__pwned=7">x</a>'
BROADCAST = "<script>window.__pwned=8</script><img src=x onerror=window.__pwned=9>"

# Every security-policy violation and console error of the page, from before its first script.
WATCH = """
window.__violations = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__violations.push(
    `${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""

INJECTED = """() => {
  const areas = ["#queues", "#agents", "#alerts", "#broadcasts"]
    .map((s) => document.querySelector(s));
  const foreign = "img, script, svg:not(.trend), a[href^=javascript]";
  return areas.flatMap((area) => [...area.querySelectorAll(foreign)]).map((el) => el.outerHTML);
}"""


def watched(page):
    errors = []
    page.on(
        "console",
        lambda message: (
            errors.append(message.text)
            if message.type == "error" or "Content Security Policy" in message.text
            else None
        ),
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.add_init_script(WATCH)
    return errors


def assert_clean(page, errors) -> None:
    assert page.evaluate("window.__pwned") is None
    assert page.evaluate(INJECTED) == []
    assert page.evaluate("window.__violations") == []
    assert [e for e in errors if "Content Security Policy" in e or "Refused" in e] == []
    assert errors == []


def test_markup_in_every_free_text_field_shows_as_text_on_the_board_and_the_tv(
    cast, source, live_board, browser, page
):
    errors = watched(page)
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_text("live")

    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", member=MEMBER),
            event("agent_login", member="PJSIP/2004"),
            event("agent_status", member="PJSIP/2004", status="not_ready", reason=REASON),
            event("call_queued", call_id="x1", queue=QUEUE, caller="+3225550101"),
            event("call_queued", call_id="b1", queue="billing", caller="+3225550102"),
        ],
    )
    agent_context = browser.new_context()
    try:
        agent = agent_context.new_page()
        agent_errors = watched(agent)
        browser_login(agent, live_board.url, "ann")
        agent.goto(f"{live_board.url}/floor/me/")
        expect(agent.get_by_test_id("feed-state")).to_have_text("live")
        agent.fill("#help-form input[name=note]", NOTE)
        agent.click("#help-form button[type=submit]")
        expect(agent.get_by_test_id("help-status")).to_contain_text("a supervisor will come")
        page.fill("#broadcast-form input[name=text]", BROADCAST)
        page.click("#broadcast-form button[type=submit]")
        expect(agent.get_by_test_id("broadcast")).to_contain_text(BROADCAST)
        assert agent.evaluate("window.__pwned") is None
        assert agent.evaluate("window.__violations") == [] and agent_errors == []
    finally:
        agent_context.close()

    for path in ("/floor/", "/floor/?tv=1"):
        response = page.goto(f"{live_board.url}{path}")
        # The board still renders: tiles, the agent grid, alerts and broadcasts.
        expect(page.get_by_test_id("queue-tile")).to_have_count(2)
        rows = page.get_by_test_id("agent-row")
        expect(rows).to_have_count(2)
        expect(page.get_by_test_id("broadcast")).to_have_count(1)
        expect(page.locator("[data-testid=alert][data-kind=help]")).to_have_count(1)
        page.wait_for_timeout(1500)  # a heartbeat or two: re-renders run under the policy too
        assert_clean(page, errors)
        # Each value is there as literal text, and as the same value in the data attributes.
        expect(rows.filter(has_text=MEMBER)).to_have_count(1)
        expect(rows.filter(has_text="Ann Agent").get_by_test_id("agent-state")).to_have_text(
            f"Not ready · {REASON}"
        )
        expect(page.get_by_test_id("queue-tile").filter(has_text=QUEUE)).to_have_count(1)
        expect(page.get_by_test_id("broadcast")).to_contain_text(BROADCAST)
        expect(page.locator("[data-testid=alert][data-kind=help]")).to_contain_text(NOTE)
        texts = page.evaluate(
            """() => [...document.querySelectorAll(
                    "[data-testid=agent-row], [data-testid=queue-tile]")]
                .flatMap((el) => [el.dataset.agent, el.dataset.queue, el.dataset.key])"""
        )
        assert MEMBER in texts and f"m:{MEMBER}" in texts and QUEUE in texts
        policy = response.headers.get("content-security-policy", "")
        assert "script-src 'self'" in policy and "'unsafe-inline'" not in policy
