"""From telephony events to a message at an endpoint: the rule fires after the floor's push,
and a slow endpoint never holds up ingestion."""

import json
import time

import pytest
from django.core.cache import cache

from metrics.alerts.models import AlertDelivery, AlertFiring, AlertRule
from tests.metrics.board.conftest import event


@pytest.fixture
def floor_rule(transactional_db, cast, make_channel, endpoint):
    cache.clear()
    channel = make_channel("webhook", f"{endpoint.url}/hook", secret="s")
    rule = AlertRule.objects.create(
        name="long wait", kind="queue_wait", threshold=5, owner=cast.sam, cooldown_minutes=10
    )
    rule.channels.set([channel])
    yield rule
    cache.clear()


def test_a_long_wait_reaches_the_endpoint_and_resolves(floor_rule, endpoint, post_events):
    endpoint.sleep_s = 6.0  # a slow endpoint
    started = time.monotonic()
    response = post_events(
        [event("call_queued", ago=30, call_id="c1", queue="billing", caller="+8613800001111")]
    )
    took = time.monotonic() - started
    assert response.status_code in (200, 201, 202), response.content
    assert took < endpoint.sleep_s, f"ingestion waited {took:.1f} s for the endpoint"
    # Ingestion answered while the endpoint had not: its message is still on the way.
    assert not AlertDelivery.objects.filter(status="sent").exists()
    [raised] = endpoint.wait(1)
    assert raised.at - started < 10
    body = json.loads(raised.body)
    assert body["event"] == "alert.raised"
    assert body["data"]["alert"]["queue"]["name"] == "billing"
    assert "8613800001111" not in raised.body.decode()  # no caller numbers
    firing = AlertFiring.objects.get(rule=floor_rule)
    assert firing.notified and firing.cleared_at is None

    endpoint.sleep_s = 0
    post_events([event("call_abandoned", ago=1, call_id="c1", queue="billing", wait_s=29)])
    requests = endpoint.wait(2)
    assert json.loads(requests[1].body)["event"] == "alert.cleared"
    firing.refresh_from_db()
    assert firing.cleared_at is not None
    deadline = time.monotonic() + 20
    while AlertDelivery.objects.filter(status="sent").count() < 2:
        assert time.monotonic() < deadline, list(AlertDelivery.objects.values("status"))
        time.sleep(0.05)
