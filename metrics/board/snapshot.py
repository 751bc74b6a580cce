"""The wall board's snapshot of one site: queue tiles, the agent grid, alerts and broadcasts.

Built from the KPI selectors (today's interval rollups plus the calls still waiting), the open
agent states, the sources' open engine state (who is logged into which queue) and the open
floor actions; none of these grows with the day, so neither does the cost of a snapshot.

`floor_parts` keeps what a snapshot is made of (`FloorParts`) so that the refresh worker
(`metrics.board.state`) can read again only the rows and tiles a change touched and derive the
rest (`floor_compose`); `floor_snapshot` is the whole floor built afresh.

Times are epoch seconds (floats) so the browser ticks them; nothing in a snapshot depends on
*now* except what changes at a threshold (a service level when a waiting call passes T, an alert
when a call gets long), so two snapshots of a quiet floor are equal and deltas stay empty.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import connection
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agents.models import Agent, Team
from callfloor.numbers import percent_under
from callfloor.zone import site_zone
from metrics.board.bands import bands, break_allowance, site_bands
from metrics.board.delta import Viewer, team_summary_key
from metrics.emergency.selectors import board_entries
from metrics.models import (
    Activity,
    AgentState,
    AgentStatus,
    AlertAck,
    Broadcast,
    HelpRequest,
    HelpStatus,
    Queue,
    QueueAlias,
    QueueCall,
    SLVariant,
    Takeover,
    TelephonySource,
)
from metrics.repeat_calls import queue_repeat_today, repeat_calls_catch_up_safely, repeat_window
from metrics.reports.selectors import queue_csat_today
from metrics.selectors import (
    agents_or_unmapped,
    engine_member_states,
    floor_agent_stats,
    floor_queue_stats,
    member_home_queues,
    read_datetime,
    sql_in,
)

HEARTBEAT_S = 5.0


def heartbeat_s() -> float:
    return float(getattr(settings, "CALLFLOOR_FLOOR_HEARTBEAT_S", HEARTBEAT_S))


def default_site() -> str:
    return getattr(settings, "CALLFLOOR_SITE", "main")


def _ts(moment: datetime | None) -> float | None:
    return None if moment is None else round(moment.timestamp(), 3)


def _round(value: float | None, digits: int = 4) -> float | None:
    return None if value is None else round(value, digits)


# A team lead holding this permission (given in the admin, to the user or a group) sees the
# whole floor; other team leads see their teams' agents and the queues their teams work.
WHOLE_FLOOR_PERMISSION = "metrics.see_whole_floor"


def queues_of_teams(teams) -> frozenset[int]:
    """The ids of the queues the given teams work (`Queue.teams`)."""
    return frozenset(
        Queue.objects.filter(teams__in=list(teams)).values_list("pk", flat=True).distinct()
    )


def viewer_for(user) -> Viewer | None:
    """What `user` may see of the floor, or None when they may not open the feed at all.

    Supervisors and admins see everything; a team lead their own teams' agents and the queues
    those teams work (or everything when allowed: `WHOLE_FLOOR_PERMISSION`); an agent their
    own row, their own help requests and the broadcasts.
    """
    from agents.access import agent_of, has_role, teams_led_by
    from agents.roles import Role

    if has_role(user, Role.SUPERVISOR, Role.ADMIN):
        return Viewer(everything=True)
    agent = agent_of(user)
    agent_key = f"a{agent.pk}" if agent is not None else None
    if has_role(user, Role.TEAM_LEAD):
        if user.has_perm(WHOLE_FLOOR_PERMISSION):
            return Viewer(everything=True, agent_key=agent_key)
        teams = frozenset(teams_led_by(user).values_list("pk", flat=True))
        return Viewer(
            queues=True, teams=teams, agent_key=agent_key, queue_ids=queues_of_teams(teams)
        )
    if has_role(user, Role.AGENT) and agent is not None:
        return Viewer(agent_key=agent_key)
    return None


# -- the snapshot -------------------------------------------------------------------------------


def floor_snapshot(*, site: str, now: datetime | None = None) -> dict:
    """The whole floor of `site` (every entry; viewers get a filtered copy)."""
    return floor_parts(site=site, now=now or timezone.now()).snapshot


@dataclass(slots=True)
class FloorParts:
    """A snapshot and what it was made of, kept by the refresh worker (`board/state.py`) to
    rebuild only the entries a committed change touched."""

    queues: dict[int, Queue]
    tiles: dict[str, dict]
    staffing: dict[int, dict]
    members: dict[str, list[tuple]]  # telephony name → [(queue ids, status, activity)]
    core: dict[str, dict]  # the agent rows without `AGENT_EXTRAS`
    index: dict  # "member": telephony name → row key; "call": row key → the state's call
    agent_results: list[dict]  # per agent source, what it returned
    agents: dict[str, dict]
    source_alerts: list[list[dict]]  # per alert source, its alerts
    help: dict[str, dict]
    broadcasts: dict[str, dict]
    emergencies: dict[str, dict]
    limits: dict
    day: object
    snapshot: dict = field(default_factory=dict)
    # The open take-overs (`takeovers_open`), read again on a `takeovers` mark and at the
    # heartbeat: the touched rows take theirs from here.
    takeovers: dict = field(default_factory=dict)
    # The sets of teams the leads lead (`team_leads`), read again at the heartbeat; a team
    # created, edited or deleted marks the floors whole (`tasks.on_floor_model_changed`).
    led: list = field(default_factory=list)
    # The acknowledgements of the alerts last composed (alert key → who and when, or None),
    # read again for the alerts new since, on an `alerts` mark (an acknowledgement sends one)
    # and at the heartbeat.
    acks: dict = field(default_factory=dict)
    # The floor's and each team's staffing counts over the agent rows (`staffing_counts`),
    # moved by the rows a push changed.
    counts: dict = field(default_factory=dict)


def floor_parts(*, site: str, now: datetime, catch_up: bool = True) -> FloorParts:
    """Every part of the floor of `site` at `now`, and the snapshot made of them.

    `catch_up`: bring the repeat-call counters up to the stored calls first (the refresh
    worker does it before it takes the marks, and the check of the kept floor must not
    write)."""
    if catch_up:
        repeat_calls_catch_up_safely()
    queues = list(Queue.objects.filter(site=site))
    members: dict[str, list[tuple]] = {}
    staffing = _queue_staffing(site, queues, members)
    tiles = queue_tiles(site=site, queues=queues, now=now, staffing=staffing)
    index: dict = {"member": {}, "call": {}}
    takeovers = takeovers_open(site, now)
    core = _agent_rows(site, now, index=index, takeovers=takeovers)
    results = agent_source_results(site=site, now=now, core=core, sources=_AGENT_SOURCES)
    parts = FloorParts(
        queues={q.pk: q for q in queues},
        tiles=tiles,
        staffing=staffing,
        members=members,
        core=core,
        index=index,
        agent_results=results,
        agents=with_extras(core, results),
        source_alerts=alert_source_alerts(site=site, now=now),
        help=help_requests(site, now),
        broadcasts=broadcasts_standing(site, now),
        emergencies=board_entries(site=site, now=now),
        limits=site_bands(site),  # the site's alert thresholds, also sent to the boards
        day=site_day(now),
        takeovers=takeovers,
        led=team_leads(),
    )
    parts.counts = staffing_counts(parts.agents)
    parts.snapshot = floor_compose(site=site, now=now, parts=parts)
    return parts


def site_day(now: datetime):
    return now.astimezone(site_zone()).date()


def floor_compose(*, site: str, now: datetime, parts: FloorParts) -> dict:
    """The snapshot made of `parts` at `now`: the summaries (from `parts.counts`) and the
    alerts are derived here (in memory, but for the acknowledgements: one small query)."""
    agents = parts.agents
    sourced = [alert for alerts in parts.source_alerts for alert in alerts]
    added_summary: dict = {}
    for result in parts.agent_results:
        added_summary.update(result.get("summary", {}))
        sourced.extend(result.get("alerts", []))
    alerts, parts.acks = _alerts(
        site, now, parts.tiles, agents, parts.help, parts.limits, sourced, known=parts.acks
    )
    return {
        "summary": {
            "floor": {"key": "floor", **parts.counts["floor"]},
            "thresholds": {"key": "thresholds", "bands": parts.limits},
            **added_summary,
            **_team_summaries(parts.led, parts.counts["teams"]),
        },
        "queues": parts.tiles,
        "agents": agents,
        "alerts": alerts,
        "broadcasts": parts.broadcasts,
        "help": parts.help,
        "emergencies": parts.emergencies,
    }


def queue_tiles(*, site: str, queues: list[Queue], now: datetime, staffing: dict) -> dict:
    """The tiles of `queues` (their figures read now; `staffing` from `_queue_staffing`; the
    repeat-call counters as they are: see `floor_parts`)."""
    if not queues:
        return {}
    repeats = queue_repeat_today(queues=queues, now=now)
    stats = floor_queue_stats(queues=queues, now=now)
    extras = _tile_extras(site, queues, now)
    queue_entries = {}
    for queue in queues:
        figures = stats.get(queue.pk, {})
        key = f"q{queue.pk}"
        queue_entries[key] = {
            "key": key,
            "id": queue.pk,
            "name": queue.name,
            "waiting": figures.get("waiting_now", 0),
            "longest_waiting_since": _ts(figures.get("longest_waiting_since")),
            "waiting_calls": [
                {"call_id": c["call_id"], "caller": c["caller"], "since": _ts(c["offered_at"])}
                for c in figures.get("waiting_calls", [])
            ],
            "offered": figures.get("offered", 0),
            "answered": figures.get("answered", 0),
            "abandoned": figures.get("abandoned", 0),
            # Calls whose end the telephony never sent (kpi.md: "Calls that never end").
            "unknown": figures.get("unknown", 0),
            "service_level": _round(figures.get("service_level")),
            "sl_variant": queue.sl_variant,
            "sl_target": queue.sl_target,
            "sl_red": queue.sl_red,
            "threshold_s": queue.sl_threshold_s,
            "wait_amber_s": queue.wait_amber_s,
            "wait_red_s": queue.wait_red_s,
            "answer_rate": _round(figures.get("answer_rate")),
            "abandon_rate": _round(figures.get("abandon_rate")),
            "asa_s": _round(figures.get("asa_s"), 1),
            "aht_s": _round(figures.get("aht_s"), 1),
            "aht_components": list(figures.get("aht_components") or []),
            "repeat_call_rate": _round(repeats.get(queue.pk)),
            "repeat_window_h": repeat_window().total_seconds() / 3600,
            "trend": [
                [_ts(i["start"]), _round(i["service_level"])] for i in figures.get("intervals", [])
            ],
            **staffing.get(queue.pk, _empty_staffing()),
            **extras[queue.pk],
        }
    return queue_entries


_TILE_SOURCES: list = []
TILE_EXTRAS = {
    "survey_n": 0,
    "csat_top_box": None,
    "csat_mean": None,
    "required_now": None,
    # The name of the telephony source feeding the queue whose connection is down.
    "stale_source": None,
}


def register_tile_source(source) -> None:
    """Let another app add figures to the queue tiles: `source(site=..., queues=..., now=...)`
    returns `{queue_id: {field: value}}` with fields of `TILE_EXTRAS`.

    It runs for the queues a change touched and at the heartbeat (every few seconds) for all,
    so it must cost a fixed number of queries (cache what changes only per interval). Call it
    from the app's `AppConfig.ready()`.
    """
    if source not in _TILE_SOURCES:
        _TILE_SOURCES.append(source)


def _tile_extras(site: str, queues: list[Queue], now: datetime) -> dict[int, dict]:
    """Per queue: today's CSAT when surveys were answered, and what other apps add."""
    extras = {queue.pk: dict(TILE_EXTRAS) for queue in queues}
    for pk, figures in queue_csat_today(queues=queues, now=now).items():
        extras[pk].update(
            survey_n=figures["survey_n"],
            csat_top_box=_round(figures["csat_top_box"]),
            csat_mean=_round(figures["csat_mean"], 2),
        )
    for source in _TILE_SOURCES:
        for pk, figures in source(site=site, queues=queues, now=now).items():
            if pk in extras:
                extras[pk].update({k: v for k, v in figures.items() if k in TILE_EXTRAS})
    return extras


