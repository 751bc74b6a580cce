"""Reads for the live floor and reports: "today" from rollups plus the calls still open.

The cost of `floor_queue_stats` does not grow with the day: it sums at most one rollup row per
interval of today (≤ 96 per queue) and reads the calls still waiting. The figures are those of
the pure formulas (`metrics.formulas.queue_figures`) over the same calls.
"""

from __future__ import annotations

import json
from collections import defaultdict, namedtuple
from collections.abc import Iterable
from datetime import UTC, datetime

from django.db import connection
from django.db.models import Count, Sum
from django.utils.dateparse import parse_datetime

from callfloor.zone import site_zone
from metrics import formulas
from metrics.models import (
    AGENT_FIELDS,
    AgentDay,
    AgentState,
    EngineMember,
    Outcome,
    Queue,
    QueueCall,
    QueueInterval,
    TelephonySource,
)

_TALLY_FIELDS = list(formulas.SUM_FIELDS)


def _tally(row) -> formulas.Tally:
    """The counters of a rollup row (`QueueInterval`, `AgentDay` or an `_Interval`)."""
    return formulas.Tally(**{name: getattr(row, name) for name in (*_TALLY_FIELDS, "max_wait_s")})


def read_datetime(value) -> datetime | None:
    """A timestamp read by plain SQL: PostgreSQL gives aware datetimes, SQLite a naive UTC
    one (or its text)."""
    if value is None:
        return None
    moment = value if isinstance(value, datetime) else parse_datetime(value)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


# A queue's interval as the floor reads it: plain values rather than a model instance (a push
# of a big floor reads today's intervals of every queue it touched; building model
# instances was most of that read).
_Interval = namedtuple(
    "_Interval", ["queue_id", "start", *_TALLY_FIELDS, "max_wait_s", "hold_known", "acw_known"]
)


def _intervals(pks: list[int], since: datetime, until: datetime) -> list[_Interval]:
    """The intervals of the queues `pks` that start within [since, until], by start."""
    ops = connection.ops
    columns = ", ".join(ops.quote_name(name) for name in _Interval._fields)
    table = ops.quote_name(QueueInterval._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {columns} FROM {table} "  # noqa: S608
            f"WHERE queue_id IN ({', '.join(['%s'] * len(pks))}) "
            "AND start >= %s AND start <= %s ORDER BY start",
            [*pks, ops.adapt_datetimefield_value(since), ops.adapt_datetimefield_value(until)],
        )
        found = cursor.fetchall()
    if connection.vendor == "postgresql":
        return [_Interval._make(row) for row in found]
    # (SQLite: naive or text times, and truth values as numbers)
    return [
        _Interval._make(row)._replace(
            start=read_datetime(row[1]), hold_known=bool(row[-2]), acw_known=bool(row[-1])
        )
        for row in found
    ]


def queue_today_bounds(queue: Queue, now: datetime) -> tuple[datetime, datetime]:
    """Start and end (UTC) of the queue's "today" in the site zone, from its day reset hour."""
    return formulas.day_bounds(now.timestamp(), zone=site_zone(), reset_hour=queue.day_reset_hour)


