"""Reads for handovers, schedules, swaps, leave and attendance."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import connection
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import ngettext

from agents.access import agent_of, has_role
from agents.models import AuditEntry
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.history import history_lines
from callfloor.zone import site_zone
from scheduling import attendance as att
from scheduling import conf
from scheduling.access import MANAGERS, team_lead_reads_every_team
from scheduling.models import (
    Briefing,
    BriefingRead,
    CaseOutcome,
    Handover,
    HandoverCase,
    LeaveRequest,
    LeaveStatus,
    LeftoverCase,
    LeftoverStatus,
    Shift,
    SwapRequest,
    SwapStatus,
)

User = get_user_model()


def handover_visible_to(user) -> QuerySet[Handover]:
    qs = Handover.objects.select_related("author", "to_lead", "supervisor", "team")
    if has_role(user, *MANAGERS):
        return qs
    return qs.filter(Q(author=user) | Q(to_lead=user) | Q(supervisor=user))


def handover_lists_for(user) -> dict[str, list[Handover]]:
    visible = handover_visible_to(user)
    lists = {
        "to_me": list(visible.filter(to_lead=user)[:50]),
        "from_me": list(visible.filter(author=user)[:50]),
        "copied": list(visible.filter(supervisor=user)[:50]),
    }
    if has_role(user, *MANAGERS):
        lists["all"] = list(visible[:100])
    return lists


def audit_history(target) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(object_type=target._meta.label_lower, object_id=str(target.pk))
        .select_related("actor")
        .order_by("at", "id")
    )


def history_of(target) -> list:
    """The audit trail of `target` as lines in words (see `callfloor.history`)."""
    return history_lines(audit_history(target))


handover_history = history_of


def open_cases_visible_to(user, *, now: datetime | None = None) -> list[HandoverCase]:
    """Handed-over cases still open or not resolved (and not carried on), oldest first."""
    now = now or timezone.now()
    qs = (
        HandoverCase.objects.filter(
            outcome__in=[CaseOutcome.OPEN, CaseOutcome.NOT_RESOLVED], carried_to__isnull=True
        )
        .filter(handover__in=handover_visible_to(user))
        .select_related("handover__author", "handover__to_lead", "source_agent")
        .order_by("opened_at", "id")
    )
    cases = list(qs)
    for case in cases:
        case.age = now - case.opened_at
    return cases


def carryable_cases_for(user) -> QuerySet[HandoverCase]:
    """Cases handed to this lead, marked not resolved, not carried into a handover yet."""
    return (
        HandoverCase.objects.filter(
            handover__to_lead=user, outcome=CaseOutcome.NOT_RESOLVED, carried_to__isnull=True
        )
        .select_related("handover")
        .order_by("opened_at")
    )


def leftover_cases_visible_to(user) -> QuerySet[LeftoverCase]:
    """An agent: the cases they handed over or were given; a team lead: their teams' cases;
    supervisors and admins: every case."""
    qs = LeftoverCase.objects.select_related(
        "agent", "team", "reassigned_to", "decided_by", "handover_case__handover__to_lead"
    ).order_by("-submitted_at", "-id")
    if has_role(user, *MANAGERS):
        return qs
    scope = Q(pk__in=[])
    if has_role(user, Role.TEAM_LEAD):
        scope |= Q(team__lead=user)
    agent = agent_of(user)
    if agent is not None:
        scope |= Q(agent=agent) | Q(reassigned_to=agent)
    return qs.filter(scope)


def leftover_cases_to_decide(user) -> QuerySet[LeftoverCase]:
    """The cases this lead's agents handed over that wait for a decision, oldest first."""
    return (
        LeftoverCase.objects.filter(status=LeftoverStatus.SUBMITTED, team__lead=user)
        .select_related("agent", "team")
        .order_by("submitted_at", "id")
    )


def team_leads() -> QuerySet:
    return User.objects.filter(groups__name=Role.TEAM_LEAD, is_active=True).order_by("username")


