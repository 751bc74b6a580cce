"""The push path of the wall board: coalesced refreshes and sequence numbers.

A committed change of the floor marks its site dirty (`metrics.board.tasks.floor_mark_dirty`);
one refresh per site is scheduled at a time (`refresh_claim`, a cache `add`, is the guard, so a
burst of changes yields one push). The coalescing window is a throttle with a leading edge: a
change on a floor that no push started within the last `COALESCE_S` is pushed at once, a change
that comes sooner waits for the rest of the window (`refresh_delay`), so pushes of a site start
at least a window apart and a quiet floor's change does not wait. A refresh (`floor_push`)
advances the floor it pushed before by what the changes touched (`metrics.board.state`; a
whole snapshot when it has none to advance), and sends the delta of the entries that changed
with the next sequence number to the channel-layer group `floor.<site>`. The pushed floor and
its number are stored (`_store`: in Redis a hash per section, each push writing only the
entries it changed; the process's memory when embedded), so a socket that connects or asks to
resync gets the snapshot that matches the numbers that follow (`floor_stored`).

Embedded (no Redis), `LocalScheduler` runs the same refreshes in the web process.
"""

from __future__ import annotations

import asyncio
import json
import logging
import pickle
import threading
import time
import uuid
from contextlib import contextmanager

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.core.cache import cache
from django.utils import timezone

from metrics.board import delta, marks, signals, snapshot, state
from metrics.repeat_calls import repeat_calls_catch_up_safely

log = logging.getLogger(__name__)

# Pushes of a site start at least this far apart; changes within a window make one push. A
# change after a quiet window is pushed at once; 0.1 s still holds a busy floor (100 events/s)
# to at most ~10 refreshes a second.
COALESCE_S = 0.1
GROUP_PREFIX = "floor."


def group_name(site: str) -> str:
    return f"{GROUP_PREFIX}{site}"


def _key(site: str, what: str) -> str:
    return f"callfloor:floor:{site}:{what}"


# A process-local hook: when the in-process scheduler runs (embedded mode), dirty sites go to
# it instead of to Celery.
local_scheduler = None


def refresh_claim(*, site: str) -> bool:
    """Claim the one refresh of `site` of this coalescing window (False: one is due already)."""
    return cache.add(_key(site, "scheduled"), "1", timeout=10)


def refresh_delay(*, site: str) -> float:
    """Seconds until the coalescing window of the last push of `site` ends (0: push now).

    Read after a successful `refresh_claim`: a push records its start before it gives the
    claim back, so the claimant sees the push it follows. Wall-clock time, as the marks and
    the pushes may run on different machines; a clock that is off shortens or lengthens one
    window, never more than `COALESCE_S`.
    """
    started = cache.get(_key(site, "pushed_at"))
    if started is None:
        return 0.0
    return min(COALESCE_S, max(0.0, started + COALESCE_S - time.time()))


def _push_started(site: str) -> None:
    """A refresh of `site` starts: its window opens, and the next change schedules the next
    refresh (the changes from now on are not in this push)."""
    cache.set(_key(site, "pushed_at"), time.time(), timeout=60)
    cache.delete(_key(site, "scheduled"))


@contextmanager
def _site_lock(site: str, timeout: float = 10.0):
    """One refresh of a site at a time, across processes (deltas chain from one snapshot)."""
    token = uuid.uuid4().hex
    key = _key(site, "lock")
    deadline = time.monotonic() + timeout
    while not cache.add(key, token, timeout=30):
        if time.monotonic() > deadline:
            raise TimeoutError(f"the floor of {site} stays locked")
        time.sleep(0.01)
    try:
        yield
    finally:
        if cache.get(key) == token:
            cache.delete(key)


def next_seq(site: str) -> int:
    """The next sequence number of `site` (Redis INCR; the process's memory when embedded)."""
    key = _key(site, "seq")
    cache.add(key, 0, timeout=None)
    try:
        return cache.incr(key)
    except ValueError:  # evicted between add and incr
        cache.add(key, 0, timeout=None)
        return cache.incr(key)


def _seq_peek(site: str) -> int:
    """The number `next_seq` would give `site` next (read under the site lock, the only
    place the numbers are taken)."""
    return (cache.get(_key(site, "seq")) or 0) + 1


def _is_empty(body: dict) -> bool:
    return not any(body.get(part) for part in ("set", "remove", "patch"))


