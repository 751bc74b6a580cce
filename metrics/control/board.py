"""What the controls add to the wall board: per agent card, whether their source takes commands,
the queues the PBX has them in and who listens to them; and the board page's control config."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import connection

from agents.selectors import user_extension
from metrics.board.bands import site_bands
from metrics.board.snapshot import person_name
from metrics.control.access import controlled_teams, may_control
from metrics.control.models import Monitoring, MonitorMode
from metrics.control.selectors import CONTROL_KINDS, open_monitorings
from metrics.models import AgentState, AgentStatus, EngineMember, TelephonySource


def control_agent_fields(*, site: str, now: datetime, agents: dict[str, dict]) -> dict:
    """The `register_agent_source` hook: `control`, `queues` and `monitors` of each card.

    It runs on the cards a push touched (per agent), so its reads are plain SQL (on a push
    the ORM's query building costs more than the queries): one for the cards' open states
    with their source's kind and the engine's logins, one asking whether anybody listens on
    the site (the monitorings are read only then)."""
    by_agent = {row["agent_id"]: key for key, row in agents.items() if row["agent_id"]}
    if not by_agent:
        return {"agents": {}}
    latest: dict[int, dict] = {}
    for agent_id, member, source_id, kind, started_at, logins in _open_states(site, by_agent):
        kept = latest.get(agent_id)
        if kept is None or started_at > kept["started_at"]:
            latest[agent_id] = {
                "member": member,
                "source_id": source_id,
                "source__kind": kind,
                "started_at": started_at,
                "logins": logins,
            }
    monitors: dict[int, list[dict]] = {}
    for row in open_monitorings(site=site, now=now) if _anybody_listens(site, now) else ():
        key = by_agent.get(row.agent_id)
        if key is None or (row.call_id and agents[key]["call_id"] != row.call_id):
            continue  # the call it listened to has ended
        monitors.setdefault(row.agent_id, []).append(
            {
                "id": row.pk,
                "mode": row.mode,
                "by": person_name(row.supervisor),
                "user": row.supervisor_id,
                "takeover": row.takeover_id,
            }
        )
    fields = {}
    for agent_id, key in by_agent.items():
        state = latest.get(agent_id)
        fields[key] = {
            "control": bool(state and state["source__kind"] in CONTROL_KINDS),
            "queues": _queues_of(state["logins"]) if state else [],
            "monitors": monitors.get(agent_id, []),
        }
    return {"agents": fields}


def _queues_of(logins) -> list[str]:
    """The queues the engine's logins of a member name (not "every queue")."""
    if isinstance(logins, str):  # the JSON as text (how SQLite hands it)
        logins = json.loads(logins)
    return sorted(q for q in (logins or []) if q != "*")


def _open_states(site: str, by_agent: dict) -> list[tuple]:
    """The open states (not logged out) of the agents `by_agent` on `site`: agent, member,
    source, the source's kind, start, and the logins in the engine's state of that member
    (or None; only those are read: the whole state of every card was most of a rebuild's
    time here)."""
    q = connection.ops.quote_name
    state, source = q(AgentState._meta.db_table), q(TelephonySource._meta.db_table)
    member = q(EngineMember._meta.db_table)
    ids = sorted(by_agent)
    logins = (
        # (a text array: the driver makes it a list itself)
        "CASE WHEN jsonb_typeof(m.state -> 'logins') = 'array' "
        "THEN ARRAY(SELECT jsonb_array_elements_text(m.state -> 'logins')) END"
        if connection.vendor == "postgresql"
        else "json_extract(m.state, '$.logins')"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT s.agent_id, s.member, s.source_id, t.kind, s.started_at, "  # noqa: S608
            f"{logins} "
            f"FROM {state} s JOIN {source} t ON t.id = s.source_id "
            f"LEFT JOIN {member} m ON m.source_id = s.source_id AND m.member = s.member "
            "WHERE s.ended_at IS NULL AND t.site = %s AND s.status <> %s "
            f"AND s.agent_id IN ({', '.join(['%s'] * len(ids))})",
            [site, AgentStatus.LOGGED_OUT, *ids],
        )
        return cursor.fetchall()


def _anybody_listens(site: str, now: datetime) -> bool:
    """Whether a monitoring is open on `site` (`open_monitorings` would find one)."""
    ops = connection.ops
    table = ops.quote_name(Monitoring._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE site = %s AND finished_at IS NULL "  # noqa: S608
            "AND started_at >= %s LIMIT 1",
            [site, ops.adapt_datetimefield_value(now - timedelta(hours=12))],
        )
        return cursor.fetchone() is not None


def control_config(*, user: User, site: str) -> dict:
    """The board page's `control` config: who may use the controls, on which teams, and
    whether the PBX has a phone to ring for this person."""
    allowed = may_control(user)
    reasons = sorted(r for r in site_bands(site)["not_ready"] if r != "*") if allowed else []
    return {
        "can": allowed,
        "teams": controlled_teams(user) if allowed else [],
        "user": user.pk,
        "has_extension": bool(user_extension(user)) if allowed else False,
        "profile_url": "/profile/",
        "pause_reasons": reasons,
        "modes": list(MonitorMode.values),
    }
