"""Agent, team and site reports: the agents' day rollups summed per period, their state
seconds (login, not ready per reason) and the figures and rows other apps hook in.

The periods, columns and queue figures are those of `metrics.reports.history`.
"""

from __future__ import annotations

from datetime import datetime

import pandas as pd
from django.conf import settings
from django.db.models import Q
from django.utils.translation import gettext as _

from metrics import formulas
from metrics.models import (
    AGENT_FIELDS,
    AgentDay,
    AgentState,
    CallFactsInterval,
    Queue,
    QueueInterval,
)
from metrics.reports.history import (
    AGENT_COLUMNS,
    EXTRA_FIELDS,
    GRAINS,
    QUEUE_COLUMNS,
    Column,
    Report,
    ReportRange,
    _day_periods,
    _extra_figures,
    _local,
    _source_clocks,
    _tally,
    _total,
    queue_report,
)

# Figures other apps add to the agent report (QA average, complaint count): each hook is
# `hook(*, agents, start, end) -> {agent_id: {key: value}}` and contributes `columns`.
AGENT_REPORT_HOOKS: list[tuple[list[Column], object]] = []


def register_agent_report_hook(columns: list[Column], hook) -> None:
    """Let another app add columns (e.g. QA average, complaints) to agent and team reports."""
    AGENT_REPORT_HOOKS.append((columns, hook))


# Rows other apps add after the total of agent and team reports (appeals per evaluator): each
# hook is `hook(*, agents, start, end) -> [{"name": str, <column keys>}]`, its keys among the
# hooked columns. The rows are summaries of the whole range, so they are marked as totals
# (shown like one, never plotted as a period).
AGENT_REPORT_ROW_HOOKS: list[tuple[str, object]] = []


def register_agent_report_rows(group: str, hook) -> None:
    """Let another app add summary rows (e.g. appeals per evaluator) to agent and team reports."""
    AGENT_REPORT_ROW_HOOKS.append((group, hook))


def _hook_rows(agents: list, start: datetime, end: datetime) -> list[dict]:
    rows = []
    for group, hook in AGENT_REPORT_ROW_HOOKS:
        for values in hook(agents=agents, start=start, end=end):
            name = values.pop("name")
            rows.append({"label": name, "group": str(group), "total": True, **values})
    return rows


def _state_rows(agent_ids: list[int], start: datetime, end: datetime) -> pd.DataFrame:
    """The agents' state intervals overlapping the range, with their seconds inside it.

    A state still open counts up to its source's last event (later is not known yet).
    """
    columns = ["agent_id", "source_id", "status", "reason", "activity", "started_at", "ended_at"]
    states = (
        AgentState.objects.filter(agent_id__in=agent_ids, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values(*columns)
    )
    frame = pd.DataFrame.from_records(list(states), columns=columns)
    if frame.empty:
        frame["seconds"] = []
        return frame
    frame["started_at"] = pd.to_datetime(frame["started_at"], utc=True)
    frame["ended_at"] = pd.to_datetime(frame["ended_at"], utc=True)
    if frame["ended_at"].isna().any():
        open_end = frame["source_id"].map(_source_clocks())
        frame["ended_at"] = frame["ended_at"].fillna(pd.to_datetime(open_end, utc=True))
    begin = frame["started_at"].clip(lower=pd.Timestamp(start))
    finish = frame["ended_at"].clip(upper=pd.Timestamp(end))
    frame["seconds"] = (finish - begin).dt.total_seconds().clip(lower=0)
    return frame


def _state_seconds(agent_ids: list[int], start: datetime, end: datetime) -> pd.DataFrame:
    """The agents' seconds inside the range in each (status, reason, activity): what
    `_state_rows` gives, summed per agent as the rows stream from the database.

    A team's state changes grow all day (one row each); summing them on the way keeps a
    report's memory to one row per agent and combination however late in the day it runs.
    """
    columns = ["agent_id", "status", "reason", "activity"]
    rows = (
        AgentState.objects.filter(agent_id__in=agent_ids, started_at__lt=end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start))
        .values_list(*columns, "source_id", "started_at", "ended_at")
    )
    clocks: dict[int, datetime] | None = None
    seconds: dict[tuple, float] = {}
    for *key, source_id, started_at, ended_at in rows.iterator(chunk_size=2000):
        key = tuple(key)
        seconds.setdefault(key, 0.0)
        if ended_at is None:
            if clocks is None:
                clocks = {pk: clock.to_pydatetime() for pk, clock in _source_clocks().items()}
            ended_at = clocks.get(source_id)
            if ended_at is None:
                continue
        spent = (min(ended_at, end) - max(started_at, start)).total_seconds()
        if spent > 0:
            seconds[key] += spent
    return pd.DataFrame.from_records(
        [(*key, total) for key, total in seconds.items()], columns=[*columns, "seconds"]
    )


