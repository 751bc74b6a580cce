"""The live "today": site zone, day reset hour, waiting calls, the interval trend."""

from datetime import UTC, datetime

import pytest

from metrics.models import Queue
from metrics.selectors import floor_agent_stats, floor_queue_stats

pytestmark = pytest.mark.django_db


def queued(ident, at, call, queue="billing"):
    return {"id": ident, "type": "call_queued", "at": at, "call_id": call, "queue": queue}


def test_today_is_the_site_day_from_the_reset_hour(settings, cast, post_events):
    settings.CALLFLOOR_TIME_ZONE = "Europe/Brussels"  # UTC+1 in March
    post_events(
        [
            # 22:50 UTC on the 1st = 23:50 in Brussels: yesterday there.
            queued("y1", "2026-03-01T22:50:00Z", "y"),
            {
                "id": "y2",
                "type": "call_abandoned",
                "at": "2026-03-01T22:50:30Z",
                "call_id": "y",
                "queue": "billing",
                "wait_s": 30,
            },
            # 23:10 UTC = 00:10 on the 2nd in Brussels: today.
            queued("t1", "2026-03-01T23:10:00Z", "t"),
            {
                "id": "t2",
                "type": "call_answered",
                "at": "2026-03-01T23:10:08Z",
                "call_id": "t",
                "queue": "billing",
                "member": "PJSIP/2004",
                "wait_s": 8,
            },
            queued("w1", "2026-03-02T08:59:00Z", "w1"),
            queued("w2", "2026-03-02T08:59:50Z", "w2"),
        ]
    )
    queue = Queue.objects.get(name="billing")
    now = datetime(2026, 3, 2, 9, 0, 0, tzinfo=UTC)
    stats = floor_queue_stats(queues=[queue], now=now)[queue.pk]
    # Today: t answered in 8 s; w1 waits 60 s (W_out), w2 10 s (W_in). K = 1 + 1.
    assert (stats["offered"], stats["answered"], stats["abandoned"]) == (3, 1, 0)
    assert stats["waiting_now"] == 2
    assert stats["service_level"] == 0.5
    assert stats["service_level_variants"]["answered_only"] == 1.0
    assert stats["max_wait_s"] == 60.0
    assert stats["longest_waiting_since"] == datetime(2026, 3, 2, 8, 59, tzinfo=UTC)
    assert [c["wait_s"] for c in stats["waiting_calls"]] == [60.0, 10.0]
    assert stats["day_start"] == datetime(2026, 3, 1, 23, 0, tzinfo=UTC)
    trend = stats["intervals"]
    assert [(i["start"], i["offered"], i["service_level"]) for i in trend] == [
        (datetime(2026, 3, 1, 23, 0, tzinfo=UTC), 1, 1.0),
        (datetime(2026, 3, 2, 8, 45, tzinfo=UTC), 2, 0.0),
    ]
    # With the day starting at 06:00 local, the night call belongs to yesterday.
    queue.day_reset_hour = 6
    queue.save(update_fields=["day_reset_hour"])
    stats = floor_queue_stats(queues=[queue], now=now)[queue.pk]
    assert (stats["offered"], stats["answered"]) == (2, 0)
    assert stats["service_level"] == 0.0


def test_agent_figures_are_per_agent_and_per_site(cast, post_events):
    post_events(
        [
            queued("a1", "2026-03-02T09:00:00Z", "a"),
            {
                "id": "a2",
                "type": "call_answered",
                "at": "2026-03-02T09:00:05Z",
                "call_id": "a",
                "queue": "billing",
                "member": "PJSIP/2004",
                "wait_s": 5,
            },
            {
                "id": "a3",
                "type": "call_ended",
                "at": "2026-03-02T09:02:05Z",
                "call_id": "a",
                "queue": "billing",
                "member": "PJSIP/2004",
                "talk_s": 120,
            },
            {
                "id": "a4",
                "type": "ring_missed",
                "at": "2026-03-02T09:00:02Z",
                "call_id": "a",
                "queue": "billing",
                "member": "Local/2004@from-internal/n",
                "ring_s": 3,
            },
            {
                "id": "a5",
                "type": "ring_missed",
                "at": "2026-03-02T09:00:02Z",
                "call_id": "a",
                "queue": "billing",
                "member": "SIP/9",
                "ring_s": 0,
            },
            {
                "id": "a6",
                "type": "call_queued",
                "at": "2026-03-02T09:05:00Z",
                "call_id": "b",
                "queue": "billing",
            },
        ]
    )
    now = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)
    agents = floor_agent_stats(now=now)
    ann = agents[f"agent:{cast.ann_agent.pk}"]
    # Two aliases of Ann: her answered call and her missed ring add up.
    assert ann["members"] == ["Local/2004@from-internal/n", "PJSIP/2004"]
    assert (ann["handled"], ann["aht_s"], ann["missed_rings"]) == (1, 120.0, 1)
    assert agents["SIP/9"]["unreachable_rings"] == 1
    assert floor_agent_stats(now=now, site="elsewhere") == {}


def test_a_quiet_source_still_ends_its_calls_when_the_clock_runs(cast, post_events):
    from metrics.telephony.tasks import advance_clocks

    post_events(
        [
            queued("q1", "2026-03-02T09:00:00Z", "q"),
            {
                "id": "q2",
                "type": "call_answered",
                "at": "2026-03-02T09:00:04Z",
                "call_id": "q",
                "queue": "billing",
                "member": "PJSIP/2004",
                "wait_s": 4,
            },
            {
                "id": "q3",
                "type": "call_ended",
                "at": "2026-03-02T09:01:04Z",
                "call_id": "q",
                "queue": "billing",
                "member": "PJSIP/2004",
                "talk_s": 60,
            },
        ]
    )
    queue = Queue.objects.get(name="billing")
    now = datetime(2026, 3, 2, 9, 5, tzinfo=UTC)
    # No event came after the end: its after-call-work window is still open for the engine.
    assert floor_queue_stats(queues=[queue], now=now)[queue.pk]["aht_s"] is None
    assert advance_clocks() == 1  # the wall clock is long past 09:01:06
    assert floor_queue_stats(queues=[queue], now=now)[queue.pk]["aht_s"] == 60.0
    assert advance_clocks() == 0