def supervisors() -> QuerySet:
    return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("username")


# --- schedules, swaps, leave ----------------------------------------------------------------------


def monday_of(day: date) -> date:
    return day - timedelta(days=day.weekday())


def week_grid(*, team, week_start: date, published_only: bool = False) -> dict:
    """A team's week: one row per agent, one cell (a list of shifts) per day."""
    from scheduling.services import week_bounds

    start, end = week_bounds(week_start)
    zone = site_zone()
    days = [week_start + timedelta(days=i) for i in range(7)]
    agents = list(team.agents.filter(active=True).order_by("display_name"))
    shifts = Shift.objects.filter(
        agent__in=agents, start__gte=start, start__lt=end
    ).prefetch_related("activities")
    if published_only:
        shifts = shifts.filter(published_at__isnull=False)
    cells: dict[tuple[int, date], list[Shift]] = {}
    for shift in shifts:
        cells.setdefault((shift.agent_id, timezone.localtime(shift.start, zone).date()), []).append(
            shift
        )
    leave = LeaveRequest.objects.filter(
        agent__in=agents,
        status=LeaveStatus.APPROVED,
        first_day__lte=days[-1],
        last_day__gte=days[0],
    )
    on_leave = {(lv.agent_id, d) for lv in leave for d in days if lv.first_day <= d <= lv.last_day}
    rows = [
        {
            "agent": a,
            "cells": [
                {"day": d, "shifts": cells.get((a.pk, d), []), "leave": (a.pk, d) in on_leave}
                for d in days
            ],
        }
        for a in agents
    ]
    unpublished = shifts.filter(published_at__isnull=True).count() if not published_only else 0
    return {
        "days": days,
        "rows": rows,
        "unpublished": unpublished,
        "total": sum(len(v) for v in cells.values()),
    }


def shifts_of_agent(agent, *, since: datetime, published_only: bool = True) -> QuerySet[Shift]:
    qs = Shift.objects.filter(agent=agent, end__gte=since).prefetch_related("activities")
    if published_only:
        qs = qs.filter(published_at__isnull=False)
    return qs.order_by("start")


def swaps_visible_to(user) -> QuerySet[SwapRequest]:
    """Agents: their own and those open to them; leads: their teams'; managers: all."""
    qs = SwapRequest.objects.select_related(
        "requester__team", "colleague", "requester_shift", "colleague_shift", "decided_by"
    )
    if has_role(user, *MANAGERS) or team_lead_reads_every_team(user):
        return qs
    condition = Q(pk__in=[])
    if has_role(user, Role.TEAM_LEAD):
        condition |= Q(requester__team__lead=user) | Q(colleague__team__lead=user)
    agent = agent_of(user)
    if agent is not None:
        condition |= Q(requester=agent) | Q(colleague=agent) | Q(status=SwapStatus.OFFERED)
    return qs.filter(condition)


def leave_visible_to(user) -> QuerySet[LeaveRequest]:
    qs = LeaveRequest.objects.select_related("agent__team", "decided_by")
    if has_role(user, *MANAGERS) or team_lead_reads_every_team(user):
        return qs
    condition = Q(pk__in=[])
    if has_role(user, Role.TEAM_LEAD):
        condition |= Q(agent__team__lead=user)
    agent = agent_of(user)
    if agent is not None:
        condition |= Q(agent=agent)
    return qs.filter(condition)


