"""The audio endpoint: byte ranges, the audio type, no shared caching, missing and expired."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.test import AsyncClient
from django.urls import reverse
from django.utils import timezone

from tests.recordings.conftest import spool_path


def _url(call):
    return reverse("recordings:audio", kwargs={"call_id": call.pk})


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


@pytest.fixture
def ann_client(client, cast):
    client.force_login(cast.ann)
    return client


def test_the_whole_recording_is_a_200_with_its_length_and_type(ann_client, world, recorded):
    data = recorded.files[world.ann_call.call_id].read_bytes()
    response = ann_client.get(_url(world.ann_call))
    assert response.status_code == 200
    assert response["Content-Type"] == "audio/wav"
    assert response["Content-Length"] == str(len(data))
    assert response["Accept-Ranges"] == "bytes"
    assert _body(response) == data
    assert data[:4] == b"RIFF"


# (Range header, first byte, last byte) for a file of `size` bytes.
RANGES = {
    "first bytes": lambda size: ("bytes=0-99", 0, 99),
    "middle": lambda size: ("bytes=1000-1999", 1000, 1999),
    "suffix": lambda size: ("bytes=-100", size - 100, size - 1),
    "open end": lambda size: ("bytes=5000-", 5000, size - 1),
    "last byte": lambda size: (f"bytes={size - 1}-{size - 1}", size - 1, size - 1),
    "past the end": lambda size: ("bytes=0-99999999", 0, size - 1),
    "several": lambda size: ("bytes=10-19, 30-39", 10, 39),
}


@pytest.mark.parametrize("case", list(RANGES))
def test_a_range_is_a_206_with_exactly_those_bytes(ann_client, world, recorded, case):
    data = recorded.files[world.ann_call.call_id].read_bytes()
    size = len(data)
    header, first, last = RANGES[case](size)
    response = ann_client.get(_url(world.ann_call), HTTP_RANGE=header)
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/{size}"
    assert response["Content-Length"] == str(last - first + 1)
    assert _body(response) == data[first : last + 1]


@pytest.mark.parametrize(
    "header",
    ["bytes={size}-", "bytes={size}-{size}", "bytes=50-10", "bytes=-0", "bytes=abc", "bytes=-"],
)
def test_an_invalid_range_is_a_416_naming_the_size(ann_client, world, recorded, header):
    size = recorded.files[world.ann_call.call_id].stat().st_size
    response = ann_client.get(_url(world.ann_call), HTTP_RANGE=header.format(size=size))
    assert response.status_code == 416
    assert response["Content-Range"] == f"bytes */{size}"
    assert response["Cache-Control"] == "private, no-store"


def test_a_range_of_another_unit_gets_the_whole_file(ann_client, world, recorded):
    response = ann_client.get(_url(world.ann_call), HTTP_RANGE="seconds=1-2")
    assert response.status_code == 200
    assert _body(response) == recorded.files[world.ann_call.call_id].read_bytes()


def test_no_shared_proxy_keeps_a_recording(ann_client, world, recorded):
    for headers in ({}, {"HTTP_RANGE": "bytes=0-9"}):
        response = ann_client.get(_url(world.ann_call), **headers)
        assert response["Cache-Control"] == "private, no-store"


@pytest.mark.parametrize(
    "ext, content_type", [("mp3", "audio/mpeg"), ("gsm", "audio/x-gsm"), ("WAV", "audio/wav")]
)
def test_each_audio_format_goes_out_with_its_type(ann_client, world, spool, ext, content_type):
    from metrics.recordings import services
    from metrics.recordings.models import StoreKind

    store = services.recording_store_set(
        source=world.source, actor=None, kind=StoreKind.DIRECTORY, directory=str(spool)
    )
    spool_path(spool, world.ann_call, ext=ext).write_bytes(b"\xff\xfb" + bytes(500))
    call = world.ann_call
    assert (
        services.recordings_link(
            store=store, since=call.offered_at, until=call.offered_at + timedelta(seconds=1)
        )
        == 1
    )
    response = ann_client.get(_url(call))
    assert response.status_code == 200
    assert response["Content-Type"] == content_type
    assert _body(response) == b"\xff\xfb" + bytes(500)


def test_head_answers_the_length_without_a_body_or_a_listen(ann_client, world, recorded):
    from metrics.recordings.models import RecordingListen

    response = ann_client.head(_url(world.ann_call))
    assert response.status_code == 200
    assert int(response["Content-Length"]) == recorded.files[world.ann_call.call_id].stat().st_size
    assert _body(response) == b""
    assert not RecordingListen.objects.exists()


def test_a_recording_gone_from_the_disk_is_missing_in_words(ann_client, world, recorded):
    recorded.files[world.ann_call.call_id].unlink()
    response = ann_client.get(_url(world.ann_call))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")
    assert b"missing" in response.content
    assert response["Cache-Control"] == "private, no-store"


def test_a_recording_past_the_retention_is_expired_in_words(ann_client, world, recorded):
    from metrics.models import QueueCall

    recorded.store.retention_days = 30
    recorded.store.save()
    QueueCall.objects.filter(pk=world.ann_call.pk).update(
        ended_at=timezone.now() - timedelta(days=31)
    )
    response = ann_client.get(_url(world.ann_call))
    assert response.status_code == 410
    assert b"expired" in response.content
    recorded.store.retention_days = 40
    recorded.store.save()
    assert ann_client.get(_url(world.ann_call)).status_code == 200


def test_a_call_of_a_source_without_a_store_has_no_recording(ann_client, world):
    response = ann_client.get(_url(world.ann_call))
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


def test_an_unknown_call_is_a_404(ann_client, world, recorded):
    assert (
        ann_client.get(reverse("recordings:audio", kwargs={"call_id": 999999})).status_code == 404
    )


@pytest.mark.django_db(transaction=True)
async def test_under_asgi_the_file_goes_out_a_chunk_at_a_time(cast, world, recorded):
    """An ASGI server reads a sync iterator whole before sending; the body must be async."""
    from asgiref.sync import sync_to_async
    from django.db import connections

    client = AsyncClient()
    try:
        await sync_to_async(client.force_login)(cast.ann)
        data = recorded.files[world.ann_call.call_id].read_bytes()
        response = await client.get(_url(world.ann_call), headers={"Range": "bytes=10-70009"})
        assert response.status_code == 206
        assert response.is_async
        chunks = [chunk async for chunk in response.streaming_content]
        assert b"".join(chunks) == data[10:70010]
        assert len(chunks) == 2  # 64 KiB, then the rest
    finally:
        # The view ran in asgiref's sync thread, whose connection the test client leaves open.
        await sync_to_async(connections.close_all)()
