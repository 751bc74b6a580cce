"""The floor's dirty marks: what the committed changes of a site touched since its last push.

A writer's change names what it touched (`touched_tokens`: telephony names, agents, queues,
sections; `FULL` when it names nothing). `touched_add` accumulates the marks of a site between
two pushes (a Redis set per site, popped atomically by the push; a set in the process when the
cache is not Redis), `touched_pop` takes them and `touched_peek` reads them in place. The floor
state (`state.py`) applies them; the writers (the board's signals, the repeat-call catch-up)
only add them, so this module imports nothing of the board.
"""

from __future__ import annotations

import threading

from django.core.cache import caches
from django.core.cache.backends.redis import RedisCache

FULL = "*"
TOUCHED_TTL_S = 3600


def touched_tokens(
    *,
    members=None,
    agents=None,
    queues=None,
    sections=None,
) -> set[str]:
    """The tokens of a dirty mark: `m:<telephony name>`, `a:<agent id>`, `q:<queue id>`,
    `s:<section>`; `FULL` when the mark names nothing."""
    tokens = {f"m:{m}" for m in members or ()} | {f"a:{a}" for a in agents or ()}
    tokens |= {f"q:{q}" for q in queues or ()} | {f"s:{s}" for s in sections or ()}
    return tokens or {FULL}


def _redis():
    """The Redis client and backend of the default cache (None, None: not Redis)."""
    backend = caches["default"]
    if isinstance(backend, RedisCache):
        return backend._cache.get_client(write=True), backend
    return None, None


_local_touched: dict[str, set[str]] = {}
_local_lock = threading.Lock()


def _touched_key(backend, site: str) -> str:
    return backend.make_and_validate_key(f"callfloor:floor:{site}:touched")


def touched_add(*, site: str, tokens: set[str]) -> None:
    """Remember what a committed change of `site` touched, until the next refresh."""
    client, backend = _redis()
    if client is None:
        with _local_lock:
            _local_touched.setdefault(site, set()).update(tokens)
        return
    key = _touched_key(backend, site)
    pipe = client.pipeline(transaction=True)
    pipe.sadd(key, *sorted(tokens))
    pipe.expire(key, TOUCHED_TTL_S)
    pipe.execute()


def touched_pop(*, site: str) -> set[str]:
    """What changed on `site` since the last refresh (and forget it), atomically."""
    client, backend = _redis()
    if client is None:
        with _local_lock:
            return _local_touched.pop(site, set())
    key = _touched_key(backend, site)
    pipe = client.pipeline(transaction=True)
    pipe.smembers(key)
    pipe.delete(key)
    members, _ = pipe.execute()
    return {m.decode() if isinstance(m, bytes) else m for m in members}


def touched_peek(*, site: str) -> set[str]:
    """What changed on `site` since the last refresh, left for the next one."""
    client, backend = _redis()
    if client is None:
        with _local_lock:
            return set(_local_touched.get(site, ()))
    members = client.smembers(_touched_key(backend, site))
    return {m.decode() if isinstance(m, bytes) else m for m in members}
