"""Writes for telephony: ingest events, keep queue calls, agent states and rollups current.

Every adapter (queue_log import and follower, the JSON events API, the simulator) ends in
`events_ingest`. It stores each raw event once by its natural key, feeds the new ones to the
KPI engine (`metrics.kpi.Engine`, whose open state is kept per row between batches), and
in the same transaction writes the calls and agent intervals the engine changed and the deltas
of the per-queue per-interval rollups (`QueueInterval`) and per-member daily counters
(`AgentDay`). After commit it sends `metrics.signals.floor_changed(site=source.site)`.
"""

from __future__ import annotations

import io
import json
import re
import threading
import time
import uuid
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext

from agents.models import TelephonyAlias
from callfloor.errors import DomainError
from metrics import kpi
from metrics.models import (
    AgentDay,
    AgentState,
    CallEvent,
    EngineCall,
    EngineMember,
    Queue,
    QueueAlias,
    QueueCall,
    QueueInterval,
    SourceKind,
    TelephonySource,
    validate_time_zone,
)
from metrics.queue_log import Event, LineError, text_problem
from metrics.signals import floor_changed

# The normalised event every adapter produces (the queue_log vocabulary; see metrics.queue_log).
NormalisedEvent = Event

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"
# AgentDay keeps the call counters that do not depend on a queue's thresholds.
AGENT_FIELDS = (
    "answered",
    "transferred",
    "aht_n",
    "talk_sum",
    "hold_sum",
    "acw_sum",
    "ring_known_n",
    "ring_fast_n",
)


@dataclass(slots=True)
class ItemResult:
    index: int
    key: str
    status: str
    reason: str = ""
    # Accepted but not counted in any KPI (e.g. CONFIGRELOAD, an ABANDON of an unknown call).
    ignored: bool = False


@dataclass(slots=True)
class IngestResult:
    """Per-item outcome of one batch, in the order of the batch."""

    items: list[ItemResult] = field(default_factory=list)

    def count(self, status: str) -> int:
        return sum(1 for item in self.items if item.status == status)

    @property
    def accepted(self) -> int:
        return self.count(ACCEPTED)

    @property
    def duplicates(self) -> int:
        return self.count(DUPLICATE)

    @property
    def rejected(self) -> int:
        return self.count(REJECTED)


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.CALLFLOOR_TIME_ZONE)


def _dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def _acw_reasons() -> set[str]:
    reasons = set(kpi.DEFAULT_ACW_REASONS)
    for value in Queue.objects.values_list("acw_reasons", flat=True):
        reasons.update(value or [])
    return reasons


# -- sources ----------------------------------------------------------------------------------


def source_create(
    *, name: str, kind: str, site: str = "main", time_zone: str = "UTC"
) -> tuple[TelephonySource, str]:
    """Create a telephony source and its ingest token (returned once, only its hash is kept)."""
    if kind not in SourceKind.values:
        raise DomainError(f"Unknown source kind {kind!r}.", field="kind")
    if TelephonySource.objects.filter(name=name).exists():
        raise DomainError(f"A source named {name!r} exists.", field="name")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="time_zone") from None
    source = TelephonySource(name=name, kind=kind, site=site, time_zone=time_zone)
    token = source.issue_token()
    source.save()
    return source, token


def source_token_rotate(*, source: TelephonySource, actor=None) -> str:
    """Replace the source's ingest token; the old one stops working at once."""
    from agents.services import audit_record

    token = source.issue_token()
    source.save(update_fields=["token_hash"])
    audit_record(actor=actor, action="telephony_source.token_issued", target=source)
    return token


# -- ingestion --------------------------------------------------------------------------------


def event_window(*, live: bool) -> tuple[float, float]:
    """The times (epoch seconds) a source's events may carry: from `CALLFLOOR_EVENT_EARLIEST`
    (and, for events sent `live`, at most `CALLFLOOR_EVENT_MAX_AGE_DAYS` old) to
    `CALLFLOOR_EVENT_MAX_FUTURE_S` ahead of now."""
    now = time.time()
    earliest = datetime.fromisoformat(settings.CALLFLOOR_EVENT_EARLIEST)
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    start = earliest.timestamp()
    if live and settings.CALLFLOOR_EVENT_MAX_AGE_DAYS > 0:
        start = max(start, now - settings.CALLFLOOR_EVENT_MAX_AGE_DAYS * 86_400)
    return start, now + settings.CALLFLOOR_EVENT_MAX_FUTURE_S


def _time_problem(ts: float, window: tuple[float, float]) -> str | None:
    if window[0] <= ts <= window[1]:
        return None
    try:
        shown = datetime.fromtimestamp(ts, UTC).isoformat()
    except (OverflowError, OSError, ValueError):
        shown = repr(ts)
    first, last = (datetime.fromtimestamp(t, UTC).isoformat() for t in window)
    return gettext("time %(time)s is outside the accepted window (%(first)s to %(last)s)") % {
        "time": shown,
        "first": first,
        "last": last,
    }


def _queues_refused(source: TelephonySource, names: set[str]) -> dict[str, str]:
    """The queue names `source` may not feed, each with its reason: a queue (or alias) of
    another site, or one outside the source's own queues when it has some."""
    names = {n for n in names if n}
    if not names:
        return {}
    found: dict[str, Queue] = {
        a.name: a.queue for a in QueueAlias.objects.filter(name__in=names).select_related("queue")
    }
    for queue in Queue.objects.filter(name__in=names - set(found)):
        found[queue.name] = queue
    own = set(source.queues.values_list("pk", flat=True))
    refused = {}
    for name in names:
        queue = found.get(name)
        if queue is not None and queue.site != source.site:
            refused[name] = gettext("queue %(name)r belongs to another site") % {"name": name}
        elif own and (queue is None or queue.pk not in own):
            refused[name] = gettext("queue %(name)r is not one of this source's queues") % {
                "name": name
            }
    return refused


def events_ingest(
    *,
    source: TelephonySource,
    events: list[NormalisedEvent],
    window: tuple[float, float] | None = None,
) -> IngestResult:
    """Store and apply one batch of events of one source (see the module docstring).

    Each event needs a natural key (`event.key`); an event whose key the source already sent
    is a duplicate and changes nothing. A malformed number or text, a time outside `window`
    (default: `event_window(live=False)`) or a queue the source may not feed rejects that
    event only. Batches of one source are applied one at a time (the source row is locked).
    """
    result = IngestResult([ItemResult(i, e.key, ACCEPTED) for i, e in enumerate(events)])
    window = window or event_window(live=False)
    fresh: dict[str, int] = {}
    for index, event in enumerate(events):
        item = result.items[index]
        if not event.key:
            item.status, item.reason = REJECTED, "missing event id"
            continue
        problem = text_problem(event) or _time_problem(event.ts, window)
        if problem is not None:
            item.status, item.reason = REJECTED, problem
            continue
        try:
            kpi.check_numbers(event)
        except LineError as error:
            item.status, item.reason = REJECTED, str(error)
            continue
        if event.key in fresh:
            item.status, item.reason = DUPLICATE, "repeated in this batch"
            continue
        fresh[event.key] = index

    with transaction.atomic():
        source = TelephonySource.objects.select_for_update().get(pk=source.pk)
        _VENDOR[0] = connection.vendor
        refused = _queues_refused(source, {events[i].queue for i in fresh.values()})
        for key in [k for k, i in fresh.items() if events[i].queue in refused]:
            item = result.items[fresh.pop(key)]
            item.status, item.reason = REJECTED, refused[events[item.index].queue]
        stored = _events_store(source, [events[i] for i in fresh.values()])
        if stored:
            newest = _dt(max(events[i].ts for k, i in fresh.items() if k in stored))
            TelephonySource.objects.filter(pk=source.pk).filter(
                models.Q(events_until__isnull=True) | models.Q(events_until__lt=newest)
            ).update(events_until=newest)
        for key in list(fresh):
            if key not in stored:
                item = result.items[fresh.pop(key)]
                item.status, item.reason = DUPLICATE, "already received"
        todo = sorted(((events[i], i) for i in fresh.values()), key=lambda p: p[0].sort_key())
        engine, saved = _engine_load(source) if todo else (None, None)
        for event, index in todo:
            if not engine.feed(event):
                result.items[index].ignored = True
        if todo:
            _store(source, engine, since=todo[0][0].ts)
            _engine_save(source, engine, saved)
            site = source.site
            transaction.on_commit(lambda: floor_changed.send(sender=TelephonySource, site=site))
    return result