def leave_by_team(
    user,
    *,
    team=None,
    status: str | None = None,
    since: date | None = None,
    until: date | None = None,
    limit: int = 500,
) -> list[dict]:
    """The leave requests `user` reads, filtered, grouped by team (teams by name; in each,
    requests still to decide first, then by first day), with `can_decide` set on each.

    `since` / `until`: requests with a day in that range (either may be open).
    """
    from scheduling.access import can_decide_for_agent

    qs = leave_visible_to(user).filter(agent__team__isnull=False)
    if team is not None:
        qs = qs.filter(agent__team=team)
    if status:
        qs = qs.filter(status=status)
    if since is not None:
        qs = qs.filter(last_day__gte=since)
    if until is not None:
        qs = qs.filter(first_day__lte=until)
    qs = qs.order_by("agent__team__name", "agent__team_id", "first_day", "agent__display_name")
    groups: dict[int, dict] = {}
    for item in qs[:limit]:
        item.can_decide = item.status == LeaveStatus.REQUESTED and can_decide_for_agent(
            user, item.agent
        )
        group = groups.setdefault(
            item.agent.team_id, {"team": item.agent.team, "rows": [], "to_decide": 0}
        )
        group["rows"].append(item)
        group["to_decide"] += item.status == LeaveStatus.REQUESTED
    for group in groups.values():
        group["rows"].sort(key=lambda lv: lv.status != LeaveStatus.REQUESTED)
    return list(groups.values())


# --- attendance -----------------------------------------------------------------------------------


def planned_shift(shift: Shift) -> att.PlannedShift:
    """A shift as the pure attendance and adherence functions take it."""
    return att.PlannedShift(
        shift.start,
        shift.end,
        tuple(att.PlannedActivity(a.kind, a.start, a.end) for a in shift.activities.all()),
    )


def team_days(*, team, first_day: date, last_day: date, now: datetime | None = None) -> dict:
    """Attendance (and adherence where there is a shift) per (agent, day) of a team.

    Three queries for the whole range (shifts, leave, agent states); the figures come from the
    pure functions in `scheduling.attendance`.
    """
    from metrics.models import AgentState

    now = now or timezone.now()
    zone = site_zone()
    grace = conf.late_grace()
    agents = list(team.agents.filter(active=True).order_by("display_name"))
    days = [first_day + timedelta(days=i) for i in range((last_day - first_day).days + 1)]
    start = datetime.combine(first_day, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last_day + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    shifts: dict[tuple[int, date], Shift] = {}
    for shift in (
        Shift.objects.filter(agent__in=agents, start__gte=start, start__lt=end)
        .prefetch_related("activities")
        .order_by("start")
    ):
        shifts.setdefault((shift.agent_id, timezone.localtime(shift.start, zone).date()), shift)
    leave = LeaveRequest.objects.filter(
        agent__in=agents,
        status=LeaveStatus.APPROVED,
        first_day__lte=last_day,
        last_day__gte=first_day,
    )
    on_leave = {(lv.agent_id, d) for lv in leave for d in days if lv.first_day <= d <= lv.last_day}
    window = att.WINDOW + timedelta(hours=12)
    states: dict[int, list[att.StateSpan]] = {a.pk: [] for a in agents}
    for row in (
        AgentState.objects.filter(agent__in=agents, started_at__lt=end + window)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=start - window))
        .order_by("started_at")
        .values_list("agent_id", "started_at", "ended_at", "status", "activity", "reason")
    ):
        states[row[0]].append(att.StateSpan(*row[1:]))
    result = {}
    for agent in agents:
        for day in days:
            shift = shifts.get((agent.pk, day))
            planned = planned_shift(shift) if shift else None
            day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
            record = att.attendance(
                shift=planned,
                states=states[agent.pk],
                on_leave=(agent.pk, day) in on_leave,
                now=now,
                day_start=day_start,
                day_end=day_start + timedelta(days=1),
                grace=grace,
            )
            adherence = (
                att.adherence(shift=planned, states=states[agent.pk], now=now)
                if planned and record.status == "present"
                else None
            )
            result[(agent.pk, day)] = {"shift": shift, "attendance": record, "adherence": adherence}
    return {"agents": agents, "days": days, "cells": result}


