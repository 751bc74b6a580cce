"""The live repeat-call rate: kpi.md's share of answered calls whose caller calls any queue again
within the repeat window (`CALLFLOOR_REPEAT_WINDOW_H`, 24 h by default), kept current by counters.

`repeat_calls_catch_up` reads the queue calls stored since its last run (by id) and those that
were still waiting then, and moves per-queue per-interval counters (`RepeatCallInterval`): an
answered call with a usable caller number counts in `answered_known_n`, and in `repeat_n` once
the same caller enters a queue after it within the window, whichever the floor learns first.
Answered calls not yet repeated (`RepeatCallCandidate`) and the callers' entries
(`RepeatCaller`) are kept for the window only. So a run costs what was written since the last
one, and the live floor sums at most one counter row per interval of today, however many calls
the day holds. As in the reports, calls without a usable caller number are left out.

The boards show each queue's rate: a run that moved the counters of a queue marks that queue
on its site's floor (`metrics.board.marks.touched_add`), as the repeat of a call may be made on
another queue than the one whose counter moves, and the refresh worker reads only the marked
queues' tiles again. It marks without scheduling a push: the refresh worker runs the catch-up
just before it takes the marks (`metrics.board.push.floor_push`), and the heartbeat follows
any other caller within seconds.
"""

from __future__ import annotations

import json
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Min
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from callfloor.zone import site_zone
from metrics import formulas
from metrics.board.marks import touched_add, touched_tokens
from metrics.models import (
    Outcome,
    Queue,
    QueueCall,
    RepeatCallCandidate,
    RepeatCaller,
    RepeatCallInterval,
    RepeatCallMark,
)

log = logging.getLogger(__name__)

BATCH = 5000
_FIELDS = ("id", "caller", "queue_id", "offered_at", "outcome", "queue__interval_minutes")


def repeat_window() -> timedelta:
    return timedelta(hours=float(getattr(settings, "CALLFLOOR_REPEAT_WINDOW_H", 24)))


def _known(caller: str) -> bool:
    # As `formulas.repeat_call_rate` and the reports: anonymous or empty numbers are left out.
    return caller.lower() not in formulas.ANONYMOUS_CALLERS


@dataclass(slots=True)
class _Mark:
    """The `RepeatCallMark` row, read and written in plain SQL (the catch-up runs before every
    push, where the ORM's query building cost more than the statements)."""

    pk: int
    last_call_id: int
    waiting: list[int]
    clock: datetime | None

    def save(self) -> None:
        ops = connection.ops
        table = ops.quote_name(RepeatCallMark._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {table} SET last_call_id = %s, waiting = %s, clock = %s "  # noqa: S608
                "WHERE id = %s",
                [
                    self.last_call_id,
                    json.dumps(self.waiting),
                    None if self.clock is None else ops.adapt_datetimefield_value(self.clock),
                    self.pk,
                ],
            )