@dataclass(slots=True)
class ImportCounts:
    """What `events_import` did with a batch: the counts a file import reports."""

    used: int = 0
    ignored: int = 0
    duplicates: int = 0
    rejected: list[tuple[int, str]] = field(default_factory=list)  # (seq, reason)


@dataclass(slots=True)
class PreparedBatch:
    """A batch of file events checked and put in order without the database
    (`events_prepare`), e.g. while the previous batch is being stored."""

    events: list[Event]  # valid and once each, as received
    ordered: list[Event]  # the same in the engine's order
    counts: ImportCounts  # the lines rejected, and those repeated within the batch
    queue_names: set[str]
    members: set[str]
    # (engine, lines used): fed ahead to the engine of the batch before it (`_feed_ahead`).
    fed: tuple[kpi.Engine, int] | None = None

    def __len__(self) -> int:
        return len(self.events)


def events_prepare(events: list[Event]) -> PreparedBatch:
    """Check a batch's events (keys, numbers, repeats) and order them for the engine."""
    counts = ImportCounts()
    fresh: dict[str, Event] = {}
    check = kpi.check_numbers
    # The parser checked the lines' text (`text_problem`); the times are checked here.
    earliest, latest = event_window(live=False)
    for event in events:
        key = event.key
        if not key or len(key) > 200:
            reason = "missing event id" if not key else "event id longer than 200 characters"
            counts.rejected.append((event.seq, reason))
            continue
        if not earliest <= event.ts <= latest:
            counts.rejected.append((event.seq, _time_problem(event.ts, (earliest, latest))))
            continue
        try:
            check(event)
        except LineError as error:
            counts.rejected.append((event.seq, str(error)))
            continue
        if key in fresh:
            counts.duplicates += 1
            continue
        fresh[key] = event
    valid = list(fresh.values())
    return PreparedBatch(
        valid,
        sorted(valid, key=Event.sort_key),
        counts,
        {e.queue for e in valid},
        {e.member for e in valid if e.member},
    )


def events_import(
    *,
    source: TelephonySource,
    events: list[Event] | PreparedBatch,
    meanwhile: Callable[[], object] | None = None,
) -> ImportCounts:
    """`events_ingest` for a batch of a queue_log file in the file layout (PostgreSQL).

    It stores the same rows, applies the same checks and keeps the engine's state the same
    way, but returns counts instead of per-item results, looks up already-received keys only
    when the batch does not start after the source's newest stored event (a line's key holds
    its time), and runs the batch's writes in a writer thread: the engine, the rows' text and
    `meanwhile` (e.g. reading and preparing the next batch of the file) run while PostgreSQL
    works, before the batch's transaction commits. When `meanwhile` returns the next
    `PreparedBatch` and all of it comes after every event stored so far, the engine is fed that
    batch too while it waits (`_feed_ahead`); the next call then only stores it.
    """
    batch = events if isinstance(events, PreparedBatch) else events_prepare(events)
    counts = batch.counts

    with transaction.atomic():
        source = TelephonySource.objects.select_for_update().get(pk=source.pk)
        _VENDOR[0] = connection.vendor
        new = _events_unseen(source, batch.events)
        counts.duplicates += len(batch.events) - len(new)
        refused = _queues_refused(source, batch.queue_names)
        if refused:
            counts.rejected.extend((e.seq, refused[e.queue]) for e in new if e.queue in refused)
            new = [e for e in new if e.queue not in refused]
        if not new:
            if meanwhile:
                meanwhile()
            return counts
        if len(new) == len(batch.events):
            todo = batch.ordered
        else:
            keys = {e.key for e in new}
            todo = [e for e in batch.ordered if e.key in keys]
        engine, saved = _engine_load(source)
        fed = batch.fed
        if fed is not None and (fed[0] is not engine or len(new) != len(batch.events)):
            # Fed ahead to an engine that is not this source's state any more (another process
            # stored a batch of the source since), or with events found stored since: start
            # again from the stored state.
            if fed[0] is engine:
                engine, saved = _engine_load(source, reuse=False)
            fed = None
        # Read what storing the batch will most likely need (the members and queues the
        # engine knows and the batch names), so the writes can start before the engine runs.
        prefetched = _prefetch(
            source,
            queue_names=batch.queue_names
            | {m.queue for m in engine.members.values()}
            | {c.queue for c in engine.calls.values()},
            members=set(engine.members) | batch.members,
        )
        received = timezone.now().isoformat()
        writer = _BATCH.writer = _Writer(connection)
        try:
            # Check foreign keys as rows go in (in the writer) rather than all at commit.
            writer.submit(lambda cursor: cursor.execute("SET CONSTRAINTS ALL IMMEDIATE"))
            # The raw events in parts, so that the database starts on the first part while
            # the text of the next one is made.
            for start in range(0, len(new), EVENT_COPY_ROWS):
                part = new[start : start + EVENT_COPY_ROWS]
                _copy_text(
                    CallEvent._meta.db_table, EVENT_COLUMNS, _event_text(source.pk, part, received)
                )
            newest = max(e.ts for e in new)
            writer.submit(_events_until_raise(source.pk, newest))
            used = _feed(engine, todo) if fed is None else fed[1]
            counts.used += used
            counts.ignored += len(todo) - used
            _store(source, engine, since=todo[0].ts, prefetched=prefetched)
            _engine_save(source, engine, saved)
            upcoming = meanwhile() if meanwhile else None
            if isinstance(upcoming, PreparedBatch):
                until = source.events_until.timestamp() if source.events_until else newest
                _feed_ahead(engine, upcoming, after=max(newest, until))
            writer.wait()
            with connection.cursor() as cursor:
                # Back to Django's deferred checks for the rest of an enclosing transaction.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        finally:
            _BATCH.writer = None
            writer.close()
        if todo[-1].ts >= time.time() - HISTORY_S:
            site = source.site
            transaction.on_commit(lambda: floor_changed.send(sender=TelephonySource, site=site))
    return counts


