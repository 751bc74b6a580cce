"""The refresh worker's floor state: each site's last pushed floor, kept in memory and advanced
by what each committed change touched.

A writer's dirty mark names what it changed (`signals.floor_changed_on_commit`: telephony
names, agents, queues, sections); `marks.py` accumulates the marks of a site between two
refreshes and the refresh takes them (`marks.touched_pop`). A mark without details is `FULL`.

`floor_advance` applies the touched keys to the kept `FloorParts` of a site:

- agents (by telephony name or id): their rows are read again (`snapshot._agent_rows` on those
  agents), the per-agent sources run on those rows, the other agent sources on every row;
- queues: the tiles of the queues whose calls changed are read again; the staffing of the
  queues the touched members were or are logged into is moved in memory;
- sections (`help`, `broadcasts`, `emergencies`, `alerts`, `takeovers`) are read again whole
  (each is a few rows); any other section, or `FULL`, rebuilds the whole floor;
- the staffing counts of the floor and of each team move by the rows a push changed (counted
  whole at the heartbeat); the summaries are made of them, and the alerts (agent, queue and
  help alerts at `now`, the sources' alerts as last read, and their acknowledgements) are
  derived again on every push (`snapshot.floor_compose`);
- the open take-overs are kept: the touched rows take theirs from them; a `takeovers` mark
  and the heartbeat read them again.

At the heartbeat every part that depends on the clock and the database is read again: the
tiles of every queue, the agent sources that are not per agent on every row, the take-overs,
help, broadcasts, emergencies, the alert sources and the site's thresholds; a new day of the
site rebuilds the whole floor. What moves with the marks alone is redone whole only at the
heartbeat that compares the floor with a fresh one (`sweep`, once a `CALLFLOOR_FLOOR_CHECK_S`):
the per-agent sources (the phone controls' fields: each row's from its own state) on every
row, every row made again, and the queues' staffing counted from every member. On a
5,000-agent floor those were most of every heartbeat.
So with a constant `now` the kept floor equals a fresh `snapshot.floor_snapshot` after every
push, and after a heartbeat the fresh one at its `now`.

Which entries can have changed is known, so the delta compares only those
(`delta.diff_keys`). `floor_check_due` says when to compare the kept floor with a fresh
snapshot (`CALLFLOOR_FLOOR_CHECK_S`, 60 s): at the next heartbeat, after its push was sent (a
heartbeat leaves nothing that depends on the clock behind). The ingestion does not
wait for it: what was committed after the push read the floor is in a fresh snapshot and not
yet in the kept one, its marks waiting for the next push. So the check reads the fresh floor
and the marks that wait at one database snapshot, and compares the fresh floor with the kept
one advanced by those marks (`floor_check`). A difference is then a bug: it is logged with the
keys that differ, counted (`drift_count`), and the next push rebuilds the floor whole.
"""

from __future__ import annotations

import copy
import logging
import time
from collections import Counter, defaultdict
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import datetime

from django.conf import settings
from django.db import connection, transaction

from metrics.board import snapshot as snap
from metrics.board.delta import SECTIONS
from metrics.board.marks import FULL, touched_peek
from metrics.models import Queue
from metrics.selectors import engine_member_states

log = logging.getLogger(__name__)

# Sections a writer may name that are read again whole (a few rows each).
SECTION_NAMES = ("help", "broadcasts", "emergencies", "alerts", "takeovers", "telephony")
CHECK_S = 60.0


def check_s() -> float:
    return float(getattr(settings, "CALLFLOOR_FLOOR_CHECK_S", CHECK_S))


# -- the kept floor -----------------------------------------------------------------------------


@dataclass(slots=True)
class Kept:
    """A site's floor as this process last pushed it."""

    seq: int
    id: str  # the cache's `current_id` of that push
    parts: snap.FloorParts
    checked: float  # time.monotonic() of the last comparison with a fresh snapshot


