"""How ingestion writes (private to `metrics.telephony`): raw events, queue calls, agent
states and the rollup deltas, in bulk.

`changes_write` writes what the KPI engine changed since the last batch. On PostgreSQL large
batches go through COPY (`copy_text`, a staging table for upserts) and, in a bulk import, run
in a writer thread on the caller's connection (`Writer`, `pg`) while the caller computes.
Callers are the services of `metrics.telephony.services`; nothing else writes these rows.
"""

from __future__ import annotations

import io
import json
import re
import threading
from collections import defaultdict
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.db import connection, models
from django.utils import timezone

from agents.models import TelephonyAlias
from callfloor.zone import site_zone
from metrics import formulas, kpi
from metrics.models import (
    AGENT_FIELDS,
    AgentDay,
    AgentState,
    CallEvent,
    Queue,
    QueueAlias,
    QueueCall,
    QueueInterval,
    TelephonySource,
)
from metrics.queue_log import Event


def dt(ts: float | None) -> datetime | None:
    return None if ts is None else datetime.fromtimestamp(ts, UTC)


def after_stored(first_ts: float, newest_stored_ts: float | None) -> bool:
    """Whether a batch starting at `first_ts` comes after every stored event of its source
    (1 ms of margin: stored times are rounded to the microsecond)."""
    return newest_stored_ts is None or first_ts > newest_stored_ts + 0.001


def events_unseen(source: TelephonySource, events: list[Event]) -> list[Event]:
    """The events whose key the source has not sent before (PostgreSQL; the source is locked).

    A batch that starts after the source's newest stored event cannot hold a stored line (a
    line's key is a digest of its text, time included): no look-up then.
    """
    if not events:
        return []
    until = source.events_until
    if after_stored(min(e.ts for e in events), until.timestamp() if until else None):
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


def events_until_raise(source_pk: int, ts: float) -> Callable:
    """A `pg` job: the source's newest stored event is at least at `ts`."""

    def job(cursor) -> None:
        cursor.execute(
            f"UPDATE {TelephonySource._meta.db_table} SET events_until = %s "  # noqa: S608
            "WHERE id = %s AND (events_until IS NULL OR events_until < %s)",
            [dt(ts), source_pk, dt(ts)],
        )

    return job


class Writer:
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
BATCH = threading.local()
BATCH.writer = None


def pg(job: Callable) -> None:
    """Run a write on the raw PostgreSQL cursor: in the batch's writer when one runs."""
    writer = getattr(BATCH, "writer", None)
    if writer is not None:
        writer.submit(job)
        return
    with connection.cursor() as cursor, connection.wrap_database_errors:
        job(cursor.cursor)


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
        pg(lambda cursor: execute_values(cursor, sql, rows, template=template, page_size=2000))
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
    """Epoch seconds (or None) as COPY text: `texts[ts]`, each distinct second converted once.

    A whole second is written from its day's text (one per day) and its time of day, which
    is the text `datetime.isoformat` gives (a test holds them equal) at a fraction of the cost.
    """

    __slots__ = ()

    def __missing__(self, ts: float | None) -> str:
        if ts is None:
            text = _NULL
        elif ts == int(ts) and 0 <= ts < MAX_WHOLE_TS:
            days, second = divmod(int(ts), 86_400)
            day = _DAY_TEXTS.get(days)
            if day is None:
                if len(_DAY_TEXTS) > 10_000:
                    _DAY_TEXTS.clear()
                day = _DAY_TEXTS[days] = datetime.fromtimestamp(days * 86_400, UTC).strftime(
                    "%Y-%m-%dT"
                )
            hour, second = divmod(second, 3600)
            minute, second = divmod(second, 60)
            text = f"{day}{hour:02d}:{minute:02d}:{second:02d}+00:00"
        else:
            text = datetime.fromtimestamp(ts, UTC).isoformat()
        self[ts] = text
        return text


# Whole seconds up to the year 9999 have a four-digit year (the text of `_TimeTexts`).
MAX_WHOLE_TS = 253402300800
_DAY_TEXTS: dict[int, str] = {}


_TIME_TEXTS = _TimeTexts()