def _feed(engine: kpi.Engine, events: list[Event]) -> int:
    """Feed events in order; return how many counted."""
    feed = engine.feed
    used = 0
    for event in events:
        if feed(event):
            used += 1
    return used


def _feed_ahead(engine: kpi.Engine, batch: PreparedBatch, *, after: float) -> None:
    """Feed the next batch while this one is stored, when none of its events can be stored
    already (all of them later than `after`, the newest stored event: their keys hold their
    time). Its changes stay in the engine until the next `_store` drains them."""
    if batch.ordered and _after_stored(batch.ordered[0].ts, after):
        batch.fed = (engine, _feed(engine, batch.ordered))


def _after_stored(first_ts: float, newest_stored_ts: float | None) -> bool:
    """Whether a batch starting at `first_ts` comes after every stored event of its source
    (1 ms of margin: stored times are rounded to the microsecond)."""
    return newest_stored_ts is None or first_ts > newest_stored_ts + 0.001


# A file batch whose newest event is older than this is history: it does not signal the
# floor. Whoever imports history signals once at the end (`import_queue_log` does), and the
# floor's heartbeat pushes it anyway; a floor refresh per batch of an old file would only
# repeat the same figures of today.
HISTORY_S = 86_400.0


def _events_unseen(source: TelephonySource, events: list[Event]) -> list[Event]:
    """The events whose key the source has not sent before (PostgreSQL; the source is locked).

    A batch that starts after the source's newest stored event cannot hold a stored line (a
    line's key is a digest of its text, time included): no look-up then.
    """
    if not events:
        return []
    until = source.events_until
    if _after_stored(min(e.ts for e in events), until.timestamp() if until else None):
        return events
    table = CallEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT natural_key FROM {table} "  # noqa: S608
            "WHERE source_id = %s AND natural_key = ANY(%s)",
            [source.pk, [e.key for e in events]],
        )
        known = {r[0] for r in cursor.fetchall()}
    return [e for e in events if e.key not in known]


def _events_until_raise(source_pk: int, ts: float) -> Callable:
    """A `_pg` job: the source's newest stored event is at least at `ts`."""

    def job(cursor) -> None:
        cursor.execute(
            f"UPDATE {TelephonySource._meta.db_table} SET events_until = %s "  # noqa: S608
            "WHERE id = %s AND (events_until IS NULL OR events_until < %s)",
            [_dt(ts), source_pk, _dt(ts)],
        )

    return job


class _Writer:
    """Runs the writes of one batch in order in a thread, on the caller's PostgreSQL
    connection and transaction, so that the caller computes while the server works
    (psycopg2 releases the GIL while it waits for the server).

    While writes are pending the caller must not use the connection: it reads first, then
    hands writes over, then `wait()`s.
    """

    def __init__(self, conn) -> None:
        conn.ensure_connection()
        self.conn = conn
        self.cursor = conn.connection.cursor()
        self.pool = ThreadPoolExecutor(max_workers=1)
        self.pending: list[Future] = []

    def submit(self, job: Callable) -> None:
        self.pending.append(self.pool.submit(job, self.cursor))

    def wait(self) -> None:
        """Wait for every write handed over; raise the first error (as Django's error)."""
        pending, self.pending = self.pending, []
        errors = [e for e in (f.exception() for f in pending) if e is not None]
        if errors:
            with self.conn.wrap_database_errors:
                raise errors[0]

    def close(self) -> None:
        self.pool.shutdown(wait=True)
        self.cursor.close()


# `writer`: the writer of the batch this thread stores with `events_import` (None: write at
# once). Per thread, as Django's connections are.
_BATCH = threading.local()
_BATCH.writer = None


def _pg(job: Callable) -> None:
    """Run a write on the raw PostgreSQL cursor: in the batch's writer when one runs."""
    writer = getattr(_BATCH, "writer", None)
    if writer is not None:
        writer.submit(job)
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        job(cursor.cursor)


def sources_advance(
    *, now: datetime, margin_s: float = 10.0, sources: list[TelephonySource] | None = None
) -> int:
    """Let the telephony clock run to `now - margin_s` for sources that went quiet.

    An answered call whose talk ended counts in AHT once its after-call-work window has passed
    (kpi.md); normally the source's next event closes that window, this closes it when no
    event comes. The margin leaves time for a follower to read lines written just before
    `now`. Returns the number of calls that ended.
    """
    ended = 0
    until = now.timestamp() - margin_s
    for candidate in (
        sources if sources is not None else TelephonySource.objects.filter(active=True).only("pk")
    ):
        with transaction.atomic():
            source = TelephonySource.objects.select_for_update().get(pk=candidate.pk)
            engine, saved = _engine_load(source)
            if not engine.has_pending(until):
                _engine_keep(source, engine, saved)
                continue
            _VENDOR[0] = connection.vendor
            engine.advance(until)
            ended += _store(source, engine, since=float("inf"))
            _engine_save(source, engine, saved)
            site = source.site
            transaction.on_commit(
                lambda site=site: floor_changed.send(sender=TelephonySource, site=site)
            )
    return ended


# -- the engine's open state between batches ----------------------------------------------------
# One row per open call (EngineCall) and per member (EngineMember), each holding the state
# `kpi.Engine.dump` gives it; the source keeps the clock, the flags and a version. A batch
# rewrites only the rows whose state changed, so its cost follows the batch, not the size of
# the floor. After commit the process keeps the engine it saved: the next batch of the source
# reuses it when the version on the (locked) source row is still the one it wrote.

_ENGINE_INDEXES = ("talking", "pending", "in_acw")
_HEAD = ("clock", "saw_acw", "saw_hold", "version")


@dataclass(slots=True)
class _SavedState:
    """The rows as stored: key → state, to tell what a batch changed."""

    calls: dict[tuple[str, str], dict]
    members: dict[str, dict]
    head: dict


# source pk → (version, engine, saved state) of the last batch this process committed.
_engines: dict[int, tuple[str, kpi.Engine, _SavedState]] = {}


def _engine_load(source: TelephonySource, *, reuse: bool = True) -> tuple[kpi.Engine, _SavedState]:
    """The engine of `source` as its last batch left it (the source row is locked); with
    `reuse`, the engine this process kept after committing it, if it is still that state."""
    head = {k: v for k, v in (source.engine_state or {}).items() if k in _HEAD}
    acw_reasons = frozenset(_acw_reasons())
    # Taken out: a batch that fails leaves nothing behind to reuse.
    kept = _engines.pop(source.pk, None)
    if (
        reuse
        and kept is not None
        and head.get("version") is not None
        and kept[0] == head["version"]
        and kept[1].acw_reasons == acw_reasons
    ):
        return kept[1], kept[2]
    state: dict = {
        "clock": head.get("clock", 0.0),
        "saw_acw": head.get("saw_acw", False),
        "saw_hold": head.get("saw_hold", False),
        "calls": [],
        "members": {},
        **{name: {} for name in _ENGINE_INDEXES},
    }
    calls: dict[tuple[str, str], dict] = {}
    for call_id, queue, data in _engine_rows(EngineCall, source, ("call_id", "queue")):
        calls[(call_id, queue)] = data
        call = dict(data)  # the lists too: `saved` must not change with the engine
        if call.get("stored") is not None:
            call["stored"] = list(call["stored"])
        for name, member in call.pop("refs", ()):
            state[name][member] = (call_id, queue)
        state["calls"].append(call)
    members: dict[str, dict] = {}
    for member, data in _engine_rows(EngineMember, source, ("member",)):
        members[member] = data
        state["members"][member] = {**data, "logins": list(data.get("logins") or ())}
    engine = kpi.Engine.load(state, acw_reasons=acw_reasons)
    return engine, _SavedState(calls, members, head)