_AGENT_SOURCES: list = []
# Fields other apps add to the agent rows (every row has them; None where nobody fills them).
# They are supervision fields (`delta.SUPERVISION_FIELDS`): agents do not see them.
AGENT_EXTRAS = {"scheduled": None, "scheduled_label": None, "in_adherence": None, "out_since": None}
# The phone controls (metrics/control/board.py): the source takes commands, the queues the PBX
# has the agent in, who listens to them.
AGENT_EXTRAS |= {"control": None, "queues": None, "monitors": None}


_PER_AGENT: set = set()


def register_agent_source(source, *, per_agent: bool = False) -> None:
    """Let another app add to the agent grid: `source(site=..., now=..., agents=rows)` returns
    `{"agents": {key: {field: value}}, "summary": {key: entry}, "alerts": [alert, ...]}`.

    Agent fields are those of `AGENT_EXTRAS`; a summary entry with a `team_id` is shown to the
    leads of that team only; alerts are as for `register_alert_source`. A source reads only the
    rows' own fields (not other sources') and does not change the rows (they are the floor's).
    `per_agent`: the source returns fields only, each row's from that row alone, so the refresh
    worker runs it on the rows a change touched (at the heartbeat on all); any other source runs
    on every row whenever an agent changed. It must cost a fixed number of queries whatever the
    hour. Call it from `AppConfig.ready()`.
    """
    if source not in _AGENT_SOURCES:
        _AGENT_SOURCES.append(source)
    if per_agent:
        _PER_AGENT.add(source)