def _mark() -> _Mark:
    """The mark, locked for the run (one run at a time); made at the first run."""
    table = connection.ops.quote_name(RepeatCallMark._meta.db_table)
    lock = " FOR UPDATE" if connection.features.has_select_for_update else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, last_call_id, waiting, clock FROM {table} ORDER BY id LIMIT 1{lock}"  # noqa: S608
        )
        row = cursor.fetchone()
    if row is not None:
        pk, last, waiting, clock = row
        waiting = json.loads(waiting) if isinstance(waiting, str) else waiting
        return _Mark(pk, last, list(waiting or []), None if clock is None else _moment(clock))
    # First run: start from the calls of the last two days (or windows, if longer): enough for
    # today's figures, rather than the whole history.
    since = timezone.now() - max(2 * repeat_window(), timedelta(days=2))
    first = QueueCall.objects.filter(offered_at__gte=since).aggregate(first=Min("id"))["first"]
    if first is None:
        first = (QueueCall.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    made = RepeatCallMark.objects.create(last_call_id=first - 1)
    return _Mark(made.pk, made.last_call_id, [], None)


class _Run:
    """The counter changes of one catch-up, applied at the end."""

    def __init__(self, window: timedelta) -> None:
        self.window = window
        self.zone = site_zone()
        self.counts: dict[tuple[int, datetime], list[int]] = defaultdict(lambda: [0, 0])
        self.waiting: set[int] = set()
        self.clock: datetime | None = None

    def apply(self, phases: list[tuple[list[dict], bool]]) -> None:
        """Each phase `(rows, entries)` in turn — `entries`: the rows are new queue calls (each
        an entry of its caller into a queue); otherwise calls seen before while waiting that
        have an outcome now. The callers' side rows are read once for every phase and written
        once at the end (as applying the phases one by one would leave them)."""
        callers = sorted({r["caller"] for rows, _ in phases for r in rows if _known(r["caller"])})
        seen: dict[str, list[datetime]] = defaultdict(list)
        candidates: dict[str, list[dict]] = defaultdict(list)
        if callers:
            # Plain SQL (the catch-up runs before every push that reads a tile, where the
            # ORM's query building costs more than these reads).
            q = connection.ops.quote_name
            among = f"caller IN ({', '.join(['%s'] * len(callers))})"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT caller, offered_at FROM {q(RepeatCaller._meta.db_table)} "  # noqa: S608
                    f"WHERE {among}",
                    callers,
                )
                for caller, offered in cursor.fetchall():
                    seen[caller].append(_moment(offered))
                cursor.execute(
                    "SELECT call_id, caller, offered_at, queue_id, start "  # noqa: S608
                    f"FROM {q(RepeatCallCandidate._meta.db_table)} WHERE {among}",
                    callers,
                )
                for call_id, caller, offered, queue_id, start in cursor.fetchall():
                    candidates[caller].append(
                        {
                            "call_id": call_id,
                            "caller": caller,
                            "offered_at": _moment(offered),
                            "queue_id": queue_id,
                            "start": _moment(start),
                        }
                    )
        created: dict[int, dict] = {}
        repeated: set[int] = set()
        entered: list[tuple[str, datetime]] = []
        for row, entries in (
            (row, entries)
            for rows, entries in phases
            for row in sorted(rows, key=lambda r: (r["offered_at"], r["id"]))
        ):
            caller, offered = row["caller"], row["offered_at"]
            if self.clock is None or offered > self.clock:
                self.clock = offered
            known = _known(caller)
            if entries and known:
                # This entry makes the caller's earlier answered calls of the window repeats.
                keep = []
                for candidate in candidates[caller]:
                    if candidate["offered_at"] < offered <= candidate["offered_at"] + self.window:
                        self.counts[(candidate["queue_id"], candidate["start"])][1] += 1
                        if created.pop(candidate["call_id"], None) is None:
                            repeated.add(candidate["call_id"])
                    else:
                        keep.append(candidate)
                candidates[caller] = keep
                seen[caller].append(offered)
                entered.append((caller, offered))
            if row["outcome"] == Outcome.ANSWERED and known:
                start = formulas.interval_start(
                    offered.timestamp(), zone=self.zone, minutes=row["queue__interval_minutes"]
                )
                counts = self.counts[(row["queue_id"], start)]
                counts[0] += 1
                if any(offered < other <= offered + self.window for other in seen[caller]):
                    counts[1] += 1  # the caller already called again
                else:
                    candidate = {
                        "call_id": row["id"],
                        "caller": caller,
                        "offered_at": offered,
                        "queue_id": row["queue_id"],
                        "start": start,
                    }
                    candidates[caller].append(candidate)
                    created[row["id"]] = candidate
            elif row["outcome"] == Outcome.WAITING:
                self.waiting.add(row["id"])
        if repeated:
            RepeatCallCandidate.objects.filter(call_id__in=repeated).delete()
        ops = connection.ops
        _insert(
            RepeatCallCandidate,
            ("call_id", "caller", "offered_at", "queue_id", "start"),
            [
                (
                    c["call_id"],
                    c["caller"],
                    ops.adapt_datetimefield_value(c["offered_at"]),
                    c["queue_id"],
                    ops.adapt_datetimefield_value(c["start"]),
                )
                for c in created.values()
            ],
            ignore_conflicts=True,
        )
        _insert(
            RepeatCaller,
            ("caller", "offered_at"),
            [(caller, ops.adapt_datetimefield_value(at)) for caller, at in entered],
        )

    def save_counts(self) -> set[int]:
        """Add the run's counts to the interval counters: one statement (an upsert that adds
        to the stored figures), however many intervals moved; the ids of the queues moved."""
        changes = sorted((k, v) for k, v in self.counts.items() if v[0] or v[1])
        if not changes:
            return set()
        ops = connection.ops
        table = ops.quote_name(RepeatCallInterval._meta.db_table)
        known, repeats = ops.quote_name("answered_known_n"), ops.quote_name("repeat_n")
        columns = ", ".join(ops.quote_name(c) for c in ("queue_id", "start"))
        params: list = []
        for (queue_id, start), (known_n, repeat_n) in changes:
            params += [queue_id, ops.adapt_datetimefield_value(start), known_n, repeat_n]
        values = ", ".join(["(%s, %s, %s, %s)"] * len(changes))
        # Only quoted names of our own table and placeholders go into the text.
        sql = (
            f"INSERT INTO {table} ({columns}, {known}, {repeats}) VALUES {values} "  # noqa: S608
            f"ON CONFLICT ({columns}) DO UPDATE SET "
            f"{known} = {table}.{known} + EXCLUDED.{known}, "
            f"{repeats} = {table}.{repeats} + EXCLUDED.{repeats}"
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
        return {queue_id for (queue_id, _), _ in changes}


def _mark_floors(queue_ids: list[int]) -> None:
    """The next push of each site whose queues `queue_ids` are reads their tiles again."""
    by_site: dict[str, list[int]] = defaultdict(list)
    table = connection.ops.quote_name(Queue._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT id, site FROM {table} "  # noqa: S608
            f"WHERE id IN ({', '.join(['%s'] * len(queue_ids))})",
            list(queue_ids),
        )
        for pk, site in cursor.fetchall():
            by_site[site].append(pk)
    for site, pks in by_site.items():
        touched_add(site=site, tokens=touched_tokens(queues=pks))


def _insert(model, columns: tuple[str, ...], rows: list[tuple], ignore_conflicts=False) -> None:
    """Insert `rows` into `model`'s table in plain SQL, a thousand rows a statement (the ORM's
    `bulk_create` builds model instances and its statement at a cost the catch-up pays before
    every push); `ignore_conflicts`: rows whose key exists already are left out."""
    if not rows:
        return
    q = connection.ops.quote_name
    names = ", ".join(q(c) for c in columns)
    one = f"({', '.join(['%s'] * len(columns))})"
    with connection.cursor() as cursor:
        for start in range(0, len(rows), 1000):
            part = rows[start : start + 1000]
            cursor.execute(
                f"INSERT INTO {q(model._meta.db_table)} ({names}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(part))}"
                + (" ON CONFLICT DO NOTHING" if ignore_conflicts else ""),
                [value for row in part for value in row],
            )


def _calls(where: str, params: list) -> list[dict]:
    """Queue calls as `_FIELDS` rows (plain SQL; `where` names the call `c`)."""
    q = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.id, c.caller, c.queue_id, c.offered_at, c.outcome, u.interval_minutes "  # noqa: S608
            f"FROM {q(QueueCall._meta.db_table)} c JOIN {q(Queue._meta.db_table)} u "
            f"ON u.id = c.queue_id WHERE {where}",
            params,
        )
        rows = [dict(zip(_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["offered_at"] = _moment(row["offered_at"])
    return rows


@transaction.atomic
def repeat_calls_catch_up() -> int:
    """Bring the repeat-call counters up to the stored queue calls; the number of calls read.

    One run at a time (the mark row is locked); idempotent when nothing changed. The refresh
    worker runs it before each push that reads queue tiles, so a run costs a fixed handful of
    queries: the calls still waiting and the new calls are read once each, the callers' side
    rows once, and the side tables are pruned only when the floor's clock entered a new minute
    or the run found nothing new (pruning later changes no count: every match is bounded by
    the window).
    """
    mark = _mark()
    run = _Run(repeat_window())
    read = 0
    phases: list[tuple[list[dict], bool]] = []
    if mark.waiting:
        rows = _calls("c.id IN ({})".format(", ".join(["%s"] * len(mark.waiting))), mark.waiting)
        done = [r for r in rows if r["outcome"] != Outcome.WAITING]
        run.waiting = {r["id"] for r in rows if r["outcome"] == Outcome.WAITING}
        if done:
            phases.append((done, False))
            read += len(done)
    while True:
        rows = _calls("c.id > %s ORDER BY c.id LIMIT %s", [mark.last_call_id, BATCH])
        if rows:
            mark.last_call_id = rows[-1]["id"]
            phases.append((rows, True))
            read += len(rows)
        if phases:
            run.apply(phases)
            phases = []
        if len(rows) < BATCH:
            break
    moved = run.save_counts()
    if moved:
        transaction.on_commit(lambda: _mark_floors(sorted(moved)), robust=True)
    before = mark.clock
    if run.clock is not None and (mark.clock is None or run.clock > mark.clock):
        mark.clock = run.clock
    waiting = sorted(run.waiting)
    prune = mark.clock is not None and (
        not read or before is None or _minute(before) != _minute(mark.clock)
    )
    if prune:
        # Past the window nothing can repeat any more: keep the side tables small (the entries
        # after a call still waiting are kept: its answer may yet make it a repeat).
        horizon = mark.clock - run.window
        RepeatCallCandidate.objects.filter(offered_at__lt=horizon).delete()
        oldest = QueueCall.objects.filter(pk__in=run.waiting).aggregate(first=Min("offered_at"))
        if oldest["first"] is not None:
            horizon = min(horizon, oldest["first"])
        RepeatCaller.objects.filter(offered_at__lt=horizon).delete()
    if read or waiting != mark.waiting or mark.clock != before:
        mark.waiting = waiting
        mark.save()
    return read


def _moment(value) -> datetime:
    """A timestamp read by plain SQL: PostgreSQL gives aware datetimes, SQLite a naive UTC
    one (or its text)."""
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _minute(moment: datetime) -> datetime:
    return moment.replace(second=0, microsecond=0)


def queue_repeat_today(*, queues: Iterable[Queue], now: datetime) -> dict[int, float | None]:
    """Per queue id, today's repeat-call rate so far (None without an answered call with a
    caller number), summed from the counters of today's intervals."""
    from metrics.selectors import queue_today_bounds

    queues = list(queues)
    if not queues:
        return {}
    bounds = {q.pk: queue_today_bounds(q, now) for q in queues}
    earliest = min(b[0] for b in bounds.values())
    totals: dict[int, list[int]] = defaultdict(lambda: [0, 0])
    # Plain SQL: this runs on every push of the board that reads a tile, where the ORM's
    # query building costs more than the query.
    ops = connection.ops
    table = ops.quote_name(RepeatCallInterval._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT queue_id, start, SUM(answered_known_n), SUM(repeat_n) "  # noqa: S608
            f"FROM {table} WHERE queue_id IN ({', '.join(['%s'] * len(queues))}) "
            "AND start >= %s AND start <= %s GROUP BY queue_id, start",
            [
                *(q.pk for q in queues),
                ops.adapt_datetimefield_value(earliest),
                ops.adapt_datetimefield_value(now),
            ],
        )
        rows = cursor.fetchall()
    for queue_id, moment, known, repeats in rows:
        start, end = bounds[queue_id]
        if start <= _moment(moment) < end:
            totals[queue_id][0] += int(known)
            totals[queue_id][1] += int(repeats)
    return {q.pk: (totals[q.pk][1] / totals[q.pk][0] if totals[q.pk][0] else None) for q in queues}


def repeat_calls_catch_up_safely() -> None:
    """For the floor snapshot: a failure here leaves the counters as they were, not the board
    without a snapshot."""
    try:
        repeat_calls_catch_up()
    except Exception:
        log.exception("could not bring the repeat-call counters up to date")