def floor_push(*, site: str, heartbeat: bool = False, quiet: bool = False) -> dict | None:
    """Send what changed on the floor of `site` (or a heartbeat) to its group; the message.

    The floor this process pushed last is kept (`state.py`) and advanced by what the
    committed changes since then touched (`marks.touched_pop`); a full snapshot is built when
    there is none to advance: at start, after another process's push or a cache that lost the
    current one (a gap in the numbers), after a resync request (`floor_resync_requested`), on
    a change that does not say what it touched, and on a new day. `heartbeat` reads again
    what depends on the clock; at the first heartbeat every `state.check_s()`, once the push is
    sent, the kept floor is compared with a fresh snapshot (`state.floor_check`; a difference
    makes the next push a whole rebuild).

    `quiet` (the trailing refresh of a burst): when nothing was marked since the last push,
    or the marks changed nothing a board shows, nothing is sent and no number is taken (the
    changes of the burst were in the push before). None then.
    """
    _push_started(site)
    with _site_lock(site):
        now = timezone.now()
        touched = marks.touched_pop(site=site)
        if touched or not quiet:
            # The repeat-call counters brought up to the calls: the queues whose counters
            # moved are marked, and their tiles read again with the rest. (Nothing marked:
            # no call was written since the last push, and no counter can move.)
            repeat_calls_catch_up_safely()
            touched |= marks.touched_pop(site=site)
        seq = _seq_peek(site)
        current_id = cache.get(_key(site, "current_id"))
        kept = state.kept_take(site=site, seq=seq, current_id=current_id)
        if quiet and not touched and kept is not None:
            state.kept_put(site=site, kept=kept)
            return None
        advanced = None
        if kept is not None:
            # The per-agent sources on every row only at the heartbeat that is followed by
            # the comparison with a fresh floor (they move with their rows' marks).
            advanced = state.floor_advance(
                site=site,
                now=now,
                parts=kept.parts,
                touched=touched,
                heartbeat=heartbeat,
                sweep=heartbeat and state.floor_check_due(kept),
            )
        # A whole rebuild is a fresh floor: the next comparison is a check interval away.
        checked = kept.checked if advanced is not None else time.monotonic()
        if advanced is not None:
            parts, keys = advanced
            previous = kept.parts.snapshot
        else:
            parts, keys = snapshot.floor_parts(site=site, now=now, catch_up=False), {}
            previous = None if kept is None else kept.parts.snapshot
            if previous is None:
                stored = floor_stored(site=site)
                if stored is not None and stored["seq"] == seq - 1:
                    previous = stored["snapshot"]
        fresh = parts.snapshot
        if previous is not None:
            kind, body = "delta", delta.diff_keys(previous, fresh, keys)
            if quiet and kept is not None and _is_empty(body):
                # Nothing to show: the kept floor moves on (it equals the pushed one), the
                # number is not taken.
                state.kept_put(site=site, kept=state.Kept(kept.seq, kept.id, parts, checked))
                return None
            # Full-floor boards get changed entries as patches of their changed fields.
            shown = delta.diff_keys(previous, fresh, keys, fields=True)
        else:
            # Nothing to chain from (first push, or the cache lost it): everyone starts afresh.
            kind, body = "snapshot", fresh
            shown = body
        taken = next_seq(site)
        if taken != seq:
            # The cache lost the numbers while this push was built: everyone starts afresh.
            seq, kind, body, shown = taken, "snapshot", fresh, fresh
        message = {"type": f"floor.{kind}", "seq": seq, "now": now.timestamp(), kind: body}
        # What every full-floor board receives, serialised once here rather than per socket.
        message["text"] = json.dumps(
            {"type": kind, "seq": seq, "now": message["now"], kind: shown}, separators=(",", ":")
        )
        pushed_id = uuid.uuid4().hex
        current = {"seq": seq, "now": now.timestamp(), "snapshot": fresh, "id": pushed_id}
        _store(site, current, body if kind == "delta" else None)
        pushed = state.Kept(seq, pushed_id, parts, checked)
        state.kept_put(site=site, kept=pushed)
        async_to_sync(get_channel_layer().group_send)(group_name(site), message)
        # The comparison with a fresh floor, once the boards have this push; under the lock,
        # so no other push takes the marks it reads. At a heartbeat only: between two, what
        # depends on the clock (a queue's "required now", worked out once a minute) is the
        # heartbeat's, by design.
        drifted = False
        if heartbeat and state.floor_check_due(pushed):
            drifted = state.floor_check(site=site, now=now, parts=parts)
            if drifted is not None:
                pushed.checked = time.monotonic()
    if drifted:
        # The next push rebuilds the floor whole and sends what differed: to the board's
        # tasks, a drifted floor is a change of the whole floor.
        signals.floor_changed.send(sender=floor_push, site=site, touched={marks.FULL})
    signals.floor_pushed.send(sender=floor_push, site=site, snapshot=fresh, now=now)
    return message


