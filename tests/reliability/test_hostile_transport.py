"""Hostile transport: oversized and deeply nested bodies, huge batches, malformed socket frames
and a flood of sockets from one session; each refused or limited, other users unaffected."""

from __future__ import annotations

import json

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import reverse
from rest_framework.test import APIClient

from callfloor.asgi import application
from metrics.board import consumers, socket_slots
from tests.metrics.board.conftest import session_headers

EVENTS = "api-telephony-events"


def token_client(token: str) -> APIClient:
    client = APIClient(raise_request_exception=False)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def assert_error_shape(response, status: int) -> None:
    assert response.status_code == status, response.content[:300]
    error = response.json()["error"]
    assert error["code"] and error["message"]


@pytest.fixture
def token(db):
    from metrics.telephony.services import source_create

    return source_create(name="pbx1", kind="http_json", site="main")[1]


@pytest.mark.django_db
def test_a_batch_over_a_thousand_events_is_a_413(token):
    events = [
        {"id": f"e{i}", "type": "agent_login", "at": "2026-03-02T09:00:00Z", "member": "PJSIP/2004"}
        for i in range(1001)
    ]
    assert_error_shape(
        token_client(token).post(reverse(EVENTS), {"events": events}, format="json"), 413
    )


@pytest.mark.django_db
def test_a_thousand_hostile_events_are_each_rejected_and_the_good_one_kept(token):
    hostile = [
        {"id": "x" * 500},
        {"type": "call_queued"},
        {"id": 1, "type": None},
        {"id": "a", "type": "call_queued", "at": "yesterday"},
        "text",
        7,
        None,
        [],
        {
            "id": "n",
            "type": "call_answered",
            "at": "2026-03-02T09:00:00Z",
            "call_id": "c",
            "queue": "q",
            "member": "m",
            "wait_s": -1,
        },
        {
            "id": "z",
            "type": "agent_status",
            "at": "2026-03-02T09:00:00Z",
            "member": "m\x00",
            "status": "available",
        },
    ]
    events = [hostile[i % len(hostile)] for i in range(999)]
    events.append(
        {"id": "good", "type": "agent_login", "at": "2026-03-02T09:00:00Z", "member": "PJSIP/2004"}
    )
    response = token_client(token).post(reverse(EVENTS), {"events": events}, format="json")
    assert response.status_code in {200, 400}, response.content[:300]
    if response.status_code == 200:
        body = response.json()
        assert body["accepted"] == 1 and body["rejected"] == 999
    else:
        assert_error_shape(response, 400)


@pytest.mark.django_db
@pytest.mark.parametrize(
    "body",
    [
        "[" * 50_000 + "]" * 50_000,
        '{"events": ' + '{"a": ' * 20_000 + "1" + "}" * 20_000 + "}",
        '{"events": [' + ",".join([json.dumps({"id": str(i)}) for i in range(30_000)]) + "]}",
    ],
)
def test_deeply_nested_or_huge_json_is_a_4xx_not_a_crash(token, body):
    response = token_client(token).generic(
        "POST", reverse(EVENTS), body, content_type="application/json"
    )
    assert 400 <= response.status_code < 500, response.content[:300]
    assert_error_shape(response, response.status_code)


@pytest.mark.django_db
def test_a_body_over_the_upload_limit_is_refused_for_a_session_user_too(cast):
    client = APIClient(raise_request_exception=False)
    client.force_login(cast.ann)
    body = json.dumps({"description": "x" * (3 * 1024 * 1024)})
    response = client.generic("POST", "/api/complaints/", body, content_type="application/json")
    assert 400 <= response.status_code < 500
    assert_error_shape(response, response.status_code)


# --- sockets -------------------------------------------------------------------------------------


async def _open(user, headers=None):
    headers = headers or await sync_to_async(session_headers)(user)
    socket = WebsocketCommunicator(application, "/ws/floor/", headers=headers)
    connected, code = await socket.connect(timeout=5)
    return socket, connected, code


async def _closed_with(socket, code: int) -> None:
    message = await socket.receive_output(timeout=5)
    while message["type"] == "websocket.send":  # a push that was already on its way
        message = await socket.receive_output(timeout=5)
    assert message == {"type": "websocket.close", "code": code}, message


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize(
    ("frame", "code"),
    [
        ({"bytes": b"\x00\xff" * 10}, consumers.CLOSE_UNSUPPORTED),
        ({"text": "{not json"}, consumers.CLOSE_INVALID),
        ({"text": "\x00"}, consumers.CLOSE_INVALID),
        ({"text": "[" * 4000}, consumers.CLOSE_INVALID),
        ({"text": json.dumps({"type": "resync", "pad": "x" * 10_000})}, consumers.CLOSE_TOO_BIG),
    ],
)
async def test_a_malformed_frame_closes_that_socket_only(cast, frame, code):
    hostile, connected, _ = await _open(cast.sam)
    assert connected and (await hostile.receive_json_from(timeout=5))["type"] == "snapshot"
    other, connected, _ = await _open(cast.tina)
    assert connected and (await other.receive_json_from(timeout=5))["type"] == "snapshot"
    await hostile.send_input({"type": "websocket.receive", **frame})
    await _closed_with(hostile, code)
    await other.send_json_to({"type": "resync"})
    assert (await other.receive_json_from(timeout=5))["type"] == "snapshot"
    await other.disconnect()
    await hostile.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_harmless_json_is_ignored_and_resyncs_are_limited(cast):
    socket, connected, _ = await _open(cast.sam)
    assert connected and (await socket.receive_json_from(timeout=5))["type"] == "snapshot"
    for content in ([], 7, None, {"type": "evil"}, {"type": ["resync"]}):
        await socket.send_json_to(content)
    for _ in range(50):
        await socket.send_json_to({"type": "resync"})
    answered = 0
    while not await socket.receive_nothing(timeout=0.5):
        answered += 1
        await socket.receive_json_from()
    assert answered == 1  # fifty resyncs in well under a second: one snapshot
    await socket.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_a_flood_of_sockets_from_one_session_is_capped_without_touching_others(cast):
    headers = await sync_to_async(session_headers)(cast.sam)
    holder = "s:" + dict(headers)[b"cookie"].decode().split("=", 1)[1]
    cap = consumers.settings.CALLFLOOR_WS_MAX_PER_SESSION
    sockets = []
    for _ in range(cap):
        socket, connected, _ = await _open(cast.sam, headers)
        assert connected
        sockets.append(socket)
    refused = 0
    for _ in range(20):
        socket, connected, code = await _open(cast.sam, headers)
        assert not connected and code == consumers.CLOSE_TOO_MANY
        refused += 1
    other, connected, _ = await _open(cast.sam)  # another session of the same person
    assert connected
    await other.disconnect()
    await sockets.pop().disconnect()
    again, connected, _ = await _open(cast.sam, headers)  # a freed place is usable again
    assert connected and refused == 20
    for socket in [*sockets, again]:
        await socket.disconnect()
    assert await sync_to_async(socket_slots.held)(holder) == 0  # every place given back