def floor_queue_stats(*, queues: Iterable[Queue], now: datetime) -> dict[int, dict]:
    """Per queue id, today's KPIs (kpi.md) as the wall board shows them.

    Each value holds: `offered`, `answered`, `abandoned`, `short_abandoned`, `timed_out`,
    `unknown`, `transferred`, `service_level` (the queue's variant, named in `sl_variant`),
    `service_level_variants` (all four), `answer_rate`, `abandon_rate`, `asa_s`,
    `avg_abandon_wait_s`, `max_wait_s`, `aht_s`, `aht_components`, `avg_talk_s`,
    `transfer_rate`, `waiting` (= `waiting_now`), `waiting_now`, `longest_waiting_since`
    (offered time of the oldest waiting call, or None), `waiting_calls` (list of
    `{id, call_id, caller, offered_at, wait_s}`), `intervals` (today's per-interval
    `{start, offered, answered, abandoned, service_level}` for a trend line), `day_start`,
    `day_end`, `threshold_s`, `sl_target`; ratios are None when undefined.
    """
    queues = list(queues)
    if not queues:
        return {}
    bounds = {q.pk: queue_today_bounds(q, now) for q in queues}
    earliest = min(b[0] for b in bounds.values())
    rows: dict[int, list[_Interval]] = defaultdict(list)
    # Raw SQL for the two reads (the same rows as the ORM's filters): this runs on every push
    # of the board that touches a queue, where building the ORM's queries costs more than
    # running them.
    ops = connection.ops
    pks = [q.pk for q in queues]
    among = f"queue_id IN ({', '.join(['%s'] * len(pks))})"
    for row in _intervals(pks, earliest, now):
        start, end = bounds[row.queue_id]
        if start <= row.start < end:
            rows[row.queue_id].append(row)
    waiting: dict[int, list[QueueCall]] = defaultdict(list)
    stale: dict[int, list[QueueCall]] = defaultdict(list)
    limits = {q.pk: q.stale_after_s for q in queues}
    for call in QueueCall.objects.raw(
        "SELECT id, queue_id, call_id, caller, offered_at "  # noqa: S608
        f"FROM {ops.quote_name(QueueCall._meta.db_table)} WHERE {among} AND outcome = %s "
        "ORDER BY offered_at, id",  # ties in a stable order: no spurious deltas
        [*pks, Outcome.WAITING],
    ):
        # A call waiting past the queue's `stale_after_s` lost its last line: it counts as
        # `unknown` (kpi.md) even before the telephony clock stores it so.
        if stale_call(call.offered_at, limits[call.queue_id], now):
            stale[call.queue_id].append(call)
        else:
            waiting[call.queue_id].append(call)

    minutes_of = {q.pk: q.interval_minutes for q in queues}
    zone = site_zone()
    result: dict[int, dict] = {}
    for queue in queues:
        start, end = bounds[queue.pk]
        total = formulas.Tally()
        hold_known = acw_known = False
        for row in rows[queue.pk]:
            total.add(_tally(row))
            hold_known |= row.hold_known
            acw_known |= row.acw_known
        today_stale = [c for c in stale[queue.pk] if start <= c.offered_at < end]
        for _call in today_stale:
            total.add(stale_contribution(queue))
        today_waiting = [c for c in waiting[queue.pk] if start <= c.offered_at < end]
        waits = [max(0.0, (now - c.offered_at).total_seconds()) for c in today_waiting]
        components = formulas.aht_components(saw_hold=hold_known, saw_acw=acw_known)
        figures = formulas.queue_figures(
            total,
            waiting=waits,
            threshold=queue.sl_threshold_s,
            variant=queue.sl_variant,
            components=components,
        )
        all_waiting = waiting[queue.pk]
        figures.update(
            {
                "queue": queue.name,
                "sl_variant": queue.sl_variant,
                "threshold_s": queue.sl_threshold_s,
                "sl_target": queue.sl_target,
                "day_start": start,
                "day_end": end,
                "waiting_now": len(all_waiting),
                "longest_waiting_since": all_waiting[0].offered_at if all_waiting else None,
                "waiting_calls": [
                    {
                        "id": c.pk,
                        "call_id": c.call_id,
                        "caller": c.caller,
                        "offered_at": c.offered_at,
                        "wait_s": max(0.0, (now - c.offered_at).total_seconds()),
                    }
                    for c in all_waiting
                ],
                "intervals": _interval_trend(
                    queue,
                    rows[queue.pk],
                    today_waiting,
                    today_stale,
                    now,
                    minutes_of[queue.pk],
                    zone,
                ),
            }
        )
        figures["waiting"] = len(today_waiting)
        result[queue.pk] = figures
    return result


def stale_call(offered_at: datetime, stale_after_s: float, now: datetime) -> bool:
    """Whether a call still waiting at `now` went stale (kpi.md, "Calls that never end")."""
    return (now - offered_at).total_seconds() >= stale_after_s


def stale_contribution(queue: Queue) -> dict[str, float]:
    """What a stale waiting call counts (`unknown` with `wait_s = stale_after_s`) beyond the
    `offered` its rollup row counts already."""
    facts = formulas.CallFacts(
        formulas.UNKNOWN, float(queue.stale_after_s), None, None, None, None, False, False, False
    )
    counts = formulas.contribution(
        facts, threshold=queue.sl_threshold_s, short_abandon=queue.short_abandon_s
    )
    counts.pop("offered")
    return counts


