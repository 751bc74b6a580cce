"""Redis restarted under a board open in Chromium: the board says its data is stale, reconnects
by itself once Redis is back, shows what happened during the outage and then what follows.

The live server (Daphne, beating the board itself every second) uses a Redis of the test's own
for its channel layer and cache, so the test can stop and start it without touching the Redis
the rest of the suite shares.
"""

from __future__ import annotations

import time
from functools import partial
from types import SimpleNamespace

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login
from tests.metrics.board.conftest import event, post_events
from tests.services import Redis

pytestmark = [pytest.mark.browser, pytest.mark.services]


def _child_setup(database_name: str, password_hashers: list[str], redis_url: str) -> None:
    from django.conf import settings

    from tests.metrics.board.conftest import _board_child_setup

    settings.CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {
                "hosts": [{"address": redis_url, "socket_timeout": 15}],
                "capacity": 1500,
                "expiry": 30,
            },
        }
    }
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 2},
        }
    }
    _board_child_setup(database_name, password_hashers)


@pytest.fixture
def own_redis(tmp_path):
    redis = Redis(tmp_path)
    redis.start()
    try:
        yield redis
    finally:
        redis.stop()


@pytest.fixture
def live_board_own_redis(transactional_db, settings, own_redis):
    from django.db import connection

    from tests.conftest import SpawnedDaphneProcess, _asgi_application

    setup = partial(
        _child_setup,
        str(connection.settings_dict["NAME"]),
        list(settings.PASSWORD_HASHERS),
        own_redis.url,
    )
    process = SpawnedDaphneProcess("127.0.0.1", partial(_asgi_application), setup=setup)
    process.start()
    if not process.ready.wait(timeout=60):
        process.terminate()
        pytest.fail("the Daphne live server did not start within 60 s")
    port = process.port.value
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", port=port, redis=own_redis)
    finally:
        process.terminate()
        process.join(timeout=10)


def test_a_redis_restart_shows_the_stale_banner_then_the_board_resyncs(
    cast, source, live_board_own_redis, page
):
    live = live_board_own_redis
    browser_login(page, live.url, "sam")
    page.goto(f"{live.url}/floor/")
    state = page.get_by_test_id("feed-state")
    banner = page.get_by_test_id("stale-banner")
    expect(state).to_have_text("live")
    post_events(live.url, source.token, [event("agent_login", member="PJSIP/2004")])
    ann = page.locator("[data-testid=agent-row][data-agent='Ann Agent']")
    expect(ann.get_by_test_id("agent-state")).to_have_text("Available")
    expect(banner).to_be_hidden()

    live.redis.stop()
    stopped = time.monotonic()
    # The PBX goes on sending while Redis is away: ingestion does not need it.
    post_events(live.url, source.token, [event("agent_login", member="PJSIP/2005")])
    expect(banner).to_be_visible(timeout=10_000)  # heartbeat 1 s: stale after 2 s of silence
    expect(banner).to_contain_text("Data is stale since")
    stale_after = time.monotonic() - stopped
    expect(state).not_to_have_text("live")  # the socket ended with the layer's connection
    time.sleep(1)

    live.redis.start()  # the same address, empty: no sequence, no cached floor, no groups
    restarted = time.monotonic()
    expect(banner).to_be_hidden(timeout=30_000)
    expect(state).to_have_text("live")
    recovered_after = time.monotonic() - restarted
    # The snapshot of the new socket holds what was posted during the outage.
    bob = page.locator("[data-testid=agent-row][data-agent='Bob Agent']")
    expect(bob.get_by_test_id("agent-state")).to_have_text("Available")

    # And the deltas flow again.
    post_events(
        live.url,
        source.token,
        [event("agent_status", member="PJSIP/2004", status="not_ready", reason="Lunch")],
    )
    expect(ann.get_by_test_id("agent-state")).to_contain_text("Lunch")
    expect(banner).to_be_hidden()
    print(f"stale banner after {stale_after:.1f} s; board live again {recovered_after:.1f} s")
    assert stale_after < 10 and recovered_after < 30