def _engine_keep(source: TelephonySource, engine: kpi.Engine, saved: _SavedState) -> None:
    """Keep an engine that was loaded and left unchanged for the source's next batch."""
    version = saved.head.get("version")
    if version is not None:
        _engines[source.pk] = (version, engine, saved)


def _engine_rows(model, source: TelephonySource, keys: tuple[str, ...]) -> list[list]:
    """[*keys, state] of each row of `source`. On PostgreSQL as one JSON array decoded once:
    a thousand rows decoded one by one cost several times more."""
    if connection.vendor != "postgresql":
        return [
            list(row) for row in model.objects.filter(source=source).values_list(*keys, "state")
        ]
    columns = ", ".join((*keys, "state"))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT coalesce(json_agg(json_build_array({columns})), '[]')::text "  # noqa: S608
            f"FROM {model._meta.db_table} WHERE source_id = %s",
            [source.pk],
        )
        return json.loads(cursor.fetchone()[0])


def _engine_save(source: TelephonySource, engine: kpi.Engine, saved: _SavedState) -> None:
    """Write the rows whose state differs from the stored one; delete those the engine let go."""
    refs: dict[tuple[str, str], list[list[str]]] = defaultdict(list)
    for name, index in (
        ("talking", engine._talking),
        ("pending", engine._pending),
        ("in_acw", engine._in_acw),
    ):
        for member, call in index.items():
            refs[(call.call_id, call.queue)].append([name, member])
    call_rows = []
    for key, call in engine.calls.items():
        data = call.to_state()
        if key in refs:
            data["refs"] = refs[key]
        if saved.calls.get(key) != data:
            saved.calls[key] = data
            call_rows.append((key[0], key[1], data))
    gone_calls = [key for key in saved.calls if key not in engine.calls]
    member_rows = []
    for name, member in engine.members.items():
        data = member.to_state()
        if saved.members.get(name) != data:
            saved.members[name] = data
            member_rows.append((name, data))
    gone_members = [name for name in saved.members if name not in engine.members]
    for key in gone_calls:
        del saved.calls[key]
    for name in gone_members:
        del saved.members[name]
    version = uuid.uuid4().hex
    saved.head = {
        "clock": engine.clock,
        "saw_acw": engine.saw_acw,
        "saw_hold": engine.saw_hold,
        "version": version,
    }
    source.engine_state = saved.head
    if connection.vendor == "postgresql":
        # Plain SQL through `_pg`: in a bulk import the writer runs it while the next batch
        # is read.
        _pg(_engine_rows_write(source.pk, call_rows, gone_calls, member_rows, gone_members))
        head, pk = json.dumps(saved.head), source.pk
        _pg(
            lambda cursor: cursor.execute(
                f"UPDATE {TelephonySource._meta.db_table} SET engine_state = %s "  # noqa: S608
                "WHERE id = %s",
                [head, pk],
            )
        )
    else:
        if gone_calls:
            gone = models.Q()
            for call_id, queue in gone_calls:
                gone |= models.Q(call_id=call_id, queue=queue)
            EngineCall.objects.filter(gone, source=source).delete()
        if gone_members:
            EngineMember.objects.filter(source=source, member__in=gone_members).delete()
        EngineCall.objects.bulk_create(
            [EngineCall(source=source, call_id=c, queue=q, state=d) for c, q, d in call_rows],
            update_conflicts=True,
            unique_fields=["source", "call_id", "queue"],
            update_fields=["state"],
            batch_size=500,
        )
        EngineMember.objects.bulk_create(
            [EngineMember(source=source, member=m, state=d) for m, d in member_rows],
            update_conflicts=True,
            unique_fields=["source", "member"],
            update_fields=["state"],
            batch_size=500,
        )
        source.save(update_fields=["engine_state"])
    pk = source.pk
    transaction.on_commit(lambda: _engines.__setitem__(pk, (version, engine, saved)))


def _engine_rows_write(
    source_pk: int,
    call_rows: list[tuple[str, str, dict]],
    gone_calls: list[tuple[str, str]],
    member_rows: list[tuple[str, dict]],
    gone_members: list[str],
) -> Callable:
    """The PostgreSQL writes of `_engine_save`, as one job for `_pg`."""
    calls_table, members_table = EngineCall._meta.db_table, EngineMember._meta.db_table
    dumps = json.dumps
    call_ids = [c for c, _, _ in call_rows]
    call_queues = [q for _, q, _ in call_rows]
    call_states = [dumps(d) for _, _, d in call_rows]
    members = [m for m, _ in member_rows]
    member_states = [dumps(d) for _, d in member_rows]

    def job(cursor) -> None:
        if gone_calls:
            cursor.execute(
                f"DELETE FROM {calls_table} WHERE source_id = %s AND (call_id, queue) IN "  # noqa: S608
                "(SELECT * FROM unnest(%s::text[], %s::text[]))",
                [source_pk, [c for c, _ in gone_calls], [q for _, q in gone_calls]],
            )
        if gone_members:
            cursor.execute(
                f"DELETE FROM {members_table} "  # noqa: S608
                "WHERE source_id = %s AND member = ANY(%s::text[])",
                [source_pk, gone_members],
            )
        if call_rows:
            cursor.execute(
                f"INSERT INTO {calls_table} (source_id, call_id, queue, state) "  # noqa: S608
                "SELECT %s, * FROM unnest(%s::text[], %s::text[], %s::jsonb[]) "
                "ON CONFLICT (source_id, call_id, queue) DO UPDATE SET state = EXCLUDED.state",
                [source_pk, call_ids, call_queues, call_states],
            )
        if member_rows:
            cursor.execute(
                f"INSERT INTO {members_table} (source_id, member, state) "  # noqa: S608
                "SELECT %s, * FROM unnest(%s::text[], %s::jsonb[]) "
                "ON CONFLICT (source_id, member) DO UPDATE SET state = EXCLUDED.state",
                [source_pk, members, member_states],
            )

    return job


def _insert(
    table: str,
    columns: list[str],
    rows: list[tuple],
    *,
    suffix: str = "",
    casts: dict[str, str] | None = None,
    returning: str | None = None,
) -> list | None:
    """Multi-row INSERT of plain tuples (execute_values on PostgreSQL, executemany on SQLite).

    Identifiers come from the models; every value is a parameter.
    """
    if not rows:
        return []
    names = ", ".join(columns)
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        casts = casts or {}
        template = "(" + ", ".join(f"%s::{casts[c]}" if c in casts else "%s" for c in columns) + ")"
        sql = f"INSERT INTO {table} ({names}) VALUES %s {suffix}"  # noqa: S608
        if returning:
            sql += f" RETURNING {returning}"
            with connection.cursor() as cursor:
                return execute_values(
                    cursor.cursor, sql, rows, template=template, page_size=2000, fetch=True
                )
        _pg(lambda cursor: execute_values(cursor, sql, rows, template=template, page_size=2000))
        return None
    placeholders = ", ".join(["%s"] * len(columns))
    with connection.cursor() as cursor:
        cursor.executemany(
            f"INSERT INTO {table} ({names}) VALUES ({placeholders}) {suffix}",  # noqa: S608
            rows,
        )
    return None


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_NULL = "\\N"
# Above this many rows a batch of upserts goes through COPY into a staging table.
STAGE_ROWS = 500
# Rows per COPY of raw events in a bulk import.
EVENT_COPY_ROWS = 10_000