def _interval_trend(queue, rows, waiting, stale, now, minutes, zone) -> list[dict]:
    by_start: dict[datetime, list[float]] = defaultdict(list)
    for call in waiting:
        start = formulas.interval_start(call.offered_at.timestamp(), zone=zone, minutes=minutes)
        by_start[start].append(max(0.0, (now - call.offered_at).total_seconds()))
    stale_by_start: dict[datetime, int] = defaultdict(int)
    for call in stale:
        stale_by_start[
            formulas.interval_start(call.offered_at.timestamp(), zone=zone, minutes=minutes)
        ] += 1
    trend = []
    seen = set()
    for row in rows:
        seen.add(row.start)
        tally = _tally(row)
        for _ in range(stale_by_start.get(row.start, 0)):
            tally.add(stale_contribution(queue))
        w_out = sum(1 for w in by_start.get(row.start, []) if w > queue.sl_threshold_s)
        trend.append(
            {
                "start": row.start,
                "offered": row.offered,
                "answered": row.answered,
                "abandoned": row.abandoned,
                "service_level": formulas.service_levels(tally, w_out)[queue.sl_variant],
            }
        )
    return trend


def floor_agent_stats(
    *,
    now: datetime,
    site: str | None = None,
    agent_ids: Iterable[int] | None = None,
    members: Iterable[str] | None = None,
) -> dict[str, dict]:
    """Today's per-member figures (site zone), keyed by `agent:<id>` for mapped members and
    by the member name as written by the telephony for unmapped ones (only the sources of
    `site` when given; only the agents `agent_ids` and the unmapped `members` when either is
    given).

    Each value: `agent_id` (or None), `members` (names), `handled`, `aht_s`, `avg_talk_s`,
    `missed_rings`, `unreachable_rings`, `answered_within_3_rings`, `transferred`.
    """
    day = now.astimezone(site_zone()).date()
    grouped: dict[str, dict] = {}
    # Plain rows by plain SQL: this runs on every push of the wall board (for the agents it
    # touched), where building the ORM's query costs more than running it.
    for row in _agent_days(day=day, site=site, agent_ids=agent_ids, members=members):
        key = f"agent:{row['agent_id']}" if row["agent_id"] else row["member"]
        entry = grouped.setdefault(
            key,
            {
                "agent_id": row["agent_id"],
                "members": [],
                "tally": formulas.Tally(),
                "missed": 0,
                "unreachable": 0,
                "hold": False,
                "acw": False,
            },
        )
        entry["members"].append(row["member"])
        entry["tally"].add({name: row[name] for name in AGENT_FIELDS})
        entry["missed"] += row["missed_rings"]
        entry["unreachable"] += row["unreachable_rings"]
        entry["acw"] |= row["acw_sum"] > 0
        entry["hold"] |= row["hold_sum"] > 0
    result = {}
    for key, entry in grouped.items():
        components = formulas.aht_components(saw_hold=entry["hold"], saw_acw=entry["acw"])
        figures = formulas.agent_figures(
            entry["tally"],
            missed=entry["missed"],
            unreachable=entry["unreachable"],
            components=components,
        )
        figures.pop("occupancy")
        figures.update(
            {
                "agent_id": entry["agent_id"],
                "members": sorted(entry["members"]),
                "transferred": entry["tally"].transferred,
            }
        )
        result[key] = figures
    return result


def sql_in(column: str, values) -> tuple[str, list]:
    """`column IN (%s, ...)` and its parameters (`values` not empty)."""
    values = list(values)
    return f"{column} IN ({', '.join(['%s'] * len(values))})", values


def agents_or_unmapped(
    alias: str, ids, names, *others: tuple[str, list]
) -> tuple[str, list] | None:
    """The SQL condition on the rows `alias` (with `agent_id` and `member` columns) of the
    agents `ids`, of any condition of `others` (`(sql, params)`), or of the unmapped
    telephony names `names`, and its parameters; None when it can match nothing."""
    conditions = [sql_in(f"{alias}.agent_id", ids)] if ids else []
    conditions.extend(others)
    if names:
        named, params = sql_in(f"{alias}.member", names)
        conditions.append((f"({alias}.agent_id IS NULL AND {named})", params))
    if not conditions:
        return None
    return (
        f"({' OR '.join(sql for sql, _ in conditions)})",
        [p for _, params in conditions for p in params],
    )


def _agent_days(*, day, site, agent_ids, members) -> list[dict]:
    """The `AgentDay` rows of `day` (of the sources of `site`; of the agents `agent_ids` and
    the unmapped `members` when either is given) as dicts of `agent_id`, `member`, the ring
    counts and `AGENT_FIELDS`."""
    ops = connection.ops
    q = ops.quote_name
    columns = ("agent_id", "member", "missed_rings", "unreachable_rings", *AGENT_FIELDS)
    where, params = ["d.day = %s"], [ops.adapt_datefield_value(day)]
    join = ""
    if site:
        join = f"JOIN {q(TelephonySource._meta.db_table)} t ON t.id = d.source_id "
        where.append("t.site = %s")
        params.append(site)
    if agent_ids is not None or members is not None:
        wanted = agents_or_unmapped("d", sorted(agent_ids or ()), sorted(members or ()))
        if wanted is None:
            return []
        where.append(wanted[0])
        params.extend(wanted[1])
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join('d.' + q(c) for c in columns)} "  # noqa: S608
            f"FROM {q(AgentDay._meta.db_table)} d {join}WHERE {' AND '.join(where)}",
            params,
        )
        return [dict(zip(columns, row, strict=True)) for row in cursor.fetchall()]


