"""The cap on board sockets per browser session holds across server processes: two Daphne
processes on the same Redis share one count, a place freed on one is usable on the other, and
the places of a process that died without closing its sockets go stale by themselves."""

from __future__ import annotations

import time
from functools import partial

import pytest

from metrics.board import socket_slots
from tests.metrics.board.conftest import session_headers
from tests.reliability.raw_ws import RawBoard

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]
CAP = 3


@pytest.fixture
def two_servers(transactional_db, settings, monkeypatch):
    from django.db import connection

    from tests.conftest import SpawnedDaphneProcess, _asgi_application, _child_setup

    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "run through make test"
    monkeypatch.setenv("CALLFLOOR_WS_MAX_PER_SESSION", str(CAP))  # read by the children
    setup = partial(
        _child_setup, str(connection.settings_dict["NAME"]), list(settings.PASSWORD_HASHERS)
    )
    processes = []
    try:
        for _ in range(2):
            process = SpawnedDaphneProcess("127.0.0.1", partial(_asgi_application), setup=setup)
            process.start()
            processes.append(process)
        for process in processes:
            assert process.ready.wait(timeout=60), "a Daphne process did not start"
        yield [process.port.value for process in processes]
    finally:
        for process in processes:
            process.terminate()
            process.join(timeout=10)


def test_one_sessions_sockets_are_capped_across_two_processes(cast, two_servers):
    a, b = two_servers
    cookie = dict(session_headers(cast.sam))[b"cookie"]
    holder = "s:" + cookie.decode().split("=", 1)[1]
    opened = [RawBoard(a, cookie), RawBoard(a, cookie), RawBoard(b, cookie)]
    assert [board.status for board in opened] == [101, 101, 101]
    assert socket_slots.held(holder) == CAP

    refused = [RawBoard(server, cookie) for server in (a, b, b)]
    assert [board.status for board in refused] == [403, 403, 403]  # 4429 before accepting
    other = RawBoard(b, dict(session_headers(cast.sam))[b"cookie"])  # another session
    assert other.status == 101

    opened.pop(0).close()  # a place freed on server A ...
    deadline = time.monotonic() + 5
    while socket_slots.held(holder) >= CAP:
        assert time.monotonic() < deadline, "the freed place was not given back"
        time.sleep(0.05)
    again = RawBoard(b, cookie)  # ... is taken on server B
    assert again.status == 101
    assert RawBoard(a, cookie).status == 403
    for board in [*opened, again, other, *refused]:
        board.close()


def test_places_of_sockets_that_never_closed_go_stale(db, settings):
    """A process killed with its sockets open gives nothing back; its places stop counting."""
    assert "redis" in settings.CACHES["default"]["BACKEND"].lower(), "run through make test"
    holder, now = "s:crashed-process", time.time()
    for n in range(CAP):
        assert socket_slots.acquire(holder, f"dead-{n}", CAP, now=now)
    assert not socket_slots.acquire(holder, "new", CAP, now=now + 1)
    socket_slots.refresh(holder, "dead-0", now=now + 30)  # one of them is still alive
    later = now + socket_slots.STALE_S + 1
    assert socket_slots.held(holder, now=later) == 1
    assert socket_slots.acquire(holder, "new", CAP, now=later)
    assert socket_slots.acquire(holder, "newer", CAP, now=later)
    assert not socket_slots.acquire(holder, "one-too-many", CAP, now=later)
    for member in ("dead-0", "new", "newer"):
        socket_slots.release(holder, member)
    assert socket_slots.held(holder, now=later) == 0