_kept: dict[str, Kept] = {}
# Pushes whose kept floor differed from a fresh snapshot (see `floor_check`), per site.
drift_count: dict[str, int] = {}


def kept_take(*, site: str, seq: int, current_id: str | None) -> Kept | None:
    """This process's kept floor of `site`, when it is the one the cache names current and
    the push `seq` follows it (else None: another process pushed, or the cache lost it)."""
    kept = _kept.pop(site, None)
    if kept is None or kept.seq != seq - 1 or kept.id != current_id:
        return None
    return kept


def kept_put(*, site: str, kept: Kept) -> None:
    _kept[site] = kept


def kept_drop(*, site: str | None = None) -> None:
    """Forget the kept floor (of `site`, or of every site): a worker restart."""
    if site is None:
        _kept.clear()
    else:
        _kept.pop(site, None)


def floor_check_due(kept: Kept) -> bool:
    return time.monotonic() - kept.checked >= check_s()


def differing_keys(kept: dict, fresh: dict) -> list[str]:
    """`section:key` of every entry that differs between two snapshots."""
    found = []
    for section in SECTIONS:
        before, after = kept.get(section, {}), fresh.get(section, {})
        for key in sorted(set(before) | set(after)):
            if before.get(key) != after.get(key):
                found.append(f"{section}:{key}")
    return found