def _num_text(value) -> str:
    return _NULL if value is None else str(value)


class _TimeTexts(dict):
    """Epoch seconds (or None) as COPY text: `texts[ts]`, each distinct second converted once."""

    __slots__ = ()

    def __missing__(self, ts: float | None) -> str:
        text = self[ts] = _NULL if ts is None else datetime.fromtimestamp(ts, UTC).isoformat()
        return text


_TIME_TEXTS = _TimeTexts()


# A file's times are whole seconds, a few thousand of them per batch, so a small cache serves
# an import; an API server sees fractional times that rarely repeat, and keeps the cache for
# as long as it runs: at most this many entries (≈ 3 MB) are kept.
TIME_TEXTS_MAX = 20_000


def _time_texts() -> _TimeTexts:
    """The time texts shared by every table of the batches of a run (bounded)."""
    if len(_TIME_TEXTS) > TIME_TEXTS_MAX:
        _TIME_TEXTS.clear()
    return _TIME_TEXTS


class _Escaped(dict):
    """Strings as COPY text (tab, newline, carriage return and backslash escaped):
    `escaped[text]`, each distinct string escaped once."""

    __slots__ = ()

    def __missing__(self, text: str) -> str:
        value = self[text] = text.translate(_COPY_ESCAPES)
        return value


def _copy_lines(table: str, columns: list[str], lines: list[str]) -> None:
    """COPY rows already in text format (one string per row, fields escaped) into a table."""
    if not lines:
        return
    lines.append("")
    _copy_text(table, columns, "\n".join(lines))


def _upsert_lines(table: str, columns: list[str], lines: list[str], *, suffix: str) -> None:
    """Upsert many rows: COPY them into a temporary staging table, then one
    `INSERT … SELECT … ON CONFLICT` into the table (PostgreSQL)."""
    stage = f"{table}_stage"
    names = ", ".join(columns)
    # Identifiers come from the models; the rows go through COPY.
    create = (
        f"CREATE TEMPORARY TABLE IF NOT EXISTS {stage} ON COMMIT DELETE ROWS "  # noqa: S608
        f"AS SELECT {names} FROM {table} WITH NO DATA"
    )
    _pg(lambda cursor: (cursor.execute(create), cursor.execute(f"TRUNCATE {stage}")))
    _copy_lines(stage, columns, lines)
    merge = f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {suffix}"  # noqa: S608
    _pg(lambda cursor: cursor.execute(merge))


def _db_dt(ts: float | None):
    """A time for a raw query: an aware datetime (PostgreSQL) or Django's text (SQLite)."""
    if ts is None:
        return None
    return (
        _dt(ts) if _VENDOR[0] == "postgresql" else connection.ops.adapt_datetimefield_value(_dt(ts))
    )


# The database vendor of the batch being stored (read once per batch: `connection` is a proxy).
_VENDOR = [""]


EVENT_COLUMNS = [
    "source_id",
    "natural_key",
    "at",
    "ordinal",
    "call_id",
    "queue_name",
    "member",
    "event",
    "data",
    "received_at",
]


def _events_store(source: TelephonySource, events: list[Event]) -> set[str]:
    """Insert the raw events the source has not sent before; return the keys inserted."""
    if not events:
        return set()
    received = connection.ops.adapt_datetimefield_value(timezone.now())
    columns = EVENT_COLUMNS

    def row(e: Event) -> tuple:
        return (
            source.pk,
            e.key,
            _db_dt(e.ts),
            e.seq,
            e.call_id[:100],
            e.queue[:100],
            e.member[:200],
            e.name[:40],
            json.dumps(list(e.data)),
            received,
        )

    table = CallEvent._meta.db_table
    if connection.vendor == "postgresql":
        # The source row is locked: no other batch of this source can insert these keys now.
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT natural_key FROM {table} "  # noqa: S608
                "WHERE source_id = %s AND natural_key = ANY(%s)",
                [source.pk, [e.key for e in events]],
            )
            known = {r[0] for r in cursor.fetchall()}
        new = [e for e in events if e.key not in known]
        _copy_lines(table, columns, _event_lines(source.pk, new, received.isoformat()))
        return {e.key for e in new}
    keys = [e.key for e in events]
    known: set[str] = set()
    for start in range(0, len(keys), 500):
        chunk = keys[start : start + 500]
        known.update(
            CallEvent.objects.filter(source=source, natural_key__in=chunk).values_list(
                "natural_key", flat=True
            )
        )
    _insert(table, columns, [row(e) for e in events if e.key not in known])
    return {k for k in keys if k not in known}


def _event_lines(source_pk: int, events: list[Event], received: str) -> list[str]:
    """The COPY text of raw events (the columns of `_events_store`)."""
    esc = _COPY_ESCAPES
    times = _time_texts()
    data_texts: dict[tuple, str] = {}
    head = f"{source_pk}\t"
    tail = f"\t{received}"
    lines = []
    for e in events:
        data = data_texts.get(e.data)
        if data is None:
            data = data_texts[e.data] = json.dumps(list(e.data)).translate(esc)
        lines.append(
            "\t".join(
                (
                    head + e.key.translate(esc),
                    times[e.ts],
                    str(e.seq),
                    e.call_id[:100].translate(esc),
                    e.queue[:100].translate(esc),
                    e.member[:200].translate(esc),
                    e.name[:40].translate(esc),
                    data + tail,
                )
            )
        )
    return lines


# What `json.dumps` (ensure_ascii) escapes in a string: anything but printable ASCII, `"`, `\`.
_JSON_ESCAPED = re.compile(r'[^ -~]|["\\]')


class _DataTexts(dict):
    """`texts[data]`: `json.dumps(list(data))` of a tuple of strings, made by joining them
    when none needs escaping (printable ASCII without quotes or backslashes)."""

    __slots__ = ()

    def __missing__(self, data: tuple) -> str:
        if data and not _JSON_ESCAPED.search("".join(data)):
            text = '["' + '", "'.join(data) + '"]'
        else:
            text = json.dumps(list(data))
        if len(self) < 100_000:
            self[data] = text
        return text


