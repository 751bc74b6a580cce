"""Places for wall-board sockets, per browser session, counted across every server process.

With Redis (the cache's server), each open socket is one member of a sorted set per session,
scored by when it last showed it was alive: a socket takes a place if fewer than the cap are
held (one Lua script, so two processes cannot both take the last place), gives it back when it
closes, and refreshes its score while it lives (each push it receives, at most every
`REFRESH_S`). Places of sockets that vanished without closing (their server process was killed)
stop counting `STALE_S` after their last refresh. Without Redis (embedded, one process) the
places are counted in the process's memory.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import defaultdict

from django.conf import settings

log = logging.getLogger(__name__)

STALE_S = 90.0  # a place not refreshed for this long is free again
REFRESH_S = 20.0
KEY_PREFIX = "callfloor:ws:session:"

_ACQUIRE = """
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[2])
if redis.call('ZCARD', KEYS[1]) >= tonumber(ARGV[4]) then
  return 0
end
redis.call('ZADD', KEYS[1], ARGV[1], ARGV[3])
redis.call('EXPIRE', KEYS[1], ARGV[5])
return 1
"""

_lock = threading.Lock()
_clients: dict[str, object] = {}
_local: dict[str, dict[str, float]] = defaultdict(dict)


def _redis():
    """A Redis client of the cache's server, or None when the cache is not Redis."""
    cache = settings.CACHES.get("default", {})
    if "redis" not in cache.get("BACKEND", "").lower():
        return None
    location = cache["LOCATION"]
    url = location[0] if isinstance(location, list | tuple) else location
    with _lock:
        client = _clients.get(url)
        if client is None:
            import redis

            client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
            client.callfloor_acquire = client.register_script(_ACQUIRE)
            _clients[url] = client
    return client


def acquire(holder: str, socket_id: str, cap: int, *, now: float | None = None) -> bool:
    """Take a place for `socket_id` among `holder`'s sockets; False when `cap` are held."""
    now = time.time() if now is None else now
    client = _redis()
    if client is None:
        with _lock:
            held = _local[holder]
            for member, seen in list(held.items()):
                if seen < now - STALE_S:
                    del held[member]
            if len(held) >= cap:
                return False
            held[socket_id] = now
            return True
    taken = client.callfloor_acquire(
        keys=[KEY_PREFIX + holder],
        args=[now, now - STALE_S, socket_id, cap, int(STALE_S) + 10],
    )
    return bool(taken)


def refresh(holder: str, socket_id: str, *, now: float | None = None) -> None:
    """The socket is still open: keep its place from going stale."""
    now = time.time() if now is None else now
    client = _redis()
    if client is None:
        with _lock:
            if socket_id in _local.get(holder, {}):
                _local[holder][socket_id] = now
        return
    key = KEY_PREFIX + holder
    pipe = client.pipeline()
    pipe.zadd(key, {socket_id: now}, xx=True)
    pipe.expire(key, int(STALE_S) + 10)
    pipe.execute()


def release(holder: str, socket_id: str) -> None:
    client = _redis()
    if client is None:
        with _lock:
            held = _local.get(holder, {})
            held.pop(socket_id, None)
            if not held:
                _local.pop(holder, None)
        return
    client.zrem(KEY_PREFIX + holder, socket_id)


def held(holder: str, *, now: float | None = None) -> int:
    """How many places `holder` holds now (every process together)."""
    now = time.time() if now is None else now
    client = _redis()
    if client is None:
        with _lock:
            return sum(1 for seen in _local.get(holder, {}).values() if seen >= now - STALE_S)
    return client.zcount(KEY_PREFIX + holder, now - STALE_S, "+inf")
