"""Wall displays and the board's settings panel in Debian's Chromium against a live server."""

import os
import threading
import time
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events

pytestmark = [pytest.mark.browser]
SHOTS = Path(os.environ.get("CALLFLOOR_SHOTS_DIR", "/tmp/callfloor-shots"))


def _shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / name))


def test_a_display_link_shows_its_board_with_no_login_and_goes_dark_on_revocation(
    cast, source, team_queues, live_board, browser
):
    from metrics.board import displays

    display, token = displays.display_create(
        actor=cast.sam, name="Billing TV", site="main", team=cast.billing
    )
    post_events(
        live_board.url,
        source.token,
        [
            event("agent_login", member="PJSIP/2004"),
            event("agent_login", member="PJSIP/2005"),
            event("call_queued", call_id="b1", queue="billing", caller="+3225550101"),
            event("call_queued", call_id="c1", queue="cards", caller="+3225550202"),
        ],
    )
    context = browser.new_context(viewport={"width": 1920, "height": 1080})
    try:
        tv = context.new_page()
        closes = []
        tv.on("websocket", lambda ws: ws.on("close", lambda _: closes.append(time.monotonic())))
        tv.goto(f"{live_board.url}/display/{token}/")
        tile = tv.locator("[data-testid=queue-tile][data-queue=billing]")
        expect(tile.get_by_test_id("waiting")).to_have_text("1")
        expect(tile.get_by_test_id("waiting-list")).to_contain_text("••• 0101")
        expect(tv.locator("[data-testid=agent-row][data-agent='Ann Agent']")).to_be_visible()
        # Outside its team: absent. Nobody logged in: no top bar, no controls, no buttons.
        expect(tv.locator("[data-testid=queue-tile][data-queue=cards]")).to_have_count(0)
        expect(tv.locator("[data-testid=agent-row][data-agent='Bob Agent']")).to_have_count(0)
        expect(tv.get_by_test_id("who")).to_have_count(0)
        expect(tv.locator("main button")).to_have_count(0)
        assert "+3225550101" not in tv.content()
        _shot(tv, "display-billing-1080p.png")
        # The page's own fetches to the API are refused (it holds no session).
        status = tv.evaluate(
            "fetch('/api/floor/snapshot/', {credentials: 'same-origin'}).then(r => r.status)"
        )
        assert status in (401, 403)

        started = time.monotonic()
        # From another thread: Playwright's loop runs in this one (revoking sends to the
        # channel layer through async_to_sync, as the list page's request does).
        revoking = threading.Thread(
            target=displays.display_revoke, kwargs={"actor": cast.sam, "display": display}
        )
        revoking.start()
        revoking.join(timeout=5)
        deadline = started + 2
        while not closes and time.monotonic() < deadline:
            tv.wait_for_timeout(50)
        assert closes, "the display's socket was still open 2 s after revocation"
        assert closes[0] - started < 2
        # Reloading the link opens nothing.
        assert tv.goto(f"{live_board.url}/display/{token}/").status == 404
    finally:
        context.close()


def test_a_supervisor_registers_a_display_and_sees_its_link_once(cast, live_board, page):
    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/displays/")
    page.fill("input[name=name]", "Hall TV")
    page.select_option("select[name=team]", label="Billing")
    page.click("[data-testid=display-form] button[type=submit]")
    link = page.get_by_test_id("display-link-url").text_content()
    assert "/display/" in link
    _shot(page, "displays-list.png")
    row = page.locator("[data-testid=display-row][data-display='Hall TV']")
    expect(row).to_contain_text("team Billing")
    page.goto(f"{live_board.url}/floor/displays/")
    expect(page.get_by_test_id("display-link")).to_have_count(0)
    page.locator("[data-testid=display-row][data-display='Hall TV']").get_by_test_id(
        "display-revoke"
    ).click()
    expect(
        page.locator("[data-testid=display-row][data-display='Hall TV']").get_by_test_id(
            "display-revoked"
        )
    ).to_be_visible()


def test_a_settings_change_shows_on_a_second_open_board_without_reload(
    cast, source, team_queues, live_board, browser
):
    from agents.models import AuditEntry

    post_events(live_board.url, source.token, [event("call_queued", call_id="b1", queue="billing")])
    contexts = [browser.new_context(viewport={"width": 1400, "height": 900}) for _ in range(2)]
    try:
        editor, watcher = (c.new_page() for c in contexts)
        for page, user in ((editor, "sam"), (watcher, "tina")):
            browser_login(page, live_board.url, user)
            page.goto(f"{live_board.url}/floor/")
            expect(page.get_by_test_id("feed-state")).to_have_text("live")
        watcher.evaluate("window.__sameDocument = true")
        watched = watcher.locator("[data-testid=queue-tile][data-queue=billing] .sl-variant")
        expect(watched).to_contain_text("in 20 s")
        # tina may not change settings (the site does not let team leads): no panel for her.
        expect(watcher.get_by_test_id("settings-toggle")).to_have_count(0)

        editor.get_by_test_id("settings-toggle").click()
        form = editor.locator("[data-testid=queue-settings][data-queue=billing]")
        # The server's reason shows beside the field (amber must come before red, 60 s).
        form.locator("input[name=wait_amber_s]").fill("90")
        form.locator("button[type=submit]").click()
        expect(
            form.locator("[data-testid=settings-error][data-field=wait_amber_s]")
        ).to_contain_text("shorter than the red wait")
        form.locator("input[name=wait_amber_s]").fill("30")
        form.locator("input[name=sl_threshold_s]").fill("45")
        form.locator("input[name=sl_target]").fill("90")
        form.locator("button[type=submit]").click()
        expect(form.get_by_test_id("settings-status")).to_contain_text("Saved")
        _shot(editor, "board-settings-panel.png")

        expect(watched).to_contain_text("target 90% in 45 s", timeout=5000)
        assert watcher.evaluate("window.__sameDocument") is True
        entry = AuditEntry.objects.get(action="queue.settings_changed")
        assert entry.actor == cast.sam
        assert entry.data["after"] == {"sl_threshold_s": 45, "sl_target": 0.9}
    finally:
        for context in contexts:
            context.close()