def floor_beat(*, site: str) -> dict | None:
    """The heartbeat of `site`: what was marked since the last push is pushed first, as any
    refresh would push it, then the heartbeat (`floor_push(heartbeat=True)`); the heartbeat's
    message.

    A heartbeat reads every clock-bound part of the floor again (≈ 0.1 s for 1,000 agents,
    0.4 s for 5,000), so the changes that came with it would wait for that; now they do not.
    (A mark that asks for the whole floor is left to the heartbeat: it reads it whole anyway.)
    """
    waiting = marks.touched_peek(site=site)
    if waiting and marks.FULL not in waiting:
        floor_push(site=site, quiet=True)
    return floor_push(site=site, heartbeat=True)


def floor_resync_requested(*, site: str) -> None:
    """A board asked for the whole floor (it saw a gap): the next push of `site` is built in
    full, whatever this process kept."""
    marks.touched_add(site=site, tokens={marks.FULL})


def _store(site: str, current: dict, body: dict | None) -> None:
    """Keep the pushed floor `current` for the sockets that open or resync.

    On Redis each section is a hash of its entries (each pickled), and a push writes only what
    its delta `body` (from the floor stored before, the one it chained from) set or removed,
    with the push's number, time, id and the sections' sizes, in one transaction: a busy
    5,000-agent floor's push writes a few kilobytes rather than its 1.3 MB snapshot. `body`
    None (a snapshot push): every section written whole. Elsewhere (the embedded floor's cache
    in memory) the snapshot is stored whole.
    """
    client, backend = marks._redis()
    if client is None:
        cache.set_many(
            {_key(site, "current"): current, _key(site, "current_id"): current["id"]},
            timeout=None,
        )
        return
    snapshot = current["snapshot"]
    head = {name: current[name] for name in ("seq", "now", "id")}
    head["sizes"] = {section: len(snapshot.get(section) or {}) for section in delta.SECTIONS}
    pipe = client.pipeline(transaction=True)
    lengths = []  # the position of each section's HLEN among the pipeline's replies
    for section in delta.SECTIONS:
        key = _section_key(backend, site, section)
        if body is None:
            pipe.delete(key)
            entries = snapshot.get(section) or {}
        else:
            entries = body.get("set", {}).get(section) or {}
            gone = body.get("remove", {}).get(section)
            if gone:
                pipe.hdel(key, *gone)
        if entries:
            pipe.hset(key, mapping={k: pickle.dumps(v, PICKLE) for k, v in entries.items()})
        lengths.append(len(pipe))
        pipe.hlen(key)
    pipe.set(_head_key(backend, site), pickle.dumps(head, PICKLE))
    replies = pipe.execute()
    if body is not None and [replies[n] for n in lengths] != list(head["sizes"].values()):
        # A section is not the one this push chained from (Redis evicted it): store it whole.
        _store(site, current, None)
        return
    cache.set(_key(site, "current_id"), current["id"], timeout=None)


PICKLE = pickle.HIGHEST_PROTOCOL


def _head_key(backend, site: str) -> str:
    return backend.make_and_validate_key(_key(site, "stored"))


def _section_key(backend, site: str, section: str) -> str:
    return backend.make_and_validate_key(_key(site, f"stored:{section}"))


def floor_stored(*, site: str) -> dict | None:
    """The last pushed floor of `site` as stored (`_store`): `seq`, `now`, `id` and the
    `snapshot`; None when there is none or part of it is gone (Redis evicted a key)."""
    client, backend = marks._redis()
    if client is None:
        return cache.get(_key(site, "current"))
    pipe = client.pipeline(transaction=True)
    pipe.get(_head_key(backend, site))
    for section in delta.SECTIONS:
        pipe.hgetall(_section_key(backend, site, section))
    head, *sections = pipe.execute()
    if head is None:
        return None
    head = pickle.loads(head)  # noqa: S301 - our own Redis, as Django's cache
    snapshot = {}
    for section, entries in zip(delta.SECTIONS, sections, strict=True):
        if len(entries) != head["sizes"][section]:
            return None
        snapshot[section] = {
            k.decode(): pickle.loads(v)  # noqa: S301 - our own Redis, as Django's cache
            for k, v in entries.items()
        }
    return {"seq": head["seq"], "now": head["now"], "id": head["id"], "snapshot": snapshot}


