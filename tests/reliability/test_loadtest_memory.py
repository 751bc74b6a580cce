"""The load test's judgement of "memory flat": a leak fails it; warm-up and passing peaks do not."""

from __future__ import annotations

import random

from bench.loadtest import FLAT_MB_PER_MIN, memory_trend

MINUTES = 10
START = 1_000_000.0
END = START + MINUTES * 60


def samples(shape, *, noise: float = 1.0, seed: int = 1) -> list[tuple[float, float]]:
    """(time, MB) every 5 s over the run: `shape(minute)` plus noise of ±`noise` MB."""
    rng = random.Random(seed)
    times = [START + 5 * n for n in range(MINUTES * 12 + 1)]
    return [(t, shape((t - START) / 60) + rng.uniform(-noise, noise)) for t in times]


def test_a_steady_leak_of_one_and_a_half_mb_a_minute_is_not_flat():
    trend = memory_trend(samples(lambda m: 200 + 1.5 * m), START, END)
    assert trend["flat"] is False
    assert 1.3 < trend["trend_mb_per_min"] < 1.7
    assert 1.3 < trend["slope_second_half_mb_per_min"] < 1.7


def test_a_leak_just_over_the_limit_is_not_flat_and_just_under_is():
    over = memory_trend(samples(lambda m: 200 + 1.2 * FLAT_MB_PER_MIN * m, noise=0.3), START, END)
    under = memory_trend(samples(lambda m: 200 + 0.5 * FLAT_MB_PER_MIN * m, noise=0.3), START, END)
    assert over["flat"] is False
    assert under["flat"] is True


def test_growth_in_the_warm_up_then_level_is_flat():
    # 40 MB in the first three minutes (pools, caches reaching their working size), then level.
    trend = memory_trend(samples(lambda m: 200 + 40 * min(m, 3) / 3), START, END)
    assert trend["flat"] is True
    assert abs(trend["trend_mb_per_min"]) < 0.5


def test_a_transient_peak_late_in_the_run_is_flat_though_the_slope_is_not():
    # 30 MB for 20 s in the last minute, given back: a big request's buffers.
    trend = memory_trend(samples(lambda m: 230 + (30 if 9.0 <= m < 9.34 else 0)), START, END)
    assert trend["flat"] is True
    assert trend["slope_second_half_mb_per_min"] > FLAT_MB_PER_MIN


def test_steps_that_stay_are_growth():
    # 10 MB more every two minutes, never given back: memory ratcheting up.
    trend = memory_trend(samples(lambda m: 200 + 10 * (m // 2)), START, END)
    assert trend["flat"] is False


def test_too_few_samples_are_not_called_flat():
    trend = memory_trend([(START, 200.0), (END, 200.0)], START, END)
    assert trend["trend_mb_per_min"] is None
    assert trend["flat"] is False
