"""In Chromium: a supervisor opens the alert rules from the board, sets a rule, a caller waits
too long, and the group robot (a local endpoint) receives the message."""

import json
import os
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from metrics.alerts.models import AlertRule
from tests.conftest import browser_login
from tests.metrics.board.conftest import event

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path(os.environ.get("CALLFLOOR_SHOTS", "/work/wt/notes/shots/alerts"))


def shot(page, name: str) -> None:
    if SHOTS.parent.is_dir():
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / name), full_page=True)


def test_a_supervisor_sets_a_rule_from_the_board_and_the_robot_hears_of_it(
    cast, live_asgi, page, endpoint, make_channel
):
    from metrics.telephony.services import source_create

    make_channel("wecom", f"{endpoint.url}/cgi-bin/webhook/send?key=k", name="floor robot")
    _, token = source_create(name="pbx-live", kind="http_json", site="main")

    browser_login(page, live_asgi.url, "sam")
    page.goto(f"{live_asgi.url}/floor/")
    page.get_by_test_id("alert-rules-link").click()
    page.fill("input[name=name]", "callers waiting")
    page.select_option("select[name=kind]", "queue_wait")
    page.fill("input[name=threshold]", "5")
    page.get_by_label("floor robot").check()
    page.get_by_role("button", name="Save the rule").click()
    expect(page.get_by_test_id("alert-rules")).to_contain_text("callers waiting")
    shot(page, "rules.png")
    rule = AlertRule.objects.get(name="callers waiting")
    assert rule.owner == cast.sam and not rule.team_scope

    body = json.dumps(
        {"events": [event("call_queued", ago=30, call_id="w1", queue="billing", caller="+1555")]}
    ).encode()
    request = urllib.request.Request(
        f"{live_asgi.url}/api/telephony/events",
        data=body,
        headers={"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        assert response.status in (200, 201, 202)
    [received] = endpoint.wait(1, timeout=30)
    message = json.loads(received.body)
    assert message["msgtype"] == "markdown"
    content = message["markdown"]["content"]
    assert "Longest wait over N seconds" in content and "queue billing" in content
    assert "+1555" not in content
