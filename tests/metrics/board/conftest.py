"""Fixtures of the wall board: a telephony source, events in the JSON vocabulary, sockets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

_ids = itertools.count(1)


@pytest.fixture
def source(db):
    from metrics.telephony.services import source_create

    pbx, token = source_create(name="pbx-board", kind="http_json", site="main")
    return SimpleNamespace(source=pbx, token=token)


@pytest.fixture(autouse=True)
def _fresh_floor_cache():
    """Each test starts from an empty floor cache (previous snapshot, sequence, guards)."""
    from django.core.cache import cache

    from metrics.board.snapshot import _HOME_QUEUES

    cache.clear()
    _HOME_QUEUES.clear()
    yield
    cache.clear()
    _HOME_QUEUES.clear()


def event(kind: str, *, at: datetime | None = None, ago: float = 0, **fields) -> dict:
    """One JSON event (`POST /api/telephony/events` vocabulary) with a unique id."""
    moment = at or datetime.now(UTC) - timedelta(seconds=ago)
    return {"id": f"ev-{next(_ids)}", "type": kind, "at": moment.isoformat(), **fields}


def ingest(source, events: list[dict]):
    """Through the same path as the API: validate, normalise, events_ingest."""
    from metrics.telephony.api import EventInput, event_from_input
    from metrics.telephony.services import events_ingest

    normalised = []
    for index, raw in enumerate(events):
        item = EventInput(data=raw)
        item.is_valid(raise_exception=True)
        normalised.append(event_from_input(item.validated_data, index))
    return events_ingest(source=source, events=normalised)


def session_headers(user, origin: str = "http://127.0.0.1") -> list[tuple[bytes, bytes]]:
    """Headers of a browser socket logged in as `user` (None: anonymous)."""
    from django.conf import settings
    from django.test import Client

    headers = [(b"origin", origin.encode()), (b"host", b"127.0.0.1")]
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        headers.append((b"cookie", f"{settings.SESSION_COOKIE_NAME}={cookie}".encode()))
    return headers


# --- a live server whose web process pushes the board itself ---------------------------------


def _board_child_setup(database_name: str, password_hashers: list[str]) -> None:
    """The live server beats its board in-process (1 s heartbeat), as `make demo` does.

    The browser tests thus see the whole path (API → ingestion → push → socket → page) in one
    server process; the Celery route of the same push is covered by test_push with a real worker.
    """
    from django.conf import settings

    from metrics.board.push import LocalScheduler
    from tests.conftest import _child_setup

    _child_setup(database_name, password_hashers)
    settings.CALLFLOOR_FLOOR_HEARTBEAT_S = 1.0
    LocalScheduler(heartbeat_s=1.0).start()


@pytest.fixture
def live_board(transactional_db, settings):
    from functools import partial

    from django.db import connection

    from tests.conftest import SpawnedDaphneProcess, _asgi_application

    setup = partial(
        _board_child_setup, str(connection.settings_dict["NAME"]), list(settings.PASSWORD_HASHERS)
    )
    process = SpawnedDaphneProcess("127.0.0.1", partial(_asgi_application), setup=setup)
    process.start()
    if not process.ready.wait(timeout=60):
        process.terminate()
        pytest.fail("the Daphne live server did not start within 60 s")
    port = process.port.value
    try:
        yield SimpleNamespace(url=f"http://127.0.0.1:{port}", port=port)
    finally:
        process.terminate()
        process.join(timeout=10)


def post_events(base_url: str, token: str, events: list[dict]) -> dict:
    """POST a batch to the live server's ingestion API, as a PBX does."""
    import json
    import urllib.request

    request = urllib.request.Request(
        f"{base_url}/api/telephony/events",
        data=json.dumps({"events": events}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=30) as response:
        body = json.load(response)
    assert body["accepted"] == len(events), body
    return body


@pytest.fixture
def team_queues(cast):
    """The queues `billing` (worked by Billing, tina's team) and `cards` (Cards, tom's)."""
    from metrics.models import Queue

    billing = Queue.objects.create(name="billing", site="main")
    cards = Queue.objects.create(name="cards", site="main")
    billing.teams.add(cast.billing)
    cards.teams.add(cast.cards)
    return SimpleNamespace(billing=billing, cards=cards)
