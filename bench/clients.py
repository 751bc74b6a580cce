"""The benches' wall-board clients: many boards on one asyncio loop, cheap per message.

Each board is a WebSocket client of its own (the `websockets` package on asyncio, one event
loop for every board of a process) logged in as a supervisor, on the socket server its number
picks round-robin (board i on server i mod N, as a proxy spreads browsers). Per frame a board:

1. receives its own frame (its own socket, its own bytes);
2. reads it through a decoder shared by the boards of its process: a frame byte-identical to
   one already parsed (every full-floor board receives the push's pre-encoded text) is looked
   up by its whole content, not parsed again; a new one is parsed once (`json.loads`, as the
   browser's `JSON.parse`) and reduced to what a board checks: its kind, its sequence number
   and what it says of the probe agent's not-ready reason;
3. checks its own sequence as the browser module (static/metrics/floor.js) does: a snapshot
   sets it; a delta at or below it is ignored (counted as already in the snapshot just
   received, or else as out of order); a delta that skips numbers is a gap — counted, with
   the messages it lost, and answered with `{"type": "resync"}` as the browser does;
4. tracks its own probe: the latency of probe n at a board is from the moment the API
   accepted it to the first frame after which the board's data shows probe n or a later one.
   That frame's `now` (when the refresh that built it started, on the worker's wall clock)
   splits it in two: accepted → push started (the scheduling: claim, queue, the worker taking
   it) and push started → shown (the push's own work, the channel layer, the socket process's
   fan-out, the client).

A *sample* of the boards (`full=True`, one by default) does what the browser does in full: it
parses each of its frames itself and applies the snapshot and every delta to its own copy of
the floor (`apply`, as `applyDelta`); at the end `verify_sample` opens a fresh board and checks
that the sample's data equals the fresh snapshot at the same sequence number.

Latencies are kept as counts per millisecond (a histogram), so a two-hour run with 1,000 boards
holds a few kilobytes per minute rather than a float per board and probe.
"""

from __future__ import annotations

import asyncio
import bisect
import contextlib
import json
import os
import time
from collections import Counter
from typing import NamedTuple

SECTIONS = ("summary", "queues", "agents", "alerts", "broadcasts", "help", "emergencies")
RESYNC = '{"type":"resync"}'


def server_for(board: int, servers: list) -> object:
    """The socket server of board number `board`: round-robin, as a proxy spreads browsers."""
    return servers[board % len(servers)]


class Digest(NamedTuple):
    """What a board reads of a frame: its kind, its number and the probe it shows.

    `probe`: n when the frame sets the probe agent's reason to `probe-<n>`, -1 when it sets
    another reason or removes the agent, None when the frame leaves the probe's row alone.
    """

    kind: str
    seq: int
    probe: int | None
    now: float | None = None  # the push's start, wall clock (the message's `now`)


def digest(message: dict, probe: str) -> Digest:
    kind = message.get("type", "")
    seq = message.get("seq", 0)
    now = message.get("now")
    if kind == "snapshot":
        row = (message.get("snapshot") or {}).get("agents", {}).get(probe)
        return Digest(kind, seq, _probe_of(row) if row is not None else -1, now)
    if kind != "delta":
        return Digest(kind, seq, None, now)
    delta = message.get("delta") or {}
    shown = None
    if probe in delta.get("remove", {}).get("agents", ()):
        shown = -1
    row = delta.get("set", {}).get("agents", {}).get(probe)
    if row is not None:
        shown = _probe_of(row)
    fields = delta.get("patch", {}).get("agents", {}).get(probe)
    if fields is not None and "reason" in fields:
        shown = _probe_of(fields)
    return Digest(kind, seq, shown, now)


def _probe_of(row: dict) -> int:
    reason = row.get("reason") or ""
    return int(reason[6:]) if reason.startswith("probe-") else -1


