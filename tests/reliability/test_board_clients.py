"""The benches' board clients: round-robin over socket processes, frames parsed once per
process while every board keeps its own sequence and probe, and the full board's data."""

from __future__ import annotations

import json
import random
from collections import Counter
from itertools import pairwise

from bench.clients import (
    Board,
    Latencies,
    SharedDecoder,
    apply,
    merge,
    quantiles,
    server_for,
)
from metrics.board.delta import diff

PROBE = "a1"


def frame(kind: str, seq: int, body: dict) -> bytes:
    # As metrics.board.push encodes a push for the full-floor boards.
    return json.dumps({"type": kind, "seq": seq, "now": 1.0, kind: body}, separators=(",", ":"))


def probe_delta(n: int) -> dict:
    return {"set": {}, "remove": {}, "patch": {"agents": {PROBE: {"reason": f"probe-{n}"}}}}


def snapshot(reason: str = "") -> dict:
    return {"agents": {PROBE: {"name": "Agent", "reason": reason}}, "queues": {}}


def test_boards_are_spread_round_robin_over_the_socket_processes():
    spread = Counter(server_for(n, [8001, 8002]) for n in range(1000))
    assert spread == {8001: 500, 8002: 500}
    assert [server_for(n, ["a", "b", "c"]) for n in range(5)] == ["a", "b", "c", "a", "b"]


def test_identical_frames_are_parsed_once_but_each_board_checks_its_own_sequence():
    latencies = Latencies()
    decoder = SharedDecoder(PROBE)
    steady, lossy = Board(decoder, latencies), Board(decoder, latencies)
    frames = [frame("snapshot", 10, snapshot())] + [
        frame("delta", 10 + n, probe_delta(n)) for n in range(1, 5)
    ]
    for board in (steady, lossy):
        board.receive(frames[0].encode(), 0.0)
    for n, text in enumerate(frames[1:], start=1):
        latencies.accept(n, 10.0 * n)
        steady.receive(text.encode(), 10.0 * n + 0.1)
        if n != 2:  # the lossy board never gets delta 12
            assert lossy.receive(text.encode(), 10.0 * n + 0.2) is (n == 3)
    assert decoder.parsed == 5  # one parse per distinct frame, not per board
    assert decoder.shared == 1 + 3  # the snapshot and the three deltas of the lossy board
    assert (steady.gaps, steady.lost, steady.seq) == (0, 0, 14)
    # The gap at 13 asks for a resync (as the browser does) and waits for the snapshot.
    assert (lossy.gaps, lossy.lost, lossy.seq) == (1, 1, None)
    assert steady.seen_probe == 4 and lossy.seen_probe == 1
    # Each board's own arrivals: the steady one at +100 ms, the lossy one once at +200 ms.
    assert latencies.histogram == {100: 4, 200: 1}
    assert latencies.missing([steady.seen_probe, lossy.seen_probe]) == 3


def test_a_frame_that_differs_by_one_byte_is_parsed_on_its_own():
    decoder = SharedDecoder(PROBE)
    a = frame("delta", 5, probe_delta(7)).encode()
    b = frame("delta", 5, probe_delta(8)).encode()
    assert len(a) == len(b)
    assert decoder(a).probe == 7
    assert decoder(b).probe == 8
    assert decoder.parsed == 2


def test_a_delta_already_in_the_snapshot_is_not_out_of_order_but_a_repeat_later_is():
    board = Board(SharedDecoder(PROBE), Latencies())
    board.receive(frame("snapshot", 20, snapshot()).encode(), 0.0)
    board.receive(frame("delta", 19, probe_delta(1)).encode(), 0.0)
    board.receive(frame("delta", 21, probe_delta(2)).encode(), 0.0)
    board.receive(frame("delta", 21, probe_delta(2)).encode(), 0.0)
    assert (board.already_in_snapshot, board.out_of_order, board.gaps) == (1, 1, 0)
    assert board.seen_probe == 2


def test_a_probe_shown_before_its_acceptance_is_known_counts_once_it_is():
    latencies = Latencies(first_probe=3)
    latencies.shown(0, 4, 1.5)  # probes 0–2 belong to an earlier run: not counted
    assert latencies.histogram == {}
    latencies.accept(3, 1.0)
    latencies.accept(4, 1.25)
    assert latencies.histogram == {500: 1, 250: 1}