def _shifts_published_between(start: datetime, end: datetime) -> bool:
    """Whether any published shift overlaps [start, end): one plain SQL statement (on a push of
    the board the ORM's query building costs more than the query)."""
    ops = connection.ops
    table = ops.quote_name(Shift._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE published_at IS NOT NULL "  # noqa: S608
            f"AND start < %s AND {ops.quote_name('end')} > %s LIMIT 1",
            [ops.adapt_datetimefield_value(end), ops.adapt_datetimefield_value(start)],
        )
        return cursor.fetchone() is not None


def shifts_on_floor(*, site: str, now: datetime) -> list[Shift]:
    """Today's published shifts (with their activities, agent and team) of the agents of `site`.

    The agents of a site: those with an open telephony state there (every agent who ever
    logged in keeps one, logged out or not) and those of the teams working its queues; agents
    on approved leave today are left out. Four queries, however long the day has been; one
    plain query when no published shift touches today (the board asks at every push that
    changes an agent).
    """
    from metrics.models import AgentState, Queue

    zone = site_zone()
    today = timezone.localtime(now, zone).date()
    day_start = datetime.combine(today, datetime.min.time(), tzinfo=zone)
    if not _shifts_published_between(day_start, day_start + timedelta(days=1)):
        return []
    on_site = AgentState.objects.filter(
        ended_at__isnull=True, source__site=site, agent__isnull=False
    ).values("agent_id")
    teams = Queue.objects.filter(site=site).values("teams")
    on_leave = LeaveRequest.objects.filter(
        status=LeaveStatus.APPROVED, first_day__lte=today, last_day__gte=today
    ).values("agent_id")
    return list(
        Shift.objects.filter(
            Q(agent_id__in=on_site) | Q(agent__team_id__in=teams),
            published_at__isnull=False,
            start__lt=day_start + timedelta(days=1),
            end__gt=day_start,
            agent__active=True,
        )
        .exclude(agent_id__in=on_leave)
        .select_related("agent__team")
        .prefetch_related("activities")
        .order_by("start", "pk")
    )


def attendance_day(*, team, day: date, now: datetime | None = None) -> dict:
    data = team_days(team=team, first_day=day, last_day=day, now=now)
    rows = [{"agent": a, **data["cells"][(a.pk, day)]} for a in data["agents"]]
    totals = _totals(r["attendance"] for r in rows)
    return {"rows": rows, "totals": totals}


def _totals(records) -> dict:
    totals = {
        "scheduled": 0,
        "present": 0,
        "on_time": 0,
        "late": 0,
        "late_min": 0,
        "early_leave": 0,
        "early_leave_min": 0,
        "absent": 0,
        "leave": 0,
        "worked_min": 0.0,
        "scheduled_min": 0.0,
    }
    for rec in records:
        if rec.status in ("present", "absent"):
            totals["scheduled"] += 1
        if rec.status == "present":
            totals["present"] += 1
            totals["on_time"] += not rec.late and not rec.early_leave
            totals["late"] += rec.late
            totals["late_min"] += rec.late_min
            totals["early_leave"] += rec.early_leave
            totals["early_leave_min"] += rec.early_leave_min
        totals["absent"] += rec.status == "absent"
        totals["leave"] += rec.status == "leave"
        totals["worked_min"] += rec.worked_min
        totals["scheduled_min"] += rec.scheduled_min
    return totals


def attendance_month(*, team, year: int, month: int, now: datetime | None = None) -> dict:
    first = date(year, month, 1)
    last = (first + timedelta(days=32)).replace(day=1) - timedelta(days=1)
    data = team_days(team=team, first_day=first, last_day=last, now=now)
    rows = []
    for agent in data["agents"]:
        cells = [data["cells"][(agent.pk, d)] for d in data["days"]]
        records = [c["attendance"] for c in cells]
        followed = [c["adherence"] for c in cells if c["adherence"] is not None]
        scheduled = sum(a.scheduled_min for a in followed)
        rows.append(
            {
                "agent": agent,
                "days": records,
                "totals": _totals(records),
                # The month's adherence: minutes in the scheduled activity over the scheduled
                # minutes of the days worked so far.
                "adherence": sum(a.adherent_min for a in followed) / scheduled
                if scheduled
                else None,
            }
        )
    grand = _totals(
        data["cells"][(a.pk, d)]["attendance"] for a in data["agents"] for d in data["days"]
    )
    return {"days": data["days"], "rows": rows, "totals": grand, "first": first, "last": last}


