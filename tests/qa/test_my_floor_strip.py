"""The agent's floor strip (broadcasts, ask for help) on the "my quality" home page."""

import json
from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client

from metrics.board import actions as floor_actions

pytestmark = pytest.mark.django_db


@pytest.fixture
def broadcasts(cast):
    urgent = floor_actions.broadcast_send(
        actor=cast.sam, text="Outage: use the fallback script", priority="urgent"
    )
    normal = floor_actions.broadcast_send(actor=cast.sam, text="Team meeting at four")
    gone = floor_actions.broadcast_send(actor=cast.sam, text="Withdrawn already")
    floor_actions.broadcast_withdraw(actor=cast.sam, broadcast=gone)
    floor_actions.broadcast_send(
        actor=cast.sam,
        text="Expires in a second",
        expires_at=datetime.now(UTC) + timedelta(seconds=1),
    )
    return urgent, normal


def _page(user, path):
    client = Client()
    client.force_login(user)
    response = client.get(path)
    assert response.status_code == 200
    return response.content.decode()


def test_my_quality_shows_the_standing_broadcasts_without_the_socket(cast, broadcasts):
    import time

    time.sleep(1.1)  # the short broadcast has expired
    html = _page(cast.ann, "/quality/")
    assert 'data-testid="my-floor"' in html and 'id="help-form"' in html
    shown = html.split('data-testid="broadcasts"', 1)[1].split('<div class="my-state', 1)[0]
    assert shown.count('data-testid="broadcast"') == 2
    assert "URGENT · " in shown and "Outage: use the fallback script" in shown
    assert shown.index("Outage") < shown.index("Team meeting at four")  # urgent first
    assert "Withdrawn already" not in shown and "Expires in a second" not in shown
    config = json.loads(
        html.split('<script id="floor-config" type="application/json">', 1)[1].split(
            "</script>", 1
        )[0]
    )
    assert config["mode"] == "me" and config["ws_path"] == "/ws/floor/"
    assert "/static/metrics/floor.js" in html and "/static/metrics/floor.css" in html
    assert "My evaluations" in html  # the page itself is still there


def test_my_floor_page_renders_the_broadcasts_too(cast, broadcasts):
    html = _page(cast.ann, "/floor/me/")
    assert "Outage: use the fallback script" in html and "Team meeting at four" in html


def test_an_agent_without_broadcasts_gets_an_empty_strip(cast):
    html = _page(cast.ann, "/quality/")
    assert 'data-testid="my-floor"' in html and 'data-testid="broadcast"' not in html