def agent_sources() -> list:
    return list(_AGENT_SOURCES)


def is_per_agent(source) -> bool:
    return source in _PER_AGENT


def agent_source_results(*, site: str, now: datetime, core: dict, sources: list) -> list[dict]:
    """What each of `sources` adds to the rows `core` (rows without the extras).

    The sources get the floor's own rows, not copies (a copy of every row for each source was
    the largest part of a 5,000-agent push): a source reads them and must not change them."""
    return [source(site=site, now=now, agents=core) for source in sources]


def extras_of(key: str, results: list[dict]) -> dict:
    """The `AGENT_EXTRAS` of row `key` from the sources' `results`."""
    fields = dict(AGENT_EXTRAS)
    for result in results:
        got = result.get("agents", {}).get(key)
        if got:
            if got.keys() <= AGENT_EXTRAS.keys():  # (the usual case: nothing to leave out)
                fields.update(got)
            else:
                fields.update({k: v for k, v in got.items() if k in AGENT_EXTRAS})
    return fields


def with_extras(core: dict, results: list[dict]) -> dict[str, dict]:
    """The agent rows: `core` with the sources' `AGENT_EXTRAS`."""
    return {key: {**row, **extras_of(key, results)} for key, row in core.items()}


def _empty_staffing() -> dict:
    return {"staffed": 0, "available": 0, "on_call": 0, "wrap_up": 0, "not_ready": 0}


