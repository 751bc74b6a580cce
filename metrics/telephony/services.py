"""Writes for telephony: ingest events, keep queue calls, agent states and rollups current.

Every adapter (queue_log import and follower, the JSON events API, the simulator) ends in
`events_ingest`. It stores each raw event once by its natural key, feeds the new ones to the
KPI engine (`metrics.kpi.Engine`, whose open state is kept per row between batches), and
in the same transaction writes the calls and agent intervals the engine changed and the deltas
of the per-queue per-interval rollups (`QueueInterval`) and per-member daily counters
(`AgentDay`). After commit it tells the boards of the source's site
(`metrics.board.signals.floor_changed_on_commit`).
"""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from agents.models import Agent
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from metrics import formulas, kpi
from metrics.board.signals import floor_changed_on_commit
from metrics.models import (
    AgentDay,
    AgentState,
    CallEvent,
    Queue,
    QueueAlias,
    QueueCall,
    QueueInterval,
    SourceKind,
    TelephonySource,
    validate_time_zone,
)
from metrics.queue_log import Event, LineError, text_problem
from metrics.telephony import engine_state, store

# The normalised event every adapter produces (the queue_log vocabulary; see metrics.queue_log).
NormalisedEvent = Event

ACCEPTED, DUPLICATE, REJECTED = "accepted", "duplicate", "rejected"


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


# -- sources ----------------------------------------------------------------------------------


def source_create(
    *, name: str, kind: str, site: str = "main", time_zone: str = "UTC"
) -> tuple[TelephonySource, str]:
    """Create a telephony source and its ingest token (returned once, only its hash is kept)."""
    if kind not in SourceKind.values:
        raise DomainError(_("Unknown source kind %(kind)s.") % {"kind": repr(kind)}, field="kind")
    if TelephonySource.objects.filter(name=name).exists():
        raise DomainError(_("A source named %(name)s exists.") % {"name": repr(name)}, field="name")
    try:
        validate_time_zone(time_zone)
    except ValidationError as error:
        raise DomainError(" ".join(error.messages), field="time_zone") from None
    source = TelephonySource(name=name, kind=kind, site=site, time_zone=time_zone)
    token = source.issue_token()
    source.save()
    return source, token


