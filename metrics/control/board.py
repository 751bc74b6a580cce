"""What the controls add to the wall board: per agent card, whether their source takes commands,
the queues the PBX has them in and who listens to them; and the board page's control config."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import User

from agents.selectors import user_extension
from metrics.board.bands import site_bands
from metrics.board.snapshot import person_name
from metrics.control.access import controlled_teams, may_control
from metrics.control.models import MonitorMode
from metrics.control.selectors import CONTROL_KINDS, open_monitorings
from metrics.models import AgentState, AgentStatus, EngineMember


def control_agent_fields(*, site: str, now: datetime, agents: dict[str, dict]) -> dict:
    """The `register_agent_source` hook: `control`, `queues` and `monitors` of each card
    (three queries whatever the size of the floor)."""
    by_agent = {row["agent_id"]: key for key, row in agents.items() if row["agent_id"]}
    latest: dict[int, dict] = {}
    for state in (
        AgentState.objects.filter(
            ended_at__isnull=True, source__site=site, agent_id__in=list(by_agent)
        )
        .exclude(status=AgentStatus.LOGGED_OUT)
        .values("agent_id", "member", "source_id", "source__kind", "started_at")
    ):
        kept = latest.get(state["agent_id"])
        if kept is None or state["started_at"] > kept["started_at"]:
            latest[state["agent_id"]] = state
    logins = {
        (source_id, member): [q for q in (state.get("logins") or []) if q != "*"]
        for source_id, member, state in EngineMember.objects.filter(
            source_id__in={s["source_id"] for s in latest.values()},
            member__in={s["member"] for s in latest.values()},
        ).values_list("source_id", "member", "state")
    }
    monitors: dict[int, list[dict]] = {}
    for row in open_monitorings(site=site, now=now):
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
            "queues": sorted(logins.get((state["source_id"], state["member"]), []))
            if state
            else [],
            "monitors": monitors.get(agent_id, []),
        }
    return {"agents": fields}


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