def _counted_in(status: str, activity: str) -> tuple[str, ...]:
    """The staffing counters (`_empty_staffing`) an agent or member in `status` and
    `activity` counts in."""
    if status == AgentStatus.LOGGED_OUT:
        return ()
    if activity in (Activity.ON_CALL, Activity.ON_HOLD, Activity.RINGING):
        return ("staffed", "on_call")
    if activity == Activity.WRAP_UP:
        return ("staffed", "wrap_up")
    if status == AgentStatus.NOT_READY:
        return ("staffed", "not_ready")
    return ("staffed", "available")


def _count(counts: dict, status: str, activity: str, times: int = 1) -> None:
    for name in _counted_in(status, activity):
        counts[name] += times


def team_leads() -> list[frozenset[int]]:
    """The distinct sets of teams a lead leads (one query)."""
    led: dict[int, set[int]] = defaultdict(set)
    for team_id, lead_id in Team.objects.filter(lead__isnull=False).values_list("pk", "lead_id"):
        led[lead_id].add(team_id)
    return sorted({frozenset(teams) for teams in led.values()}, key=sorted)


def staffing_counts(agents: dict[str, dict]) -> dict:
    """The staffing counts of the floor (`floor`) and of each team (`teams`) over `agents`
    (the rows are tallied by team, status and activity first: a few of those a floor)."""
    counts = {"floor": _empty_staffing(), "teams": defaultdict(_empty_staffing)}
    tally = Counter(
        (row["team_id"], row["status"], row["activity"])
        for row in agents.values()
        if row["status"] != AgentStatus.LOGGED_OUT
    )
    for (team_id, status, activity), times in tally.items():
        _count(counts["floor"], status, activity, times)
        if team_id is not None:
            _count(counts["teams"][team_id], status, activity, times)
    return counts


def staffing_count(counts: dict, row: dict, sign: int) -> None:
    """Count `row` in `counts` (`staffing_counts`), or take it out (`sign` -1)."""
    if row["status"] == AgentStatus.LOGGED_OUT:
        return
    _count(counts["floor"], row["status"], row["activity"], sign)
    if row["team_id"] is not None:
        _count(counts["teams"][row["team_id"]], row["status"], row["activity"], sign)


def _team_summaries(led: list[frozenset[int]], per_team: dict[int, dict]) -> dict[str, dict]:
    """The header of each team lead scoped to their teams: the floor's counts over the agents
    of the teams they lead (one entry per distinct set of teams, `led`)."""
    summaries = {}
    for teams in led:
        key = team_summary_key(teams)
        counts = _empty_staffing()
        for team_id in teams:
            for name, value in per_team.get(team_id, {}).items():
                counts[name] += value
        summaries[key] = {"key": key, **counts}
    return summaries


def _queue_staffing(
    site: str, queues: list[Queue], index: dict | None = None, names: list[str] | None = None
) -> dict[int, dict]:
    """Per queue, its own members logged in (from the sources' open engine state): a member
    logged into two queues counts in both. One logged into "every queue" (an AGENTLOGIN with
    no queue) counts in the queues its agent works (skills, else its team's queues), and in
    every queue only when callfloor knows neither.

    `index` gets, per telephony name, what it counts in: `[(queue ids, status, activity)]`
    (one per source); `names` limits the members read to those (their counts only)."""
    members = engine_member_states(site=site, members=names)
    result: dict[int, dict] = defaultdict(_empty_staffing)
    # (members share their queues and states: each kind is counted into its queues once)
    tally: Counter = Counter()
    for name, counted in member_contributions(site, queues, members).items():
        if index is not None:
            index[name] = counted
        tally.update(counted)
    staffing_move(result, tally)
    return {q.pk: dict(result[q.pk]) for q in queues}


