"""Typed text never widens a page: a 300-character word in a complaint, a handover and its
cases leaves every list and detail page as wide as the screen (Debian's Chromium)."""

import os

import pytest

from tests.conftest import browser_login
from tests.scheduling.conftest import send_handover

pytestmark = [pytest.mark.browser]

LONG = "W" * 300
WIDTH = "() => [document.scrollingElement.scrollWidth, innerWidth]"


def test_long_words_wrap_on_complaint_and_handover_pages(live_asgi, cast, floor, page):
    from qa.complaints import services

    case = services.complaint_create(
        actor=cast.ann,
        customer_name=LONG[:150],
        customer_contact=LONG[:100] + "@example.com",
        category=floor.billing_errors,
        description=LONG,
    )
    handover = send_handover(
        cast,
        summary=LONG,
        incidents=LONG,
        notes=LONG,
        cases=[
            {
                "customer_ref": LONG[:60],
                "pending": LONG,
                "severity": "high",
                "next_action": LONG,
                "owner": LONG[:60],
            }
        ],
    )
    page.set_viewport_size({"width": 1280, "height": 800})
    pages = {
        "ann": [f"/complaints/{case.pk}/", "/complaints/"],
        "sam": [
            f"/complaints/{case.pk}/",
            "/complaints/",
            f"/handovers/{handover.pk}/",
            "/handovers/",
            "/handovers/open-cases/",
        ],
    }
    for username, paths in pages.items():
        browser_login(page, live_asgi.url, username)
        for path in paths:
            response = page.goto(f"{live_asgi.url}{path}")
            assert response.status == 200, path
            if any(ch.isdigit() for ch in path):  # a detail page shows the long text
                assert "WWWWWWWWWW" in page.content(), path
            scroll_width, screen = page.evaluate(WIDTH)
            if os.environ.get("CALLFLOOR_SHOTS"):
                name = path.strip("/").replace("/", "-") or "home"
                page.screenshot(path=f"{os.environ['CALLFLOOR_SHOTS']}/long-{username}-{name}.png")
            assert scroll_width <= screen, (username, path, scroll_width)
        page.context.clear_cookies()