def _event_text(source_pk: int, events: list[Event], received: str) -> str:
    """The COPY text of raw events, as `_event_lines` but escaping only when some field needs
    it: the fields are joined as they are, and the text is used when it holds exactly the
    tabs and newlines of its rows and no backslash or carriage return."""
    times = _time_texts()
    data_texts = _DataTexts()
    head = f"{source_pk}\t"
    tail = f"\t{received}"
    lines = [
        "\t".join(
            (
                head + e.key,
                times[e.ts],
                str(e.seq),
                e.call_id[:100],
                e.queue[:100],
                e.member[:200],
                e.name[:40],
                data_texts[e.data] + tail,
            )
        )
        for e in events
    ]
    lines.append("")
    text = "\n".join(lines)
    rows = len(events)
    if (
        text.count("\t") == (len(EVENT_COLUMNS) - 1) * rows
        and text.count("\n") == rows
        and "\\" not in text
        and "\r" not in text
    ):
        return text
    lines = _event_lines(source_pk, events, received)
    lines.append("")
    return "\n".join(lines)


def _copy_text(table: str, columns: list[str], text: str) -> None:
    """COPY rows in text format (escaped fields, one row per line) into a table."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    # One read of the whole text: psycopg2 then sends it without taking the GIL back. Bytes,
    # which psycopg2 sends as they are (a text would be copied into a StringIO, then encoded).

    def job(cursor) -> None:
        data = text.encode()
        cursor.copy_expert(sql, io.BytesIO(data), size=len(data) + 1)

    _pg(job)


def _queues_for(names: set[str], *, site: str) -> dict[str, Queue]:
    """The callfloor queue of each telephony queue name (a new queue for a name never seen)."""
    names = {n for n in names if n}
    found: dict[str, Queue] = {}
    if not names:
        return found
    for alias in QueueAlias.objects.filter(name__in=names).select_related("queue"):
        found[alias.name] = alias.queue
    for queue in Queue.objects.filter(name__in=names - set(found)):
        found[queue.name] = queue
    for name in sorted(names - set(found)):
        found[name], _ = Queue.objects.get_or_create(name=name[:100], defaults={"site": site})
    return found


def _agents_for(members: set[str]) -> dict[str, int]:
    return dict(TelephonyAlias.objects.filter(name__in=members).values_list("name", "agent_id"))


def _row_facts(row: QueueCall) -> kpi.CallFacts:
    return kpi.CallFacts(
        row.outcome,
        row.wait_s,
        row.ring_s,
        row.talk_s,
        row.hold_s,
        row.acw_s,
        row.ended_at is not None,
        row.cut,
        row.transferred,
    )


class _Deltas:
    """Counter changes per rollup row, applied by one upsert per batch of rows:
    `INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` (PostgreSQL and SQLite)."""

    def __init__(self) -> None:
        self.sums: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.peaks: dict[tuple, float] = defaultdict(float)
        self.flags: dict[tuple, dict[str, bool]] = defaultdict(dict)

    def add(self, key: tuple, part: dict[str, float], sign: int, only=None) -> None:
        sums = self.sums[key]
        for name, value in part.items():
            if name == "max_wait_s":
                if sign > 0:
                    self.peaks[key] = max(self.peaks[key], value)
            elif only is None or name in only:
                sums[name] += sign * value

    def apply(
        self,
        model,
        rows: dict[tuple, dict],
        *,
        conflict: tuple[str, ...],
        counters: tuple[str, ...],
    ) -> None:
        """`rows[key]` holds the row's key columns (and columns set only on insert)."""
        keys = list(set(self.sums) | set(self.peaks) | set(self.flags))
        if not keys:
            return
        table = model._meta.db_table
        fixed = list(rows[keys[0]])
        columns = [*fixed, *counters, "max_wait_s", "hold_known", "acw_known"]
        fields = {
            c: model._meta.get_field(c.removesuffix("_id") if c.endswith("_id") else c)
            for c in columns
        }
        whole = {c for c in counters if isinstance(fields[c], models.IntegerField)}
        # psycopg2 adapts the plain values as Django would; other databases get Django's.
        prep = _VENDOR[0] != "postgresql"
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        updates = [f"{c} = {table}.{c} + excluded.{c}" for c in counters]
        updates.append(f"max_wait_s = {greatest}({table}.max_wait_s, excluded.max_wait_s)")
        updates += [f"{c} = ({table}.{c} OR excluded.{c})" for c in ("hold_known", "acw_known")]
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            params: list = []
            for key in chunk:
                values = {
                    **rows[key],
                    **{c: 0 for c in counters},
                    "max_wait_s": 0.0,
                    "hold_known": False,
                    "acw_known": False,
                }
                values.update(self.sums.get(key, {}))
                values["max_wait_s"] = self.peaks.get(key, 0.0)
                values.update(self.flags.get(key, {}))
                for column in columns:
                    value = values[column]
                    if column in whole:
                        value = round(value)
                    params.append(
                        fields[column].get_db_prep_save(value, connection) if prep else value
                    )
            row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                f"{', '.join([row_sql] * len(chunk))} "
                f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(updates)}"
            )
            if _VENDOR[0] == "postgresql":
                # Identifiers come from the model; every value is a parameter.
                _pg(lambda cursor, sql=sql, params=params: cursor.execute(sql, params))
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)


INTERVAL_COUNTERS = kpi.SUM_FIELDS
DAY_COUNTERS = (*kpi.SUM_FIELDS, "missed_rings", "unreachable_rings")


def _day_row(source, member: str, day: date, agents: dict[str, int]) -> dict:
    return {
        "source_id": source.pk,
        "member": member[:200],
        "day": day,
        "agent_id": agents.get(member),
    }