class SharedDecoder:
    """Frames parsed once per process: byte-identical frames share one digest.

    The last `size` distinct frames are kept, newest first, and a frame is compared with them
    byte for byte (`==`: lengths first, then the whole content; cheaper than hashing it), so a
    frame that differs anywhere is parsed anew.
    """

    def __init__(self, probe: str, size: int = 16) -> None:
        self.probe = probe
        self.size = size
        self.recent: list[tuple[bytes, Digest]] = []
        self.parsed = 0
        self.shared = 0

    def __call__(self, frame: bytes) -> Digest:
        for known, found in self.recent:
            if known == frame:
                self.shared += 1
                return found
        self.parsed += 1
        found = digest(json.loads(frame), self.probe)
        self.recent.insert(0, (frame, found))
        del self.recent[self.size :]
        return found


def apply(state: dict, delta: dict) -> None:
    """`delta` applied to `state` in place (the result equals the browser's `applyDelta`)."""
    for section, keys in delta.get("remove", {}).items():
        for key in keys:
            state.setdefault(section, {}).pop(key, None)
    for section, entries in delta.get("set", {}).items():
        state.setdefault(section, {}).update(entries)
    for section, entries in delta.get("patch", {}).items():
        target = state.setdefault(section, {})
        for key, fields in entries.items():
            target[key] = {**target.get(key, {}), **fields}


