"""Django's ASGI handler with a fixed set of threads for the sync code of requests.

Django runs each request's sync code (views, sync middleware, the ORM) in a thread of its own:
`ASGIHandler` enters a fresh `ThreadSensitiveContext` per request, and asgiref starts a new
single-thread executor for it and joins it afterwards. Under steady load that is a thread
started and ended for every request, each with its own database connection (opened by the
request, closed when the dead thread's wrapper is collected), and glibc hands the threads'
allocations to its per-thread malloc arenas in turn; freed memory stays behind in those arenas
in pieces, so the process's resident memory creeps up with the number of requests served.

`PooledASGIHandler` keeps `threads` long-lived request threads instead. A request takes one once
its body has been read (so a client still sending holds none) and gives it back when it ends;
a thread keeps its database connection between requests, as `CONN_MAX_AGE` intends. When all
are busy, the request waits for one: at most `threads` requests run sync code at once, which
also caps the memory they hold together (a burst of slow requests no longer starts a thread,
and builds a result, for every one of them).
"""

from __future__ import annotations

import asyncio
import contextvars
import threading
from collections import deque
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
        self._waiting: deque[asyncio.Future] = deque()
        self.waited = 0  # requests that waited for a pooled thread
        self.overflow = 0  # sync calls that found every pooled thread busy and got a spare

    def _new(self, number: int) -> ThreadPoolExecutor:
        name = f"request-{number}" if number else "request-spare"
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix=name)

    async def wait(self) -> ThreadPoolExecutor:
        """A pooled executor: an idle one, a new one while fewer than `size` exist, or the
        first one given back (requests are served in the order they came)."""
        with self._lock:
            if self._idle:
                return self._idle.pop()
            if self._created < self.size:
                self._created += 1
                number = self._created
            else:
                number = None
                waiter = asyncio.get_running_loop().create_future()
                self._waiting.append(waiter)
                self.waited += 1
        if number is not None:
            return self._new(number)
        return await waiter

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
        return self._new(number), spare

    def give_back(self, executor: ThreadPoolExecutor, spare: bool) -> None:
        if spare:
            # Its connections would otherwise stay open until the dead thread is collected.
            executor.submit(connections.close_all)
            executor.shutdown(wait=False)
            return
        with self._lock:
            while self._waiting:
                waiter = self._waiting.popleft()
                if not waiter.done():
                    waiter.get_loop().call_soon_threadsafe(self._hand, waiter, executor)
                    return
            self._idle.append(executor)

    def _hand(self, waiter: asyncio.Future, executor: ThreadPoolExecutor) -> None:
        if waiter.done():  # the request was cancelled meanwhile: the next one gets it
            self.give_back(executor, False)
        else:
            waiter.set_result(executor)

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

    async def reserve(self) -> None:
        """Wait for a pooled thread (the request's sync code will run there)."""
        if self._taken is None:
            executor = await self._pool.wait()
            if self._taken is None:
                self._taken = (executor, False)
            else:
                self._pool.give_back(executor, False)

    def submit(self, fn, /, *args, **kwargs) -> Future:
        if self._taken is None:
            # A sync call before the body was read (not one Django makes): no waiting here,
            # on the event loop, so a spare thread if every pooled one is busy.
            self._taken = self._pool.take()
        return self._taken[0].submit(fn, *args, **kwargs)

    def release(self) -> None:
        if self._taken is not None:
            self._pool.give_back(*self._taken)
            self._taken = None


_request_thread: contextvars.ContextVar[RequestThread] = contextvars.ContextVar("request_thread")


class PooledASGIHandler(ASGIHandler):
    """`ASGIHandler` whose requests run their sync code on the threads of a `ThreadPool`."""

    def __init__(self, threads: int = DEFAULT_THREADS) -> None:
        super().__init__()
        self.pool = ThreadPool(threads)

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            raise ValueError(f"Django can only handle ASGI/HTTP connections, not {scope['type']}.")
        thread = RequestThread(self.pool)
        token = _request_thread.set(thread)
        try:
            # `handle` awaits every sync call it makes before it returns (a cancelled view's
            # too), so the thread is idle when it goes back to the pool.
            async with ThreadSensitiveContext(executor=thread):
                await self.handle(scope, receive, send)
        finally:
            _request_thread.reset(token)
            thread.release()

    async def read_body(self, receive):
        """The request's body, then a pooled thread for the rest of the request (`handle`
        reads the body before anything else)."""
        body = await super().read_body(receive)
        thread = _request_thread.get(None)
        if thread is not None:
            try:
                await thread.reserve()
            except BaseException:
                body.close()
                raise
        return body