def staffing_move(staffing: dict[int, dict], tally: Counter) -> None:
    """Count `tally` (`(queue ids, status, activity)` → how many members, less when
    negative) into the queues' `staffing`."""
    for (pks, status, activity), times in tally.items():
        if times:
            for pk in pks:
                _count(staffing[pk], status, activity, times)


def _aliases(queues: list[Queue]) -> list[tuple[str, int]]:
    """The other names of `queues` (`QueueAlias`: name, queue id), by plain SQL (a push of
    the board asks)."""
    if not queues:
        return []
    table = connection.ops.quote_name(QueueAlias._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT name, queue_id FROM {table} "  # noqa: S608
            f"WHERE queue_id IN ({', '.join(['%s'] * len(queues))})",
            [q.pk for q in queues],
        )
        return cursor.fetchall()


def member_contributions(site: str, queues: list[Queue], members: list[dict]) -> dict:
    """Per telephony name of `members` (engine states), `[(queue ids, status, activity)]`."""
    by_name = {q.name: q.pk for q in queues}
    by_name.update(_aliases(queues))
    every = frozenset(q.pk for q in queues)
    anywhere = any("*" in (m.get("logins") or []) for m in members)
    home = _home_queues(site, queues) if anywhere else {}
    found: dict[str, list[tuple]] = defaultdict(list)
    # (members share their logins: each distinct list's queues are looked up once)
    queues_of: dict[tuple, frozenset] = {}
    for member in members:
        logins = tuple(member.get("logins") or ())
        status, activity = member.get("status", ""), member.get("activity", "")
        name = member.get("member", "")
        pks = queues_of.get(logins)
        if pks is None:
            pks = queues_of[logins] = frozenset(by_name[q] for q in logins if q in by_name)
        if "*" in logins:
            pks = pks | home.get(name, every)
        found[name].append((pks, status, activity))
    return found


# site → (until, queue ids, member → home queue ids): skills and teams change rarely, and a
# snapshot is built for every push.
_HOME_QUEUES: dict[str, tuple[float, frozenset, dict]] = {}
HOME_QUEUES_TTL_S = 30.0


def _home_queues(site: str, queues: list[Queue]) -> dict[str, set[int]]:
    import time

    pks = frozenset(q.pk for q in queues)
    kept = _HOME_QUEUES.get(site)
    if kept is not None and kept[0] > time.monotonic() and kept[1] == pks:
        return kept[2]
    found = member_home_queues(members=None, queues=queues)
    _HOME_QUEUES[site] = (time.monotonic() + HOME_QUEUES_TTL_S, pks, found)
    return found


_STATE_FIELDS = (
    "agent_id",
    "member",
    "status",
    "reason",
    "activity",
    "queue_id",
    "queue__name",
    "call_id",
    "started_at",
)


def _agent_rows(
    site: str,
    now: datetime,
    *,
    members: set[str] | None = None,
    keys: set[str] | None = None,
    index: dict | None = None,
    takeovers: dict | None = None,
) -> dict[str, dict]:
    """The agent rows (without `AGENT_EXTRAS`): all, or those of the agents of the telephony
    names `members` and of the row `keys`. `index` gets each telephony name's row key
    ("member") and each row's call as its state has it ("call"); `takeovers`: the open
    take-overs when the caller has them (else they are read)."""
    # One row per agent: their most recent state over all their telephony names.
    latest: dict[str, dict] = {}
    for state in _open_states(site, members=members, keys=keys):
        key = f"a{state['agent_id']}" if state["agent_id"] else f"m:{state['member']}"
        if index is not None:
            index["member"][state["member"]] = key
        if key not in latest or state["started_at"] > latest[key]["started_at"]:
            latest[key] = state
    if members is None and keys is None:
        figures = floor_agent_stats(now=now)
    elif latest:
        ids = {s["agent_id"] for s in latest.values() if s["agent_id"]}
        loose = {s["member"] for s in latest.values() if not s["agent_id"]}
        figures = floor_agent_stats(now=now, agent_ids=ids, members=loose)
    else:
        figures = {}
    answered = _answered_at([s["call_id"] for s in latest.values() if s["call_id"]])
    if takeovers is None:
        takeovers = takeovers_open(site, now)
    rows = {}
    for key, state in latest.items():
        agent_id = state["agent_id"]
        stats = figures.get(f"agent:{agent_id}" if agent_id else state["member"], {})
        busy = state["activity"] != Activity.IDLE
        call_id = state["call_id"] if busy else ""
        if index is not None:
            index["call"][key] = state["call_id"]
        rows[key] = {
            "key": key,
            "agent": key,
            "agent_id": agent_id,
            "name": state["display_name"] or state["member"],
            "team_id": state["team_id"],
            "team": state["team__name"] or "",
            "status": state["status"],
            "reason": state["reason"],
            "activity": state["activity"],
            "since": _ts(state["started_at"]),
            "queue_id": state["queue_id"] if busy else None,
            "queue": (state["queue__name"] or "") if busy else "",
            "call_id": call_id,
            "call_since": _ts(answered.get(call_id)) if call_id else None,
            "handled": stats.get("handled", 0),
            "missed_rings": stats.get("missed_rings", 0),
            "takeover": takeover_of(takeovers, agent_id, state["call_id"]),
        }
    return rows