def test_a_probes_latency_is_split_at_the_start_of_the_push_that_showed_it():
    """Accepted at t, its push started at t + 100 ms (the frame's `now`, wall clock), shown at
    t + 150 ms: 100 ms of scheduling, 50 ms of push and fan-out; also when the frame came
    before the acceptance was known."""
    latencies = Latencies()
    board = Board(SharedDecoder(PROBE), latencies)
    board.receive(frame("snapshot", 1, snapshot()).encode(), 0.0)
    pushed = 10.1 + latencies.offset
    push = {"type": "delta", "seq": 2, "now": pushed, "delta": probe_delta(0)}
    latencies.accept(0, 10.0)
    board.receive(json.dumps(push).encode(), 10.15)
    late = {"type": "delta", "seq": 3, "now": pushed + 1, "delta": probe_delta(1)}
    board.receive(json.dumps(late).encode(), 11.25)  # shown before the POST's answer came
    latencies.accept(1, 11.0)
    assert latencies.histogram == {150: 1, 250: 1}
    assert latencies.wait == {100: 2}
    assert latencies.deliver == {50: 1, 150: 1}


def test_quantiles_of_a_histogram_are_nearest_rank():
    histogram = Counter({ms: 1 for ms in range(1, 101)})
    q = quantiles(histogram)
    assert (q["p50_ms"], q["p95_ms"], q["p99_ms"], q["max_ms"], q["n"]) == (50, 95, 99, 100, 100)
    assert quantiles(Counter({5: 1}))["p95_ms"] is None


def random_floor(rng: random.Random) -> dict:
    return {
        "summary": {"site": {"waiting": rng.randrange(5), "agents": rng.randrange(50)}},
        "queues": {
            f"q{n}": {"waiting": rng.randrange(9), "sla": rng.random(), "calls": [rng.random()]}
            for n in rng.sample(range(8), rng.randrange(1, 8))
        },
        "agents": {
            f"a{n}": {"state": rng.choice(["idle", "talking", "break"]), "reason": ""}
            for n in rng.sample(range(30), rng.randrange(1, 30))
        },
        "alerts": {f"x{n}": {"level": "red"} for n in rng.sample(range(4), rng.randrange(4))},
    }


def test_the_full_board_ends_with_the_data_of_the_last_snapshot():
    rng = random.Random(22)
    floors = [random_floor(rng) for _ in range(60)]
    board = Board(SharedDecoder(PROBE), Latencies(), full=True)
    board.receive(frame("snapshot", 1, floors[0]), 0.0)
    for seq, (old, new) in enumerate(pairwise(floors), start=2):
        board.receive(frame("delta", seq, diff(old, new, fields=True)), 0.0)
    assert board.gaps == 0
    for section in ("summary", "queues", "agents", "alerts"):
        assert board.state[section] == floors[-1][section]


def test_apply_leaves_the_delta_alone():
    delta = {"patch": {"agents": {"a1": {"reason": "Break"}}}}
    entry = {"state": "idle", "reason": ""}
    state = {"agents": {"a1": entry}}
    apply(state, delta)
    assert state["agents"]["a1"] == {"state": "idle", "reason": "Break"}
    assert entry == {"state": "idle", "reason": ""}
    assert delta == {"patch": {"agents": {"a1": {"reason": "Break"}}}}


def test_the_figures_of_several_processes_of_boards_add_up():
    def part(pid, histogram, gaps, messages, check=None):
        return {
            "pid": pid, "boards": 2, "messages": messages, "window_messages": messages,
            "gaps": gaps, "lost": gaps, "out_of_order": 0, "already_in_snapshot": 0,
            "snapshots_after_open": 0, "open_at_end": 2, "frames_parsed": 3,
            "frames_shared": messages - 3, "missing": 0, "cpu_s": 0.5, "accepted": 4,
            "open_seconds": 1.0, "closed_by": [], "sample_check": check,
            "histogram": histogram, "by_minute": {0: histogram},
        }  # fmt: skip

    merged = merge(
        [
            part(1, {100: 3, 300: 1}, 0, 8, {"equal": True, "seq": 9}),
            part(2, {200: 4}, 1, 8),
        ]
    )
    assert merged["boards"] == 4 and merged["gaps"] == 1 and merged["messages"] == 16
    assert merged["latency"]["n"] == 8 and merged["latency"]["max_ms"] == 300
    assert merged["latency"]["p50_ms"] == 200
    assert merged["sample_check"] == {"equal": True, "seq": 9}
    assert merged["cpu_us_per_message"] == 1e6 * 1.0 / 16