def agent_row(sums: dict, components: list[str], states: pd.DataFrame) -> dict:
    """Every agent KPI of one window from summed counters and state seconds."""
    has_states = len(states) > 0
    busy = idle = login = 0.0
    by_reason: dict[str, float] = {}
    if has_states:
        working = states["status"] != "logged_out"
        busy_rows = states["activity"].isin(formulas.BUSY)
        busy = float(states.loc[busy_rows & working, "seconds"].sum())
        idle = float(states.loc[(states["status"] == "available") & ~busy_rows, "seconds"].sum())
        login = float(states.loc[working, "seconds"].sum())
        not_ready = states[(states["status"] == "not_ready") & ~busy_rows]
        by_reason = {
            (reason or _("(no reason)")): float(seconds)
            for reason, seconds in not_ready.groupby("reason")["seconds"].sum().items()
        }
    figures = formulas.agent_figures(
        _tally(sums),
        missed=int(sums.get("missed_rings", 0)),
        unreachable=int(sums.get("unreachable_rings", 0)),
        components=components,
        busy_s=busy if has_states else None,
        idle_s=idle if has_states else None,
    )
    row = {
        key: figures[key]
        for key in (
            "handled",
            "aht_s",
            "avg_talk_s",
            "occupancy",
            "missed_rings",
            "answered_within_3_rings",
        )
    }
    row["login_s"] = login if has_states else None
    row["not_ready_s"] = sum(by_reason.values()) if has_states else None
    row["not_ready_by_reason"] = by_reason
    row["aht_components"] = list(components)
    row.update(_extra_figures(sums, components))
    return row


AGENT_DAY_FIELDS = (*AGENT_FIELDS, "missed_rings", "unreachable_rings")


def _agent_frames(agents: list, span: ReportRange, *, state_seconds: bool = False):
    """Per agent and local day: the engine's counters (`AgentDay`) and the facts; the agents'
    state intervals of the range (with `state_seconds`, their seconds summed per agent and
    state instead); and the AHT components of the range."""
    ids = [a.pk for a in agents]
    start, end = span.bounds()
    days = list(
        AgentDay.objects.filter(agent_id__in=ids, day__gte=span.start, day__lte=span.end).values(
            "agent_id", "day", *AGENT_DAY_FIELDS
        )
    )
    frame = pd.DataFrame.from_records(days, columns=["agent_id", "day", *AGENT_DAY_FIELDS])
    facts = pd.DataFrame.from_records(
        list(
            CallFactsInterval.objects.filter(
                agent_id__in=ids, start__gte=start, start__lt=end
            ).values("agent_id", "start", *EXTRA_FIELDS)
        ),
        columns=["agent_id", "start", *EXTRA_FIELDS],
    )
    if len(facts):
        facts["day"] = _local(facts["start"]).dt.date
        facts = facts.groupby(["agent_id", "day"], as_index=False)[list(EXTRA_FIELDS)].sum()
        frame = frame.merge(facts, on=["agent_id", "day"], how="outer")
    for name in (*AGENT_DAY_FIELDS, *EXTRA_FIELDS):
        frame[name] = frame[name].fillna(0) if name in frame else 0
    flags = QueueInterval.objects.filter(start__gte=start, start__lt=end)
    components = formulas.aht_components(
        saw_hold=flags.filter(hold_known=True).exists(),
        saw_acw=flags.filter(acw_known=True).exists(),
    )
    states = (_state_seconds if state_seconds else _state_rows)(ids, start, end)
    return frame, states, components


def _reason_columns(rows: list[dict]) -> list[Column]:
    """One column per not-ready reason seen in the rows (so exports carry the breakdown)."""
    reasons = sorted({reason for row in rows for reason in row.get("not_ready_by_reason", {})})
    for row in rows:
        for reason in reasons:
            row[f"not_ready:{reason}"] = (
                row.get("not_ready_by_reason", {}).get(reason, 0.0)
                if row.get("not_ready_s") is not None
                else None
            )
    return [
        Column(f"not_ready:{reason}", _("Not ready: %(reason)s") % {"reason": reason}, "duration")
        for reason in reasons
    ]