@contextmanager
def one_read():
    """Every query inside reads the same database snapshot (PostgreSQL: a read-only
    repeatable-read transaction). Elsewhere, or inside a transaction already, as it is: the
    embedded SQLite floor is small, and a long read there would hold its writers."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        yield


def floor_check(*, site: str, now: datetime, parts: snap.FloorParts) -> bool | None:
    """Compare the kept floor `parts` with a fresh snapshot at the same `now`: True when they
    differ (logged, counted), False when not, None when it cannot tell now (a waiting mark
    asks for a whole rebuild).

    The fresh floor and the marks that wait for the next push are read at one database
    snapshot, and `parts` advanced by those marks is compared: what was committed after the
    push read the floor is then on both sides. (A mark is set right after its commit; the
    marks are read after the fresh floor, so every commit the fresh floor saw has its mark.)"""
    with one_read():
        fresh = snap.floor_parts(site=site, now=now, catch_up=False)
        waiting = touched_peek(site=site)
        if waiting:
            advanced = floor_advance(
                site=site, now=now, parts=parts, touched=waiting, heartbeat=False
            )
            if advanced is None:
                return None
            parts = advanced[0]
    keys = differing_keys(parts.snapshot, fresh.snapshot)
    if not keys:
        return False
    drift_count[site] = drift_count.get(site, 0) + 1
    log.warning(
        "the kept floor of %s differed from a fresh snapshot (%d entries: %s; first fields, "
        "kept → fresh: %s); the next push rebuilds it",
        site,
        len(keys),
        ", ".join(keys[:20]),
        "; ".join(_fields_differing(parts.snapshot, fresh.snapshot, name) for name in keys[:3]),
    )
    return True


def _fields_differing(kept: dict, fresh: dict, name: str) -> str:
    """`section:key` and its fields that differ between two snapshots, kept → fresh."""
    section, key = name.split(":", 1)
    before, after = kept.get(section, {}).get(key), fresh.get(section, {}).get(key)
    if not isinstance(before, dict) or not isinstance(after, dict):
        return f"{name} {before!r:.80} → {after!r:.80}"
    fields = sorted(f for f in before.keys() | after.keys() if before.get(f) != after.get(f))
    return f"{name} " + ", ".join(
        f"{f} {before.get(f)!r:.60} → {after.get(f)!r:.60}" for f in fields[:6]
    )


# -- applying a refresh's changes ---------------------------------------------------------------


def floor_advance(
    *,
    site: str,
    now: datetime,
    parts: snap.FloorParts,
    touched: set[str],
    heartbeat: bool,
    sweep: bool | None = None,
) -> tuple[snap.FloorParts, dict] | None:
    """The kept `parts` with what `touched` names read again at `now`, and per section the
    keys that may have changed (None: compare the section whole). None when only a full
    rebuild will do (`FULL`, a section or queue it does not know, a new day).

    `sweep` (default: `heartbeat`): run the per-agent sources on every row, not only on the
    touched ones."""
    sweep = heartbeat if sweep is None else sweep
    members = {t[2:] for t in touched if t.startswith("m:")}
    keys = {f"a{t[2:]}" for t in touched if t.startswith("a:")}
    sections = {t[2:] for t in touched if t.startswith("s:")}
    try:
        queue_ids = {int(t[2:]) for t in touched if t.startswith("q:")}
    except ValueError:
        return None
    if (
        FULL in touched
        or sections - set(SECTION_NAMES)
        or queue_ids - parts.queues.keys()
        or snap.site_day(now) != parts.day
        # A queue created, edited, moved or deleted marks every floor whole
        # (`tasks.on_floor_model_changed`); the heartbeat also compares the site's queues.
    ):
        return None
    new = replace(
        parts,
        tiles=dict(parts.tiles),
        staffing={pk: dict(v) for pk, v in parts.staffing.items()},
        members=dict(parts.members),
        core=dict(parts.core),
        index={"member": dict(parts.index["member"]), "call": dict(parts.index["call"])},
        agent_results=list(parts.agent_results),
        agents=dict(parts.agents),
        counts={
            "floor": dict(parts.counts["floor"]),
            "teams": defaultdict(
                snap._empty_staffing, {k: dict(v) for k, v in parts.counts["teams"].items()}
            ),
        },
    )
    changed: dict[str, set | None] = {s: set() for s in SECTIONS}
    changed["summary"] = changed["alerts"] = None

    if heartbeat:
        new.queues = {q.pk: q for q in Queue.objects.filter(site=site)}
        if new.queues.keys() != parts.queues.keys():
            return None
        if sweep:
            new.members = {}
            new.staffing = snap._queue_staffing(site, list(new.queues.values()), new.members)
            new.tiles = snap.queue_tiles(
                site=site, queues=list(new.queues.values()), now=now, staffing=new.staffing
            )
        else:
            # The staffing moves with the members' marks (a recount of every member is the
            # sweep's); every tile is read again (its figures depend on the clock).
            _advance_queues(site, now, new, members, set(new.queues), changed)
        new.limits = snap.site_bands(site)
        new.led = snap.team_leads()
        changed["queues"] = None
    else:
        _advance_queues(site, now, new, members, queue_ids, changed)

    rows = _advance_agents(site, now, new, members, keys, heartbeat, sweep, changed)
    if rows is None:
        return None
    if heartbeat or "takeovers" in sections:
        _advance_takeovers(site, now, new, changed)
    if changed["agents"] is None:
        new.counts = snap.staffing_counts(new.agents)
    else:
        for key in changed["agents"]:
            before, after = parts.agents.get(key), new.agents.get(key)
            if before is not None:
                snap.staffing_count(new.counts, before, -1)
            if after is not None:
                snap.staffing_count(new.counts, after, +1)
    if heartbeat or "help" in sections:
        new.help, changed["help"] = snap.help_requests(site, now), None
    if heartbeat or "broadcasts" in sections:
        new.broadcasts, changed["broadcasts"] = snap.broadcasts_standing(site, now), None
    if heartbeat or "emergencies" in sections:
        new.emergencies = snap.board_entries(site=site, now=now)
        changed["emergencies"] = None
    if heartbeat or "alerts" in sections:
        new.acks = {}
    if heartbeat or sections:
        new.source_alerts = snap.alert_source_alerts(
            site=site,
            now=now,
            kept=None if heartbeat else parts.source_alerts,
            sections=None if heartbeat else sections,
        )
    new.snapshot = snap.floor_compose(site=site, now=now, parts=new)
    return new, changed


def _advance_queues(site, now, new, members, queue_ids, changed) -> None:
    """The tiles of `queue_ids` read again; the staffing that `members` moved, in memory."""
    queues = list(new.queues.values())
    moved: set[int] = set()
    if members:
        states = engine_member_states(site=site, members=members)
        counted = snap.member_contributions(site, queues, states)
        change: Counter = Counter()
        for name in members:
            change.subtract(new.members.pop(name, []))
            change.update(counted.get(name, []))
            if counted.get(name):
                new.members[name] = counted[name]
        snap.staffing_move(new.staffing, change)
        for pks, _status, _activity in change:
            moved |= pks
    if queue_ids:
        new.tiles.update(
            snap.queue_tiles(
                site=site,
                queues=[new.queues[pk] for pk in sorted(queue_ids)],
                now=now,
                staffing=new.staffing,
            )
        )
    for pk in moved - queue_ids:
        key = f"q{pk}"
        new.tiles[key] = {**new.tiles[key], **new.staffing[pk]}
    changed["queues"] = {f"q{pk}" for pk in moved | queue_ids}


def _advance_agents(site, now, new, members, keys, heartbeat, sweep, changed) -> bool | None:
    """The rows of the touched agents read again; the agent sources run (per-agent ones on
    those rows, on all when `sweep`; the others on all rows); the rows whose extras moved
    rebuilt (every row at the sweep)."""
    index = new.index
    touched = set(keys) | {index["member"][m] for m in members if m in index["member"]}
    if members or touched:
        found = {"member": {}, "call": {}}
        rows = snap._agent_rows(
            site, now, members=members, keys=touched, index=found, takeovers=new.takeovers
        )
        touched |= rows.keys()
        for name in members:
            if index["member"].get(name) in touched and name not in found["member"]:
                del index["member"][name]
        index["member"].update(found["member"])
        for key in touched:
            if key in rows:
                new.core[key] = rows[key]
                index["call"][key] = found["call"][key]
            else:
                new.core.pop(key, None)
                new.agents.pop(key, None)
                index["call"].pop(key, None)
    if not touched and not heartbeat:
        changed["agents"] = set()
        return True
    sources = snap.agent_sources()
    moved: set[str] = set()
    for position, source in enumerate(sources):
        before = new.agent_results[position]
        if sweep or not snap.is_per_agent(source):
            result = snap.agent_source_results(site=site, now=now, core=new.core, sources=[source])
            new.agent_results[position] = result[0]
            moved |= before.get("agents", {}).keys() | result[0].get("agents", {}).keys()
        else:
            subset = {key: new.core[key] for key in touched if key in new.core}
            result = snap.agent_source_results(site=site, now=now, core=subset, sources=[source])
            fields = {k: v for k, v in before.get("agents", {}).items() if k not in touched}
            fields.update(result[0].get("agents", {}))
            new.agent_results[position] = {**before, "agents": fields}
    if sweep:
        moved = set(new.core)
    for key in (touched | moved) & new.core.keys():
        row = {**new.core[key], **snap.extras_of(key, new.agent_results)}
        if new.agents.get(key) != row:
            new.agents[key] = row
    changed["agents"] = None if sweep else touched | moved
    return True


def _advance_takeovers(site, now, new, changed) -> None:
    """The take-over of every row, from the open take-overs read again."""
    takeovers = new.takeovers = snap.takeovers_open(site, now)
    for key, row in new.core.items():
        found = snap.takeover_of(takeovers, row["agent_id"], new.index["call"].get(key, ""))
        if found != row["takeover"]:
            new.core[key] = {**row, "takeover": found}
            new.agents[key] = {**new.agents[key], "takeover": found}
            if changed["agents"] is not None:
                changed["agents"].add(key)


def snapshot_copy(parts: snap.FloorParts) -> dict:
    """A deep copy of the kept snapshot (for a test or a caller that changes it)."""
    return copy.deepcopy(parts.snapshot)
