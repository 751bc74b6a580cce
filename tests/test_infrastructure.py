"""The suite runs on the real parts when started by `make test`."""

import os
import uuid

import pytest
from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import connection

REAL = os.environ.get("CALLFLOOR_TEST_SERVICES") == "1" or os.environ.get("CI")


@pytest.mark.skipif(not REAL, reason="only meaningful under make test")
@pytest.mark.django_db
def test_the_database_is_postgresql():
    assert connection.vendor == "postgresql"
    with connection.cursor() as cursor:
        cursor.execute("SHOW server_version")
        assert int(cursor.fetchone()[0].split(".")[0]) >= 15


@pytest.mark.skipif(not REAL, reason="only meaningful under make test")
def test_a_message_goes_through_the_redis_channel_layer():
    layer = get_channel_layer()
    assert layer.__class__.__name__ == "RedisChannelLayer"
    group = f"test.{uuid.uuid4().hex}"
    message = {"type": "test.message", "token": uuid.uuid4().hex}

    async def roundtrip():
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        await layer.group_send(group, message)
        received = await layer.receive(channel)
        await layer.group_discard(group, channel)
        return received

    assert async_to_sync(roundtrip)() == message


def test_ci_runs_on_real_services():
    """Under CI the two tests above must not be skipped."""
    if os.environ.get("CI"):
        assert os.environ.get("CALLFLOOR_TEST_SERVICES") == "1", "CI must run through make test"
