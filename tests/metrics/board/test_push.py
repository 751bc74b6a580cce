"""The push path on the real Redis of make test: coalescing, sequence numbers, heartbeats.

The first test runs a real Celery worker (pointed at the test database) so the refresh goes
Redis broker → worker → Redis channel layer, as in production.
"""

import asyncio
import contextlib
import itertools
import threading
import time
from pathlib import Path

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers
from django.conf import settings

from metrics.board import delta as floor_delta
from metrics.board import marks, push, tasks
from metrics.board import state as floor_state
from metrics.board.signals import floor_changed
from metrics.board.snapshot import floor_snapshot
from tests.metrics.board.conftest import event, ingest
from tests.services import start_celery_worker, stop_process

REPO = Path(__file__).resolve().parents[3]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


class Listener:
    """A channel in the group `floor.main`, read by a thread with its own event loop."""

    def __init__(self) -> None:
        import queue

        self.messages: queue.Queue = queue.Queue()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def listen():
            # A layer of its own: the shared one may be read by another loop at the same time.
            layer = channel_layers.make_backend("default")
            channel = await layer.new_channel()
            await layer.group_add(push.group_name("main"), channel)
            ready.set()
            while True:
                self.messages.put(await layer.receive(channel))

        self.task = None

        def run():
            self.task = self.loop.create_task(listen())
            with contextlib.suppress(asyncio.CancelledError):
                self.loop.run_until_complete(self.task)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)

    def close(self) -> None:
        self.loop.call_soon_threadsafe(self.task.cancel)
        self.thread.join(timeout=5)

    def collect(self, seconds: float) -> list[dict]:
        import queue

        found = []
        deadline = time.monotonic() + seconds
        while (left := deadline - time.monotonic()) > 0:
            try:
                found.append(self.messages.get(timeout=left))
            except queue.Empty:
                break
        return found


@pytest.fixture
def listener():
    listening = Listener()
    try:
        yield listening
    finally:
        listening.close()


@pytest.fixture
def floor_worker(transactional_db):
    """A real Celery worker on the Redis broker, reading the test database."""
    from django.db import connection

    process = start_celery_worker(name="floor@%h", database=connection.settings_dict["NAME"])
    try:
        yield process
    finally:
        stop_process(process)


def test_a_burst_of_changes_yields_one_push_through_a_real_worker(
    cast, source, floor_worker, listener
):
    from callfloor.celery import app

    # The test process only schedules; the worker pushes. (Celery's own conf: it has read
    # the Django setting already.)
    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        _burst_then_change(cast, source, listener)
    finally:
        app.conf.task_always_eager = eager


def _burst_then_change(cast, source, listener):
    for _ in range(20):
        floor_changed.send(sender=None, site="main")
    messages = listener.collect(3)
    assert len(messages) == 1, messages
    assert messages[0]["type"] == "floor.snapshot"  # the first push of the site

    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    (delta,) = listener.collect(3)
    assert delta["type"] == "floor.delta" and delta["seq"] == messages[0]["seq"] + 1
    assert list(delta["delta"]["set"]["agents"]) == [f"a{cast.ann_agent.pk}"]