def _open_states(
    site: str, *, members: set[str] | None = None, keys: set[str] | None = None
) -> list[dict]:
    """The open states (not logged out) of `site` with their agent's name and team and their
    call's queue name (`_STATE_FIELDS` and `display_name`, `team_id`, `team__name`): all, or
    those of the agents of the telephony names `members` and of the row `keys` ("a<id>",
    "m:<name>"). One plain SQL statement: it runs on every push that changes an agent, where
    the ORM's query building would cost more than the query."""
    q = connection.ops.quote_name
    state, source = q(AgentState._meta.db_table), q(TelephonySource._meta.db_table)
    queue, agent, team = (q(m._meta.db_table) for m in (Queue, Agent, Team))
    where, params = (
        ["s.ended_at IS NULL", "t.site = %s", "s.status <> %s"],
        [
            site,
            AgentStatus.LOGGED_OUT,
        ],
    )
    if members is not None or keys is not None:
        ids = sorted({int(k[1:]) for k in keys or () if k.startswith("a")})
        names = sorted({k[2:] for k in keys or () if k.startswith("m:")} | set(members or ()))
        others = []
        if members:
            # Every open state of the agents whose telephony names changed.
            named, named_params = sql_in("s2.member", sorted(members))
            others.append(
                (
                    f"s.agent_id IN (SELECT s2.agent_id FROM {state} s2 "  # noqa: S608
                    f"JOIN {source} t2 ON t2.id = s2.source_id WHERE s2.ended_at IS NULL "
                    f"AND t2.site = %s AND s2.status <> %s AND s2.agent_id IS NOT NULL "
                    f"AND {named})",
                    [site, AgentStatus.LOGGED_OUT, *named_params],
                )
            )
        wanted = agents_or_unmapped("s", ids, names, *others)
        if wanted is None:
            return []
        where.append(wanted[0])
        params.extend(wanted[1])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.agent_id, s.member, s.status, s.reason, s.activity, s.queue_id, "  # noqa: S608
            "u.name, s.call_id, s.started_at, a.display_name, a.team_id, m.name "
            f"FROM {state} s JOIN {source} t ON t.id = s.source_id "
            f"LEFT JOIN {queue} u ON u.id = s.queue_id "
            f"LEFT JOIN {agent} a ON a.id = s.agent_id "
            f"LEFT JOIN {team} m ON m.id = a.team_id "
            f"WHERE {' AND '.join(where)}",
            params,
        )
        found = cursor.fetchall()
    names_of = (*_STATE_FIELDS, "display_name", "team_id", "team__name")
    states = [dict(zip(names_of, row, strict=True)) for row in found]
    for row in states:
        row["started_at"] = read_datetime(row["started_at"])
    return states


def _answered_at(call_ids: list[str]) -> dict[str, datetime]:
    """When each of the calls `call_ids` still talking was answered (one plain SQL query)."""
    if not call_ids:
        return {}
    table = connection.ops.quote_name(QueueCall._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT call_id, answered_at FROM {table} "  # noqa: S608
            "WHERE answered_at IS NOT NULL AND ended_at IS NULL "
            f"AND call_id IN ({', '.join(['%s'] * len(call_ids))})",
            call_ids,
        )
        return {call_id: read_datetime(at) for call_id, at in cursor.fetchall()}


def takeover_of(takeovers: dict, agent_id, call_id: str) -> dict | None:
    return takeovers.get((agent_id, call_id)) or takeovers.get((agent_id, ""))


def takeovers_open(site: str, now: datetime) -> dict[tuple, dict]:
    found = {}
    for row in (
        Takeover.objects.filter(
            site=site, finished_at__isnull=True, created_at__gte=now - timedelta(hours=12)
        )
        .select_related("taken_by")
        .order_by("created_at")
    ):
        found[(row.agent_id, row.call_id)] = {
            "id": row.pk,
            "by": row.taken_by.get_username(),
            "at": _ts(row.created_at),
        }
    return found


def current_broadcasts(*, site: str, now: datetime | None = None) -> list[Broadcast]:
    """The broadcasts standing now on `site`: urgent first, then the newest (at most 20)."""
    rows = (
        Broadcast.objects.filter(site=site, withdrawn_at__isnull=True)
        .exclude(expires_at__lte=now or timezone.now())
        .select_related("created_by")
        .order_by("-created_at")[:20]
    )
    return sorted(rows, key=lambda b: b.priority != "urgent")


