"""A board socket with nothing to receive for several of the channel layer's blocking reads
stays open on the Redis layer, and the next push reaches it.

The layer's reader blocks in Redis (BZPOPMIN, 5 s) and reads the answer with the client's
socket timeout; when that timeout is not longer than the blocking one, an idle socket fails
with a Redis TimeoutError and the server closes it (1011), so every quiet board reconnects
every few seconds. Found by `make loadtest`.
"""

from __future__ import annotations

import asyncio

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.conf import settings

from callfloor.asgi import application
from metrics.board import push
from tests.metrics.board.conftest import session_headers

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
IDLE_S = 16  # three of the reader's 5 s blocking reads


async def test_an_idle_board_stays_open_on_the_redis_layer(cast):
    assert "Redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"], "run through make test"
    headers = await sync_to_async(session_headers)(cast.sam)
    board = WebsocketCommunicator(application, "/ws/floor/", headers=headers)
    assert (await board.connect(timeout=5))[0]
    first = await board.receive_json_from(timeout=5)
    while not await board.receive_nothing(timeout=0.3):  # a first push, if any
        first = await board.receive_json_from()
    await asyncio.sleep(IDLE_S)  # nobody pushes: the socket's reader only waits
    assert await board.receive_nothing(timeout=0.1)  # not closed, nothing failed
    message = await sync_to_async(push.floor_push)(site="main")
    delta = await board.receive_json_from(timeout=5)
    assert delta["seq"] == message["seq"] and delta["seq"] > first["seq"]
    await board.disconnect()
