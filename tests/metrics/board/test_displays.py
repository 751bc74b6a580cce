"""Unattended wall displays: the link, what it may reach, what it sees, and revoking it.

Sockets go through the real ASGI stack (origin check, routing) on the Redis channel layer.
"""

import asyncio
import re
import time

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator
from django.urls import URLPattern, URLResolver, get_resolver

from agents.models import AuditEntry
from callfloor.asgi import application
from metrics.board import displays, push
from metrics.board.display_consumer import CLOSE_REVOKED
from metrics.board.models import Display
from metrics.models import hash_token
from tests.metrics.board.conftest import event, ingest


def _floor(source, team_queues):
    """Ann (Billing) on a call of `billing`; Bob (Cards) idle; a caller waits in each queue."""
    ingest(
        source.source,
        [
            event("agent_login", ago=120, member="PJSIP/2004"),
            event("agent_login", ago=120, member="PJSIP/2005"),
            event("call_queued", ago=30, call_id="b1", queue="billing", caller="+3225550101"),
            event("call_queued", ago=20, call_id="c1", queue="cards", caller="+3225550202"),
        ],
    )


# -- the link -----------------------------------------------------------------------------------


@pytest.mark.django_db
def test_only_the_tokens_digest_is_kept_and_registering_and_revoking_are_audited(cast):
    display, token = displays.display_create(
        actor=cast.sam, name="Hall TV", site="main", team=cast.billing, layout="queues"
    )
    assert len(token) >= 43  # 32 random bytes
    assert display.token_hash == hash_token(token)
    assert not Display.objects.filter(token_hash=token).exists()
    assert displays.display_by_token(token=token) == display
    assert displays.display_by_token(token=token[:-1] + ("A" if token[-1] != "A" else "B")) is None
    created = AuditEntry.objects.get(action="display.created", object_id=str(display.pk))
    assert created.actor == cast.sam and created.data["team"] == "Billing"
    assert token not in str(created.data)

    displays.display_revoke(actor=cast.ada, display=display)
    assert displays.display_by_token(token=token) is None
    revoked = AuditEntry.objects.get(action="display.revoked", object_id=str(display.pk))
    assert revoked.actor == cast.ada


@pytest.mark.django_db
def test_a_display_filters_by_a_team_or_a_queue_not_both(cast, team_queues):
    from callfloor.errors import DomainError

    with pytest.raises(DomainError) as error:
        displays.display_create(
            actor=cast.sam, name="TV", site="main", team=cast.billing, queue=team_queues.cards
        )
    assert error.value.field == "queue"
    with pytest.raises(DomainError) as error:
        displays.display_create(actor=cast.sam, name="  ", site="main")
    assert error.value.field == "name"


@pytest.mark.django_db
def test_the_list_page_shows_the_link_once_and_revokes_by_a_csrf_post(cast):
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.sam)
    page = client.get("/floor/displays/")
    csrf = page.cookies["csrftoken"].value
    created = client.post(
        "/floor/displays/",
        {
            "name": "Hall TV",
            "site": "main",
            "language": "en",
            "layout": "full",
            "csrfmiddlewaretoken": csrf,
        },
    )
    assert created.status_code == 201
    display = Display.objects.get(name="Hall TV")
    link = created.context["new_link"]
    assert hash_token(link.rstrip("/").rsplit("/", 1)[1]) == display.token_hash
    assert link in created.content.decode()
    again = client.get("/floor/displays/")
    assert link not in again.content.decode() and "Hall TV" in again.content.decode()
    # Without the CSRF token nothing is revoked.
    assert client.post(f"/floor/displays/{display.pk}/revoke/").status_code == 403
    display.refresh_from_db()
    assert display.revoked_at is None
    revoked = client.post(f"/floor/displays/{display.pk}/revoke/", {"csrfmiddlewaretoken": csrf})
    assert revoked.status_code == 302
    display.refresh_from_db()
    assert display.revoked_at is not None and display.revoked_by == cast.sam


def _fill(match) -> str:
    return "1" if match.group(1) == "int" else "x"


