"""The API server runs requests' sync code on a fixed set of threads.

Django's own ASGI handler starts a thread (and so a database connection) for every request;
under the load test that churn made the API process's resident memory creep up by several MB
a minute (see RELIABILITY.md, "Load"). These tests drive the project's ASGI application
in-process, as Daphne calls it, and count the threads and database sessions the requests used.
"""

from __future__ import annotations

import asyncio
import threading
import time

import pytest
from django.core.signals import request_finished
from django.db import connection, connections

from callfloor import asgi
from callfloor.request_threads import PooledASGIHandler

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


async def get(app, path: str) -> int:
    """One GET through the ASGI application; its status."""
    messages: list[dict] = []
    body_sent = False

    async def receive() -> dict:
        nonlocal body_sent
        if not body_sent:
            body_sent = True
            return {"type": "http.request", "body": b"", "more_body": False}
        await asyncio.Event().wait()  # the client stays connected

    async def send(message: dict) -> None:
        messages.append(message)

    scope = {
        "type": "http",
        "asgi": {"version": "3.0"},
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"127.0.0.1")],
        "client": ("127.0.0.1", 40000),
        "server": ("127.0.0.1", 8000),
    }
    await app(scope, receive, send)
    return next(m["status"] for m in messages if m["type"] == "http.response.start")


@pytest.fixture
def seen():
    """(thread name, database backend pid) of each request, noted as it finishes."""
    noted: list[tuple[str, int | None]] = []

    def note(**kwargs) -> None:
        # Django sends request_finished on the request's own thread.
        backend = connections["default"].connection
        noted.append(
            (threading.current_thread().name, backend.info.backend_pid if backend else None)
        )

    request_finished.connect(note, dispatch_uid="test-request-threads")
    yield noted
    request_finished.disconnect(dispatch_uid="test-request-threads")


@pytest.fixture
def handler():
    app = PooledASGIHandler(threads=2)
    yield app
    app.pool.close()


def alive(pids: set[int]) -> set[int]:
    """Which of these database backends still have a session."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pid FROM pg_stat_activity WHERE pid = ANY(%s)", [list(pids)])
        return {row[0] for row in cursor.fetchall()}


def gone(pids: set[int]) -> bool:
    """True once none of these backends has a session (a closed session leaves
    pg_stat_activity when its backend has exited), waiting up to 10 s."""
    deadline = time.monotonic() + 10
    while alive(pids) and time.monotonic() < deadline:
        time.sleep(0.1)
    return not alive(pids)


def test_the_project_application_serves_http_with_the_pooled_handler():
    assert isinstance(asgi.django_asgi_app, PooledASGIHandler)
    assert asgi.django_asgi_app.pool.size >= 1


def test_requests_one_after_another_share_one_thread_and_one_database_session(handler, seen):
    threads_before = threading.active_count()

    async def run() -> list[int]:
        return [await get(handler, "/healthz") for _ in range(40)]

    assert asyncio.run(run()) == [200] * 40
    assert len(seen) == 40
    assert {name for name, _ in seen} == {"request-1_0"}
    backends = {pid for _, pid in seen}
    assert len(backends) == 1 and None not in backends
    assert handler.pool.threads == 1 and handler.pool.overflow == 0
    assert threading.active_count() <= threads_before + 1


def test_a_burst_beyond_the_pool_waits_for_the_pooled_threads(handler, seen):
    async def run() -> list[int]:
        return await asyncio.gather(*(get(handler, "/healthz") for _ in range(12)))

    assert asyncio.run(run()) == [200] * 12
    assert {name for name, _ in seen} == {"request-1_0", "request-2_0"}
    assert len({pid for _, pid in seen}) == 2
    assert handler.pool.threads == 2
    assert handler.pool.waited == 10 and handler.pool.overflow == 0
    assert alive({pid for _, pid in seen}) == {pid for _, pid in seen}
    assert len([t for t in threading.enumerate() if t.name.startswith("request-")]) == 2


def test_a_waiting_request_that_is_cancelled_passes_its_turn_on(handler, seen):
    async def run() -> list:
        first = asyncio.ensure_future(get(handler, "/healthz"))
        second = asyncio.ensure_future(get(handler, "/healthz"))
        await asyncio.sleep(0)  # both hold a pooled thread (or are about to)
        waiting = asyncio.ensure_future(get(handler, "/healthz"))
        later = asyncio.ensure_future(get(handler, "/healthz"))
        await asyncio.sleep(0.01)
        waiting.cancel()
        return await asyncio.gather(first, second, waiting, later, return_exceptions=True)

    first, second, waiting, later = asyncio.run(run())
    assert (first, second, later) == (200, 200, 200)
    assert isinstance(waiting, asyncio.CancelledError)
    assert handler.pool.threads == 2 and handler.pool.overflow == 0
    # Both threads are back in the pool: two more requests run at once without waiting.
    waited = handler.pool.waited

    async def two() -> list[int]:
        return await asyncio.gather(get(handler, "/healthz"), get(handler, "/healthz"))

    assert asyncio.run(two()) == [200, 200]
    assert handler.pool.waited == waited


def test_a_sync_call_with_every_thread_busy_gets_a_spare_that_closes_its_session(handler):
    from callfloor.request_threads import RequestThread

    async def busy() -> tuple:
        return await handler.pool.wait(), await handler.pool.wait()

    held = asyncio.run(busy())
    thread = RequestThread(handler.pool)
    name, backend = thread.submit(
        lambda: (
            threading.current_thread().name,
            connections["default"].cursor().connection.info.backend_pid,
        )
    ).result(timeout=10)
    assert name.startswith("request-spare") and backend
    assert handler.pool.overflow == 1
    thread.release()
    assert gone({backend})
    for executor in held:
        handler.pool.give_back(executor, False)


def test_closing_the_pool_ends_its_threads_and_sessions(handler, seen):
    assert asyncio.run(get(handler, "/healthz")) == 200
    backends = {pid for _, pid in seen}
    assert len(backends) == 1 and alive(backends) == backends
    handler.pool.close()
    assert gone(backends)
    assert not [t for t in threading.enumerate() if t.name.startswith("request-")]
