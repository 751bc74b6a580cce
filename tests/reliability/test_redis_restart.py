"""Redis (channel layer and floor cache) restarted while events flow, on a Redis of the test's
own: ingestion never stops, the push path recovers with the next push, and a board that
reconnects gets a snapshot equal to the floor, then deltas in sequence again."""

from __future__ import annotations

import contextlib
import time

import pytest
import redis.exceptions
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from rest_framework.test import APIClient

from callfloor.asgi import application
from metrics.board import delta as floor_delta
from metrics.board import push
from metrics.board.snapshot import floor_snapshot, viewer_for
from tests.metrics.board.conftest import event, session_headers
from tests.services import Redis

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def own_redis(tmp_path, settings):
    redis = Redis(tmp_path)
    redis.start()
    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [redis.url], "capacity": 1500, "expiry": 30},
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis.url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    try:
        yield redis
    finally:
        redis.stop()


def post(token: str, events: list[dict]) -> dict:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    response = client.post(reverse("api-telephony-events"), {"events": events}, format="json")
    assert response.status_code == 200, response.content[:300]
    return response.json()


RETRIES: list[int] = []


async def board(user):
    """A board socket; like the browser, it tries again when the server fails it (3 tries)."""
    headers = await sync_to_async(session_headers)(user)
    for attempt in range(3):
        socket = WebsocketCommunicator(application, "/ws/floor/", headers=headers)
        try:
            if (await socket.connect(timeout=5))[0]:
                RETRIES.append(attempt)
                return socket
        except redis.exceptions.ConnectionError:
            # The layer's pooled connection died with the old Redis; the next one is new.
            with contextlib.suppress(Exception):
                await socket.disconnect()
    raise AssertionError("the board could not reconnect in 3 tries")


async def test_a_redis_restart_loses_no_event_and_boards_resync(cast, own_redis):
    from metrics.telephony.services import source_create

    token = (await sync_to_async(source_create)(name="pbx1", kind="http_json", site="main"))[1]
    push_ = sync_to_async(push.floor_push)
    sam = await board(cast.sam)
    first = await sam.receive_json_from(timeout=5)
    while not await sam.receive_nothing(timeout=0.3):  # the site's first push, if any
        first = await sam.receive_json_from()
    assert first["type"] == "snapshot"
    await sync_to_async(post)(token, [event("agent_login", member="PJSIP/2004")])
    await push_(site="main")
    delta = await sam.receive_json_from(timeout=5)
    assert delta["type"] == "delta" and delta["seq"] == first["seq"] + 1

    own_redis.stop()  # Redis goes away while the PBX keeps sending
    during = [
        event("agent_login", member="PJSIP/2005"),
        event("agent_status", member="PJSIP/2004", status="not_ready", reason="Lunch"),
    ]
    body = await sync_to_async(post)(token, during)
    assert body["accepted"] == 2  # ingestion does not depend on Redis
    started = time.monotonic()
    with pytest.raises(Exception) as failed:
        await push_(site="main")
    assert "onnect" in str(failed.value) or "Redis" in type(failed.value).__name__
    assert time.monotonic() - started < 10  # fails fast; the next push retries

    own_redis.start()  # the same address, empty: sequence, cache and groups are gone
    await sync_to_async(post)(token, [event("agent_login", member="PJSIP/2004")])
    recovered = await push_(site="main")
    assert recovered["seq"] <= 2 < delta["seq"] + 2  # the sequence restarted with Redis
    # The old socket lost its group (its consumer's layer reader died with the connection):
    # it gets no floor message any more, and the board reconnects.
    try:
        while not await sam.receive_nothing(timeout=0.5):
            output = await sam.receive_output()
            assert output["type"] == "websocket.close" or '"seq"' not in output.get("text", "")
    except redis.exceptions.ConnectionError:
        pass  # the consumer ended with its Redis connection: the server closes the socket

    with contextlib.suppress(redis.exceptions.ConnectionError):
        await sam.disconnect()
    again = await board(cast.sam)
    snapshot = await again.receive_json_from(timeout=5)
    assert snapshot["type"] == "snapshot" and snapshot["seq"] == recovered["seq"]
    viewer = await sync_to_async(viewer_for)(cast.sam)
    truth = await sync_to_async(floor_snapshot)(site="main")
    expected = floor_delta.filter_snapshot(truth, viewer)
    assert snapshot["snapshot"]["agents"].keys() == expected["agents"].keys()
    ann = snapshot["snapshot"]["agents"][f"a{cast.ann_agent.pk}"]
    assert ann == expected["agents"][f"a{cast.ann_agent.pk}"]
    await push_(site="main")
    after = await again.receive_json_from(timeout=5)
    assert after["type"] == "delta" and after["seq"] == snapshot["seq"] + 1
    await again.disconnect()
    assert RETRIES[-1] <= 1  # at most one failed try after the restart