# --- staffing -------------------------------------------------------------------------------------


# The average handling time of a queue's forecast: its answered calls of this many days
# (before the interval), else `DEFAULT_AHT_S`.
AHT_DAYS = 28
DEFAULT_AHT_S = 180.0


def _handled_before(before: datetime) -> Q:
    """The answered calls with a known talk time whose average handling time the forecast
    of the interval starting `before` uses."""
    from metrics.models import Outcome

    return Q(
        outcome=Outcome.ANSWERED,
        offered_at__gte=before - timedelta(days=AHT_DAYS),
        offered_at__lt=before,
        talk_s__isnull=False,
    )


def _handling_s():
    """A call's handling time: talk, hold and after-call work (unknown parts as 0)."""
    from django.db.models import F
    from django.db.models.functions import Coalesce

    return F("talk_s") + Coalesce("hold_s", 0.0) + Coalesce("acw_s", 0.0)


def _queue_aht(queue, before: datetime, *, default: float = DEFAULT_AHT_S) -> float:
    from django.db.models import Avg

    from metrics.models import QueueCall

    value = QueueCall.objects.filter(_handled_before(before), queue=queue).aggregate(
        aht=Avg(_handling_s())
    )
    return float(value["aht"]) if value["aht"] else default


def staffing_day(
    *,
    queue,
    day: date,
    shrinkage: float = 0.3,
    max_occupancy: float = 0.85,
    weeks: int = 4,
    now: datetime | None = None,
) -> dict:
    """Per interval of a queue's day: forecast vs actual calls, required vs scheduled vs
    logged-in agents (Erlang C on the forecast). A queue whose target no number of agents
    reaches (100 %, stored before targets were checked) is refused with a `DomainError`."""
    from metrics.models import UNREACHABLE_TARGET, AgentState, QueueCall, reachable_target
    from scheduling import erlang
    from scheduling import forecast as fc

    if not reachable_target(queue.sl_target):
        raise DomainError(str(UNREACHABLE_TARGET), field="queue")
    now = now or timezone.now()
    zone = site_zone()
    minutes = queue.interval_minutes
    day_start = datetime.combine(day, datetime.min.time(), tzinfo=zone)
    day_end = day_start + timedelta(days=1)
    since = day_start - timedelta(weeks=weeks + 1)
    offered = (
        QueueCall.objects.filter(queue=queue, offered_at__gte=since, offered_at__lt=day_end)
        .values_list("offered_at", flat=True)
        .iterator()
    )
    history = fc.per_interval(
        ((timezone.localtime(t, zone).replace(tzinfo=None), 1) for t in offered), minutes
    )
    predicted = fc.same_weekday_average(history, day, weeks=weeks)
    actual = {start.time(): calls for start, calls in history.items() if start.date() == day}
    aht = _queue_aht(queue, day_start)
    slots = sorted(set(predicted) | set(actual))
    if not slots:
        slots = [
            (datetime.min + timedelta(minutes=m)).time() for m in range(8 * 60, 20 * 60, minutes)
        ]
    skilled = list(queue.skilled.values_list("agent_id", flat=True))
    shifts = list(
        Shift.objects.filter(
            agent_id__in=skilled, start__lt=day_end, end__gt=day_start
        ).prefetch_related("activities")
    )
    states = list(
        AgentState.objects.filter(agent_id__in=skilled, started_at__lt=day_end)
        .filter(Q(ended_at__isnull=True) | Q(ended_at__gt=day_start))
        .exclude(status="logged_out")
        .values_list("agent_id", "started_at", "ended_at")
    )
    rows = []
    for slot in slots:
        start = datetime.combine(day, slot, tzinfo=zone)
        mid = start + timedelta(minutes=minutes / 2)
        calls = predicted.get(slot, 0.0)
        need = erlang.required(
            calls=calls,
            aht_s=aht,
            sl_target=queue.sl_target,
            threshold_s=queue.sl_threshold_s,
            interval_s=minutes * 60,
            shrinkage=shrinkage,
            max_occupancy=max_occupancy,
        )
        scheduled = sum(
            1
            for s in shifts
            if s.start <= mid < s.end
            and not any(a.start <= mid < a.end and a.kind != "on_queue" for a in s.activities.all())
        )
        logged_in = len(
            {
                agent
                for agent, lo, hi in states
                if lo <= mid and (hi is None or hi > mid) and mid <= now
            }
        )
        rows.append(
            {
                "start": start,
                "label": slot.strftime("%H:%M"),
                "forecast": calls,
                "actual": actual.get(slot, 0.0) if start <= now else None,
                "required": need.raw_agents,
                "required_scheduled": need.scheduled_agents,
                "service_level": need.service_level,
                "asa_s": need.asa_s,
                "scheduled": scheduled,
                "logged_in": logged_in if mid <= now else None,
            }
        )
    errors = fc.backtest(
        history, [day - timedelta(weeks=w) for w in range(weeks, 0, -1)], weeks=weeks
    )
    return {
        "queue": queue,
        "day": day,
        "aht_s": aht,
        "interval_minutes": minutes,
        "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
        "rows": rows,
        "backtest": errors,
        "method": ngettext(
            "same-weekday average of the last %(weeks)s week",
            "same-weekday average of the last %(weeks)s weeks",
            weeks,
        )
        % {"weeks": weeks},
    }