# A file's times are whole seconds: a busy day has about 50,000 of them, each written in
# several tables (raw events, calls, states) and batches. With fewer entries the cache was
# emptied every few batches and a third of a day's rows converted their time again. An API
# server sees fractional times that rarely repeat, and keeps the cache for as long as it
# runs: at most this many entries (≈ 15 MB) are kept.
TIME_TEXTS_MAX = 100_000


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
    copy_text(table, columns, "\n".join(lines))


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
    pg(lambda cursor: (cursor.execute(create), cursor.execute(f"TRUNCATE {stage}")))
    _copy_lines(stage, columns, lines)
    merge = f"INSERT INTO {table} ({names}) SELECT {names} FROM {stage} {suffix}"  # noqa: S608
    pg(lambda cursor: cursor.execute(merge))


def _db_dt(ts: float | None):
    """A time for a raw query: an aware datetime (PostgreSQL) or Django's text (SQLite)."""
    if ts is None:
        return None
    return dt(ts) if VENDOR[0] == "postgresql" else connection.ops.adapt_datetimefield_value(dt(ts))


# The database vendor of the batch being stored (read once per batch: `connection` is a proxy).
VENDOR = [""]


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


def events_store(source: TelephonySource, events: list[Event]) -> set[str]:
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
    """The COPY text of raw events (the columns of `events_store`)."""
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