def source_token_rotate(*, source: TelephonySource, actor: User | None = None) -> str:
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
    `CALLFLOOR_EVENT_MAX_FUTURE_S` ahead of now. With `CALLFLOOR_RAW_EVENT_RETENTION_DAYS`,
    nothing from before the first UTC day kept: an event of a dropped day could not be told
    from one already received, and would count twice."""
    now = time.time()
    earliest = datetime.fromisoformat(settings.CALLFLOOR_EVENT_EARLIEST)
    if earliest.tzinfo is None:
        earliest = earliest.replace(tzinfo=UTC)
    start = earliest.timestamp()
    if settings.CALLFLOOR_RAW_EVENT_RETENTION_DAYS > 0:
        kept = datetime.fromtimestamp(now, UTC).date().toordinal()
        first = date.fromordinal(kept - settings.CALLFLOOR_RAW_EVENT_RETENTION_DAYS)
        start = max(start, datetime(first.year, first.month, first.day, tzinfo=UTC).timestamp())
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


def event_problem(
    event: NormalisedEvent, *, window: tuple[float, float], text: bool = True
) -> str | None:
    """Why an event cannot be stored (it is rejected alone), or None: the checks every
    adapter's events pass, in `events_ingest` and `events_prepare` alike. `text=False` skips
    the text check for lines the queue_log parser checked already (`text_problem`)."""
    if not event.key:
        return "missing event id"
    if text:
        problem = text_problem(event)
    else:
        problem = "event id longer than 200 characters" if len(event.key) > 200 else None
    problem = problem or _time_problem(event.ts, window)
    if problem is not None:
        return problem
    try:
        kpi.check_numbers(event)
    except LineError as error:
        return str(error)
    return None


# Queue logins and logoffs: one into a further queue, or out of one of several, changes the
# queues a member is logged into but not its state, so the store does not name the member.
LOGIN_EVENTS = frozenset(("ADDMEMBER", "AGENTLOGIN", "AGENTCALLBACKLOGIN"))
LOGIN_EVENTS |= {"REMOVEMEMBER", "AGENTLOGOFF", "AGENTCALLBACKLOGOFF"}


def logins_touched(touched: dict[str, set], events) -> None:
    """Add to the board's marks the members whose queue logins `events` changed (their
    queue staffing and the queues on their card)."""
    touched.setdefault("members", set()).update(
        event.member for event in events if event.member and event.name in LOGIN_EVENTS
    )


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
        problem = event_problem(event, window=window)
        if problem:
            item.status, item.reason = REJECTED, problem
            continue
        if event.key in fresh:
            item.status, item.reason = DUPLICATE, "repeated in this batch"
            continue
        fresh[event.key] = index

    with transaction.atomic():
        source = TelephonySource.objects.select_for_update().get(pk=source.pk)
        store.VENDOR[0] = connection.vendor
        refused = _queues_refused(source, {events[i].queue for i in fresh.values()})
        for key in [k for k, i in fresh.items() if events[i].queue in refused]:
            item = result.items[fresh.pop(key)]
            item.status, item.reason = REJECTED, refused[events[item.index].queue]
        stored = store.events_store(source, [events[i] for i in fresh.values()])
        if stored:
            newest = store.dt(max(events[i].ts for k, i in fresh.items() if k in stored))
            TelephonySource.objects.filter(pk=source.pk).filter(
                models.Q(events_until__isnull=True) | models.Q(events_until__lt=newest)
            ).update(events_until=newest)
        for key in list(fresh):
            if key not in stored:
                item = result.items[fresh.pop(key)]
                item.status, item.reason = DUPLICATE, "already received"
        todo = sorted(((events[i], i) for i in fresh.values()), key=lambda p: p[0].sort_key())
        engine, saved = engine_state.load(source) if todo else (None, None)
        if engine is not None and source.kind == SourceKind.AMI:
            # Asterisk's manager reports every hold (Hold/Unhold): a call without one was
            # held 0 s, and hold is a component of the AHT from the first call on.
            engine.saw_hold = True
        for event, index in todo:
            if not engine.feed(event):
                result.items[index].ignored = True
        if todo:
            touched: dict[str, set] = {}
            store.changes_write(source, engine, since=todo[0][0].ts, touched=touched)
            logins_touched(touched, (event for event, _ in todo))
            engine_state.save(source, engine, saved)
            floor_changed_on_commit(
                sender=TelephonySource, site=source.site, sections=["telephony"], **touched
            )
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
    """Check a batch's events (keys, numbers, repeats) and order them for the engine.

    The checks of `event_problem` run for an event only when it may fail one: the parser
    checked the lines' text and keys (`text_problem`), a time inside the window and an event
    without number fields pass the rest, and the usual number field (digits) is checked here.
    """
    counts = ImportCounts()
    fresh: dict[str, Event] = {}
    window = event_window(live=False)
    first, last = window
    numbered = _NUMBERED
    for event in events:
        key = event.key
        name = event.name
        if (
            not first <= event.ts <= last
            or not key
            or len(key) > 200
            or (name in numbered and not _numbers_usual(event.data, numbered[name]))
        ):
            problem = event_problem(event, window=window, text=False)
            if problem:
                counts.rejected.append((event.seq, problem))
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


# Event name → the indexes of its number fields (`kpi.check_numbers`; ATTENDEDTRANSFER's
# field moves with its length, so it is always checked in full).
_NUMBERED: dict[str, tuple[int, ...]] = {
    **{name: tuple(i for i, _ in spec) for name, spec in kpi._NUMBERS.items()},
    "ATTENDEDTRANSFER": (-1,),
}


def _numbers_usual(data: tuple[str, ...], indexes: tuple[int, ...]) -> bool:
    """Whether every number field at `indexes` is empty or at most 9 digits (then
    `kpi.check_numbers` accepts it); False sends the event through the full check."""
    for index in indexes:
        if index < 0:
            return False
        if index < len(data):
            text = data[index]
            if text and not (text.isdigit() and len(text) < 10 and text.isascii()):
                return False
    return True


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
        store.VENDOR[0] = connection.vendor
        new = store.events_unseen(source, batch.events)
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
        engine, saved = engine_state.load(source)
        fed = batch.fed
        if fed is not None and (fed[0] is not engine or len(new) != len(batch.events)):
            # Fed ahead to an engine that is not this source's state any more (another process
            # stored a batch of the source since), or with events found stored since: start
            # again from the stored state.
            if fed[0] is engine:
                engine, saved = engine_state.load(source, reuse=False)
            fed = None
        # Read what storing the batch will most likely need (the members and queues the
        # engine knows and the batch names), so the writes can start before the engine runs.
        prefetched = store.prefetch(
            source,
            queue_names=batch.queue_names
            | {m.queue for m in engine.members.values()}
            | {c.queue for c in engine.calls.values()},
            members=set(engine.members) | batch.members,
        )
        received = timezone.now().isoformat()
        writer = store.BATCH.writer = store.Writer(connection)
        try:
            # Check foreign keys as rows go in (in the writer) rather than all at commit.
            writer.submit(lambda cursor: cursor.execute("SET CONSTRAINTS ALL IMMEDIATE"))
            # The raw events in parts, so that the database starts on the first part while
            # the text of the next one is made.
            for start in range(0, len(new), store.EVENT_COPY_ROWS):
                part = new[start : start + store.EVENT_COPY_ROWS]
                store.copy_text(
                    CallEvent._meta.db_table,
                    store.EVENT_COLUMNS,
                    store.event_text(source.pk, part, received),
                )
            newest = max(e.ts for e in new)
            writer.submit(store.events_until_raise(source.pk, newest))
            used = _feed(engine, todo) if fed is None else fed[1]
            counts.used += used
            counts.ignored += len(todo) - used
            touched: dict[str, set] = {}
            store.changes_write(
                source, engine, since=todo[0].ts, prefetched=prefetched, touched=touched
            )
            logins_touched(touched, todo)
            engine_state.save(source, engine, saved)
            upcoming = meanwhile() if meanwhile else None
            if isinstance(upcoming, PreparedBatch):
                until = source.events_until.timestamp() if source.events_until else newest
                _feed_ahead(engine, upcoming, after=max(newest, until))
            writer.wait()
            with connection.cursor() as cursor:
                # Back to Django's deferred checks for the rest of an enclosing transaction.
                cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        finally:
            store.BATCH.writer = None
            writer.close()
        if todo[-1].ts >= time.time() - HISTORY_S:
            floor_changed_on_commit(
                sender=TelephonySource, site=source.site, sections=["telephony"], **touched
            )
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
    time). Its changes stay in the engine until the next `store.changes_write` drains them."""
    if batch.ordered and store.after_stored(batch.ordered[0].ts, after):
        batch.fed = (engine, _feed(engine, batch.ordered))