def _hook_figures(agents: list, start: datetime, end: datetime) -> tuple[list[Column], dict]:
    columns: list[Column] = []
    figures: dict[int, dict] = {}
    for hook_columns, hook in AGENT_REPORT_HOOKS:
        columns += hook_columns
        for agent_id, values in hook(agents=agents, start=start, end=end).items():
            figures.setdefault(agent_id, {}).update(values)
    return columns, figures


def agent_report(*, agent, span: ReportRange) -> Report:
    """One agent by day, week or month (interval grains show days) and the total."""
    grain = span.grain if not GRAINS[span.grain] else "day"
    span = ReportRange(span.start, span.end, grain)
    frame, states, components = _agent_frames([agent], span)
    if len(frame):
        frame = frame.assign(period=_day_periods(frame["day"], grain))
    if len(states):
        states = states.assign(period=_day_periods(_local(states["started_at"]).dt.date, grain))
    periods = sorted(set(frame.get("period", [])) | set(states.get("period", [])))
    rows = []
    for period in periods:
        mine = frame[frame["period"] == period] if len(frame) else frame
        own_states = states[states["period"] == period] if len(states) else states
        rows.append(
            {
                "label": period,
                "group": agent.display_name,
                "total": False,
                **agent_row(_total(mine), components, own_states),
            }
        )
    rows.append(
        {
            "label": _("Total"),
            "group": agent.display_name,
            "total": True,
            **agent_row(_total(frame), components, states),
        }
    )
    hook_columns, hooked = _hook_figures([agent], *span.bounds())
    rows[-1].update(hooked.get(agent.pk, {}))
    rows += _hook_rows([agent], *span.bounds())
    return Report(
        kind="agent",
        title=_("Agent report: %(name)s") % {"name": agent.display_name},
        range=span,
        zone=settings.CALLFLOOR_TIME_ZONE,
        sl_definition=_("not applicable"),
        columns=AGENT_COLUMNS + _reason_columns(rows) + hook_columns,
        rows=rows,
        highlight="aht_s",
        extra={"agent_id": agent.pk},
    )


def team_report(*, team, span: ReportRange) -> Report:
    """One row per agent of the team, then the team total from the summed counters (so the
    team's AHT is weighted by calls, never a mean of the agents' means)."""
    agents = list(team.agents.filter(active=True).order_by("display_name"))
    frame, states, components = _agent_frames(agents, span, state_seconds=True)
    rows = []
    for agent in agents:
        mine = frame[frame["agent_id"] == agent.pk] if len(frame) else frame
        own_states = states[states["agent_id"] == agent.pk] if len(states) else states
        rows.append(
            {
                "label": agent.display_name,
                "group": team.name,
                "total": False,
                "agent_id": agent.pk,
                **agent_row(_total(mine), components, own_states),
            }
        )
    rows.append(
        {
            "label": _("Team %(name)s") % {"name": team.name},
            "group": team.name,
            "total": True,
            **agent_row(_total(frame), components, states),
        }
    )
    hook_columns, hooked = _hook_figures(agents, *span.bounds())
    for row in rows:
        row.update(hooked.get(row.get("agent_id"), {}))
    rows += _hook_rows(agents, *span.bounds())
    return Report(
        kind="team",
        title=_("Team report: %(name)s") % {"name": team.name},
        range=span,
        zone=settings.CALLFLOOR_TIME_ZONE,
        sl_definition=_("not applicable"),
        columns=AGENT_COLUMNS + _reason_columns(rows) + hook_columns,
        rows=rows,
        highlight="aht_s",
        extra={"team_id": team.pk},
    )


def site_report(*, span: ReportRange) -> Report:
    """The site summary: every queue's total for the range and the site total."""
    full = queue_report(queues=Queue.objects.all(), span=span)
    rows = [dict(row, label=row["group"]) for row in full.rows if row["total"]]
    return Report(
        kind="site",
        title=_("Site summary"),
        range=span,
        zone=full.zone,
        sl_definition=full.sl_definition,
        columns=QUEUE_COLUMNS,
        rows=rows,
    )
