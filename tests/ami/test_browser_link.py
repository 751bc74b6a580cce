"""The board in Debian's Chromium: an AMI source's connection goes down and comes back.

`CALLFLOOR_SHOTS=DIR` saves a screenshot of the board with the connection down in DIR.
"""

import os
from pathlib import Path

import pytest
from playwright.sync_api import expect

from metrics.models import Queue, TelephonySource
from metrics.telephony.ami.services import ami_link_set
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def test_a_supervisor_sees_the_connection_down_and_the_queue_stale_until_it_is_back(
    cast, live_board, page
):
    support = Queue.objects.create(name="support", site="main")
    Queue.objects.create(name="sales", site="main")
    source = TelephonySource.objects.create(
        name="asterisk-north", kind="ami", ami_host="127.0.0.1", ami_username="callfloor"
    )
    source.queues.add(support)
    ami_link_set(source=source, state="down", message="cannot connect")

    browser_login(page, live_board.url, "sam")
    page.goto(f"{live_board.url}/floor/")
    expect(page.get_by_test_id("feed-state")).to_have_text("live")
    alert = page.locator("[data-testid=alert][data-kind=ami_down]")
    expect(alert).to_contain_text("asterisk-north")
    expect(alert).to_contain_text("no connection to Asterisk")
    tile = page.locator("[data-testid=queue-tile][data-queue=support]")
    expect(tile.get_by_test_id("queue-stale")).to_contain_text("asterisk-north")
    other = page.locator("[data-testid=queue-tile][data-queue=sales]")
    expect(other.get_by_test_id("queue-stale")).to_have_count(0)
    if os.environ.get("CALLFLOOR_SHOTS"):
        shots = Path(os.environ["CALLFLOOR_SHOTS"])
        shots.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(shots / "board-ami-down.png"), full_page=True)

    ami_link_set(source=source, state="connected")
    expect(tile.get_by_test_id("queue-stale")).to_have_count(0)
    expect(alert).to_have_count(0)