def floor_current(*, site: str) -> dict:
    """The last pushed snapshot of `site` and its sequence number (pushing one if none)."""
    current = floor_stored(site=site)
    scheduler = local_scheduler
    if current is None or (scheduler is not None and scheduler.take_unattached(site)):
        floor_push(site=site)
        current = floor_stored(site=site)
    return current


# site → (push id, seq, text): the last pushed snapshot as a full-floor board receives it when
# its socket opens, encoded once per push in each socket process rather than once per socket.
# A 5,000-agent floor is ≈ 1.5 MB of JSON; a wall of boards reconnecting after a restart would
# otherwise unpickle, copy and encode it once for every board.
_snapshot_texts: dict[str, tuple[str, int, str]] = {}


def floor_current_text(*, site: str) -> tuple[int, str]:
    """The last pushed snapshot of `site` as the JSON text a full-floor board receives when its
    socket opens, and its sequence number.

    Kept per process while the cache names the same push current (a small key); the text is
    built from the stored snapshot and the push id stored with it, so the two always match.
    Embedded (the in-process scheduler) it is built every time, as a change may be waiting
    for the scheduler's loop.
    """
    memo = _snapshot_texts.get(site)
    if (
        memo is not None
        and local_scheduler is None
        and cache.get(_key(site, "current_id")) == memo[0]
    ):
        return memo[1], memo[2]
    current = floor_current(site=site)
    text = json.dumps(
        {
            "type": "snapshot",
            "seq": current["seq"],
            "now": current.get("now"),
            "snapshot": current["snapshot"],
        },
        separators=(",", ":"),
    )
    if current.get("id") and local_scheduler is None:
        _snapshot_texts[site] = (current["id"], current["seq"], text)
    return current["seq"], text


def floor_sites() -> list[str]:
    from metrics.models import Queue, TelephonySource

    sites = set(Queue.objects.values_list("site", flat=True).distinct())
    sites |= set(TelephonySource.objects.values_list("site", flat=True).distinct())
    sites.add(snapshot.default_site())
    return sorted(sites)


class LocalScheduler:
    """Embedded mode's beat: coalesced refreshes of dirty sites and the heartbeat.

    It runs as a task of the web server's own event loop (attached by the first socket that
    connects), so even the in-memory channel layer is only ever used from that loop; the
    snapshot is built in the server's sync thread, as a Celery task would build it.
    """

    def __init__(self, *, heartbeat_s: float | None = None) -> None:
        self.heartbeat_s = heartbeat_s or snapshot.heartbeat_s()
        self._dirty: set[str] = set()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._task: asyncio.Task | None = None

    def mark(self, site: str) -> None:
        with self._lock:
            self._dirty.add(site)
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def take_unattached(self, site: str) -> bool:
        """Whether `site` changed while no socket has attached the loop (the caller pushes).

        Until a board connects nothing runs the loop, so a snapshot asked for over HTTP would
        otherwise stay at the last push.
        """
        if self._task is not None:
            return False
        with self._lock:
            if site not in self._dirty:
                return False
            self._dirty.discard(site)
            return True

    def start(self) -> LocalScheduler:
        """Take over the dirty marks of this process; runs once a loop `attach`es it."""
        global local_scheduler
        local_scheduler = self
        return self

    def attach(self) -> None:
        """Run in the calling coroutine's event loop (no-op when already running)."""
        if self._task is None:
            self._loop = asyncio.get_running_loop()
            self._wake = asyncio.Event()
            self._task = self._loop.create_task(self._run())

    def stop(self) -> None:
        global local_scheduler
        if local_scheduler is self:
            local_scheduler = None
        if self._task is not None and self._loop is not None:
            self._loop.call_soon_threadsafe(self._task.cancel)

    async def _run(self) -> None:
        from asgiref.sync import sync_to_async

        last_beat = 0.0
        while True:
            timeout = max(0.0, last_beat + self.heartbeat_s - time.monotonic())
            try:
                await asyncio.wait_for(self._wake.wait(), timeout)
                await asyncio.sleep(COALESCE_S)  # the coalescing window
            except TimeoutError:
                pass
            self._wake.clear()
            with self._lock:
                dirty, self._dirty = self._dirty, set()
            beat = time.monotonic() - last_beat >= self.heartbeat_s
            try:
                sites = await sync_to_async(floor_sites)() if beat else sorted(dirty)
                for site in sites:
                    if beat:
                        await sync_to_async(floor_beat)(site=site)
                    else:
                        await sync_to_async(floor_push)(site=site)
                if beat:
                    last_beat = time.monotonic()
            except Exception:
                log.exception("floor refresh failed")
                await asyncio.sleep(1)
