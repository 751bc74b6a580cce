"""The KPI engine's open state between batches of a source.

One row per open call (EngineCall) and per member (EngineMember), each holding the state
`kpi.Engine.dump` gives it; the source keeps the clock, the flags and a version. A batch
rewrites only the rows whose state changed, so its cost follows the batch, not the size of
the floor. After commit the process keeps the engine it saved: the next batch of the source
reuses it when the version on the (locked) source row is still the one it wrote.
"""

from __future__ import annotations

import json
import uuid
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from django.db import connection, models, transaction

from metrics import kpi
from metrics.models import (
    EngineCall,
    EngineMember,
    Queue,
    QueueAlias,
    TelephonySource,
)
from metrics.telephony import store


def acw_reasons() -> set[str]:
    reasons = set(kpi.DEFAULT_ACW_REASONS)
    for value in Queue.objects.values_list("acw_reasons", flat=True):
        reasons.update(value or [])
    return reasons


def queue_settings() -> tuple[set[str], dict[str, float]]:
    """The after-call-work reasons of every queue, and each queue's `stale_after_s` by every
    name the telephony may give it (its name and its aliases)."""
    reasons = set(kpi.DEFAULT_ACW_REASONS)
    stale: dict[str, float] = {}
    for name, value, limit in Queue.objects.values_list("name", "acw_reasons", "stale_after_s"):
        reasons.update(value or [])
        stale[name] = float(limit)
    for name, limit in QueueAlias.objects.values_list("name", "queue__stale_after_s"):
        stale[name] = float(limit)
    return reasons, stale


# -- the engine's open state between batches ----------------------------------------------------
# One row per open call (EngineCall) and per member (EngineMember), each holding the state
# `kpi.Engine.dump` gives it; the source keeps the clock, the flags and a version. A batch
# rewrites only the rows whose state changed, so its cost follows the batch, not the size of
# the floor. After commit the process keeps the engine it saved: the next batch of the source
# reuses it when the version on the (locked) source row is still the one it wrote.

_ENGINE_INDEXES = ("talking", "pending", "in_acw")
_HEAD = ("clock", "saw_acw", "saw_hold", "version")


@dataclass(slots=True)
class SavedState:
    """The rows as stored: key → state, to tell what a batch changed."""

    calls: dict[tuple[str, str], dict]
    members: dict[str, dict]
    head: dict


# source pk → (version, engine, saved state) of the last batch this process committed.
engines: dict[int, tuple[str, kpi.Engine, SavedState]] = {}


def load(source: TelephonySource, *, reuse: bool = True) -> tuple[kpi.Engine, SavedState]:
    """The engine of `source` as its last batch left it (the source row is locked); with
    `reuse`, the engine this process kept after committing it, if it is still that state."""
    head = {k: v for k, v in (source.engine_state or {}).items() if k in _HEAD}
    found, stale = queue_settings()
    reasons = frozenset(found)
    # Taken out: a batch that fails leaves nothing behind to reuse.
    kept = engines.pop(source.pk, None)
    if (
        reuse
        and kept is not None
        and head.get("version") is not None
        and kept[0] == head["version"]
        and kept[1].acw_reasons == reasons
    ):
        kept[1].set_stale_after(stale, kpi.DEFAULT_STALE_AFTER_S)
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
    engine = kpi.Engine.load(
        state, acw_reasons=reasons, stale_after=stale, stale_default=kpi.DEFAULT_STALE_AFTER_S
    )
    return engine, SavedState(calls, members, head)


def keep(source: TelephonySource, engine: kpi.Engine, saved: SavedState) -> None:
    """Keep an engine that was loaded and left unchanged for the source's next batch."""
    version = saved.head.get("version")
    if version is not None:
        engines[source.pk] = (version, engine, saved)


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


def save(source: TelephonySource, engine: kpi.Engine, saved: SavedState) -> None:
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
        # Plain SQL through `store.pg`: in a bulk import the writer runs it while the next batch
        # is read.
        store.pg(_engine_rows_write(source.pk, call_rows, gone_calls, member_rows, gone_members))
        head, pk = json.dumps(saved.head), source.pk
        store.pg(
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
    transaction.on_commit(lambda: engines.__setitem__(pk, (version, engine, saved)))


def _engine_rows_write(
    source_pk: int,
    call_rows: list[tuple[str, str, dict]],
    gone_calls: list[tuple[str, str]],
    member_rows: list[tuple[str, dict]],
    gone_members: list[str],
) -> Callable:
    """The PostgreSQL writes of `save`, as one job for `store.pg`."""
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