def feed_config() -> dict:
    """The part of a page's "floor-config" every view of the floor shares."""
    from metrics.models import HelpReason

    return {
        "ws_path": "/ws/floor/",
        "heartbeat_s": heartbeat_s(),
        "bands": bands(),
        "help_reasons": [{"value": v, "label": str(label)} for v, label in HelpReason.choices],
    }


def my_floor_context(*, now: datetime | None = None) -> dict:
    """What a page embedding `metrics/_my_floor_strip.html` needs: the feed's config and the
    standing broadcasts, rendered by the server so they show without the socket too."""
    return {
        "config": {**feed_config(), "mode": "me"},
        "broadcasts": current_broadcasts(site=default_site(), now=now),
    }


def broadcasts_standing(site: str, now: datetime) -> dict[str, dict]:
    rows = current_broadcasts(site=site, now=now)
    return {
        f"b{b.pk}": {
            "key": f"b{b.pk}",
            "id": b.pk,
            "text": b.text,
            "priority": b.priority,
            "by": b.created_by.get_full_name() or b.created_by.get_username(),
            "at": _ts(b.created_at),
            "expires_at": _ts(b.expires_at),
        }
        for b in rows
    }


# A taken help request stays in the `help` section this long, so that the agent's page says
# who is coming (the board's alerts show only the open ones).
HELP_TAKEN_SHOWN = timedelta(minutes=15)


def person_name(user) -> str:
    """How a colleague is named to the floor: their full name, else their login."""
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def help_requests(site: str, now: datetime) -> dict[str, dict]:
    rows = (
        HelpRequest.objects.filter(
            Q(status=HelpStatus.OPEN)
            | Q(status=HelpStatus.TAKEN, taken_at__gte=now - HELP_TAKEN_SHOWN),
            site=site,
        )
        .select_related("agent__team", "taken_by")
        .order_by("created_at", "id")
    )
    return {
        f"h{h.pk}": {
            "key": f"h{h.pk}",
            "id": h.pk,
            "agent": f"a{h.agent_id}",
            "agent_id": h.agent_id,
            "name": h.agent.display_name,
            "team_id": h.agent.team_id,
            "reason": h.reason,
            "reason_label": h.get_reason_display(),
            "note": h.note,
            "call_id": h.call_id,
            "at": _ts(h.created_at),
            "status": h.status,
            "taken_by": person_name(h.taken_by),
            "taken_at": _ts(h.taken_at),
        }
        for h in rows
    }


# -- alerts -------------------------------------------------------------------------------------

_ALERT_SOURCES: list = []
_ALERT_SOURCE_SECTIONS: dict = {}


def register_alert_source(source, *, sections: tuple[str, ...] = ()) -> None:
    """Let another app add alerts to the panel: `source(site=..., now=...) -> list[dict]`.

    Each alert needs `key` (stable while the alert stands), `kind`, `severity` (red/amber),
    `text` and `since` (epoch seconds or None); `agent` ("a<id>") and `team_id` scope it to a
    team lead's team, `link` (a page) and `action` (an API path to POST) are optional, and
    `action_roles` names the roles that API lets act (the board shows the button to those). The
    source must cost a fixed number of queries; it runs at the heartbeat and when a change names
    the section `alerts` (`floor_changed_on_commit(..., sections=["alerts"])` after commit when
    its alerts change; a mark without details works too), or when a change names one of its
    `sections` (e.g. `telephony`: every batch of the ingestion). Call it from
    `AppConfig.ready()`.
    """
    if source not in _ALERT_SOURCES:
        _ALERT_SOURCES.append(source)
    _ALERT_SOURCE_SECTIONS[source] = frozenset(("alerts", *sections))


def alert_source_alerts(
    *, site: str, now: datetime, kept: list | None = None, sections: set[str] | None = None
) -> list[list[dict]]:
    """The alerts of each registered alert source: read now, or, with `kept` (what they gave
    before) and `sections` (what a change touched), read again only for the sources those
    sections name."""
    found: list[list[dict]] = []
    for position, source in enumerate(_ALERT_SOURCES):
        wanted = _ALERT_SOURCE_SECTIONS.get(source, frozenset(("alerts",)))
        if kept is not None and sections is not None and not wanted & sections:
            found.append(kept[position])
        else:
            found.append(list(source(site=site, now=now)))
    return found


# The service-level definition in the words of an alert (never its code name).
SL_VARIANT_WORDS = {
    SLVariant.OFFERED: gettext_lazy("of all calls offered"),
    SLVariant.IGNORE_ABANDONS: gettext_lazy("short abandons left out"),
    SLVariant.ABANDONS_POSITIVE: gettext_lazy("short abandons counted as met"),
    SLVariant.ANSWERED_ONLY: gettext_lazy("of answered calls only"),
}


