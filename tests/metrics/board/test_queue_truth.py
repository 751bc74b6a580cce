"""Per-queue truth on the tiles: each queue's own members, and "required now" from a forecast."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from metrics.board.snapshot import floor_snapshot
from metrics.models import Outcome, Queue, QueueCall
from tests.metrics.board.conftest import event, ingest

pytestmark = pytest.mark.django_db

COUNTS = ("staffed", "available", "on_call", "wrap_up", "not_ready")


def _counts(tile: dict) -> dict:
    return {k: tile[k] for k in COUNTS}


def test_each_tile_counts_its_own_members_and_the_header_the_floor(cast, source):
    from agents.services import agent_create
    from scheduling.models import Skill

    billing = Queue.objects.create(name="billing", site="main")
    cards = Queue.objects.create(name="cards", site="main")
    mortgages = Queue.objects.create(name="mortgages", site="main")
    billing.teams.add(cast.billing)
    cards.teams.add(cast.cards)
    # Dee logs into "every queue" but is skilled for mortgages only; Eve logs into every
    # queue and has no skills: she works her team's (Cards) queues.
    dee = agent_create(
        username="dee",
        display_name="Dee Skilled",
        employee_number="E3001",
        team=cast.billing,
        aliases=["PJSIP/3001"],
    )
    Skill.objects.create(agent=dee, queue=mortgages)
    agent_create(
        username="eve",
        display_name="Eve Cards",
        employee_number="E3002",
        team=cast.cards,
        aliases=["PJSIP/3002"],
    )
    ingest(
        source.source,
        [
            # Ann sits in two queues and is on a billing call.
            event("agent_login", ago=600, member="PJSIP/2004", queue="billing"),
            event("agent_login", ago=600, member="PJSIP/2004", queue="cards"),
            # Bob sits in cards only, on a break.
            event("agent_login", ago=600, member="PJSIP/2005", queue="cards"),
            event("agent_status", ago=60, member="PJSIP/2005", status="not_ready", reason="Break"),
            # A member no agent owns yet, in billing only, available.
            event("agent_login", ago=600, member="PJSIP/2999", queue="billing"),
            event("agent_login", ago=600, member="PJSIP/3001"),
            event("agent_login", ago=600, member="PJSIP/3002"),
            event("wrap_up_started", ago=20, member="PJSIP/3002"),
            event("call_queued", ago=40, call_id="k1", queue="billing", caller="+3221"),
            event(
                "call_answered",
                ago=30,
                call_id="k1",
                queue="billing",
                member="PJSIP/2004",
                wait_s=10,
                ring_s=2,
            ),
        ],
    )
    snap = floor_snapshot(site="main", now=datetime.now(UTC))
    tiles = {t["name"]: t for t in snap["queues"].values()}
    assert _counts(tiles["billing"]) == {
        "staffed": 2,
        "available": 1,
        "on_call": 1,
        "wrap_up": 0,
        "not_ready": 0,
    }
    assert _counts(tiles["cards"]) == {
        "staffed": 3,
        "available": 0,
        "on_call": 1,
        "wrap_up": 1,
        "not_ready": 1,
    }
    assert _counts(tiles["mortgages"]) == {
        "staffed": 1,
        "available": 1,
        "on_call": 0,
        "wrap_up": 0,
        "not_ready": 0,
    }
    # The header counts each person once, whatever their queues.
    assert _counts(snap["summary"]["floor"]) == {
        "staffed": 5,
        "available": 2,
        "on_call": 1,
        "wrap_up": 1,
        "not_ready": 1,
    }
    # Ann leaves cards: she no longer counts there, and still counts in billing.
    ingest(source.source, [event("agent_logout", ago=0, member="PJSIP/2004", queue="cards")])
    tiles = {t["name"]: t for t in floor_snapshot(site="main")["queues"].values()}
    assert (tiles["cards"]["staffed"], tiles["cards"]["on_call"]) == (2, 0)
    assert (tiles["billing"]["staffed"], tiles["billing"]["on_call"]) == (2, 1)


def _history(queue, source, *, start, weeks_calls: dict[int, int]):
    """`n` abandoned calls in the interval `start` a week before, per week."""
    for week, n in weeks_calls.items():
        for k in range(n):
            QueueCall.objects.create(
                source=source,
                call_id=f"h{week}-{k}",
                queue=queue,
                offered_at=start - timedelta(weeks=week) + timedelta(seconds=30 * k),
                outcome=Outcome.ABANDONED,
                wait_s=30,
            )


def test_required_now_comes_from_the_weeks_with_history(cast, source):
    from callfloor.zone import site_zone
    from scheduling.forecast import bucket
    from scheduling.selectors import staffing_now

    queue = Queue.objects.create(name="billing", site="main")
    now = datetime.now(UTC)
    start = bucket(now.astimezone(site_zone()), queue.interval_minutes)
    # Three weeks with 6 calls each in this interval; the fourth week back the queue had no
    # call that day (it did not exist yet): it is no forecast of zero.
    _history(queue, source.source, start=start, weeks_calls={1: 6, 2: 6, 3: 6})
    figures = staffing_now(queue=queue, now=now)
    assert (figures["forecast_calls"], figures["history_weeks"]) == (6.0, 3)
    # 6 calls × 180 s (the default AHT: no answered history) / 900 s = 1.2 erlangs.
    # Two agents: P(wait) = 0.45, SL = 1 − 0.45·e^(−0.8·20/180) ≈ 0.59 < 0.8; three:
    # P(wait) = 0.1412, SL = 1 − 0.1412·e^(−1.8·20/180) ≈ 0.88 ≥ 0.8 → three.
    assert figures["required"] == 3
    tile = floor_snapshot(site="main", now=now)["queues"][f"q{queue.pk}"]
    assert tile["required_now"] == 3


def test_required_now_without_history_follows_todays_arrivals_and_waiting_callers(cast, source):
    from scheduling.selectors import staffing_now

    queue = Queue.objects.create(name="billing", site="main")
    now = datetime.now(UTC)
    assert staffing_now(queue=queue, now=now)["required"] == 0  # nobody calls: nobody needed
    ingest(
        source.source,
        [
            event("call_queued", ago=25 * 60, call_id="r1", queue="billing", caller="+3201"),
            event("call_abandoned", ago=24 * 60, call_id="r1", queue="billing", wait_s=60),
            event("call_queued", ago=90, call_id="r2", queue="billing", caller="+3202"),
        ],
    )
    figures = staffing_now(queue=queue, now=now)
    assert figures["history_weeks"] == 0
    assert figures["run_rate_calls"] == 1.0  # 2 calls in the last 30 min = 1 per 15 min
    assert figures["waiting"] == 1
    assert figures["required"] >= 1
    tile = floor_snapshot(site="main", now=now)["queues"][f"q{queue.pk}"]
    assert tile["waiting"] == 1 and tile["required_now"] >= 1