def engine_member_states(*, site: str, members: Iterable[str] | None = None) -> list[dict]:
    """The KPI engines' current state of each member (status, activity, logins, ..., and
    `member`, the name the telephony writes) of the sources of `site` (only the telephony
    names `members` when given). On PostgreSQL in one JSON array decoded once."""
    member, source = EngineMember._meta.db_table, TelephonySource._meta.db_table
    if members is not None:
        # A few names (a push of the board): plain SQL, cheaper than building the ORM query.
        names = sorted(members)
        if not names:
            return []
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.member, m.state FROM {member} m "  # noqa: S608
                f"JOIN {source} s ON s.id = m.source_id WHERE s.site = %s "
                f"AND m.member IN ({', '.join(['%s'] * len(names))})",
                [site, *names],
            )
            return [
                {**(json.loads(state) if isinstance(state, str) else state), "member": name}
                for name, state in cursor.fetchall()
            ]
    if connection.vendor != "postgresql":
        rows = EngineMember.objects.filter(source__site=site)
        return [{**state, "member": name} for name, state in rows.values_list("member", "state")]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT coalesce(json_agg(m.state || jsonb_build_object('member', m.member)), "  # noqa: S608
            f"'[]')::text FROM {member} m "
            f"JOIN {source} s ON s.id = m.source_id WHERE s.site = %s",
            [site],
        )
        return json.loads(cursor.fetchone()[0])


def member_home_queues(
    *, members: Iterable[str] | None, queues: Iterable[Queue]
) -> dict[str, set[int]]:
    """The queues (of `queues`) each telephony member (each alias of an active agent when
    `members` is None) works, for a member the telephony logs into "every queue" (an
    AGENTLOGIN with no queue): the queues its agent is skilled for, else the queues of its
    agent's team. Members with neither are left out."""
    from agents.models import Agent, TelephonyAlias

    pks = {q.pk for q in queues}
    aliases = TelephonyAlias.objects.filter(agent__active=True)
    if members is not None:
        aliases = aliases.filter(name__in=list(members))
    agent_of = dict(aliases.values_list("name", "agent_id"))
    if not agent_of:
        return {}
    skills: dict[int, set[int]] = defaultdict(set)
    for agent_id, queue_id in Queue.objects.filter(
        pk__in=pks, skilled__agent_id__in=set(agent_of.values())
    ).values_list("skilled__agent_id", "pk"):
        skills[agent_id].add(queue_id)
    team_of = dict(Agent.objects.filter(pk__in=set(agent_of.values())).values_list("pk", "team_id"))
    by_team: dict[int, set[int]] = defaultdict(set)
    for team_id, queue_id in Queue.objects.filter(
        pk__in=pks, teams__pk__in={t for t in team_of.values() if t}
    ).values_list("teams__pk", "pk"):
        by_team[team_id].add(queue_id)
    found = {}
    for name, agent_id in agent_of.items():
        home = skills.get(agent_id) or by_team.get(team_of.get(agent_id), set())
        if home:
            found[name] = home
    return found


def unmapped_members() -> list[dict]:
    """Member names seen in calls, states or daily counters that no agent owns yet."""
    counts: dict[str, dict] = {}
    for row in (
        QueueCall.objects.filter(agent__isnull=True)
        .exclude(member="")
        .values("member")
        .annotate(calls=Count("id"))
    ):
        counts.setdefault(row["member"], {"member": row["member"], "calls": 0, "rings": 0})
        counts[row["member"]]["calls"] = row["calls"]
    for row in (
        AgentDay.objects.filter(agent__isnull=True)
        .values("member")
        .annotate(rings=Sum("missed_rings") + Sum("unreachable_rings"))
    ):
        counts.setdefault(row["member"], {"member": row["member"], "calls": 0, "rings": 0})
        counts[row["member"]]["rings"] = row["rings"] or 0
    for member in (
        AgentState.objects.filter(agent__isnull=True).values_list("member", flat=True).distinct()
    ):
        counts.setdefault(member, {"member": member, "calls": 0, "rings": 0})
    return sorted(counts.values(), key=lambda r: r["member"])
