"""Evaluating alert rules against a floor snapshot: pure functions, no database, no clock.

`conditions` reads what holds now for one rule (each condition a *subject*: a queue, an
agent's call or break, a help request, an alert of another app); `evaluate` compares them with
the rule's open firings and returns the transitions: a condition that began is raised (with a
message unless the same subject was notified within the cool-down, and only within the rule's
hours), a firing whose condition ended is cleared ("resolved" when its raise was notified).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, time
from zoneinfo import ZoneInfo

QUEUE_KINDS = ("queue_sl", "queue_wait", "calls_waiting")
AGENT_KINDS = ("long_call", "long_wrap_up", "break_overrun")
# Alerts other apps add to the board (`register_alert_source`), matched by their kind.
SOURCE_KINDS = (
    "adherence",
    "live_escalation",
    "complaint_due",
    "handover_unacknowledged",
    "source_silent",
)
# Source alerts that carry a `figure` the rule's N applies to: (seconds per unit of N, whether
# the condition holds at or below N). Complaint due: seconds until its escalation, within N
# minutes (negative once passed). Handover: seconds past its acknowledgement deadline, at least N
# minutes. Source silent: seconds since its newest event, at least N seconds.
NARROWING = {
    "complaint_due": (60.0, True),
    "handover_unacknowledged": (60.0, False),
    "source_silent": (1.0, False),
}


@dataclass(frozen=True)
class RuleSpec:
    id: int
    kind: str
    threshold: float | None = None
    queue_ids: frozenset[int] | None = None  # None: every queue
    team_ids: frozenset[int] | None = None  # None: every team
    start: time | None = None
    end: time | None = None
    days: tuple[int, ...] = ()
    cooldown_s: float = 900.0


@dataclass(frozen=True)
class Condition:
    subject: str
    kind: str
    figure: float | None = None
    limit: float | None = None
    since: float | None = None
    queue_id: int | None = None
    queue: str = ""
    agent_id: int | None = None
    agent: str = ""
    team_id: int | None = None
    team: str = ""
    reason: str = ""


@dataclass(frozen=True)
class OpenFiring:
    subject: str
    raised_at: float
    notified: bool
    detail: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Transition:
    rule_id: int
    subject: str
    state: str  # "raised" or "cleared"
    notify: bool
    condition: Condition | None
    raised_at: float | None = None


def in_hours(spec: RuleSpec, moment: datetime, zone: ZoneInfo) -> bool:
    """Whether `moment` falls in the rule's days and hours (the site's local time)."""
    local = moment.astimezone(zone)
    if spec.days and local.isoweekday() not in spec.days:
        return False
    now = local.time().replace(tzinfo=None)
    start, end = spec.start, spec.end
    if start and end:
        return start <= now < end if start <= end else (now >= start or now < end)
    if start:
        return now >= start
    if end:
        return now < end
    return True


def _queue_ok(spec: RuleSpec, queue_id: int | None) -> bool:
    return spec.queue_ids is None or queue_id is None or queue_id in spec.queue_ids


def _team_ok(spec: RuleSpec, team_id: int | None) -> bool:
    return spec.team_ids is None or (team_id is not None and team_id in spec.team_ids)


def _limit(spec: RuleSpec, default: float, scale: float = 1.0) -> float:
    return default if spec.threshold is None else spec.threshold * scale


def conditions(
    spec: RuleSpec, snapshot: Mapping, now_s: float, *, bands: Mapping | None = None
) -> dict[str, Condition]:
    """What holds for `spec` on the floor of `snapshot` at `now_s` (epoch seconds)."""
    found: dict[str, Condition] = {}
    kind = spec.kind
    if kind in QUEUE_KINDS:
        for tile in snapshot.get("queues", {}).values():
            if spec.queue_ids is not None and tile["id"] not in spec.queue_ids:
                continue
            where = {"queue_id": tile["id"], "queue": tile["name"]}
            subject = f"{kind}:q{tile['id']}"
            if kind == "queue_sl":
                level = tile.get("service_level")
                target = tile["sl_target"]
                if spec.threshold is not None:
                    target = spec.threshold / 100 if spec.threshold > 1 else spec.threshold
                if level is not None and level < target:
                    found[subject] = Condition(subject, kind, level, target, **where)
            elif kind == "queue_wait":
                since = tile.get("longest_waiting_since")
                limit = _limit(spec, tile.get("wait_amber_s") or 30)
                if since is not None and now_s - since > limit:
                    found[subject] = Condition(subject, kind, now_s - since, limit, since, **where)
            else:
                limit = _limit(spec, 5)
                if tile.get("waiting", 0) > limit:
                    found[subject] = Condition(subject, kind, tile["waiting"], limit, **where)
    elif kind in AGENT_KINDS:
        bands = bands or {}
        for row in snapshot.get("agents", {}).values():
            if not _team_ok(spec, row.get("team_id")) or not _queue_ok(spec, row.get("queue_id")):
                continue
            elapsed = now_s - row["since"]
            if kind == "long_call":
                match = row["activity"] == "on_call"
                default = (bands.get("on_call") or [0, 600])[1]
            elif kind == "long_wrap_up":
                match = row["activity"] == "wrap_up"
                default = (bands.get("wrap_up") or [0, 120])[1]
            else:
                match = row["status"] == "not_ready" and row["activity"] == "idle"
                allowances = bands.get("not_ready") or {}
                default = float(allowances.get(row["reason"], allowances.get("*", 900)))
            limit = _limit(spec, default, 60.0)
            if match and elapsed > limit:
                subject = f"{kind}:{row['key']}:{row['since']:.0f}"
                found[subject] = Condition(
                    subject,
                    kind,
                    elapsed,
                    limit,
                    row["since"],
                    queue_id=row.get("queue_id"),
                    queue=row.get("queue") or "",
                    agent_id=row.get("agent_id"),
                    agent=row["name"],
                    team_id=row.get("team_id"),
                    team=row.get("team") or "",
                    reason=row.get("reason") or "",
                )
    elif kind == "help":
        limit = _limit(spec, 0)
        agents = snapshot.get("agents", {})
        for request in snapshot.get("help", {}).values():
            if not _team_ok(spec, request.get("team_id")):
                continue
            if now_s - request["at"] > limit:
                subject = f"help:h{request['id']}"
                row = agents.get(request.get("agent") or "", {})
                found[subject] = Condition(
                    subject,
                    kind,
                    now_s - request["at"],
                    limit,
                    request["at"],
                    agent_id=request.get("agent_id"),
                    agent=request["name"],
                    team_id=request.get("team_id"),
                    team=row.get("team") or "",
                    reason=request.get("reason_label") or "",
                )
    else:
        agents = snapshot.get("agents", {})
        for alert in snapshot.get("alerts", {}).values():
            if alert.get("kind") != kind:
                continue
            if spec.team_ids is not None and not _team_ok(spec, alert.get("team_id")):
                continue
            if not _queue_ok(spec, alert.get("queue_id")):
                continue
            figure, limit = alert.get("figure"), alert.get("limit")
            if spec.threshold is not None and figure is not None and kind in NARROWING:
                # The rule's N can only narrow what the board raises (its source's own window).
                scale, below = NARROWING[kind]
                limit = spec.threshold * scale
                if (figure > limit) if below else (figure < limit):
                    continue
            row = agents.get(alert.get("agent") or "", {})
            subject = f"{kind}:{alert['key']}"
            found[subject] = Condition(
                subject,
                kind,
                figure=figure,
                limit=limit,
                since=alert.get("since"),
                queue_id=alert.get("queue_id"),
                queue=alert.get("queue") or "",
                agent_id=row.get("agent_id"),
                agent=row.get("name") or "",
                team_id=alert.get("team_id"),
                team=row.get("team") or alert.get("team") or "",
                reason=alert.get("subject_name") or "",
            )
    return found


def evaluate(
    spec: RuleSpec,
    snapshot: Mapping,
    *,
    now: datetime,
    zone: ZoneInfo,
    open_firings: Mapping[str, OpenFiring],
    last_notified: Callable[[Iterable[str]], Mapping[str, float]],
    bands: Mapping | None = None,
) -> list[Transition]:
    """The transitions of one rule at `now`.

    `last_notified(subjects)` gives, for subjects that are not open, when each was last raised
    with a message (the cool-down starts there).
    """
    now_s = now.timestamp()
    holding = conditions(spec, snapshot, now_s, bands=bands)
    transitions: list[Transition] = []
    for subject, firing in open_firings.items():
        if subject not in holding:
            transitions.append(
                Transition(spec.id, subject, "cleared", firing.notified, None, firing.raised_at)
            )
    new = [s for s in holding if s not in open_firings]
    if new and in_hours(spec, now, zone):
        recent = last_notified(new)
        for subject in new:
            last = recent.get(subject)
            notify = last is None or now_s - last >= spec.cooldown_s
            transitions.append(
                Transition(spec.id, subject, "raised", notify, holding[subject], now_s)
            )
    return transitions