class Latencies:
    """Probe n accepted at t (the POST returned) and shown at a board at t': t' − t, counted
    per millisecond, overall and per minute since the first probe was accepted; and its two
    parts when the frame says when its push started (`pushed`, wall clock): t → push start
    (`wait`) and push start → t' (`deliver`). The wall clock is turned into this machine's
    monotonic clock once (the processes of a bench share both)."""

    def __init__(self, first_probe: int = 0) -> None:
        self.first = first_probe
        self.accepted: dict[int, float] = {}
        # shown (at, pushed) before its acceptance was known
        self.pending: dict[int, list[tuple[float, float | None]]] = {}
        self.histogram: Counter[int] = Counter()
        self.by_minute: dict[int, Counter[int]] = {}
        self.wait: Counter[int] = Counter()
        self.deliver: Counter[int] = Counter()
        self.t0: float | None = None
        self.offset = time.time() - time.monotonic()

    def accept(self, probe: int, at: float) -> None:
        if self.t0 is None:
            self.t0 = at
        self.accepted[probe] = at
        for shown, pushed in self.pending.pop(probe, ()):
            self._add(probe, shown, pushed)

    def shown(self, low: int, high: int, at: float, pushed: float | None = None) -> None:
        """One board's data now shows probes `low` to `high` (it did not before), from a
        frame whose push started at `pushed` (wall clock; None: not known)."""
        for probe in range(max(low, self.first), high + 1):
            if probe not in self.accepted:
                self.pending.setdefault(probe, []).append((at, pushed))
            else:
                self._add(probe, at, pushed)

    def _add(self, probe: int, at: float, pushed: float | None) -> None:
        accepted = self.accepted[probe]
        ms = round(1000 * (at - accepted))
        self.histogram[ms] += 1
        minute = int((accepted - self.t0) // 60)
        self.by_minute.setdefault(minute, Counter())[ms] += 1
        if pushed is not None:
            started = pushed - self.offset
            self.wait[round(1000 * (started - accepted))] += 1
            self.deliver[round(1000 * (at - started))] += 1

    def missing(self, seen: list[int]) -> int:
        """Accepted probes that boards whose data got to probe `seen[i]` never showed."""
        order = sorted(self.accepted)
        return sum(len(order) - bisect.bisect_right(order, last) for last in seen)


def quantiles(histogram: Counter) -> dict:
    """p50/p95/p99/max in ms of a per-millisecond histogram (nearest rank)."""
    total = sum(histogram.values())
    if total < 2:
        return {"n": total, "p50_ms": None, "p95_ms": None, "p99_ms": None, "max_ms": None}
    keys = sorted(histogram)
    result = {"n": total, "max_ms": float(keys[-1])}
    wanted = [("p50_ms", 0.50), ("p95_ms", 0.95), ("p99_ms", 0.99)]
    seen = 0
    for key in keys:
        seen += histogram[key]
        while wanted and seen >= wanted[0][1] * total:
            result[wanted.pop(0)[0]] = float(key)
    return result


class Board:
    """One open board: its own sequence, counters and probe (see the module docstring)."""

    __slots__ = (
        "already_in_snapshot",
        "closed",
        "decoder",
        "full",
        "gaps",
        "latencies",
        "lost",
        "messages",
        "out_of_order",
        "seen_probe",
        "seq",
        "since_snapshot",
        "snapshots",
        "socket",
        "state",
    )

    def __init__(self, decoder: SharedDecoder, latencies: Latencies, *, full: bool = False):
        self.decoder, self.latencies, self.full = decoder, latencies, full
        self.state: dict | None = None  # the floor's data (full boards only)
        self.seq: int | None = None
        self.seen_probe = -1
        self.messages = self.gaps = self.lost = self.out_of_order = 0
        self.already_in_snapshot = self.since_snapshot = self.snapshots = 0
        self.closed: tuple | None = None  # (code, reason) when the socket ended
        self.socket = None

    def receive(self, frame: bytes | str, at: float) -> bool:
        """Take one frame received at `at`; True when the board must ask for a resync."""
        self.messages += 1
        if self.full:
            message = json.loads(frame)
            d = digest(message, self.decoder.probe)
        else:
            message, d = None, self.decoder(frame if isinstance(frame, bytes) else frame.encode())
        if d.kind == "snapshot":
            self.snapshots += 1
            self.since_snapshot = 0
            self.seq = d.seq
            if message is not None:
                self.state = {s: dict(message["snapshot"].get(s) or {}) for s in SECTIONS}
        elif d.kind == "delta":
            if self.seq is None:
                return False  # waiting for the snapshot of a resync
            if d.seq <= self.seq:
                if self.since_snapshot:
                    self.out_of_order += 1
                else:
                    self.already_in_snapshot += 1
                return False
            if d.seq != self.seq + 1:
                self.gaps += 1
                self.lost += d.seq - self.seq - 1
                self.seq = None
                return True
            self.since_snapshot += 1
            self.seq = d.seq
            if message is not None:
                apply(self.state, message["delta"])
        else:
            return False
        if d.probe is not None and d.probe > self.seen_probe:
            self.latencies.shown(self.seen_probe + 1, d.probe, at, d.now)
            self.seen_probe = d.probe
        return False


# -- sockets --------------------------------------------------------------------------------------


async def open_board(port: int, cookie: str, board: Board) -> Board:
    """Open `board`'s socket on the Daphne at `port`, read its snapshot, then keep reading."""
    from websockets.asyncio.client import connect

    socket = await connect(
        f"ws://127.0.0.1:{port}/ws/floor/",
        additional_headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
        compression=None,
        max_size=None,
        ping_interval=None,
        open_timeout=120,
    )
    board.socket = socket
    while board.seq is None:
        frame = await asyncio.wait_for(socket.recv(decode=False), 120)
        board.receive(frame, time.monotonic())
    asyncio.get_running_loop().create_task(_read(board))
    return board


async def _read(board: Board) -> None:
    from websockets.exceptions import ConnectionClosed

    socket = board.socket
    try:
        while True:
            frame = await socket.recv(decode=False)
            if board.receive(frame, time.monotonic()):
                await socket.send(RESYNC)
    except ConnectionClosed as closed:
        board.closed = (closed.rcvd.code, closed.rcvd.reason) if closed.rcvd else (1006, "")


async def verify_sample(sample: Board, port: int, cookie: str, timeout: float = 20) -> dict:
    """Whether the sample board's data (every delta applied) equals a fresh snapshot.

    A fresh full board opens and applies the deltas that follow its snapshot; once both stand
    at the same sequence number their data must be equal, section by section."""
    fresh = await open_board(port, cookie, Board(sample.decoder, Latencies(), full=True))
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if sample.seq is not None and sample.seq == fresh.seq:
                differ = [s for s in SECTIONS if sample.state.get(s) != fresh.state.get(s)]
                return {"equal": not differ, "seq": sample.seq, "sections_differing": differ}
            await asyncio.sleep(0.05)
        return {"equal": False, "seq": None, "reason": "never at the same sequence number"}
    finally:
        await fresh.socket.close()


# -- a process of boards --------------------------------------------------------------------------


def fleet_main(conn, spec: dict) -> None:
    """A process of boards (`spec`: ports, cookie, probe, numbers, full, first_probe, verify).

    It opens its boards, says ("opened", n, seconds), takes ("accept", probe, at) until
    ("stop",), then answers ("result", {...}) with its counters and latency histograms."""
    try:
        conn.send(("result", asyncio.run(_fleet(conn, spec))))
    except BaseException as error:
        conn.send(("error", repr(error)))
        raise


async def _fleet(conn, spec: dict) -> dict:
    latencies = Latencies(spec["first_probe"])
    decoder = SharedDecoder(spec["probe"])
    ports, cookie = spec["ports"], spec["cookie"]
    numbers = spec["numbers"]
    boards: list[Board] = []
    started = time.monotonic()
    for start in range(0, len(numbers), 20):  # a few at a time: each gets a full snapshot first
        boards += await asyncio.gather(
            *(
                open_board(
                    server_for(n, ports),
                    cookie,
                    Board(decoder, latencies, full=n < spec["full"]),
                )
                for n in numbers[start : start + 20]
            )
        )
    conn.send(("opened", len(boards), time.monotonic() - started))
    loop = asyncio.get_running_loop()
    stop: asyncio.Future = loop.create_future()

    def readable() -> None:
        while not stop.done() and conn.poll():
            item = conn.recv()
            if item[0] == "accept":
                latencies.accept(item[1], item[2])
            elif item[0] == "stop":
                stop.set_result(True)

    cpu_before = time.process_time()
    messages_before = sum(b.messages for b in boards)
    sample = next((b for b in boards if b.full), None)
    seq_before = sample.seq if sample is not None else None
    loop.add_reader(conn.fileno(), readable)
    await stop
    loop.remove_reader(conn.fileno())
    cpu = time.process_time() - cpu_before
    window_messages = sum(b.messages for b in boards) - messages_before
    # Pushes made while the load ran: every push takes the sequence one further.
    pushes = (
        sample.seq - seq_before
        if sample is not None and None not in (sample.seq, seq_before) and not sample.gaps
        else None
    )
    check = None
    if sample is not None and spec.get("verify"):
        check = await verify_sample(sample, server_for(0, ports), cookie)
    # Before we close them: which sockets the server closed during the run.
    open_at_end = sum(1 for b in boards if b.closed is None)
    closed_by = sorted({str(b.closed) for b in boards if b.closed is not None})
    for board in boards:
        with contextlib.suppress(Exception):
            await board.socket.close()
    return {
        "pid": os.getpid(),
        "boards": len(boards),
        "open_seconds": time.monotonic() - started,
        "histogram": dict(latencies.histogram),
        "wait": dict(latencies.wait),
        "deliver": dict(latencies.deliver),
        "by_minute": {m: dict(h) for m, h in latencies.by_minute.items()},
        "seen": [b.seen_probe for b in boards],
        "accepted": len(latencies.accepted),
        "missing": latencies.missing([b.seen_probe for b in boards]),
        "messages": sum(b.messages for b in boards),
        "gaps": sum(b.gaps for b in boards),
        "lost": sum(b.lost for b in boards),
        "out_of_order": sum(b.out_of_order for b in boards),
        "already_in_snapshot": sum(b.already_in_snapshot for b in boards),
        "snapshots_after_open": sum(b.snapshots - 1 for b in boards),
        "open_at_end": open_at_end,
        "closed_by": closed_by,
        "frames_parsed": decoder.parsed,
        "frames_shared": decoder.shared,
        "cpu_s": cpu,
        "window_messages": window_messages,
        "pushes": pushes,
        "sample_check": check,
    }


class Fleets:
    """`boards` boards over `processes` processes (forked), board i on server i mod N."""

    def __init__(
        self,
        *,
        ports: list[int],
        cookie: str,
        probe: str,
        boards: int,
        processes: int = 1,
        full: int = 1,
        first_probe: int = 0,
        verify: bool = True,
    ) -> None:
        import multiprocessing

        context = multiprocessing.get_context("fork")
        processes = max(1, min(processes, boards))
        self.links = []
        self.processes = []
        for k in range(processes):
            ours, theirs = context.Pipe()
            spec = {
                "ports": ports,
                "cookie": cookie,
                "probe": probe,
                "numbers": list(range(k, boards, processes)),
                "full": full,
                "first_probe": first_probe,
                "verify": verify and k == 0,
            }
            process = context.Process(target=fleet_main, args=(theirs, spec), daemon=True)
            process.start()
            self.links.append(ours)
            self.processes.append(process)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self.processes]

    def _expect(self, link, kind: str):
        item = link.recv()
        if item[0] == "error":
            raise SystemExit(f"bench: a process of boards failed: {item[1]}")
        if item[0] != kind:
            raise SystemExit(f"bench: a process of boards said {item[0]!r}, not {kind!r}")
        return item

    def wait_open(self) -> float:
        """Every board open with its snapshot; the slowest process's seconds."""
        return max(self._expect(link, "opened")[2] for link in self.links)

    def accept(self, probe: int, at: float) -> None:
        for link in self.links:
            link.send(("accept", probe, at))

    def finish(self) -> dict:
        """Stop every process; their figures merged."""
        for link in self.links:
            link.send(("stop",))
        parts = [self._expect(link, "result")[1] for link in self.links]
        for process in self.processes:
            process.join(timeout=30)
        return merge(parts)