# --- briefings ------------------------------------------------------------------------------------


def briefings_visible_to(user) -> QuerySet[Briefing]:
    """Leads: their teams' briefings (all for managers); agents: their own team's."""
    qs = Briefing.objects.select_related("team", "author")
    if has_role(user, *MANAGERS):
        return qs
    condition = Q(pk__in=[])
    if has_role(user, Role.TEAM_LEAD):
        condition |= Q(team__lead=user)
    agent = agent_of(user)
    if agent is not None and agent.team_id:
        condition |= Q(team_id=agent.team_id)
    return qs.filter(condition)


def briefings_for_agent(agent, *, limit: int = 50) -> list[Briefing]:
    """The team's briefings with `attended` and `read` set for this agent."""
    items = list(Briefing.objects.filter(team_id=agent.team_id).select_related("author")[:limit])
    attended = set(
        Briefing.attendees.through.objects.filter(agent=agent, briefing__in=items).values_list(
            "briefing_id", flat=True
        )
    )
    read = set(
        BriefingRead.objects.filter(agent=agent, briefing__in=items).values_list(
            "briefing_id", flat=True
        )
    )
    for item in items:
        item.attended = item.pk in attended
        item.read = item.pk in read
    return items


def staffing_now(*, queue, now: datetime | None = None, weeks: int = 4) -> dict:
    """ "Required now" next to "staffed now" for a queue (cheap enough for a wall board).

    The current interval's forecast is the average of the same interval on the same weekday
    over the last `weeks` weeks that have any call of the queue that day (a day before the
    queue existed is no forecast of zero). Calls arriving faster than that today (the last
    `RUN_RATE_MINUTES`, scaled to the interval) or waiting now raise it: required now is
    never 0 while callers arrive or wait. Staffed means a skilled agent logged in right now.
    """
    from metrics.models import AgentState

    now = now or timezone.now()
    demand = queues_demand_now(queues=[queue], now=now, weeks=weeks)[queue.pk]
    if demand["required"] is None:
        raise ValueError("the service level target cannot be reached")
    staffed = (
        AgentState.objects.filter(
            agent__skills__queue=queue, ended_at__isnull=True, started_at__lte=now
        )
        .exclude(status="logged_out")
        .values("agent")
        .distinct()
        .count()
    )
    return {"queue": queue, **demand, "staffed": staffed}


