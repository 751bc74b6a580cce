"""Sampling rules announced in advance: publish before the period, fixed, recomputable."""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings

from callfloor.errors import DomainError
from qa import sampling, selectors, services
from qa.models import Evaluation, SampledCall, SamplingRule
from qa.services import sampling as sampling_services
from tests.qa.conftest import answers_for, make_call

pytestmark = pytest.mark.django_db


@pytest.fixture
def rule(cast, world):
    today = services.local_today()
    rule = services.sampling_rule_create(
        actor=cast.quinn,
        name="Billing weekly",
        team=cast.billing,
        scorecard_version=world.version,
        queues=[world.billing_queue],
        calls_per_agent=2,
        min_talk_s=60,
        period_start=today + timedelta(days=1),
        period_end=today + timedelta(days=7),
    )
    return services.sampling_rule_publish(rule=rule, actor=cast.quinn)


def local(day, hour):
    return datetime.combine(day, time(hour, 0), tzinfo=ZoneInfo(settings.CALLFLOOR_TIME_ZONE))


@pytest.fixture
def period_calls(cast, world, rule):
    """Ten eligible calls of ann in the period, plus some the rule must ignore."""
    calls = [
        make_call(
            world,
            cast.ann_agent,
            call_id=f"p{i}",
            offered_at=local(rule.period_start + timedelta(days=i % 7), 9 + i),
        )
        for i in range(10)
    ]
    make_call(
        world, cast.ann_agent, call_id="short", talk_s=20, offered_at=local(rule.period_start, 10)
    )
    make_call(
        world,
        cast.ann_agent,
        call_id="cards",
        queue=world.cards_queue,
        offered_at=local(rule.period_start, 11),
    )
    make_call(world, cast.bob_agent, call_id="bob", offered_at=local(rule.period_start, 12))
    return calls


def after_the_period(monkeypatch, rule):
    monkeypatch.setattr(
        sampling_services, "local_today", lambda: rule.period_end + timedelta(days=1)
    )


def test_a_rule_must_be_published_before_its_period(cast, world):
    today = services.local_today()
    with pytest.raises(DomainError, match="tomorrow or later"):
        services.sampling_rule_create(
            actor=cast.quinn,
            name="Late",
            scorecard_version=world.version,
            period_start=today,
            period_end=today + timedelta(days=6),
        )
    draft = services.sampling_rule_create(
        actor=cast.quinn,
        name="Soon",
        scorecard_version=world.version,
        period_start=today + timedelta(days=1),
        period_end=today + timedelta(days=6),
    )
    SamplingRule.objects.filter(pk=draft.pk).update(period_start=today)
    with pytest.raises(DomainError, match="had to be published by the day before"):
        services.sampling_rule_publish(rule=draft, actor=cast.quinn)