def event_text(source_pk: int, events: list[Event], received: str) -> str:
    """The COPY text of raw events, as `_event_lines` but escaping only when some field needs
    it: the fields are joined as they are, and the text is used when it holds exactly the
    tabs and newlines of its rows and no backslash or carriage return."""
    times = _time_texts()
    data_texts = _DataTexts()
    head = f"{source_pk}\t"
    tail = f"\t{received}"
    # One f-string per row (no tuple, no join); the names are cut as `_event_lines` cuts
    # them (the parser refuses longer ones, so the cuts are the same strings).
    lines = [
        f"{head}{e.key}\t{times[e.ts]}\t{e.seq}\t{e.call_id[:100]}\t{e.queue[:100]}\t"
        f"{e.member[:200]}\t{e.name[:40]}\t{data_texts[e.data]}{tail}"
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


def copy_text(table: str, columns: list[str], text: str) -> None:
    """COPY rows in text format (escaped fields, one row per line) into a table."""
    sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN"
    # One read of the whole text: psycopg2 then sends it without taking the GIL back. Bytes,
    # which psycopg2 sends as they are (a text would be copied into a StringIO, then encoded).

    def job(cursor) -> None:
        data = text.encode()
        cursor.copy_expert(sql, io.BytesIO(data), size=len(data) + 1)

    pg(job)


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


def row_facts(row: QueueCall) -> formulas.CallFacts:
    return formulas.CallFacts(
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


# `_Deltas.add`'s column lists as sets (looked up per counter of every call).
_ONLY: dict[tuple, frozenset] = {}


class _Deltas:
    """Counter changes per rollup row, applied by one upsert per batch of rows:
    `INSERT … ON CONFLICT (key) DO UPDATE SET n = n + excluded.n` (PostgreSQL and SQLite)."""

    def __init__(self) -> None:
        self.sums: dict[tuple, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        self.peaks: dict[tuple, float] = defaultdict(float)
        self.flags: dict[tuple, dict[str, bool]] = defaultdict(dict)

    def add(self, key: tuple, part: dict[str, float], sign: int, only=None) -> None:
        sums = self.sums[key]
        if only is not None and not isinstance(only, frozenset):
            only = _ONLY.get(only) or _ONLY.setdefault(only, frozenset(only))
        for name, value in part.items():
            if name == "max_wait_s":
                # (A row without a peak counts 0.0, as the peaks' default gives it.)
                if sign > 0 and value > self.peaks.get(key, 0.0):
                    self.peaks[key] = value
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
        prep = VENDOR[0] != "postgresql"
        greatest = "GREATEST" if connection.vendor == "postgresql" else "MAX"
        updates = [f"{c} = {table}.{c} + excluded.{c}" for c in counters]
        updates.append(f"max_wait_s = {greatest}({table}.max_wait_s, excluded.max_wait_s)")
        updates += [f"{c} = ({table}.{c} OR excluded.{c})" for c in ("hold_known", "acw_known")]
        upsert = f"ON CONFLICT ({', '.join(conflict)}) DO UPDATE SET {', '.join(updates)}"
        if VENDOR[0] == "postgresql" and len(keys) > STAGE_ROWS:
            # A bulk import's agent days (a thousand rows a batch): as COPY text through a
            # staging table. Forty-odd parameters a row cost psycopg2 more than the text does.
            esc = _Escaped()
            lines = [
                "\t".join(
                    [_copy_value(v, esc) for v in self._values(key, rows, columns, counters, whole)]
                )
                for key in keys
            ]
            _upsert_lines(table, columns, lines, suffix=upsert)
            return
        for start in range(0, len(keys), 400):
            chunk = keys[start : start + 400]
            params: list = []
            for key in chunk:
                values = self._values(key, rows, columns, counters, whole)
                if prep:
                    values = [
                        fields[c].get_db_prep_save(v, connection)
                        for c, v in zip(columns, values, strict=True)
                    ]
                params += values
            row_sql = "(" + ", ".join(["%s"] * len(columns)) + ")"
            sql = (
                f"INSERT INTO {table} ({', '.join(columns)}) VALUES "  # noqa: S608
                f"{', '.join([row_sql] * len(chunk))} {upsert}"
            )
            if VENDOR[0] == "postgresql":
                # Identifiers come from the model; every value is a parameter.
                pg(lambda cursor, sql=sql, params=params: cursor.execute(sql, params))
            else:
                with connection.cursor() as cursor:
                    cursor.execute(sql, params)

    def _values(
        self, key: tuple, rows: dict[tuple, dict], columns: list[str], counters, whole: set
    ) -> list:
        """The row of `key` in the order of `columns`: its key columns, its counters (the
        whole ones rounded), its peak and its flags."""
        values = {
            **rows[key],
            **dict.fromkeys(counters, 0),
            "max_wait_s": 0.0,
            "hold_known": False,
            "acw_known": False,
        }
        values.update(self.sums.get(key, {}))
        values["max_wait_s"] = self.peaks.get(key, 0.0)
        values.update(self.flags.get(key, {}))
        return [round(values[c]) if c in whole else values[c] for c in columns]


def _copy_value(value, esc: dict[str, str]) -> str:
    """A value as COPY text: None, a flag, a number, a text, a date or a time."""
    if value is None:
        return _NULL
    if isinstance(value, bool):
        return "t" if value else "f"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return esc[value]
    return value.isoformat()


INTERVAL_COUNTERS = formulas.SUM_FIELDS
DAY_COUNTERS = (*formulas.SUM_FIELDS, "missed_rings", "unreachable_rings")


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
        minute, second = divmod(ts, 60)
        key = (int(minute), minutes)
        # A time within a microsecond of its minute's end is the next minute's to `datetime`
        # (it rounds to the microsecond): it is neither answered from the cache nor kept.
        found = self.cache.get(key) if second < 59.999999 else None
        if found is None:
            found = (
                formulas.interval_start(ts, zone=self.zone, minutes=minutes),
                datetime.fromtimestamp(ts, self.zone).date(),
            )
            offset = datetime.fromtimestamp(ts, self.zone).utcoffset()
            if second < 59.999999 and offset is not None and offset.seconds % 60 == 0:
                self.cache[key] = found
        return found


@dataclass(slots=True)
class Prefetch:
    """What `changes_write` reads, read before a batch's writes start: the existing queues of some
    names, and the agents and open AgentState rows of some members."""

    queues: dict[str, Queue]
    members: set[str]
    agents: dict[str, int]
    open_rows: dict[str, AgentState]


def prefetch(source, *, queue_names: set[str], members: set[str]) -> Prefetch:
    queues: dict[str, Queue] = {}
    names = queue_names - {""}
    for alias in QueueAlias.objects.filter(name__in=names).select_related("queue"):
        queues[alias.name] = alias.queue
    for queue in Queue.objects.filter(name__in=names - set(queues)):
        queues[queue.name] = queue
    return Prefetch(queues, members, _agents_for(members), _open_rows(source, members))


def changes_write(
    source: TelephonySource,
    engine: kpi.Engine,
    *,
    since: float,
    prefetched: Prefetch | None = None,
    touched: dict[str, set] | None = None,
) -> int:
    """Write what the engine changed since the last store; return the number of calls.

    Every read comes before the first write. With `prefetched` covering what is needed (the
    batch's writes may have started), nothing is read. `touched` gets what the board must
    read again: `members` (telephony names whose state, calls or rings changed) and `queues`
    (ids of the queues whose calls changed).
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
        if getattr(BATCH, "writer", None) is not None:
            BATCH.writer.wait()  # the connection is free again for reading
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
        if ikey not in interval_lookups:
            interval_lookups[ikey] = {"queue_id": queue.pk, "start": start}
        facts = call.facts()
        new = formulas.contribution(
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
        answered_by = call.member if call.outcome == formulas.ANSWERED else ""
        if answered_by:
            dkey = (answered_by, day)
            if dkey not in day_lookups:
                day_lookups[dkey] = _day_row(source, answered_by, day, agents)
            day_deltas.add(dkey, new, +1, only=AGENT_FIELDS)
        if call.stored is not None:
            before = formulas.CallFacts(*call.stored)
            old = formulas.contribution(
                before,
                threshold=queue.sl_threshold_s,
                short_abandon=queue.short_abandon_s,
                fast_ring=queue.ring_fast_s,
            )
            interval_deltas.add(ikey, old, -1)
            if before.outcome == formulas.ANSWERED and call.member:
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
    if touched is not None:
        touched.setdefault("members", set()).update(members | states.touched)
        touched.setdefault("queues", set()).update(pk for _, pk in written)
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
# A queue call's natural key; on conflict every other column is updated but the recording id,
# which an update keeps.
_CALL_KEY = ("source_id", "call_id", "queue_id", "offered_at")
_CALL_CHANGING = [c for c in CALL_COLUMNS if c not in (*_CALL_KEY, "recording_id")]
_CALL_UPSERT = f"ON CONFLICT ({', '.join(_CALL_KEY)}) DO UPDATE SET " + ", ".join(
    f"{c} = excluded.{c}" for c in _CALL_CHANGING
)


def _calls_upsert(source, written: list[tuple[kpi.Call, int]], agents: dict[str, int]) -> None:
    """Insert or update the queue calls on their natural key."""
    table = QueueCall._meta.db_table
    if VENDOR[0] == "postgresql" and len(written) > STAGE_ROWS:
        esc, times, num = _Escaped(), _time_texts(), _num_text
        tail = f"\t\t{timezone.now().isoformat()}"
        head = f"{source.pk}\t"
        # One f-string per row: no tuple and no join per call.
        lines = [
            f"{head}{esc[call.call_id[:100]]}\t{queue_pk}\t{esc[call.caller[:100]]}\t"
            f"{times[call.offered_ts]}\t{call.outcome}\t{num(call.wait_s)}\t"
            f"{esc[call.member[:200]]}\t{num(agents.get(call.member))}\t"
            f"{times[call.answered_ts]}\t{num(call.ring_s)}\t{num(call.talk_s)}\t"
            f"{num(call.hold_s)}\t{num(call.acw_s)}\t{times[call.ended_ts]}\t"
            f"{'t' if call.transferred else 'f'}\t{'t' if call.cut else 'f'}{tail}"
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

    if VENDOR[0] == "postgresql":
        esc, times, num = _Escaped(), _time_texts(), _num_text
        head = f"{source.pk}\t"
        queue_pks = {name: str(queue.pk) for name, queue in queues.items()}

        def row_for(interval: kpi.Interval) -> str:
            member = interval.member
            return (
                f"{head}{esc[member[:200]]}\t{num(agents.get(member))}\t{interval.status}\t"
                f"{esc[interval.reason[:100]]}\t{interval.activity}\t"
                f"{queue_pks.get(interval.queue, _NULL)}\t{esc[interval.call_id[:100]]}\t"
                f"{times[interval.start_ts]}\t{times[interval.end_ts]}"
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
            if row is not None and row.started_at == dt(interval.start_ts):
                close.append((row.pk, dt(interval.end_ts)))
                row = None
            else:
                create.append(row_for(interval))
        now_open = current.get(member)
        if row is not None and (now_open is None or row.started_at != dt(now_open.start_ts)):
            # The engine no longer holds this state (cut by a restart): close it.
            close.append((row.pk, row.started_at if now_open is None else dt(now_open.start_ts)))
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
    if VENDOR[0] == "postgresql":
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
        pg(
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
