"""Fixtures of the wall board: a telephony source, events in the JSON vocabulary, sockets."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest

_ids = itertools.count(1)


@pytest.fixture
def source(db):
    from metrics.services import source_create

    pbx, token = source_create(name="pbx-board", kind="http_json", site="main")
    return SimpleNamespace(source=pbx, token=token)


@pytest.fixture(autouse=True)
def _fresh_floor_cache():
    """Each test starts from an empty floor cache (previous snapshot, sequence, guards)."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


def event(kind: str, *, at: datetime | None = None, ago: float = 0, **fields) -> dict:
    """One JSON event (`POST /api/telephony/events` vocabulary) with a unique id."""
    moment = at or datetime.now(UTC) - timedelta(seconds=ago)
    return {"id": f"ev-{next(_ids)}", "type": kind, "at": moment.isoformat(), **fields}


def ingest(source, events: list[dict]):
    """Through the same path as the API: validate, normalise, events_ingest."""
    from metrics.api import EventInput, event_from_input
    from metrics.services import events_ingest

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
