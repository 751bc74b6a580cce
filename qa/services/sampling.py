"""Sampling rules: create, edit, publish, draw the calls to evaluate, replace a sampled call."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent, Team
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from callfloor.zone import site_zone
from metrics.models import Outcome, Queue, QueueCall
from qa import sampling
from qa.models import (
    Evaluation,
    PickStatus,
    RuleMethod,
    RuleStatus,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
)
from qa.services.common import notify_people


def local_today() -> date:
    return timezone.localdate(timezone=site_zone())


RULE_FIELDS = (
    "name",
    "team",
    "scorecard_version",
    "method",
    "calls_per_agent",
    "min_talk_s",
    "nth",
    "after",
    "period_start",
    "period_end",
)


def _check_rule(values: dict) -> None:
    if values["period_end"] < values["period_start"]:
        raise DomainError(_("The period ends before it starts."), field="period_end")
    if values["period_start"] <= local_today():
        raise DomainError(
            _("A rule is announced in advance: its period must start tomorrow or later."),
            field="period_start",
            code="too_late",
        )
    if not values["scorecard_version"].is_released:
        raise DomainError(_("Sample with a released scorecard version."), field="scorecard_version")
    if values["method"] == RuleMethod.RANDOM and values["calls_per_agent"] < 1:
        raise DomainError(_("Pick at least one call per agent."), field="calls_per_agent")
    if values["method"] == RuleMethod.NTH_AFTER and values["nth"] < 1:
        raise DomainError(_("The nth call counts from 1."), field="nth")


@transaction.atomic
def sampling_rule_create(
    *,
    actor: User,
    name: str,
    scorecard_version: ScorecardVersion,
    period_start: date,
    period_end: date,
    team: Team | None = None,
    queues: Sequence[Queue] = (),
    method: str = RuleMethod.RANDOM,
    calls_per_agent: int = 2,
    min_talk_s: int = 0,
    nth: int = 1,
    after: time | None = None,
    supersedes: SamplingRule | None = None,
) -> SamplingRule:
    """A draft rule with a fresh secret seed; only sha256(seed) is ever shown before the end."""
    values = dict(
        name=name,
        team=team,
        scorecard_version=scorecard_version,
        method=method,
        calls_per_agent=calls_per_agent,
        min_talk_s=min_talk_s,
        nth=nth,
        after=after,
        period_start=period_start,
        period_end=period_end,
    )
    _check_rule(values)
    if supersedes is not None:
        if supersedes.status != RuleStatus.PUBLISHED:
            raise DomainError(
                _("Only a published rule is superseded; edit a draft instead."), field="supersedes"
            )
        if hasattr(supersedes, "superseded_by"):
            raise DomainError(_("That rule is superseded already."), field="supersedes")
        if period_start < supersedes.period_start:
            raise DomainError(
                _("A superseding rule applies to a later period."), field="period_start"
            )
    seed = secrets.token_hex(32)
    rule = SamplingRule.objects.create(
        **values,
        seed=seed,
        seed_hash=sampling.seed_hash(seed),
        supersedes=supersedes,
        created_by=actor,
    )
    rule.queues.set(queues)
    audit_record(
        actor=actor,
        action="sampling.created",
        target=rule,
        data={"supersedes": supersedes.pk if supersedes else None},
    )
    return rule


@transaction.atomic
def sampling_rule_update(
    *, rule: SamplingRule, actor: User, queues: Sequence[Queue] | None = None, **changes
) -> SamplingRule:
    """Edit a draft rule; a published rule never changes."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(
            _("%(sorted)s cannot be edited.") % {"sorted": sorted(unknown)[0]},
            field=sorted(unknown)[0],
        )
    locked = SamplingRule.objects.select_for_update().get(pk=rule.pk)
    if locked.status != RuleStatus.DRAFT:
        raise DomainError(
            _("A published rule cannot change; supersede it for a later period."),
            field="status",
            code="published",
        )
    values = {f: getattr(locked, f) for f in RULE_FIELDS} | changes
    _check_rule(values)
    for key, value in changes.items():
        setattr(locked, key, value)
    # Guarded again at the row: a concurrent publish wins and this edit is refused.
    updated = SamplingRule.objects.filter(pk=locked.pk, status=RuleStatus.DRAFT).update(**changes)
    if not updated:
        raise Conflict(_("The rule was published meanwhile."))
    if queues is not None:
        locked.queues.set(queues)
    audit_record(
        actor=actor,
        action="sampling.updated",
        target=locked,
        data={k: str(v) for k, v in changes.items()},
    )
    return locked


@transaction.atomic
def sampling_rule_publish(*, rule: SamplingRule, actor: User) -> SamplingRule:
    """Publish before the period starts (the day before at the latest): then it is fixed."""
    rule.refresh_from_db()
    if rule.period_start <= local_today():
        raise DomainError(
            _(
                "Too late: a rule for a period starting %(start)s had to be published by "
                "the day before."
            )
            % {"start": format(rule.period_start, "%Y-%m-%d")},
            field="period_start",
            code="too_late",
        )
    fingerprint = sampling.definition_hash(rule.published_spec(), rule.definition_extra())
    now = timezone.now()
    changed = SamplingRule.objects.filter(pk=rule.pk, status=RuleStatus.DRAFT).update(
        status=RuleStatus.PUBLISHED,
        published_at=now,
        published_by=actor,
        definition_hash=fingerprint,
    )
    if not changed:
        raise Conflict(_("This rule was published already."))
    rule.refresh_from_db()
    if rule.supersedes_id:
        SamplingRule.objects.filter(pk=rule.supersedes_id, superseded_from__isnull=True).update(
            superseded_from=rule.period_start
        )
    audit_record(
        actor=actor,
        action="sampling.published",
        target=rule,
        data={"seed_hash": rule.seed_hash, "definition_hash": fingerprint},
    )
    agents = Agent.objects.filter(active=True).select_related("user")
    if rule.team_id:
        agents = agents.filter(team_id=rule.team_id)
    notify_people(
        recipients=[a.user for a in agents],
        kind="qa.sampling",
        text=lambda: _("Sampling rule announced: %(describe)s") % {"describe": rule.describe()},
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
    )
    return rule


