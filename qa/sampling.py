"""Which calls a sampling rule picks: deterministic from the rule and a seed (no Django).

A rule is published with ``sha256(seed)`` before its period starts; the seed itself is revealed
after the period ends. Anyone holding the published rule, the revealed seed and the list of
calls can then recompute the sample and check it against the calls that were evaluated:

* A call is *eligible* when its local start date lies in the period, its queue is one of the
  rule's queues (any queue when none are named), it was talked for at least ``min_talk_s``
  seconds and, when the rule names a time of day, it started at or after that time.
* Every call gets a *draw number*: ``HMAC-SHA256(key=seed, message=call key)`` in hex. Nobody
  can predict it without the seed, and everybody can compute it with the seed.
* ``random`` rules: each agent's eligible calls are ranked by draw number; the first N are
  picked.
* ``nth_after`` rules: for each agent and each day, the nth eligible call of the day (in start
  order) is a *day pick*; day picks are ranked by draw number and the first N are picked
  (N = 0: every day pick). The other eligible calls follow, also by draw number.
* When a picked call has to be replaced (say its recording is missing), the replacement is the
  next call of the same agent's ranking that was never picked — so replacements are
  recomputable too; only the reason is a human input, and it is shown to the agent.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

RANDOM = "random"
NTH_AFTER = "nth_after"


@dataclass(frozen=True)
class Rule:
    method: str
    calls_per_agent: int
    period_start: date
    period_end: date
    min_talk_s: int = 0
    queues: frozenset[str] = field(default_factory=frozenset)
    nth: int = 1
    after: time | None = None

    def canonical(self) -> dict:
        """The rule's definition as plain JSON values, in a fixed order."""
        return {
            "method": self.method,
            "calls_per_agent": self.calls_per_agent,
            "period_start": self.period_start.isoformat(),
            "period_end": self.period_end.isoformat(),
            "min_talk_s": self.min_talk_s,
            "queues": sorted(self.queues),
            "nth": self.nth,
            "after": self.after.strftime("%H:%M") if self.after else None,
        }


@dataclass(frozen=True)
class Candidate:
    """One answered call: ``started`` is the local (site time zone) start time."""

    key: str
    agent: str
    started: datetime
    talk_s: float
    queue: str


def seed_hash(seed: str) -> str:
    return hashlib.sha256(seed.encode()).hexdigest()


def definition_hash(rule: Rule, extra: dict | None = None) -> str:
    """A fingerprint of the published definition: any later change would show."""
    body = json.dumps({**rule.canonical(), **(extra or {})}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(body.encode()).hexdigest()


def draw_number(seed: str, key: str) -> str:
    return hmac.new(seed.encode(), key.encode(), hashlib.sha256).hexdigest()


def is_eligible(rule: Rule, call: Candidate) -> bool:
    if not rule.period_start <= call.started.date() <= rule.period_end:
        return False
    if rule.queues and call.queue not in rule.queues:
        return False
    if call.talk_s < rule.min_talk_s:
        return False
    return not (rule.after is not None and call.started.time() < rule.after)


def rank(rule: Rule, seed: str, candidates: Iterable[Candidate]) -> dict[str, list[str]]:
    """Each agent's eligible call keys in pick order (picked ones first, then the reserve)."""
    by_agent: dict[str, list[Candidate]] = defaultdict(list)
    for call in candidates:
        if is_eligible(rule, call):
            by_agent[call.agent].append(call)

    def by_draw(c: Candidate) -> tuple[str, str]:
        return (draw_number(seed, c.key), c.key)

    order: dict[str, list[str]] = {}
    for agent, calls in sorted(by_agent.items()):
        if rule.method == RANDOM:
            order[agent] = [c.key for c in sorted(calls, key=by_draw)]
            continue
        by_day: dict[date, list[Candidate]] = defaultdict(list)
        for call in calls:
            by_day[call.started.date()].append(call)
        primary = []
        for day_calls in by_day.values():
            day_calls.sort(key=lambda c: (c.started, c.key))
            if len(day_calls) >= rule.nth:
                primary.append(day_calls[rule.nth - 1])
        chosen = {c.key for c in primary}
        rest = [c for c in calls if c.key not in chosen]
        order[agent] = [c.key for c in sorted(primary, key=by_draw)] + [
            c.key for c in sorted(rest, key=by_draw)
        ]
    return order


def pick_count(rule: Rule, seed: str, calls: Sequence[Candidate]) -> int:
    """How many of one agent's ranked calls the rule picks."""
    if rule.method == RANDOM:
        return rule.calls_per_agent
    days = {c.started.date() for c in calls if is_eligible(rule, c)}
    day_picks = 0
    for day in days:
        on_day = [c for c in calls if is_eligible(rule, c) and c.started.date() == day]
        if len(on_day) >= rule.nth:
            day_picks += 1
    return day_picks if rule.calls_per_agent == 0 else min(rule.calls_per_agent, day_picks)


def select(rule: Rule, seed: str, candidates: Sequence[Candidate]) -> dict[str, list[str]]:
    """The picked call keys per agent."""
    ranking = rank(rule, seed, candidates)
    picks = {}
    for agent, keys in ranking.items():
        own = [c for c in candidates if c.agent == agent]
        picks[agent] = keys[: pick_count(rule, seed, own)]
    return picks


def apply_replacements(
    ranking: Sequence[str], picks: Sequence[str], replaced: Sequence[str]
) -> list[str]:
    """The final sample after replacing `replaced` keys, in the order they were replaced."""
    current = list(picks)
    used = set(picks)
    for key in replaced:
        if key not in current:
            raise ValueError(f"{key} is not in the sample, so it cannot be replaced")
        substitute = next((k for k in ranking if k not in used), None)
        position = current.index(key)
        if substitute is None:
            current.pop(position)
        else:
            current[position] = substitute
            used.add(substitute)
    return current


def describe(rule: Rule, team: str | None = None) -> str:
    """The rule in words, as published to the agents (in the reader's language)."""
    who = _("Every agent of team %(team)s") % {"team": team} if team else _("Every agent")
    if rule.method == RANDOM:
        what = ngettext("%(count)s random call", "%(count)s random calls", rule.calls_per_agent) % {
            "count": rule.calls_per_agent
        }
    else:
        what = _("call number %(nth)s of each day") % {"nth": rule.nth}
        if rule.calls_per_agent:
            what += _(" (at most %(count)s of them, drawn at random)") % {
                "count": rule.calls_per_agent
            }
    length = (
        _(" of at least %(seconds)s s talk") % {"seconds": rule.min_talk_s}
        if rule.min_talk_s
        else ""
    )
    after = (
        _(" starting at or after %(time)s") % {"time": f"{rule.after:%H:%M}"} if rule.after else ""
    )
    queues = (
        _(" from queues %(queues)s") % {"queues": ", ".join(sorted(rule.queues))}
        if rule.queues
        else ""
    )
    return _("%(who)s: %(what)s%(length)s%(after)s%(queues)s, from %(start)s to %(end)s.") % {
        "who": who,
        "what": what,
        "length": length,
        "after": after,
        "queues": queues,
        "start": f"{rule.period_start:%Y-%m-%d}",
        "end": f"{rule.period_end:%Y-%m-%d}",
    }