# A file batch whose newest event is older than this is history: it does not signal the
# floor. Whoever imports history signals once at the end (`import_queue_log` does), and the
# floor's heartbeat pushes it anyway; a floor refresh per batch of an old file would only
# repeat the same figures of today.
HISTORY_S = 86_400.0


def sources_advance(
    *,
    now: datetime,
    margin_s: float = 10.0,
    sources: list[TelephonySource] | None = None,
    stale: bool = True,
) -> int:
    """Let the telephony clock run to `now - margin_s` for sources that went quiet.

    An answered call whose talk ended counts in AHT once its after-call-work window has passed
    (kpi.md); normally the source's next event closes that window, this closes it when no
    event comes. With `stale`, a call still waiting its queue's `stale_after_s` after it was
    offered becomes `unknown` (kpi.md, "Calls that never end"): the PBX lost its last line.
    An import of history passes `stale=False`: its file ends where it ends, and its last
    waiting calls keep the file's now until the live clock runs on. The margin leaves time for
    a follower to read lines written just before `now`. Returns the number of calls that
    ended.
    """
    ended = 0
    until = now.timestamp() - margin_s
    for candidate in (
        sources if sources is not None else TelephonySource.objects.filter(active=True).only("pk")
    ):
        with transaction.atomic():
            source = TelephonySource.objects.select_for_update().get(pk=candidate.pk)
            engine, saved = engine_state.load(source)
            if not engine.has_pending(until, stale=stale):
                engine_state.keep(source, engine, saved)
                continue
            store.VENDOR[0] = connection.vendor
            engine.advance(until, stale=stale)
            touched: dict[str, set] = {}
            ended += store.changes_write(source, engine, since=float("inf"), touched=touched)
            engine_state.save(source, engine, saved)
            floor_changed_on_commit(
                sender=TelephonySource, site=source.site, sections=["telephony"], **touched
            )
    return ended


# -- rollups from scratch ---------------------------------------------------------------------


def queue_rollups_rebuild(*, queue: Queue) -> int:
    """Recompute a queue's interval rollups from its stored calls (after a settings change)."""
    zone = site_zone()
    tallies: dict[datetime, formulas.Tally] = defaultdict(formulas.Tally)
    flags: dict[datetime, dict] = defaultdict(dict)
    for row in QueueCall.objects.filter(queue=queue).iterator(chunk_size=5000):
        start = formulas.interval_start(
            row.offered_at.timestamp(), zone=zone, minutes=queue.interval_minutes
        )
        tallies[start].add(
            formulas.contribution(
                store.row_facts(row),
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
            member__in={m for _source, m, _at in keys},
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


def member_history_attribute(*, agent: Agent, aliases: list[str]) -> int:
    """Attribute every call, state and daily counter recorded under `aliases` to `agent`, and
    release history under names the agent no longer owns."""
    changed = 0
    for model in (QueueCall, AgentState, AgentDay):
        changed += model.objects.filter(member__in=aliases).exclude(agent=agent).update(agent=agent)
        model.objects.filter(agent=agent).exclude(member__in=aliases).update(agent=None)
    return changed