def seed_revealed(rule: SamplingRule, today: date | None = None) -> bool:
    return rule.status == RuleStatus.PUBLISHED and (today or local_today()) > rule.effective_end


def call_key(call: QueueCall) -> str:
    offered = call.offered_at.astimezone(ZoneInfo("UTC"))
    return f"{call.source.name}/{call.call_id}/{call.queue.name}/{offered:%Y%m%dT%H%M%SZ}"


def rule_candidates(rule: SamplingRule, agent: Agent | None = None):
    """The answered calls a rule looks at, as (pure candidates, {key: QueueCall})."""
    zone = site_zone()
    start = datetime.combine(rule.period_start, time.min, tzinfo=zone)
    end = datetime.combine(rule.effective_end + timedelta(days=1), time.min, tzinfo=zone)
    calls = QueueCall.objects.filter(
        outcome=Outcome.ANSWERED,
        agent__isnull=False,
        offered_at__gte=start,
        offered_at__lt=end,
    ).select_related("source", "queue", "agent")
    if rule.team_id:
        calls = calls.filter(agent__team_id=rule.team_id)
    if agent is not None:
        calls = calls.filter(agent=agent)
    by_key: dict[str, QueueCall] = {}
    candidates = []
    for call in calls:
        key = call_key(call)
        by_key[key] = call
        candidates.append(
            sampling.Candidate(
                key=key,
                agent=str(call.agent_id),
                started=timezone.localtime(call.offered_at, zone),
                talk_s=call.talk_s or 0.0,
                queue=call.queue.name,
            )
        )
    return candidates, by_key


@transaction.atomic
def sampling_rule_draw(*, rule: SamplingRule, actor: User | None = None) -> list[SampledCall]:
    """After the period: store the picks for the analysts' work list."""
    rule.refresh_from_db()
    if not seed_revealed(rule):
        raise DomainError(_("The sample is drawn after the period ends."), field="period_end")
    changed = SamplingRule.objects.filter(pk=rule.pk, drawn_at__isnull=True).update(
        drawn_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("This rule's sample was drawn already."))
    candidates, by_key = rule_candidates(rule)
    picks = sampling.select(rule.spec(), rule.seed, candidates)
    rows = [
        SampledCall(rule=rule, agent_id=int(agent), call=by_key[key], key=key, position=index)
        for agent, keys in picks.items()
        for index, key in enumerate(keys)
    ]
    SampledCall.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="sampling.drawn",
        target=rule,
        data={"picks": len(rows), "seed": rule.seed},
    )
    notify_people(
        recipients=[a.user for a in Agent.objects.filter(pk__in=[int(a) for a in picks])],
        kind="qa.sampling",
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
        text=lambda: (
            _(
                "The period of %(rule_name)s is over: its seed is revealed and you can "
                "check which of your calls it picked."
            )
            % {"rule_name": repr(rule.name)}
        ),
    )
    return rows


@transaction.atomic
def sampled_call_replace(*, pick: SampledCall, actor: User, reason: str) -> SampledCall:
    """Replace a picked call by the next one of the agent's ranking; the reason is shown."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the picked call is replaced."), field="reason")
    if Evaluation.objects.filter(pick=pick).exists():
        raise DomainError(_("This call is evaluated already and cannot be replaced."), field="pick")
    rule = pick.rule
    changed = SampledCall.objects.filter(pk=pick.pk, status=PickStatus.PICKED).update(
        status=PickStatus.REPLACED,
        replace_reason=reason,
        replaced_at=timezone.now(),
        replaced_by_user=actor,
    )
    if not changed:
        raise Conflict(_("This call was replaced already."))
    candidates, by_key = rule_candidates(rule, agent=pick.agent)
    ranking = sampling.rank(rule.spec(), rule.seed, candidates).get(str(pick.agent_id), [])
    used = set(
        SampledCall.objects.filter(rule=rule, agent=pick.agent).values_list("key", flat=True)
    )
    substitute = next((k for k in ranking if k not in used), None)
    new = None
    if substitute is not None:
        new = SampledCall.objects.create(
            rule=rule,
            agent=pick.agent,
            call=by_key[substitute],
            key=substitute,
            position=pick.position,
            replaces=pick,
        )
    audit_record(
        actor=actor,
        action="sampling.replaced",
        target=pick,
        data={"reason": reason, "replacement": substitute},
    )
    notify_people(
        recipients=[pick.agent.user],
        kind="qa.sampling",
        text=lambda: (
            _("A call picked for you by %(rule_name)s was replaced: %(reason)s")
            % {"rule_name": repr(rule.name), "reason": reason}
        ),
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
    )
    return new


def sampling_draw_due(*, today: date | None = None) -> int:
    """Draw every published rule whose period is over (the beat task)."""
    today = today or local_today()
    drawn = 0
    for rule in SamplingRule.objects.filter(
        status=RuleStatus.PUBLISHED, drawn_at__isnull=True, period_start__lt=today
    ):
        if seed_revealed(rule, today):
            try:
                sampling_rule_draw(rule=rule)
                drawn += 1
            except Conflict:
                continue
    return drawn