def _api_urls() -> list[str]:
    """Every API path of the product, with its parameters filled in."""
    urls = []

    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.namespace != "admin":
                    walk(pattern.url_patterns, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                route = prefix + str(pattern.pattern)
                if route.startswith("api/"):
                    urls.append("/" + re.sub(r"<(?:(\w+):)?\w+>", _fill, route))

    walk(get_resolver().url_patterns)
    return urls


@pytest.mark.django_db
def test_a_display_reaches_no_api_and_no_action(cast, team_queues):
    from django.test import Client

    display, token = displays.display_create(actor=cast.sam, name="Hall TV", site="main")
    tv = Client()
    board = tv.get(f"/display/{token}/")
    assert board.status_code == 200
    assert board["Referrer-Policy"] == "no-referrer"
    config = board.context["config"]
    assert config["ws_path"] == f"/ws/display/{token}/"
    assert config["can_act"] is False and config["can_broadcast"] is False
    assert "sessionid" not in tv.cookies  # nobody is logged in by the link
    urls = _api_urls()
    assert "/api/floor/snapshot/" in urls and "/api/floor/broadcasts/" in urls
    assert len(urls) > 20
    csrf = tv.cookies["csrftoken"].value if "csrftoken" in tv.cookies else ""
    for url in urls:
        assert "<" not in url, url
        for method in ("get", "post", "patch"):
            response = getattr(tv, method)(
                url, {}, content_type="application/json", headers={"X-CSRFToken": csrf}
            )
            assert response.status_code in (401, 403), (method, url, response.status_code)
    # The board's actions and pages send it to the login page.
    for path in ("/floor/", "/floor/displays/", f"/floor/displays/{display.pk}/revoke/"):
        assert tv.post(path).status_code in (302, 403), path


@pytest.mark.django_db
def test_a_team_display_sees_its_team_and_queues_only_with_callers_masked(
    cast, source, team_queues
):
    _floor(source, team_queues)
    display, _ = displays.display_create(
        actor=cast.sam, name="Billing TV", site="main", team=cast.billing
    )
    fresh = push.floor_push(site="main")["snapshot"]
    from metrics.board.delta import filter_snapshot

    seen = displays.mask_snapshot(filter_snapshot(fresh, displays.display_viewer(display)))
    assert set(seen["queues"]) == {f"q{team_queues.billing.pk}"}
    assert set(seen["agents"]) == {f"a{cast.ann_agent.pk}"}
    callers = [c["caller"] for c in seen["queues"][f"q{team_queues.billing.pk}"]["waiting_calls"]]
    assert callers == ["••• 0101"]
    assert "+3225550101" not in str(seen) and "+3225550202" not in str(seen)
    assert seen["help"] == {}

    by_queue, _ = displays.display_create(
        actor=cast.sam, name="Cards TV", site="main", queue=team_queues.cards
    )
    seen = filter_snapshot(fresh, displays.display_viewer(by_queue))
    assert set(seen["queues"]) == {f"q{team_queues.cards.pk}"}
    assert set(seen["agents"]) == {f"a{cast.bob_agent.pk}"}


# -- the socket ---------------------------------------------------------------------------------


async def _open(path, origin="http://127.0.0.1"):
    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _code = await socket.connect(timeout=5)
    return socket, connected


@pytest.mark.django_db(transaction=True)
async def test_the_display_socket_sees_its_filter_masked_and_closes_within_2_s_of_revocation(
    cast, source, team_queues
):
    await sync_to_async(_floor)(source, team_queues)
    display, token = await sync_to_async(displays.display_create)(
        actor=cast.sam, name="Billing TV", site="main", team=cast.billing
    )
    socket, connected = await _open(f"/ws/display/{token}/")
    assert connected
    first = await socket.receive_json_from(timeout=5)
    assert first["type"] == "snapshot"
    assert set(first["snapshot"]["queues"]) == {f"q{team_queues.billing.pk}"}
    assert set(first["snapshot"]["agents"]) == {f"a{cast.ann_agent.pk}"}
    assert "+3225550101" not in str(first)
    seen = await sync_to_async(Display.objects.get)(pk=display.pk)
    assert seen.last_seen_at is not None

    # A new caller in billing arrives masked; one in cards never arrives.
    await sync_to_async(ingest)(
        source.source,
        [
            event("call_queued", call_id="b2", queue="billing", caller="+3225559999"),
            event("call_queued", call_id="c2", queue="cards", caller="+3225558888"),
        ],
    )
    await sync_to_async(push.floor_push)(site="main")
    delta = await socket.receive_json_from(timeout=5)
    assert delta["type"] == "delta"
    assert "••• 9999" in str(delta) and "+3225559999" not in str(delta)
    assert f"q{team_queues.cards.pk}" not in str(delta["delta"].get("set", {}))

    started = time.monotonic()
    await sync_to_async(displays.display_revoke)(actor=cast.sam, display=display)
    closed = await socket.receive_output(timeout=2)
    while closed["type"] != "websocket.close":
        closed = await socket.receive_output(timeout=2 - (time.monotonic() - started))
    assert closed["code"] == CLOSE_REVOKED
    assert time.monotonic() - started < 2
    await socket.disconnect()

    # The link opens nothing any more.
    again, connected = await _open(f"/ws/display/{token}/")
    assert not connected
    await again.disconnect()


@pytest.mark.django_db(transaction=True)
async def test_display_sockets_refuse_unknown_tokens_and_foreign_origins(cast):
    _, token = await sync_to_async(displays.display_create)(
        actor=cast.sam, name="Hall TV", site="main"
    )
    socket, connected = await _open("/ws/display/nope/")
    assert not connected
    await socket.disconnect()
    socket, connected = await _open(f"/ws/display/{token}/", origin="https://evil.example")
    assert not connected
    await socket.disconnect()
    socket, connected = await _open(f"/ws/display/{token}/")
    assert connected
    await socket.disconnect()
    await asyncio.sleep(0)
