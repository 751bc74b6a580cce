"""The live repeat-call rate: counters kept at each floor refresh equal the kpi.md figure
recomputed from the stored calls, whatever order the floor learns things in."""

import random
from datetime import UTC, datetime, timedelta

import pytest

from metrics.board.snapshot import floor_snapshot
from metrics.models import Outcome, Queue, QueueCall, RepeatCallCandidate, RepeatCallInterval
from metrics.repeat_calls import repeat_calls_catch_up
from tests.metrics.board.conftest import event, ingest

pytestmark = pytest.mark.django_db


def _tile(name: str) -> dict:
    (tile,) = [t for t in floor_snapshot(site="main")["queues"].values() if t["name"] == name]
    return tile


def test_a_caller_calling_again_makes_their_answered_call_a_repeat(cast, source):
    def answered(call, caller, queue="billing", ago=0):
        return [
            event("call_queued", ago=ago + 10, call_id=call, queue=queue, caller=caller),
            event("call_answered", ago=ago, call_id=call, queue=queue, member="PJSIP/2004"),
        ]

    ingest(
        source.source,
        answered("c1", "+3225550101", ago=500)
        + answered("c2", "+3225550202", ago=450)
        + answered("c3", "anonymous", ago=400),
    )
    billing = _tile("billing")
    assert (billing["repeat_call_rate"], billing["repeat_window_h"]) == (0.0, 24)
    # The first caller calls again, into another queue, and hangs up: c1 was a repeat call.
    ingest(
        source.source,
        [
            event("call_queued", ago=300, call_id="c4", queue="cards", caller="+3225550101"),
            event("call_abandoned", ago=290, call_id="c4", queue="cards"),
        ],
    )
    assert _tile("billing")["repeat_call_rate"] == 0.5  # c1 of c1, c2 (c3 has no number)
    assert _tile("cards")["repeat_call_rate"] is None  # nothing answered there
    # A caller already back in the queue while their first call waits: once that first call
    # is answered, it is a repeat at once.
    ingest(
        source.source,
        [
            event("call_queued", ago=200, call_id="c5", queue="billing", caller="+3225550303"),
            event("call_queued", ago=150, call_id="c6", queue="cards", caller="+3225550303"),
        ],
    )
    assert _tile("billing")["repeat_call_rate"] == 0.5
    ingest(
        source.source,
        [event("call_answered", ago=100, call_id="c5", queue="billing", member="PJSIP/2004")],
    )
    assert _tile("billing")["repeat_call_rate"] == round(2 / 3, 4)
    # Nothing new: a refresh reads no call at all, however many the day holds.
    assert repeat_calls_catch_up() == 0


def _expected(window: timedelta) -> dict[int, tuple[int, int]]:
    """Per queue (answered with a number, of which called again) from the stored calls."""
    calls = list(QueueCall.objects.values("queue_id", "caller", "offered_at", "outcome"))
    by_caller: dict[str, list[datetime]] = {}
    for call in calls:
        by_caller.setdefault(call["caller"], []).append(call["offered_at"])
    result: dict[int, list[int]] = {}
    for call in calls:
        if call["outcome"] != Outcome.ANSWERED or call["caller"].lower() in ("", "anonymous"):
            continue
        counts = result.setdefault(call["queue_id"], [0, 0])
        counts[0] += 1
        t = call["offered_at"]
        counts[1] += any(t < other <= t + window for other in by_caller[call["caller"]])
    return {k: tuple(v) for k, v in result.items()}


def _counted() -> dict[int, tuple[int, int]]:
    result: dict[int, list[int]] = {}
    for row in RepeatCallInterval.objects.all():
        counts = result.setdefault(row.queue_id, [0, 0])
        counts[0] += row.answered_known_n
        counts[1] += row.repeat_n
    return {k: tuple(v) for k, v in result.items() if v[0]}


@pytest.mark.parametrize("seed", range(1, 9))
def test_the_counters_equal_a_recomputation_after_a_random_stream(cast, source, seed, settings):
    settings.CALLFLOOR_REPEAT_WINDOW_H = 0.05  # 3 minutes: the stream crosses the window
    rng = random.Random(seed)
    callers = ["+3225550101", "+3225550202", "+3225550303", "anonymous", ""]
    start = datetime.now(UTC) - timedelta(minutes=40)
    waiting: dict[str, str] = {}
    clock = 0.0
    for batch_no in range(30):
        batch = []
        for _ in range(rng.randint(1, 5)):
            clock += rng.uniform(0, 25)
            at = start + timedelta(seconds=clock)
            choice = rng.random()
            if choice < 0.5 or not waiting:
                call = f"s{seed}-{batch_no}-{len(batch)}"
                queue = rng.choice(["billing", "cards"])
                waiting[call] = queue
                batch.append(
                    event(
                        "call_queued", at=at, call_id=call, queue=queue, caller=rng.choice(callers)
                    )
                )
            else:
                call = rng.choice(sorted(waiting))
                queue = waiting.pop(call)
                if choice < 0.85:
                    batch.append(
                        event(
                            "call_answered", at=at, call_id=call, queue=queue, member="PJSIP/2004"
                        )
                    )
                else:
                    batch.append(event("call_abandoned", at=at, call_id=call, queue=queue))
        ingest(source.source, batch)
        if rng.random() < 0.5:
            repeat_calls_catch_up()
    repeat_calls_catch_up()
    expected = _expected(timedelta(hours=0.05))
    assert expected and any(repeats for _, repeats in expected.values())
    assert _counted() == expected
    # Answered calls past the window are no longer kept as candidates.
    horizon = QueueCall.objects.order_by("-offered_at").first().offered_at - timedelta(hours=0.05)
    assert not RepeatCallCandidate.objects.filter(offered_at__lt=horizon).exists()
    assert set(Queue.objects.values_list("name", flat=True)) == {"billing", "cards"}