def merge(parts: list[dict]) -> dict:
    """The figures of several processes of boards as one."""
    histogram: Counter[int] = Counter()
    wait: Counter[int] = Counter()
    deliver: Counter[int] = Counter()
    by_minute: dict[int, Counter[int]] = {}
    for part in parts:
        histogram.update({int(k): v for k, v in part["histogram"].items()})
        wait.update({int(k): v for k, v in part.get("wait", {}).items()})
        deliver.update({int(k): v for k, v in part.get("deliver", {}).items()})
        for minute, counts in part["by_minute"].items():
            by_minute.setdefault(int(minute), Counter()).update(
                {int(k): v for k, v in counts.items()}
            )
    summed = [
        "boards",
        "messages",
        "gaps",
        "lost",
        "out_of_order",
        "already_in_snapshot",
        "snapshots_after_open",
        "open_at_end",
        "frames_parsed",
        "frames_shared",
        "missing",
        "cpu_s",
        "window_messages",
    ]
    result = {name: sum(p[name] for p in parts) for name in summed}
    messages = result["window_messages"]
    result.update(
        {
            "latency": quantiles(histogram),
            # Its parts: accepted → push started, push started → shown.
            "latency_wait": quantiles(wait),
            "latency_deliver": quantiles(deliver),
            "latency_by_minute": {str(m): quantiles(h) for m, h in sorted(by_minute.items())},
            "probes": max((p["accepted"] for p in parts), default=0),
            "open_seconds": max((p["open_seconds"] for p in parts), default=0.0),
            "closed_by": sorted({c for p in parts for c in p["closed_by"]}),
            "sample_check": next((p["sample_check"] for p in parts if p["sample_check"]), None),
            "pushes": next((p["pushes"] for p in parts if p.get("pushes") is not None), None),
            "processes": [p["pid"] for p in parts],
            "cpu_us_per_message": 1e6 * result["cpu_s"] / messages if messages else None,
        }
    )
    return result