def test_a_published_rule_cannot_change(cast, world, rule, api):
    with pytest.raises(DomainError, match="published rule cannot change"):
        services.sampling_rule_update(rule=rule, actor=cast.quinn, calls_per_agent=5)
    response = api(cast.quinn).patch(
        f"/api/qa/sampling-rules/{rule.pk}/", {"calls_per_agent": 5}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "published"
    rule.refresh_from_db()
    assert rule.calls_per_agent == 2
    # The fingerprint published with it still matches what is stored.
    assert rule.definition_hash == sampling.definition_hash(
        rule.published_spec(), rule.definition_extra()
    )
    assert rule.seed_hash == sampling.seed_hash(rule.seed)


def test_a_published_rule_is_superseded_only_for_a_later_period(cast, world):
    today = services.local_today()
    old = services.sampling_rule_publish(
        rule=services.sampling_rule_create(
            actor=cast.quinn,
            name="Month",
            scorecard_version=world.version,
            period_start=today + timedelta(days=3),
            period_end=today + timedelta(days=30),
        ),
        actor=cast.quinn,
    )
    with pytest.raises(DomainError, match="later period"):
        services.sampling_rule_create(
            actor=cast.quinn,
            name="Earlier",
            supersedes=old,
            scorecard_version=world.version,
            period_start=today + timedelta(days=2),
            period_end=today + timedelta(days=30),
        )
    new = services.sampling_rule_create(
        actor=cast.quinn,
        name="Second half",
        supersedes=old,
        scorecard_version=world.version,
        calls_per_agent=4,
        period_start=today + timedelta(days=15),
        period_end=today + timedelta(days=30),
    )
    services.sampling_rule_publish(rule=new, actor=cast.quinn)
    old.refresh_from_db()
    assert old.superseded_from == new.period_start
    assert old.effective_end == new.period_start - timedelta(days=1)
    assert old.period_end == today + timedelta(days=30)  # the published text is kept
    assert old.definition_hash == sampling.definition_hash(
        old.published_spec(), old.definition_extra()
    )


def test_the_seed_stays_secret_until_the_period_ends(cast, world, rule, api, monkeypatch):
    body = api(cast.ann).get(f"/api/qa/sampling-rules/{rule.pk}/").json()
    assert body["seed"] is None and body["seed_hash"] == rule.seed_hash
    assert api(cast.ann).get(f"/api/qa/sampling-rules/{rule.pk}/verify/").status_code == 400
    with pytest.raises(DomainError, match="after the period"):
        services.sampling_rule_draw(rule=rule)
    after_the_period(monkeypatch, rule)
    assert api(cast.ann).get(f"/api/qa/sampling-rules/{rule.pk}/").json()["seed"] == rule.seed


def test_the_recomputed_sample_is_exactly_the_evaluated_calls(
    cast, world, rule, period_calls, api, monkeypatch
):
    after_the_period(monkeypatch, rule)
    assert services.sampling_draw_due() == 1
    picks = list(SampledCall.objects.filter(rule=rule))
    assert len(picks) == 2 and {p.agent_id for p in picks} == {cast.ann_agent.pk}
    # One picked recording is missing: it is replaced, with a reason the agent sees.
    replacement = services.sampled_call_replace(
        pick=picks[0], actor=cast.quinn, reason="Recording missing on the PBX"
    )
    for pick in [picks[1], replacement]:
        evaluation = services.evaluation_create(evaluator=world.quincy, pick=pick)
        services.evaluation_set_answers(
            evaluation=evaluation, actor=world.quincy, answers=answers_for(world)
        )
        services.evaluation_release(evaluation=evaluation, actor=world.quincy)

    # Anyone recomputes from the published rule, the revealed seed and the calls.
    published = api(cast.ann).get(f"/api/qa/sampling-rules/{rule.pk}/").json()
    assert sampling.seed_hash(published["seed"]) == published["seed_hash"]
    spec = sampling.Rule(
        method=published["method"],
        calls_per_agent=published["calls_per_agent"],
        period_start=rule.period_start,
        period_end=rule.period_end,
        min_talk_s=published["min_talk_s"],
        queues=frozenset(published["queues"]),
    )
    candidates, _ = services.rule_candidates(rule)
    ranking = sampling.rank(spec, published["seed"], candidates)[str(cast.ann_agent.pk)]
    picked = sampling.select(spec, published["seed"], candidates)[str(cast.ann_agent.pk)]
    expected = sampling.apply_replacements(ranking, picked, [picks[0].key])
    evaluated = [
        e.pick.key for e in Evaluation.objects.filter(agent=cast.ann_agent, pick__rule=rule)
    ]
    assert sorted(expected) == sorted(evaluated)
    # Ann's ten, the short call and the Cards-queue call; bob is in another team.
    assert len(candidates) == 12
    assert not any(k.startswith("pbx/cards") or "/short/" in k for k in ranking)

    check = api(cast.ann).get(f"/api/qa/sampling-rules/{rule.pk}/verify/").json()
    assert check["seed_hash_ok"] and check["definition_hash_ok"]
    [mine] = check["agents"]
    assert mine["matches"] is True
    assert mine["replaced"] == [{"key": picks[0].key, "reason": "Recording missing on the PBX"}]


def test_an_evaluation_outside_the_sample_shows_in_the_verification(
    cast, world, rule, period_calls, monkeypatch
):
    after_the_period(monkeypatch, rule)
    services.sampling_rule_draw(rule=rule)
    picked = set(SampledCall.objects.values_list("call_id", flat=True))
    hand_picked = next(c for c in period_calls if c.pk not in picked)
    services.evaluation_create(
        evaluator=world.quincy, call=hand_picked, scorecard_version=world.version
    )
    [row] = selectors.rule_verification(rule, agent=cast.ann_agent)
    assert not row.matches
    assert [e.call_id for e in row.outside] == [hand_picked.pk]


def test_publishing_announces_the_rule_to_the_team(cast, world, rule):
    from agents.models import Notification

    assert Notification.objects.filter(recipient=cast.ann, kind="qa.sampling").exists()
    assert not Notification.objects.filter(recipient=cast.bob, kind="qa.sampling").exists()


def test_an_analyst_defines_and_publishes_a_rule_from_the_page(cast, world, client):
    client.force_login(cast.quinn)
    today = services.local_today()
    response = client.post(
        "/qa/sampling/",
        {
            "name": "Second call after 11",
            "team": cast.billing.pk,
            "queues": [world.billing_queue.pk],
            "scorecard_version": world.version.pk,
            "method": "nth_after",
            "calls_per_agent": 0,
            "min_talk_s": 60,
            "nth": 2,
            "after": "11:00",
            "period_start": str(today + timedelta(days=1)),
            "period_end": str(today + timedelta(days=7)),
        },
    )
    rule = SamplingRule.objects.get(name="Second call after 11")
    assert response.status_code == 302 and rule.status == "draft"
    page = client.get(f"/qa/sampling/{rule.pk}/").content.decode()
    assert "call number 2 of each day" in page and "at or after 11:00" in page
    client.post(f"/qa/sampling/{rule.pk}/", {"action": "publish"})
    rule.refresh_from_db()
    assert rule.status == "published"
    late = client.post(
        "/qa/sampling/",
        {
            "name": "Today",
            "scorecard_version": world.version.pk,
            "method": "random",
            "calls_per_agent": 1,
            "min_talk_s": 0,
            "nth": 1,
            "period_start": str(today),
            "period_end": str(today),
        },
        follow=True,
    )
    assert "tomorrow or later" in late.content.decode()