def required_now(*, queues, now: datetime, weeks: int = 4) -> dict[int, float | None]:
    """Per queue id, `staffing_now`'s "required" (None: a target Erlang C cannot reach)."""
    return {
        pk: demand["required"]
        for pk, demand in queues_demand_now(queues=queues, now=now, weeks=weeks).items()
    }


def queues_demand_now(*, queues, now: datetime, weeks: int = 4) -> dict[int, dict]:
    """Per queue id, what `staffing_now` works out but "staffed": `interval_start`,
    `forecast_calls`, `history_weeks`, `run_rate_calls`, `waiting`, `calls` and `required`
    (None when the target cannot be reached).

    Queues with the same interval length share every time window, so their calls are counted
    by one query (a count per window and queue, and the average handling time), not a dozen
    per queue: the wall board asks for every queue of the floor once a minute."""
    from django.db.models import Avg, Count

    from metrics.models import Outcome, QueueCall
    from scheduling import erlang
    from scheduling.forecast import bucket

    zone = site_zone()
    by_length: dict[int, list] = {}
    for queue in queues:
        by_length.setdefault(queue.interval_minutes, []).append(queue)
    out: dict[int, dict] = {}
    for minutes, group in by_length.items():
        start = bucket(timezone.localtime(now, zone), minutes)
        recent_from = now - timedelta(minutes=RUN_RATE_MINUTES)
        windows = {
            "recent": Q(offered_at__gte=recent_from, offered_at__lte=now),
            "waiting": Q(outcome=Outcome.WAITING, offered_at__lte=now),
        }
        # (the earliest time a window but "waiting" reads: the calls read start there)
        earliest = min(recent_from, start - timedelta(days=AHT_DAYS))
        for week in range(1, weeks + 1):
            past = start - timedelta(weeks=week)
            day_start = datetime.combine(past.date(), datetime.min.time(), tzinfo=zone)
            earliest = min(earliest, day_start)
            windows[f"day{week}"] = Q(
                offered_at__gte=day_start, offered_at__lt=day_start + timedelta(days=1)
            )
            windows[f"interval{week}"] = Q(
                offered_at__gte=past, offered_at__lt=past + timedelta(minutes=minutes)
            )
        rows = (
            QueueCall.objects.filter(queue__in=group)
            .filter(Q(offered_at__gte=earliest) | Q(outcome=Outcome.WAITING))
            .values("queue")
            .annotate(
                **{name: Count("pk", filter=where) for name, where in windows.items()},
                aht=Avg(_handling_s(), filter=_handled_before(start)),
            )
        )
        found = {row["queue"]: row for row in rows}
        for queue in group:
            row = found.get(queue.pk, {})
            counts = [
                row.get(f"interval{week}", 0)
                for week in range(1, weeks + 1)
                if row.get(f"day{week}", 0)
            ]
            forecast = sum(counts) / len(counts) if counts else 0.0
            run_rate = row.get("recent", 0) * minutes / RUN_RATE_MINUTES
            waiting = row.get("waiting", 0)
            calls = max(forecast, run_rate, float(waiting))
            aht = row.get("aht")
            try:
                need = erlang.required(
                    calls=calls,
                    aht_s=float(aht) if aht else DEFAULT_AHT_S,
                    sl_target=queue.sl_target,
                    threshold_s=queue.sl_threshold_s,
                    interval_s=minutes * 60,
                ).raw_agents
            except ValueError:  # a target Erlang C cannot reach (100 %)
                need = None
            out[queue.pk] = {
                "interval_start": start,
                "forecast_calls": forecast,
                "history_weeks": len(counts),
                "run_rate_calls": run_rate,
                "waiting": waiting,
                "calls": calls,
                "required": need,
            }
    return out


# Today's arrivals over this many minutes give the run rate that can raise "required now".
RUN_RATE_MINUTES = 30