class _LocalTimes:
    """`local(ts, minutes)`: the start of the interval of `minutes` holding `ts` and its local
    day in the site zone, computed once per minute of UTC time (zone offsets and interval
    starts are whole minutes; a zone with a seconds offset is not cached)."""

    __slots__ = ("cache", "zone")

    def __init__(self, zone: ZoneInfo) -> None:
        self.zone = zone
        self.cache: dict[tuple[int, int], tuple[datetime, date]] = {}

    def __call__(self, ts: float, minutes: int) -> tuple[datetime, date]:
        key = (int(ts // 60), minutes)
        found = self.cache.get(key)
        if found is None:
            found = (
                kpi.interval_start(ts, zone=self.zone, minutes=minutes),
                datetime.fromtimestamp(ts, self.zone).date(),
            )
            offset = datetime.fromtimestamp(ts, self.zone).utcoffset()
            if offset is not None and offset.seconds % 60 == 0:
                self.cache[key] = found
        return found


@dataclass(slots=True)
class _Prefetch:
    """What `_store` reads, read before a batch's writes start: the existing queues of some
    names, and the agents and open AgentState rows of some members."""

    queues: dict[str, Queue]
    members: set[str]
    agents: dict[str, int]
    open_rows: dict[str, AgentState]


def _prefetch(source, *, queue_names: set[str], members: set[str]) -> _Prefetch:
    queues: dict[str, Queue] = {}
    names = queue_names - {""}
    for alias in QueueAlias.objects.filter(name__in=names).select_related("queue"):
        queues[alias.name] = alias.queue
    for queue in Queue.objects.filter(name__in=names - set(queues)):
        queues[queue.name] = queue
    return _Prefetch(queues, members, _agents_for(members), _open_rows(source, members))


def _store(
    source: TelephonySource,
    engine: kpi.Engine,
    *,
    since: float,
    prefetched: _Prefetch | None = None,
) -> int:
    """Write what the engine changed since the last store; return the number of calls.

    Every read comes before the first write. With `prefetched` covering what is needed (the
    batch's writes may have started), nothing is read.
    """
    calls, intervals, rings = engine.drain()
    local = _LocalTimes(site_zone())
    members = (
        {c.member for c in calls if c.member}
        | {i.member for i in intervals}
        | {r.member for r in rings}
        | {m for m, s in engine.members.items() if s.since >= since}
    )
    queue_names = (
        {c.queue for c in calls}
        | {i.queue for i in intervals}
        | set(m.queue for m in engine.members.values())
    )
    states = _states_open(engine, intervals, since=since)
    pre = prefetched
    if (
        pre is not None
        and not (queue_names - {""} - pre.queues.keys())
        and members <= pre.members
        and states.touched <= pre.members
    ):
        queues, agents, states.open_rows = pre.queues, pre.agents, pre.open_rows
    else:
        if getattr(_BATCH, "writer", None) is not None:
            _BATCH.writer.wait()  # the connection is free again for reading
        queues = _queues_for(queue_names, site=source.site)
        agents = _agents_for(members)
        states.open_rows = _open_rows(source, states.touched)

    # Queue calls: upsert them on their natural key and move the rollups by the difference
    # between what the call counted before (the facts stored with it) and what it counts now.
    interval_deltas, day_deltas = _Deltas(), _Deltas()
    interval_lookups: dict[tuple, dict] = {}
    day_lookups: dict[tuple, dict] = {}
    written: list[tuple[kpi.Call, int]] = []
    for call in calls:
        queue = queues[call.queue]
        start, day = local(call.offered_ts, queue.interval_minutes)
        ikey = (queue.pk, start)
        interval_lookups[ikey] = {"queue_id": queue.pk, "start": start}
        facts = call.facts()
        new = kpi.contribution(
            facts,
            threshold=queue.sl_threshold_s,
            short_abandon=queue.short_abandon_s,
            fast_ring=queue.ring_fast_s,
        )
        interval_deltas.add(ikey, new, +1)
        if engine.saw_acw:
            interval_deltas.flags[ikey]["acw_known"] = True
        if engine.saw_hold:
            interval_deltas.flags[ikey]["hold_known"] = True
        answered_by = call.member if call.outcome == kpi.ANSWERED else ""
        if answered_by:
            dkey = (answered_by, day)
            day_lookups[dkey] = _day_row(source, answered_by, day, agents)
            day_deltas.add(dkey, new, +1, only=AGENT_FIELDS)
        if call.stored is not None:
            before = kpi.CallFacts(*call.stored)
            old = kpi.contribution(
                before,
                threshold=queue.sl_threshold_s,
                short_abandon=queue.short_abandon_s,
                fast_ring=queue.ring_fast_s,
            )
            interval_deltas.add(ikey, old, -1)
            if before.outcome == kpi.ANSWERED and call.member:
                dkey = (call.member, day)
                day_lookups[dkey] = _day_row(source, call.member, day, agents)
                day_deltas.add(dkey, old, -1, only=AGENT_FIELDS)
        call.stored = list(facts)
        written.append((call, queue.pk))
    _calls_upsert(source, written, agents)
    interval_deltas.apply(
        QueueInterval, interval_lookups, conflict=("queue_id", "start"), counters=INTERVAL_COUNTERS
    )

    for ring in rings:
        day = local(ring.ts, 1)[1]
        dkey = (ring.member, day)
        day_lookups[dkey] = _day_row(source, ring.member, day, agents)
        day_deltas.add(dkey, {"missed_rings" if ring.missed else "unreachable_rings": 1}, +1)
    day_deltas.apply(
        AgentDay, day_lookups, conflict=("source_id", "member", "day"), counters=DAY_COUNTERS
    )

    _store_states(source, states, queues, agents)
    return len(calls)


CALL_COLUMNS = [
    "source_id",
    "call_id",
    "queue_id",
    "caller",
    "offered_at",
    "outcome",
    "wait_s",
    "member",
    "agent_id",
    "answered_at",
    "ring_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "ended_at",
    "transferred",
    "cut",
    "recording_id",
    "updated_at",
]
_CALL_CHANGING = [
    "caller",
    "outcome",
    "wait_s",
    "member",
    "agent_id",
    "answered_at",
    "ring_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "ended_at",
    "transferred",
    "cut",
    "updated_at",
]
_CALL_UPSERT = "ON CONFLICT (source_id, call_id, queue_id, offered_at) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in _CALL_CHANGING
)


def _calls_upsert(source, written: list[tuple[kpi.Call, int]], agents: dict[str, int]) -> None:
    """Insert or update the queue calls on their natural key."""
    table = QueueCall._meta.db_table
    if _VENDOR[0] == "postgresql" and len(written) > STAGE_ROWS:
        esc, times, num = _Escaped(), _time_texts(), _num_text
        tail = f"\t\t{timezone.now().isoformat()}"
        head = f"{source.pk}\t"
        lines = [
            "\t".join(
                (
                    head + esc[call.call_id[:100]],
                    str(queue_pk),
                    esc[call.caller[:100]],
                    times[call.offered_ts],
                    call.outcome,
                    num(call.wait_s),
                    esc[call.member[:200]],
                    num(agents.get(call.member)),
                    times[call.answered_ts],
                    num(call.ring_s),
                    num(call.talk_s),
                    num(call.hold_s),
                    num(call.acw_s),
                    times[call.ended_ts],
                    "t" if call.transferred else "f",
                    ("t" if call.cut else "f") + tail,
                )
            )
            for call, queue_pk in written
        ]
        _upsert_lines(table, CALL_COLUMNS, lines, suffix=_CALL_UPSERT)
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    _insert(
        table,
        CALL_COLUMNS,
        [
            (
                source.pk,
                call.call_id[:100],
                queue_pk,
                call.caller[:100],
                _db_dt(call.offered_ts),
                call.outcome,
                call.wait_s,
                call.member[:200],
                agents.get(call.member),
                _db_dt(call.answered_ts),
                call.ring_s,
                call.talk_s,
                call.hold_s,
                call.acw_s,
                _db_dt(call.ended_ts),
                call.transferred,
                call.cut,
                "",
                now,
            )
            for call, queue_pk in written
        ],
        suffix=_CALL_UPSERT,
    )


@dataclass(slots=True)
class _StatesChange:
    """The members whose state changed in a batch: their closed intervals, the interval now
    open, and their open AgentState rows as stored."""

    touched: set[str]
    closed: dict[str, list[kpi.Interval]]
    current: dict[str, kpi.Interval]
    open_rows: dict[str, AgentState]  # at least those of `touched`


def _states_open(
    engine: kpi.Engine, intervals: list[kpi.Interval], *, since: float
) -> _StatesChange:
    closed: dict[str, list[kpi.Interval]] = defaultdict(list)
    for interval in intervals:
        closed[interval.member].append(interval)
    # Only members whose state changed in this batch (an unchanged state keeps its open row).
    touched = set(closed) | {m for m, state in engine.members.items() if state.since >= since}
    current = {i.member: i for i in engine.open_intervals(touched)}
    return _StatesChange(touched, closed, current, {})


def _open_rows(source, members: set[str]) -> dict[str, AgentState]:
    if not members:
        return {}
    return {
        row.member: row
        for row in AgentState.objects.filter(
            source=source, member__in=members, ended_at__isnull=True
        )
    }


def _store_states(
    source,
    change: _StatesChange,
    queues: dict[str, Queue],
    agents: dict[str, int],
) -> None:
    """Close the agents' open AgentState rows the engine closed and open their new states."""
    touched, closed, current, open_rows = (
        change.touched,
        change.closed,
        change.current,
        change.open_rows,
    )
    if not touched:
        return

    if _VENDOR[0] == "postgresql":
        esc, times, num = _Escaped(), _time_texts(), _num_text
        head = f"{source.pk}\t"
        queue_pks = {name: str(queue.pk) for name, queue in queues.items()}

        def row_for(interval: kpi.Interval) -> str:
            member = interval.member
            return "\t".join(
                (
                    head + esc[member[:200]],
                    num(agents.get(member)),
                    interval.status,
                    esc[interval.reason[:100]],
                    interval.activity,
                    queue_pks.get(interval.queue, _NULL),
                    esc[interval.call_id[:100]],
                    times[interval.start_ts],
                    times[interval.end_ts],
                )
            )
    else:

        def row_for(interval: kpi.Interval) -> tuple:
            queue = queues.get(interval.queue)
            return (
                source.pk,
                interval.member[:200],
                agents.get(interval.member),
                interval.status,
                interval.reason[:100],
                interval.activity,
                queue.pk if queue else None,
                interval.call_id[:100],
                _db_dt(interval.start_ts),
                _db_dt(interval.end_ts),
            )

    create: list[tuple] = []
    close: list[tuple[int, datetime]] = []
    for member in touched:
        row = open_rows.get(member)
        for interval in closed.get(member, []):
            if row is not None and row.started_at == _dt(interval.start_ts):
                close.append((row.pk, _dt(interval.end_ts)))
                row = None
            else:
                create.append(row_for(interval))
        now_open = current.get(member)
        if row is not None and (now_open is None or row.started_at != _dt(now_open.start_ts)):
            # The engine no longer holds this state (cut by a restart): close it.
            close.append((row.pk, row.started_at if now_open is None else _dt(now_open.start_ts)))
            row = None
        if now_open is not None and row is None:
            create.append(row_for(now_open))
    _states_close(close)
    columns = [
        "source_id",
        "member",
        "agent_id",
        "status",
        "reason",
        "activity",
        "queue_id",
        "call_id",
        "started_at",
        "ended_at",
    ]
    if _VENDOR[0] == "postgresql":
        _copy_lines(AgentState._meta.db_table, columns, create)
    else:
        _insert(AgentState._meta.db_table, columns, create)


def _states_close(pairs: list[tuple[int, datetime]]) -> None:
    if not pairs:
        return
    table = AgentState._meta.db_table
    if connection.vendor == "postgresql":
        from psycopg2.extras import execute_values

        sql = (
            f"UPDATE {table} AS s SET ended_at = v.ended_at FROM (VALUES %s) "  # noqa: S608
            "AS v(id, ended_at) WHERE s.id = v.id"
        )
        _pg(
            lambda cursor: execute_values(
                cursor, sql, pairs, template="(%s, %s::timestamptz)", page_size=2000
            )
        )
        return
    with connection.cursor() as cursor:
        cursor.executemany(
            f"UPDATE {table} SET ended_at = %s WHERE id = %s",  # noqa: S608
            [(connection.ops.adapt_datetimefield_value(end), pk) for pk, end in pairs],
        )


# -- rollups from scratch ---------------------------------------------------------------------


def queue_rollups_rebuild(*, queue: Queue) -> int:
    """Recompute a queue's interval rollups from its stored calls (after a settings change)."""
    zone = site_zone()
    tallies: dict[datetime, kpi.Tally] = defaultdict(kpi.Tally)
    flags: dict[datetime, dict] = defaultdict(dict)
    for row in QueueCall.objects.filter(queue=queue).iterator(chunk_size=5000):
        start = kpi.interval_start(
            row.offered_at.timestamp(), zone=zone, minutes=queue.interval_minutes
        )
        tallies[start].add(
            kpi.contribution(
                _row_facts(row),
                threshold=queue.sl_threshold_s,
                short_abandon=queue.short_abandon_s,
                fast_ring=queue.ring_fast_s,
            )
        )
        if row.acw_s and row.acw_s > 0:
            flags[start]["acw_known"] = True
        if row.hold_s is not None:
            flags[start]["hold_known"] = True
    with transaction.atomic():
        old = {r.start: r for r in QueueInterval.objects.filter(queue=queue)}
        QueueInterval.objects.filter(queue=queue).delete()
        rows = []
        for start, tally in tallies.items():
            previous = old.get(start)
            known = (
                {"acw_known": previous.acw_known, "hold_known": previous.hold_known}
                if (previous)
                else {}
            )
            known.update(flags[start])
            rows.append(QueueInterval(queue=queue, start=start, **tally.as_dict(), **known))
        QueueInterval.objects.bulk_create(rows)
    return len(rows)


def agent_days_fast_rings_rebuild(*, queue: Queue) -> int:
    """Recount `ring_fast_n` of the member days holding answered calls of `queue` (after its
    three-rings cutoff changed); each call counts against its own queue's cutoff."""
    zone = site_zone()
    keys: set[tuple[int, str, date]] = set()
    for source_id, member, offered_at in (
        QueueCall.objects.filter(queue=queue, outcome="answered", ring_s__isnull=False)
        .exclude(member="")
        .values_list("source_id", "member", "offered_at")
        .iterator(chunk_size=5000)
    ):
        keys.add((source_id, member, offered_at.astimezone(zone).date()))
    if not keys:
        return 0
    counts: dict[tuple[int, str, date], int] = dict.fromkeys(keys, 0)
    days = sorted({day for _, _, day in keys})
    start = datetime.combine(days[0], datetime.min.time(), zone)
    end = datetime.combine(days[-1], datetime.max.time(), zone)
    for source_id, member, offered_at, ring_s, cutoff in (
        QueueCall.objects.filter(
            member__in={m for _, m, _ in keys},
            outcome="answered",
            ring_s__isnull=False,
            offered_at__gte=start,
            offered_at__lte=end,
        )
        .values_list("source_id", "member", "offered_at", "ring_s", "queue__ring_fast_s")
        .iterator(chunk_size=5000)
    ):
        key = (source_id, member, offered_at.astimezone(zone).date())
        if key in counts and ring_s <= cutoff:
            counts[key] += 1
    with transaction.atomic():
        for (source_id, member, day), fast in counts.items():
            AgentDay.objects.filter(source_id=source_id, member=member, day=day).update(
                ring_fast_n=fast
            )
    return len(counts)


# -- agent identity ---------------------------------------------------------------------------


def member_history_attribute(*, agent, aliases: list[str]) -> int:
    """Attribute every call, state and daily counter recorded under `aliases` to `agent`, and
    release history under names the agent no longer owns."""
    changed = 0
    for model in (QueueCall, AgentState, AgentDay):
        changed += model.objects.filter(member__in=aliases).exclude(agent=agent).update(agent=agent)
        model.objects.filter(agent=agent).exclude(member__in=aliases).update(agent=None)
    return changed
