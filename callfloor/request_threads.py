"""Django's ASGI handler with a fixed set of threads for the sync code of requests.

Django runs each request's sync code (views, sync middleware, the ORM) in a thread of its own:
`ASGIHandler` enters a fresh `ThreadSensitiveContext` per request, and asgiref starts a new
single-thread executor for it and joins it afterwards. Under steady load that is a thread
started and ended for every request, each with its own database connection (opened by the
request, closed when the dead thread's wrapper is collected), and glibc hands the threads'
allocations to its per-thread malloc arenas in turn; freed memory stays behind in those arenas
in pieces, so the process's resident memory creeps up with the number of requests served.

`PooledASGIHandler` keeps `threads` long-lived request threads instead. A request takes one at
its first sync call (so a client still sending its body holds none) and gives it back when the
request ends; a thread keeps its database connection between requests, as `CONN_MAX_AGE`
intends. When all are busy, a request gets a thread for itself, as Django would give it, which
closes its database connections and ends after the request.
"""

from __future__ import annotations

import threading
from concurrent.futures import Executor, Future, ThreadPoolExecutor

from asgiref.sync import ThreadSensitiveContext
from django.core.handlers.asgi import ASGIHandler
from django.db import connections

DEFAULT_THREADS = 8


class ThreadPool:
    """Long-lived single-thread executors, lent to one request at a time (last returned first)."""

    def __init__(self, size: int) -> None:
        if size < 1:
            raise ValueError("A request thread pool needs at least one thread.")
        self.size = size
        self._idle: list[ThreadPoolExecutor] = []
        self._created = 0
        self._lock = threading.Lock()
        self.overflow = 0  # requests that found every pooled thread busy

    def take(self) -> tuple[ThreadPoolExecutor, bool]:
        """An idle pooled executor, a new one while fewer than `size` exist, or a spare one
        (True: it is not the pool's, and ends after its request)."""
        with self._lock:
            if self._idle:
                return self._idle.pop(), False
            if self._created < self.size:
                self._created += 1
                number = self._created
                spare = False
            else:
                self.overflow += 1
                number = 0
                spare = True
        name = f"request-{number}" if number else "request-spare"
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name), spare

    def give_back(self, executor: ThreadPoolExecutor, spare: bool) -> None:
        if spare:
            # Its connections would otherwise stay open until the dead thread is collected.
            executor.submit(connections.close_all)
            executor.shutdown(wait=False)
            return
        with self._lock:
            self._idle.append(executor)

    @property
    def threads(self) -> int:
        """Pooled threads started so far."""
        return self._created

    def close(self) -> None:
        """Close the idle threads' database connections and end the threads."""
        with self._lock:
            idle, self._idle = self._idle, []
            self._created -= len(idle)
        for executor in idle:
            executor.submit(connections.close_all)
            executor.shutdown(wait=True)


class RequestThread(Executor):
    """The one thread of one request: taken from the pool at its first sync call."""

    def __init__(self, pool: ThreadPool) -> None:
        self._pool = pool
        self._taken: tuple[ThreadPoolExecutor, bool] | None = None

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._taken is None:
            self._taken = self._pool.take()
        return self._taken[0].submit(fn, *args, **kwargs)

    def release(self) -> None:
        if self._taken is not None:
            self._pool.give_back(*self._taken)
            self._taken = None


class PooledASGIHandler(ASGIHandler):
    """`ASGIHandler` whose requests run their sync code on the threads of a `ThreadPool`."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        super().__init__()
        self.pool = ThreadPool(threads)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = RequestThread(self.pool)
        try:
            # `handle` awaits every sync call it makes before it returns (a cancelled view's
            # too), so the thread is idle when it goes back to the pool.
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            thread.release()