def test_concurrent_pushes_get_unique_consecutive_sequence_numbers(cast, source, listener):
    threads = [
        threading.Thread(target=lambda: [push.floor_push(site="main") for _ in range(5)])
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    seqs = [m["seq"] for m in listener.collect(2)]
    assert sorted(seqs) == list(range(1, 21))
    assert seqs == sorted(seqs)  # sent in order: the site lock covers build and send


def test_the_heartbeat_pushes_an_empty_delta_when_nothing_changed(cast, source, listener):
    tasks.floor_heartbeat.apply()
    tasks.floor_heartbeat.apply()
    first, second = listener.collect(2)
    assert second["type"] == "floor.delta" and second["seq"] == first["seq"] + 1
    assert second["delta"] == {"set": {}, "remove": {}}
    schedule = settings.CELERY_BEAT_SCHEDULE["floor-heartbeat"]
    assert schedule["schedule"] <= 5 and schedule["options"]["expires"] < schedule["schedule"]


def test_the_heartbeat_pushes_what_was_marked_before_it_reads_the_clock_bound_floor(
    cast, source, listener, pushes_by_hand
):
    """A change marked when the heartbeat comes is pushed on its own first (the heartbeat's
    reads of the whole floor take long on a big floor), then the heartbeat."""
    tasks.floor_heartbeat.apply()
    (first,) = listener.collect(1)
    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    tasks.floor_heartbeat.apply()
    change, beat = listener.collect(2)
    ann = f"a{cast.ann_agent.pk}"
    assert change["seq"] == first["seq"] + 1 and beat["seq"] == change["seq"] + 1
    assert list(change["delta"]["set"]["agents"]) == [ann]
    assert ann not in beat["delta"]["set"].get("agents", {})


async def test_the_in_process_scheduler_coalesces_a_burst_and_beats(cast, source, listener):
    scheduler = push.LocalScheduler(heartbeat_s=1.5).start()
    scheduler.attach()
    try:
        await asyncio.sleep(0.5)
        first = await sync_to_async(listener.collect, thread_sensitive=False)(0.3)  # the first beat
        assert len(first) == 1
        for _ in range(30):
            floor_changed.send(sender=None, site="main")
        burst = await sync_to_async(listener.collect, thread_sensitive=False)(0.6)
        assert len(burst) == 1 and burst[0]["seq"] == first[0]["seq"] + 1
        beats = await sync_to_async(listener.collect, thread_sensitive=False)(1.6)
        assert len(beats) >= 1 and beats[0]["seq"] == burst[0]["seq"] + 1
    finally:
        scheduler.stop()
        await asyncio.sleep(0)


def test_the_snapshot_api_is_fresh_before_any_board_attaches_the_scheduler(cast, source):
    scheduler = push.LocalScheduler(heartbeat_s=60).start()
    try:
        first = push.floor_current(site="main")
        ingest(source.source, [event("agent_login", member="PJSIP/2004")])

        current = push.floor_current(site="main")

        assert current["seq"] == first["seq"] + 1
        assert f"a{cast.ann_agent.pk}" in current["snapshot"]["agents"]
        assert push.floor_current(site="main")["seq"] == current["seq"]  # nothing new: no push
    finally:
        scheduler.stop()


async def test_a_socket_connecting_mid_stream_chains_from_its_snapshot(cast, source):
    from channels.testing import WebsocketCommunicator

    from callfloor.asgi import application
    from tests.metrics.board.conftest import session_headers

    await sync_to_async(push.floor_push)(site="main")
    await sync_to_async(push.floor_push)(site="main")
    headers = await sync_to_async(session_headers)(cast.sam)
    socket = WebsocketCommunicator(application, "/ws/floor/", headers=headers)
    assert (await socket.connect(timeout=5))[0]
    snapshot = await socket.receive_json_from(timeout=5)
    assert snapshot["seq"] == 2
    await sync_to_async(push.floor_push)(site="main")
    delta = await socket.receive_json_from(timeout=5)
    assert delta["type"] == "delta" and delta["seq"] == 3
    await socket.disconnect()


@pytest.fixture
def pushes_by_hand(monkeypatch):
    """Ingestion does not push: the test calls floor_push itself (a committed change only
    records what it touched, for the next push)."""
    monkeypatch.setattr(tasks.refresh_floor, "apply_async", lambda *a, **k: None)


def test_a_push_diffs_against_the_snapshot_the_cache_names_current(
    cast, source, listener, pushes_by_hand
):
    from django.core.cache import cache

    from metrics.board import delta as floor_delta

    mine = push.floor_push(site="main")  # this process keeps it to diff the next push against
    assert mine["type"] == "floor.snapshot" and not mine["snapshot"]["agents"]
    # The cache loses its data, and another process pushes a floor that changed since:
    # the sequence is back where this process's own snapshot stands.
    cache.clear()
    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    kept = dict(floor_state._kept)  # another process: it keeps no floor of its own
    floor_state._kept.clear()
    try:
        theirs = push.floor_push(site="main")
    finally:
        floor_state._kept.clear()
        floor_state._kept.update(kept)
    assert theirs["seq"] == mine["seq"] and theirs["snapshot"]["agents"]

    ingest(source.source, [event("agent_logout", member="PJSIP/2004")])
    after = push.floor_push(site="main")
    assert after["type"] == "floor.delta" and after["seq"] == theirs["seq"] + 1
    # Boards hold what the other process pushed: the delta must take them to the new floor.
    current = push.floor_stored(site="main")
    assert floor_delta.apply(theirs["snapshot"], after["delta"]) == current["snapshot"]
    assert not current["snapshot"]["agents"]


@contextlib.contextmanager
def cache_reads():
    """The keys read from the cache inside the block ("floor_stored": the stored floor)."""
    from django.core.cache import cache

    reads: list[str] = []
    get, stored = cache.get, push.floor_stored
    cache.get = lambda key, *a, **k: reads.append(key) or get(key, *a, **k)
    push.floor_stored = lambda **k: reads.append("floor_stored") or stored(**k)
    try:
        yield reads
    finally:
        del cache.get
        push.floor_stored = stored


@contextlib.contextmanager
def stored_writes(site: str):
    """The Redis commands that store the floor of `site` (its section hashes) inside the
    block, as `(command, section, fields)`."""
    from redis.client import Pipeline

    writes: list[tuple] = []
    original = Pipeline.execute_command

    def recording(self, *args, **options):
        name, key = args[0], str(args[1]) if len(args) > 1 else ""
        if name in ("HSET", "HDEL", "DEL") and f"floor:{site}:stored:" in key:
            fields = args[2::2] if name == "HSET" else args[2:]
            writes.append((name, key.rsplit(":", 1)[-1], set(fields)))
        return original(self, *args, **options)

    Pipeline.execute_command = recording
    try:
        yield writes
    finally:
        Pipeline.execute_command = original


def test_a_push_stores_only_what_it_changed_and_the_stored_floor_reads_whole(
    cast, source, listener, pushes_by_hand
):
    """The pushed floor is stored for the sockets that open: a push after the first writes
    only the entries its delta set or removed (a 5,000-agent floor is 1.3 MB whole), and what
    a socket reads back equals the pushed floor. When Redis has lost part of it (an evicted
    section), the reader finds nothing rather than a floor with holes, and the next push
    stores it whole again."""
    from django.core.cache import cache

    from metrics.board import state as floor_state

    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    ingest(source.source, [event("agent_login", member="PJSIP/2005")])
    first = push.floor_push(site="main")
    assert len(first["snapshot"]["agents"]) == 2
    with stored_writes("main") as writes:
        ingest(source.source, [event("agent_logout", member="PJSIP/2005")])
        second = push.floor_push(site="main")
    ann, bob = f"a{cast.ann_agent.pk}", f"a{cast.bob_agent.pk}"
    assert ("DEL", "agents", set()) not in writes  # not stored whole again
    written = {(name, section): fields for name, section, fields in writes}
    assert bob in written.get(("HSET", "agents"), set()) | written.get(("HDEL", "agents"), set())
    assert ann not in written.get(("HSET", "agents"), set())
    stored = push.floor_stored(site="main")
    assert stored["seq"] == second["seq"]
    assert stored["snapshot"] == floor_state._kept["main"].parts.snapshot

    client, backend = marks._redis()
    client.delete(push._section_key(backend, "main", "agents"))  # evicted
    assert push.floor_stored(site="main") is None
    ingest(source.source, [event("agent_logout", member="PJSIP/2004")])
    push.floor_push(site="main")
    stored = push.floor_stored(site="main")
    assert stored is not None
    assert stored["snapshot"] == floor_state._kept["main"].parts.snapshot
    assert cache.get(push._key("main", "current_id")) == stored["id"]


def test_consecutive_pushes_of_a_process_chain_without_reading_the_snapshot_back(
    cast, source, listener, pushes_by_hand
):

    from metrics.board import delta as floor_delta

    first = push.floor_push(site="main")
    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    with cache_reads() as reads:
        second = push.floor_push(site="main")
    assert "floor_stored" not in reads
    assert second["type"] == "floor.delta" and second["seq"] == first["seq"] + 1
    current = push.floor_stored(site="main")
    assert floor_delta.apply(first["snapshot"], second["delta"]) == current["snapshot"]
    assert list(second["delta"]["set"]["agents"]) == [f"a{cast.ann_agent.pk}"]


def test_a_socket_process_encodes_the_whole_floor_once_per_push(
    cast, source, listener, pushes_by_hand
):
    """Opening boards: the whole floor's snapshot is read and encoded once per push in a
    process, not once per socket; the next push makes a new one."""
    import json

    push._snapshot_texts.clear()
    first = push.floor_push(site="main")
    seq, text = push.floor_current_text(site="main")
    stored = push.floor_stored(site="main")
    assert seq == first["seq"]
    assert json.loads(text) == {
        "type": "snapshot",
        "seq": seq,
        "now": stored["now"],
        "snapshot": json.loads(json.dumps(stored["snapshot"])),
    }
    with cache_reads() as reads:
        again = push.floor_current_text(site="main")
    assert again[1] is text  # the same text, not encoded again
    assert "floor_stored" not in reads  # nor the snapshot read back

    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    second = push.floor_push(site="main")
    seq, newer = push.floor_current_text(site="main")
    assert seq == second["seq"] == first["seq"] + 1
    assert f"a{cast.ann_agent.pk}" in json.loads(newer)["snapshot"]["agents"]
    assert f"a{cast.ann_agent.pk}" not in json.loads(text)["snapshot"]["agents"]


# --- when the refresh runs: the coalescing window as a throttle with a leading edge -------------
#
# A change on a floor that no push started within the window is pushed at once; a change
# during the window waits for its end; pushes of a site start at least a window apart, one at
# a time across processes (the site lock). Through a real Celery worker on the Redis broker and
# the Redis channel layer, as in production. The window is set in the test process, where the
# changes schedule their refresh (the worker only runs what it is given).


@pytest.fixture
def scheduled():
    """Changes schedule their refresh on the worker (not run eagerly in the test process).
    (Celery's own conf: it has read the Django setting already.)"""
    from callfloor.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    try:
        yield
    finally:
        app.conf.task_always_eager = eager


def _pause(source, n: int) -> None:
    ingest(
        source.source,
        [event("agent_status", member="PJSIP/2004", status="not_ready", reason=f"r-{n}")],
    )


def _reason(message: dict, agent: str) -> str | None:
    body = message.get("delta") or {}
    row = body.get("set", {}).get("agents", {}).get(agent)
    return None if row is None else row.get("reason")


def _board(messages: list[dict]) -> dict:
    """A board's data after `messages` (a snapshot first, then deltas in order, no gap)."""
    data = None
    for message in messages:
        if message["type"] == "floor.snapshot":
            data = message["snapshot"]
        else:
            data = floor_delta.apply(data, message["delta"])
    return data


def test_a_change_on_a_quiet_floor_is_pushed_without_waiting_for_the_window(
    cast, source, floor_worker, listener, scheduled, monkeypatch
):
    window = 2.0
    monkeypatch.setattr(push, "COALESCE_S", window)
    ann = f"a{cast.ann_agent.pk}"
    ingest(source.source, [event("agent_login", member="PJSIP/2004")])
    (first,) = listener.collect(window + 3)  # the site's first push; then a quiet window

    changed = time.time()
    _pause(source, 1)
    leading = listener.messages.get(timeout=1.0)  # not the window's 2 s
    assert leading["now"] - changed < 1.0
    assert leading["seq"] == first["seq"] + 1 and _reason(leading, ann) == "r-1"

    # A change right after that push waits for the end of its window, then is pushed.
    _pause(source, 2)
    assert listener.collect(window - 0.5) == []
    (trailing,) = listener.collect(3)
    assert trailing["now"] - leading["now"] >= window - 0.1
    assert trailing["seq"] == leading["seq"] + 1 and _reason(trailing, ann) == "r-2"


def test_a_steady_stream_of_changes_gets_at_most_one_push_per_window(
    cast, source, floor_worker, listener, scheduled, monkeypatch
):
    window = 0.4
    monkeypatch.setattr(push, "COALESCE_S", window)
    push.floor_push(site="main")  # boards hold this snapshot
    begin = time.monotonic()
    n = 0
    while time.monotonic() - begin < 2.0:
        n += 1
        _pause(source, n)
        time.sleep(0.03)
    messages = listener.collect(window + 2)

    starts = [m["now"] for m in messages[1:]]
    assert 3 <= len(starts) <= 2.0 / window + 2, starts
    assert all(b - a >= window - 0.05 for a, b in itertools.pairwise(starts)), starts
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    # Nothing lost: the last push shows the last change, the board equals a fresh snapshot.
    assert _board(messages) == floor_snapshot(site="main")
    assert _board(messages)["agents"][f"a{cast.ann_agent.pk}"]["reason"] == f"r-{n}"


def test_two_processes_never_push_the_same_site_at_once(
    cast, source, floor_worker, listener, scheduled
):
    """The worker's refresh waits while another process pushes the site, and pushes that
    race from two processes get consecutive numbers in the order they are sent."""
    first = push.floor_push(site="main")
    assert listener.messages.get(timeout=3)["seq"] == first["seq"]
    with push._site_lock("main"):  # another process is pushing the site
        _pause(source, 1)
        assert listener.collect(1.0) == []
    (after,) = listener.collect(3)
    assert after["seq"] == first["seq"] + 1
    assert _reason(after, f"a{cast.ann_agent.pk}") == "r-1"

    # The worker pushes the stream of changes while this process pushes the site too.
    stop = threading.Event()

    def changes() -> None:
        n = 1
        while not stop.is_set():
            n += 1
            _pause(source, n)
            time.sleep(0.02)

    writer = threading.Thread(target=changes)
    writer.start()
    try:
        for _ in range(8):
            push.floor_push(site="main")
            time.sleep(0.05)
    finally:
        stop.set()
        writer.join()
    messages = [first, after, *listener.collect(3)]
    assert [m["seq"] for m in messages] == list(range(1, len(messages) + 1))
    assert len(messages) >= 10
    assert _board(messages) == floor_snapshot(site="main")


def test_a_trailing_refresh_that_has_nothing_new_sends_nothing_and_takes_no_number(
    cast, source, listener, monkeypatch
):
    """A change that comes while a push is starting schedules a trailing refresh; when that
    push already showed it, the trailing refresh sends nothing (no empty message, no number
    used up); when it did not, the trailing refresh sends it."""
    monkeypatch.setattr(tasks.refresh_floor, "apply_async", lambda *a, **k: None)
    ann = f"a{cast.ann_agent.pk}"
    first = push.floor_push(site="main")
    tasks.refresh_floor(site="main", trailing=True)  # nothing marked since
    tasks.floor_mark_dirty(site="main")  # marked, but nothing a board shows changed
    tasks.refresh_floor(site="main", trailing=True)
    assert [m["seq"] for m in listener.collect(1)] == [first["seq"]]

    _pause(source, 1)
    tasks.refresh_floor(site="main", trailing=True)
    (sent,) = listener.collect(1)
    assert sent["seq"] == first["seq"] + 1 and _reason(sent, ann) == "r-1"

    assert push.floor_stored(site="main")["seq"] == sent["seq"]
    # A push that is not a trailing one still sends (the heartbeat's empty delta included).
    beat = push.floor_push(site="main", heartbeat=True)
    assert beat["seq"] == sent["seq"] + 1 and beat["delta"] == {"set": {}, "remove": {}}