def _alerts(
    site: str,
    now: datetime,
    queues: dict,
    agents: dict,
    help_requests: dict,
    limits: dict,
    extra: list,
    known: dict | None = None,
) -> tuple[dict[str, dict], dict]:
    """The floor's alerts by key, each with its acknowledgement; and the acknowledgements by
    key (`known`: those already read, which are not read again)."""
    alerts: list[dict] = []
    at = now.timestamp()
    for tile in queues.values():
        level, target = tile["service_level"], tile["sl_target"]
        if level is not None and level < target:
            day = now.astimezone(site_zone()).date()
            alerts.append(
                {
                    "key": f"queue_sl:{tile['id']}:{day.isoformat()}",
                    "kind": "queue_sl",
                    "severity": "red" if level < tile["sl_red"] else "amber",
                    "text": f"{tile['name']}: service level {percent_under(level, target)}% under "
                    f"the {target:.0%} target ({SL_VARIANT_WORDS.get(tile['sl_variant'], '')})",
                    "params": {
                        "queue": tile["name"],
                        "level": level,
                        "target": target,
                        "variant": tile["sl_variant"],
                    },
                    "since": None,
                    "queue_id": tile["id"],
                }
            )
        since = tile["longest_waiting_since"]
        if since is not None and at - since > tile["wait_amber_s"]:
            alerts.append(
                {
                    "key": f"queue_wait:{tile['id']}:{since:.0f}",
                    "kind": "queue_wait",
                    "severity": "red" if at - since > tile["wait_red_s"] else "amber",
                    "text": f"{tile['name']}: a caller waits for over {tile['wait_amber_s']} s",
                    "params": {"queue": tile["name"], "seconds": tile["wait_amber_s"]},
                    "since": since,
                    "queue_id": tile["id"],
                }
            )
    allowances = limits["not_ready"]

    def allowance_of(reason: str) -> float:
        return float(allowances.get(reason, allowances.get("*", 900)))

    for row in agents.values():
        elapsed = at - row["since"]
        kind = None
        if row["activity"] == Activity.ON_CALL and elapsed > limits["on_call"][1]:
            kind, text = (
                "long_call",
                f"{row['name']} on a call for over {limits['on_call'][1] // 60} min",
            )
            params = {"name": row["name"], "minutes": limits["on_call"][1] // 60}
        elif row["activity"] == Activity.WRAP_UP and elapsed > limits["wrap_up"][1]:
            kind, text = (
                "long_wrap_up",
                f"{row['name']} in wrap-up for over {limits['wrap_up'][1]} s",
            )
            params = {"name": row["name"], "seconds": limits["wrap_up"][1]}
        elif (
            row["status"] == AgentStatus.NOT_READY
            and row["activity"] == Activity.IDLE
            and elapsed > allowance_of(row["reason"])
        ):
            kind, text = (
                "break_overrun",
                f"{row['name']}: {row['reason'] or 'not ready'} "
                f"over its {allowance_of(row['reason']) / 60:.0f} min allowance",
            )
            params = {
                "name": row["name"],
                "reason": row["reason"] or "",
                "minutes": round(break_allowance(row["reason"]) / 60),
            }
        if kind:
            alerts.append(
                {
                    "key": f"{kind}:{row['key']}:{row['since']:.0f}",
                    "kind": kind,
                    "severity": "red",
                    "text": text,
                    "params": params,
                    "since": row["since"],
                    "agent": row["key"],
                    "team_id": row["team_id"],
                }
            )
    for request in help_requests.values():
        if request["status"] != HelpStatus.OPEN:
            continue
        alerts.append(
            {
                "key": f"help:{request['id']}",
                "kind": "help",
                "severity": "red",
                "text": f"{request['name']} asks for help: {request['reason_label']}"
                + (f" — {request['note']}" if request["note"] else ""),
                "params": {
                    "name": request["name"],
                    "reason": request.get("reason", ""),
                    "reason_label": request["reason_label"],
                    "note": request["note"] or "",
                },
                "since": request["at"],
                "agent": request["agent"],
                "team_id": request["team_id"],
                "help_id": request["id"],
            }
        )
    alerts.extend({**alert} for alert in extra)  # copies: the kept parts stay as they were
    known = known or {}
    keys = [a["key"] for a in alerts]
    acks = {key: known[key] for key in keys if key in known}
    unread = [key for key in keys if key not in acks]
    if unread:
        acks.update(dict.fromkeys(unread))
        acks.update(
            {
                a.key: {"by": a.acknowledged_by.get_username(), "at": _ts(a.acknowledged_at)}
                for a in AlertAck.objects.filter(site=site, key__in=unread).select_related(
                    "acknowledged_by"
                )
            }
        )
    result = {}
    for alert in alerts:
        alert.setdefault("agent", None)
        alert.setdefault("team_id", None)
        alert["ack"] = acks.get(alert["key"])
        result[alert["key"]] = alert
    return result, acks
