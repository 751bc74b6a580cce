"""What the schedule adds to the wall board (registered in `SchedulingConfig.ready`): "required
now" on the queue tiles, live adherence on the agent cards, in the alerts and per team, and
handovers not acknowledged by their deadline in the alerts."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime, timedelta

from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext

from callfloor.zone import site_zone
from scheduling import adherence as adh
from scheduling import conf
from scheduling.attendance import LOGGED_OUT, StateSpan
from scheduling.forecast import bucket

REFRESH_S = 60


def _key(queue, now: datetime) -> str:
    local = timezone.localtime(now, site_zone())
    start = bucket(local, queue.interval_minutes)
    minute = local.replace(second=0, microsecond=0)
    return (
        f"scheduling:required-now:{queue.pk}:{queue.interval_minutes}:{start.isoformat()}:"
        f"{minute.isoformat()}"
    )


def required_now_tiles(*, site: str, queues, now: datetime) -> dict[int, dict]:
    """Per queue, the agents the current interval's forecast needs (Erlang C).

    The forecast changes only with the interval and today's run rate slowly, so each queue's
    figure is worked out once for each minute of `now` (`REFRESH_S`) and cached; a snapshot
    then costs one cache read, however many queues. Keyed by the minute rather than expiring
    a minute after it was worked out, the figure is the same for every read at the same
    `now` (the board's check of its kept floor compares a heartbeat's tiles with a fresh read
    at that heartbeat's `now`).
    """
    from scheduling.selectors import required_now

    keys = {queue.pk: _key(queue, now) for queue in queues}
    cached = cache.get_many(list(keys.values()))
    missing = [queue for queue in queues if keys[queue.pk] not in cached]
    if missing:
        # (every queue not cached worked out together: None where the target cannot be
        # reached)
        worked_out = {
            keys[pk]: value for pk, value in required_now(queues=missing, now=now).items()
        }
        cache.set_many(worked_out, timeout=2 * REFRESH_S)
        cached.update(worked_out)
    return {queue.pk: {"required_now": cached[keys[queue.pk]]} for queue in queues}


# --- live adherence -------------------------------------------------------------------------------

# How far before a shift's start the state in effect at the start is looked for (first read).
LOOKBACK = timedelta(hours=12)
FOLD_TTL_S = 36 * 3600


def _fold_key(site: str, now: datetime) -> str:
    return f"scheduling:adherence:{site}:{timezone.localtime(now, site_zone()).date().isoformat()}"


def _states_since(since: dict[int, datetime], now: datetime) -> dict[int, list[StateSpan]]:
    """Per agent, their states that started from `since[agent]` on (one query)."""
    from metrics.models import AgentState

    spans: dict[int, list[StateSpan]] = defaultdict(list)
    if not since:
        return spans
    condition = Q(pk__in=[])
    for agent_id, start in since.items():
        condition |= Q(agent_id=agent_id, started_at__gte=start)
    rows = (
        AgentState.objects.filter(condition, started_at__lte=now)
        .order_by("started_at", "pk")
        .values_list("agent_id", "started_at", "ended_at", "status", "activity", "reason")
    )
    for agent_id, *fields in rows:
        spans[agent_id].append(StateSpan(*fields))
    return spans


def _fold_to(spans: list[StateSpan], now: datetime) -> datetime | None:
    """Up to where an agent's day is settled: the start of their current (open) state."""
    open_starts = [s.start for s in spans if s.end is None]
    if open_starts:
        return min(max(open_starts), now)
    ends = [s.end for s in spans if s.end is not None]
    return min(max(ends), now) if ends else None


def _state_words(state: StateSpan | None) -> str:
    from metrics.models import Activity, AgentStatus

    if state is None or state.status == LOGGED_OUT:
        return str(AgentStatus.LOGGED_OUT.label)
    if state.activity != Activity.IDLE:
        return str(Activity(state.activity).label)
    label = str(AgentStatus(state.status).label)
    return f"{label} · {state.reason}" if state.reason else label


def _activity_words(kind: str) -> str:
    from scheduling.models import ActivityKind

    return str(ActivityKind(kind).label) if kind in ActivityKind.values else kind


def adherence_board(*, site: str, now: datetime, agents: dict[str, dict]) -> dict:
    """Per agent card: the activity scheduled now, whether the state matches it and since when
    not; an "adherence" alert once an agent is out of adherence past the threshold; per team:
    today's adherence and conformance so far.

    Cost: the day's settled part of each shift is folded into a cached `adherence.Tally`
    (per site and day), so a snapshot reads only today's shifts and the states that started
    since each agent's last settled moment — a fixed number of queries, and rows that do not
    grow with the day. States sent late for time already settled count from the next day's
    fold (or when the shift is edited); the attendance page recomputes the day in full.
    """
    from scheduling.selectors import planned_shift, shifts_on_floor

    shifts = shifts_on_floor(site=site, now=now)
    if not shifts:
        return {}
    key = _fold_key(site, now)
    folded: dict[int, tuple] = cache.get(key) or {}
    plans = {shift.pk: planned_shift(shift) for shift in shifts}
    before: dict[int, adh.Tally | None] = {}
    since: dict[int, datetime] = {}
    for shift in shifts:
        plan = plans[shift.pk]
        stored = folded.get(shift.pk)
        tally = stored[1] if stored and stored[0] == plan else None  # an edited shift restarts
        before[shift.pk] = tally
        if plan.start > now or (tally and tally.upto and tally.upto >= plan.end):
            continue  # not started, or settled to its end: no states needed
        start = tally.upto if tally and tally.upto else plan.start - LOOKBACK
        since[shift.agent_id] = min(since.get(shift.agent_id, start), start)
    spans = _states_since(since, now)

    threshold_s = conf.adherence_threshold().total_seconds()
    minute = now.replace(second=0, microsecond=0)
    new_folds: dict[int, tuple] = {}
    team_tallies: dict[int, list[adh.Tally]] = defaultdict(list)
    teams: dict[int, str] = {}
    rows: dict[str, dict] = {}
    alerts: list[dict] = []
    for shift in shifts:
        plan, tally = plans[shift.pk], before[shift.pk]
        states = spans.get(shift.agent_id, [])
        if shift.agent_id in since:
            fold_to = _fold_to(states, minute)
            if fold_to is not None:
                tally = adh.tally(shift=plan, states=states, until=fold_to, before=tally)
        new_folds[shift.pk] = (plan, tally)
        team_id = shift.agent.team_id
        if team_id is not None and plan.start <= now:
            teams[team_id] = shift.agent.team.name
            team_tallies[team_id].append(
                adh.tally(shift=plan, states=states, until=minute, before=tally)
            )
        status = adh.live(
            shift=plan,
            states=states,
            now=now,
            so_far=adh.tally(shift=plan, states=states, until=now, before=tally),
        )
        if status.scheduled is None:
            continue
        card = f"a{shift.agent_id}"
        rows[card] = {
            "scheduled": status.scheduled,
            "scheduled_label": _activity_words(status.scheduled),
            "in_adherence": status.in_adherence,
            "out_since": round(status.out_since.timestamp(), 3) if status.out_since else None,
        }
        state = adh.state_at(states, now)
        left_during_shift = (
            state is not None and state.status == LOGGED_OUT and state.start >= plan.start
        )
        if adh.out_for_s(status, now) > threshold_s and (card in agents or left_during_shift):
            alerts.append(
                _adherence_alert(shift, card, status, state, threshold_s, rows[card]["out_since"])
            )
    if new_folds != folded:
        cache.set(key, new_folds, timeout=FOLD_TTL_S)
    summary = {}
    for team_id, tallies in team_tallies.items():
        total = adh.combined(tallies)
        summary[f"team:{team_id}"] = {
            "key": f"team:{team_id}",
            "team_id": team_id,
            "team": teams[team_id],
            "adherence": None if total.adherence is None else round(total.adherence, 4),
            "conformance": None if total.conformance is None else round(total.conformance, 4),
            "scheduled_min": round(total.scheduled_s / 60),
            "out_of_adherence": sum(
                1 for a in alerts if a["team_id"] == team_id and a["kind"] == "adherence"
            ),
        }
    return {"agents": rows, "summary": summary, "alerts": alerts}


def _adherence_alert(shift, card: str, status, state, threshold_s: float, since: float) -> dict:
    minutes = threshold_s / 60
    return {
        "key": f"adherence:{card}:{since:.0f}",
        "kind": "adherence",
        "severity": "amber",
        "text": gettext(
            "%(name)s is out of adherence: scheduled %(activity)s, but %(state)s "
            "for over %(minutes)s min"
        )
        % {
            "name": shift.agent.display_name,
            "activity": _activity_words(status.scheduled),
            "state": _state_words(state),
            "minutes": f"{minutes:g}",
        },
        # The text is in the language of the process that pushed; each board words the alert
        # in its own from these: the scheduled activity and the agent's state as codes, the
        # not-ready reason as the telephony sent it.
        "params": {
            "name": shift.agent.display_name,
            "scheduled": status.scheduled,
            "status": state.status if state is not None else LOGGED_OUT,
            "activity": state.activity if state is not None else "idle",
            "reason": (state.reason or "") if state is not None else "",
            "minutes": int(minutes) if minutes.is_integer() else round(minutes, 2),
        },
        "since": since,
        "agent": card,
        "team_id": shift.agent.team_id,
        "scheduled": status.scheduled,
    }


def handover_site_filter(site: str) -> Q:
    """A handover belongs to the sites its team works queues at; a handover without a team, or
    whose team works no queue, to the default site."""
    from metrics.board.snapshot import default_site
    from metrics.models import Queue

    own = Q(Exists(Queue.objects.filter(site=site, teams=OuterRef("team_id"))))
    if site != default_site():
        return own
    anywhere = Exists(Queue.objects.filter(teams=OuterRef("team_id")))
    return own | Q(team__isnull=True) | ~anywhere


def handover_unacknowledged_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One alert per handover sent and not acknowledged by its deadline (`ack_due_at`).

    One query on the (status, ack_due_at) index; the alert clears when the incoming lead
    acknowledges it (the service tells the board at once). Names the shift, the team and the
    lead it waits for: never the customer cases it carries.
    """
    from scheduling.models import Handover, HandoverStatus

    rows = (
        Handover.objects.filter(status=HandoverStatus.SENT, ack_due_at__lte=now)
        .filter(handover_site_filter(site))
        .select_related("to_lead", "team")
        .order_by("ack_due_at", "pk")
    )
    alerts = []
    for handover in rows:
        lead = handover.to_lead.get_full_name() or handover.to_lead.get_username()
        shift = f"{handover.shift_date:%Y-%m-%d} {handover.shift_name}"
        due = timezone.localtime(handover.ack_due_at, site_zone())
        alerts.append(
            {
                "key": f"handover_unacknowledged:{handover.pk}",
                "kind": "handover_unacknowledged",
                "severity": "amber",
                "text": gettext("Handover %(shift)s to %(lead)s not acknowledged (due %(due)s)")
                % {"shift": shift, "lead": lead, "due": f"{due:%H:%M}"},
                # For each board to word it in its own language (the due time in the site's).
                "params": {"shift": shift, "lead": lead, "due": f"{due:%H:%M}"},
                "since": round(handover.ack_due_at.timestamp(), 3),
                "figure": round((now - handover.ack_due_at).total_seconds(), 1),
                "limit": 0.0,
                "subject_name": shift,
                "team_id": handover.team_id,
                "team": handover.team.name if handover.team else "",
                "link": reverse("handover-detail", args=[handover.pk]),
            }
        )
    return alerts
