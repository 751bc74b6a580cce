"""`make bench-board`: event accepted → shown in the board's data, measured at the clients.

    python -m bench.board [--floor standard|big|both] [--boards 1,200] [--seconds 30]
        [--socket-processes 2] [--board-processes 1] [--agents N] [--queues N] [--rate N]
        [--sockets separate|shared]

Floors (`--floor`, default both, each on its own throwaway PostgreSQL and Redis from
`tests.services`): *standard*, 1,000 agents in 10 teams, 40 queues, 100 events/s; *big*,
5,000 agents in 50 teams, 200 queues, 500 events/s (`--agents`, `--queues`, `--rate` override
the floor's). The whole production path on loopback: Daphne for the ingestion API,
`--socket-processes` more Daphnes for the board sockets, each on its own port (`--sockets
shared`: the ingestion Daphne serves them), one Celery worker (the coalesced refreshes),
Celery beat (the heartbeat), PostgreSQL and Redis; the channel layer carries each push to every
socket process. First the simulator's history of the floor is posted (`--warmup` minutes,
10 at 1,000 agents and fewer on a bigger floor, so it stays about 10,000 events). Then a load
process posts `--rate` telephony events a second through the API in `--batches` POSTs a
second, like a PBX adapter (a slow POST makes the next batch bigger): the simulator's calls
plus agent status changes, and in every batch a *probe* (agent 0's not-ready reason set to
`probe-<n>`); it reports the events/s it reached. Each phase goes on with the simulated floor
where the phase before left it (until 2026-12-07 each phase began again from the end of the
history, so from the second phase on the first seconds sent the last phase's span again, late:
every agent's day was written again, and the pushes of those seconds were the run's slowest).

The boards (bench/clients.py says exactly what a client does): `--board-processes` processes,
one asyncio loop each, a `websockets` client per board, board i on socket process i mod N as a
proxy spreads browsers. Every board receives and reads its own frames, checks its own sequence
(gaps counted per board, answered with a resync as the browser does) and its own probe; frames
byte-identical across boards (the push's pre-encoded text) are parsed once per process. The
latency of probe n at a board is from the moment the API accepted it (the POST returned) to
the first frame after which the board's data shows probe n or a later one. One board applies
the snapshot and every delta in full, as the browser module does; at the end its data must
equal a fresh snapshot at the same sequence number. CPU and RSS of every process over the run
(each socket process on its own), and the boards' CPU per frame received.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import time
import urllib.request
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from bench import OUT, ROOT
from bench import setup_django as _django


def setup_floor(agents: int, queues: int) -> dict:
    """A floor of `agents` agents in ten teams, `queues` queues, a source and a supervisor."""
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from agents import services
    from agents.models import Agent, Team, TelephonyAlias
    from agents.roles import Role
    from metrics.models import Queue
    from metrics.telephony.services import source_create

    started = time.monotonic()
    call_command("migrate", verbosity=0)
    print(f"bench: database migrated in {time.monotonic() - started:.1f} s", file=sys.stderr)
    User = get_user_model()
    teams = Team.objects.bulk_create(
        [Team(name=f"Team {n:02d}") for n in range(max(10, agents // 100))]
    )
    users = User.objects.bulk_create([User(username=f"bench{n:04d}") for n in range(agents)])
    people = Agent.objects.bulk_create(
        [
            Agent(
                user=user,
                display_name=f"Agent {n:04d}",
                employee_number=f"B{n:04d}",
                team=teams[n % len(teams)],
            )
            for n, user in enumerate(users)
        ]
    )
    TelephonyAlias.objects.bulk_create(
        [TelephonyAlias(agent=agent, name=f"PJSIP/{5000 + n}") for n, agent in enumerate(people)]
    )
    Queue.objects.bulk_create([Queue(name=f"queue{n:03d}", site="main") for n in range(queues)])
    supervisor = services.user_create(
        username="bench-supervisor", password=None, roles=[Role.SUPERVISOR]
    )
    client = Client()
    client.force_login(supervisor)
    from django.conf import settings

    _, token = source_create(name="bench-pbx", kind="http_json")
    return {
        "cookie": f"{settings.SESSION_COOKIE_NAME}="
        f"{client.cookies[settings.SESSION_COOKIE_NAME].value}",
        "token": token,
        "probe": f"a{people[0].pk}",
        "members": [f"PJSIP/{5000 + n}" for n in range(agents)],
        "queues": [f"queue{n:03d}" for n in range(queues)],
    }


# -- processes ------------------------------------------------------------------------------------


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# As docker-compose.yml sets them for every service: two malloc arenas rather than eight a
# core, and allocations from 128 KiB up always mmap'd (returned to the system when freed)
# instead of glibc raising that threshold as large blocks come and go; see RELIABILITY.md, "Load".
MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}

# As docker-compose.yml starts the socket processes: Daphne refuses to send a message over
# 1 MiB by default, and the snapshot of a 5,000-agent floor is about 1.5 MB.
SOCKET_OPTIONS = ["--websocket-max-message-size", str(8 * 1024 * 1024)]


def socket_names(count: int) -> list[str]:
    """The names the socket processes go by in the figures."""
    return ["daphne-sockets"] if count == 1 else [f"daphne-sockets-{n + 1}" for n in range(count)]


def start_processes(
    port: int, ws_ports: list[int] | None = None, *, http: str = "daphne"
) -> dict[str, subprocess.Popen]:
    """Daphne on `port`, a Celery worker and beat; with `ws_ports`, a Daphne for the sockets
    on each (as production runs them: ingestion and the fan-out then do not share a process,
    and the proxy spreads the boards over the socket processes).

    `http="gunicorn"`: gunicorn (one worker process with 8 threads, as many as the ASGI
    server's request threads) serves the plain HTTP on `port` through
    callfloor/wsgi.py instead; the sockets then need `ws_ports`."""
    if http == "gunicorn" and not ws_ports:
        raise ValueError("gunicorn serves no WebSockets: the sockets need a Daphne of their own")
    # Every board of the bench shares one session.
    env = dict(
        os.environ,
        CELERY_TASK_ALWAYS_EAGER="0",
        LOG_LEVEL="WARNING",
        CALLFLOOR_WS_MAX_PER_SESSION="100000",
    )
    # glibc's malloc settings of the production services (docker-compose.yml).
    for name, value in MALLOC_ENV.items():
        env.setdefault(name, value)
    OUT.mkdir(parents=True, exist_ok=True)
    py = sys.executable

    def daphne(on: int) -> list[str]:
        return [py, "-m", "daphne", "-b", "127.0.0.1", "-p", str(on), *SOCKET_OPTIONS,
                "callfloor.asgi:application"]  # fmt: skip

    def worker(queue: str) -> list[str]:
        # BENCH_PROFILE_WORKER: the floor's worker profiled (bench/profiled_worker.py).
        profiled = queue == "floor" and os.environ.get("BENCH_PROFILE_WORKER")
        runner = "bench.profiled_worker" if profiled else "celery"
        return [py, "-m", runner, "-A", "callfloor", "worker", "-Q", queue, "-n",
                f"{queue}@%h", "--pool=solo", "--loglevel=WARNING", "--without-gossip",
                "--without-mingle"]  # fmt: skip

    def gunicorn(on: int) -> list[str]:
        return [py, "-m", "gunicorn", "-b", f"127.0.0.1:{on}", "--workers", "1",
                "--worker-class", "gthread", "--threads", "8",
                "callfloor.wsgi:application"]  # fmt: skip

    commands = {
        http: gunicorn(port) if http == "gunicorn" else daphne(port),
        # As docker-compose.yml: the floor's pushes on a worker of their own (its CPU is the
        # bench's "worker CPU a push"), every other task on another.
        "worker": worker("floor"),
        "worker-tasks": worker("celery"),
        "beat": [
            py,
            "-m",
            "celery",
            "-A",
            "callfloor",
            "beat",
            "--loglevel=WARNING",
            "-s",
            str(OUT / "beat-schedule"),
        ],
    }
    for name, on in zip(socket_names(len(ws_ports or [])), ws_ports or [], strict=True):
        commands[name] = daphne(on)
    logs = {name: open(OUT / f"{name}.log", "w") for name in commands}  # noqa: SIM115
    return {
        name: subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=logs[name], stderr=subprocess.STDOUT)
        for name, cmd in commands.items()
    }


def _wait_http(url: str, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=2):  # noqa: S310 - loopback
                return
        except OSError:
            time.sleep(0.3)
    raise SystemExit(f"bench: {url} did not answer")


class Usage:
    """CPU seconds and memory of processes, from /proc."""

    TICK = os.sysconf("SC_CLK_TCK")

    def __init__(self, pids: dict[str, int]) -> None:
        self.pids = pids
        self.start = {name: self._cpu(pid) for name, pid in pids.items()}
        self.t0 = time.monotonic()

    def _cpu(self, pid: int) -> float:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / self.TICK

    @staticmethod
    def _mem(pid: int) -> tuple[float, float]:
        status = dict(
            line.split(":", 1)
            for line in Path(f"/proc/{pid}/status").read_text().splitlines()
            if ":" in line
        )
        return (int(status["VmRSS"].split()[0]) / 1024, int(status["VmHWM"].split()[0]) / 1024)

    def report(self) -> dict:
        wall = time.monotonic() - self.t0
        result = {}
        for name, pid in self.pids.items():
            rss, peak = self._mem(pid)
            cpu = self._cpu(pid) - self.start[name]
            result[name] = {
                "cpu_s": cpu,
                "cpu_pct": 100 * cpu / wall,
                "rss_mb": rss,
                "peak_mb": peak,
            }
        return result


def _pid_listening(port: int) -> int | None:
    """The pid of the process listening on a loopback port (to measure Redis)."""
    inode = None
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        for line in Path(table).read_text().splitlines()[1:]:
            parts = line.split()
            if parts[3] == "0A" and int(parts[1].rsplit(":", 1)[1], 16) == port:
                inode = parts[9]
    if inode is None:
        return None
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            for fd in (proc / "fd").iterdir():
                if os.readlink(fd) == f"socket:[{inode}]":
                    return int(proc.name)
        except OSError:
            continue
    return None


# -- the load -------------------------------------------------------------------------------------


def _post(url: str, token: str, events: list[dict]) -> float:
    request = urllib.request.Request(  # noqa: S310 - loopback
        url,
        data=json.dumps({"events": events}).encode(),
        method="POST",
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
        body = json.load(response)
    if body["accepted"] != len(events):
        raise SystemExit(f"bench: events refused: {body['results'][:3]}")
    return time.monotonic()


def _event(n: int, kind: str, **fields) -> dict:
    return {"id": f"load-{n}", "type": kind, "at": datetime.now(UTC).isoformat(), **fields}


def send_load(
    floor: dict,
    port: int,
    *,
    rate: float,
    seconds: float,
    sim,
    first_probe: int,
    batches_per_s: float,
    out,
) -> None:
    """The PBX: `rate` events a second in `batches_per_s` POSTs a second, in order, each batch
    ending with a probe; a slow POST makes the next batch bigger (up to the API's 1,000), as an
    adapter sends what piled up. (probe, accepted, events, POST seconds) go to `out`, then
    None, then the simulator as it stands (its rate function left out: a closure), for the
    next phase to go on from (else it would send this phase's span of the floor again, late)."""
    url = f"http://127.0.0.1:{port}/api/telephony/events"
    sim.prefix = f"bench{first_probe}"  # this process's copy of the simulator: fresh ids
    rng = random.Random(first_probe)
    members = floor["members"][1:]
    probe_member = floor["members"][0]
    counter = first_probe * 1_000_000
    backlog: list[dict] = []
    begin = time.monotonic()
    n, sent = first_probe, 0
    try:
        while (elapsed := time.monotonic() - begin) < seconds:
            time.sleep(max(0.0, (n - first_probe) / batches_per_s - elapsed))
            backlog += sim.advance(time.time())
            due = max(2, min(1000, round(rate * (time.monotonic() - begin)) - sent))
            events, backlog = backlog[: due - 1], backlog[due - 1 :]
            while len(events) < due - 1:
                counter += 1
                status = (
                    {"status": "available"}
                    if rng.random() < 0.5
                    else {
                        "status": "not_ready",
                        "reason": rng.choice(["Break", "Meeting", "Coaching"]),
                    }
                )
                events.append(_event(counter, "agent_status", member=rng.choice(members), **status))
            counter += 1
            events.append(
                _event(
                    counter,
                    "agent_status",
                    member=probe_member,
                    status="not_ready",
                    reason=f"probe-{n}",
                )
            )
            posted = time.monotonic()
            accepted = _post(url, floor["token"], events)
            out.put((n, accepted, len(events), accepted - posted))
            sent += len(events)
            n += 1
    finally:
        out.put(None)
        sim.rate = None
        out.put(sim)


def watch_layer(stop, out, group: str = "floor.main") -> None:
    """A member of the floor's channel-layer group, as a socket process's fan-out is: for each
    push, when it reached the channel layer after the push started (the message's `now`).
    That part of the latency is the push's own work (building, the cache copy, `group_send`);
    the rest of "push started → shown" is the socket processes' fan-out and the client."""
    import asyncio

    from channels_redis.core import RedisChannelLayer

    async def watch() -> list[float]:
        layer = RedisChannelLayer(
            hosts=[{"address": os.environ["REDIS_URL"], "socket_timeout": 15}],
            capacity=1500,
            expiry=30,
        )
        channel = await layer.new_channel()
        await layer.group_add(group, channel)
        offset = time.time() - time.monotonic()
        lags: list[float] = []
        while not stop.is_set():
            try:
                message = await asyncio.wait_for(layer.receive(channel), 0.5)
            except TimeoutError:
                continue
            arrived = time.monotonic()
            if message.get("now") is not None:
                lags.append(arrived - (message["now"] - offset))
        await layer.group_discard(group, channel)
        return lags

    out.put(asyncio.run(watch()))


def worker_drifts() -> int:
    """How often the refresh worker found its kept floor differing from a fresh one (its
    warnings in its log; `metrics.board.state.floor_check`)."""
    log = OUT / "worker.log"
    if not log.exists():
        return 0
    with log.open(errors="replace") as lines:
        return sum("differed from a fresh snapshot" in line for line in lines)


def run_load(
    floor: dict,
    port: int,
    *,
    boards: int,
    rate: float,
    seconds: float,
    sim,
    first_probe: int,
    batches_per_s: float,
    ws_ports: list[int],
    board_processes: int,
    pids: dict[str, int],
) -> dict:
    """Open `boards` boards over the socket servers at `ws_ports`, post the load to `port` and
    measure; the figures of one run, and under "sim" the simulator as the run left it."""
    import multiprocessing

    from bench.clients import Fleets

    fleets = Fleets(
        ports=ws_ports,
        cookie=floor["cookie"],
        probe=floor["probe"],
        boards=boards,
        processes=board_processes,
        first_probe=first_probe,
    )
    open_seconds = fleets.wait_open()
    drifts = worker_drifts()
    # The sender runs in a process of its own so the boards' work does not slow the load down
    # (CLOCK_MONOTONIC is shared by the processes of a machine).
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    sender = context.Process(
        target=send_load,
        args=(floor, port),
        kwargs={
            "rate": rate,
            "seconds": seconds,
            "sim": sim,
            "first_probe": first_probe,
            "batches_per_s": batches_per_s,
            "out": out,
        },
    )
    names = (
        ["boards"]
        if len(fleets.pids) == 1
        else [f"boards-{k + 1}" for k in range(len(fleets.pids))]
    )
    usage = Usage({**pids, **dict(zip(names, fleets.pids, strict=True))})
    stop_watch, lags_out = context.Event(), context.Queue()
    watcher = context.Process(target=watch_layer, args=(stop_watch, lags_out))
    watcher.start()
    sender.start()
    last = first_probe - 1
    posts: list[float] = []  # seconds each POST of a batch took
    events = 0
    while (item := out.get()) is not None:
        probe, at, size, post = item
        fleets.accept(probe, at)
        last, events = probe, events + size
        posts.append(post)
    # The simulator as the phase left it: the next phase goes on from there.
    went_on = out.get(timeout=60)
    went_on.rate = sim.rate
    sender.join()
    time.sleep(3)  # let the last pushes arrive
    stop_watch.set()
    lags = sorted(lags_out.get(timeout=30))
    watcher.join(timeout=10)
    processes = usage.report()
    drifts = worker_drifts() - drifts
    boards_result = fleets.finish()
    lat = boards_result["latency"]
    wait, deliver = boards_result["latency_wait"], boards_result["latency_deliver"]
    return {
        "sim": went_on,
        "boards": boards,
        "socket_processes": len(ws_ports),
        "board_processes": len(fleets.pids),
        "events": events,
        "seconds": seconds,
        "rate": events / seconds,
        "last_probe": last,
        "open_seconds": open_seconds,
        "p50_ms": lat["p50_ms"] or 0.0,
        "p95_ms": lat["p95_ms"] or 0.0,
        "p99_ms": lat["p99_ms"] or 0.0,
        "max_ms": lat["max_ms"] or 0.0,
        "samples": lat["n"],
        # The latency's parts (bench/clients.py): accepted → the push started, then → shown.
        "wait_p50_ms": wait["p50_ms"],
        "wait_p95_ms": wait["p95_ms"],
        "deliver_p50_ms": deliver["p50_ms"],
        "deliver_p95_ms": deliver["p95_ms"],
        # push started → on the channel layer, over every push of the run
        "layer_p50_ms": 1000 * lags[len(lags) // 2] if lags else None,
        "layer_p95_ms": 1000 * lags[min(len(lags) - 1, int(0.95 * len(lags)))] if lags else None,
        "post_p50_ms": 1000 * statistics.median(posts) if posts else None,
        "post_p95_ms": 1000 * statistics.quantiles(posts, n=20)[18] if len(posts) > 1 else None,
        "missing": boards_result["missing"],
        "gaps": boards_result["gaps"],
        "lost": boards_result["lost"],
        "out_of_order": boards_result["out_of_order"],
        "messages": boards_result["messages"],
        "frames_parsed": boards_result["frames_parsed"],
        "boards_cpu_us_per_message": boards_result["cpu_us_per_message"],
        "sample_check": boards_result["sample_check"],
        "pushes": boards_result["pushes"],
        # The kept floor found differing from a fresh one (a bug; it must stay 0).
        "drifts": drifts,
        # The refresh worker's CPU over the run shared out over the pushes it made.
        "worker_ms_per_push": 1000 * processes["worker"]["cpu_s"] / boards_result["pushes"]
        if boards_result["pushes"]
        else None,
        "processes": processes,
    }


def floor_history(config: dict, *, prefix: str):
    """The simulator of the floor (agent 0 left out: it carries the probes) and the events of
    its last `warmup` minutes, starting with agent 0's login."""
    from metrics.telephony.simulator import FloorSimulator, rate_function, read_profile

    floor = config["floor"]
    sim = FloorSimulator(
        members=floor["members"][1:],
        queues={q: 1.0 for q in floor["queues"]},
        rate=rate_function(
            read_profile(config["profile"]), agents=len(floor["members"]), aht_s=230
        ),
        start=time.time() - config["warmup"] * 60,
        seed=3,
        prefix=prefix,
    )
    history = sim.advance(time.time())
    history.insert(
        0,
        {
            "id": "probe-login",
            "type": "agent_login",
            "at": datetime.now(UTC).isoformat(),
            "member": floor["members"][0],
        },
    )
    return sim, history


def load_main(config_path: str) -> None:
    """The history, then for each number of boards the load and the boards, in a process
    without Django (the boards run in processes of their own, forked from this one)."""
    config = json.loads(Path(config_path).read_text())
    floor, port = config["floor"], config["port"]
    sim, history = floor_history(config, prefix="bench")
    started = time.monotonic()
    for start in range(0, len(history), 1000):
        _post(
            f"http://127.0.0.1:{port}/api/telephony/events",
            floor["token"],
            history[start : start + 1000],
        )
    print(
        f"bench: {len(history)} events of history in {time.monotonic() - started:.1f} s",
        file=sys.stderr,
    )
    pids = dict(config["pids"], **{"load driver": os.getpid()})
    results = []
    probe = 0
    for boards in config["boards"]:
        result = run_load(
            floor,
            port,
            boards=boards,
            rate=config["rate"],
            seconds=config["seconds"],
            sim=sim,
            first_probe=probe,
            batches_per_s=config["batches"],
            ws_ports=config["ws_ports"],
            board_processes=config["board_processes"],
            pids=pids,
        )
        probe = result["last_probe"] + 1
        sim = result.pop("sim")
        print(f"bench: {result}", file=sys.stderr)
        results.append(result)
    print(json.dumps(results))


# The floors of `--floor`: agents, queues, telephony events a second.
FLOORS = {
    "standard": {"agents": 1000, "queues": 40, "rate": 100.0},
    "big": {"agents": 5000, "queues": 200, "rate": 500.0},
}


def parse(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="bench.board")
    parser.add_argument(
        "--floor",
        choices=[*FLOORS, "both"],
        default="both",
        help="standard: 1,000 agents, 40 queues, 100 events/s; big: 5,000 agents, 200 queues, "
        "500 events/s; both (the default): one after the other, each on fresh servers",
    )
    parser.add_argument("--agents", type=int, help="agents on the floor (the floor's own)")
    parser.add_argument("--queues", type=int, help="queues (the floor's own)")
    parser.add_argument("--rate", type=float, help="telephony events per second (the floor's)")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--batches",
        type=float,
        default=4,
        help="batches a second (a PBX adapter batches its events)",
    )
    parser.add_argument("--boards", default="1,200", help="open boards, one run each: 1,200,1000")
    parser.add_argument(
        "--warmup",
        type=float,
        help="minutes of history (default: 10 at 1,000 agents, 10 × 1,000 / agents above)",
    )
    parser.add_argument(
        "--socket-processes",
        type=int,
        default=2,
        help="Daphne processes serving the board sockets, each on its own port; boards are "
        "spread over them round-robin",
    )
    parser.add_argument(
        "--board-processes",
        type=int,
        default=1,
        help="processes running the board clients (one asyncio loop each)",
    )
    parser.add_argument(
        "--sockets",
        choices=["separate", "shared"],
        default="separate",
        help="serve the board sockets from Daphnes of their own (separate) or from the "
        "ingestion one",
    )
    args = parser.parse_args(argv)
    if args.socket_processes < 1 or args.board_processes < 1:
        parser.error("--socket-processes and --board-processes take 1 or more")
    return args


def main(argv: list[str]) -> None:
    if argv[:1] == ["load"]:
        load_main(argv[1])
        return
    args = parse(argv)
    floors = list(FLOORS) if args.floor == "both" else [args.floor]
    if len(floors) > 1 or not (os.environ.get("REDIS_URL") and os.environ.get("DATABASE_URL")):
        # Each floor on its own throwaway PostgreSQL and Redis (`tests.services`).
        for name in floors:
            run = subprocess.run(
                [sys.executable, "-m", "tests.services", "--", sys.executable, "-m",
                 "bench.board", *argv, "--floor", name],
                cwd=ROOT,
                check=False,
            )  # fmt: skip
            if run.returncode:
                raise SystemExit(run.returncode)
        return
    run_floor(args, floors[0])


def run_floor(args: argparse.Namespace, name: str) -> None:
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    _django()
    from metrics.management.commands.simulate_floor import DEFAULT_PROFILE, _shared

    agents = args.agents or FLOORS[name]["agents"]
    queues = args.queues or FLOORS[name]["queues"]
    rate = args.rate or FLOORS[name]["rate"]
    # About as many history events on any floor (the simulator's calls grow with the agents).
    warmup = args.warmup if args.warmup is not None else 10 * min(1.0, 1000 / agents)
    print(
        f"bench: the {name} floor, {agents} agents and {queues} queues, {rate:g} events/s",
        file=sys.stderr,
    )
    started = time.monotonic()
    floor = setup_floor(agents, queues)
    print(f"bench: migrated, floor set up in {time.monotonic() - started:.1f} s", file=sys.stderr)
    port = _free_port()
    ws_ports = (
        [_free_port() for _ in range(args.socket_processes)]
        if args.sockets == "separate"
        else [port]
    )
    processes = start_processes(port, ws_ports if args.sockets == "separate" else None)
    try:
        for on in {port, *ws_ports}:
            _wait_http(f"http://127.0.0.1:{on}/healthz")
        pids = {name: p.pid for name, p in processes.items()}
        redis_pid = _pid_listening(int(urlsplit(os.environ["REDIS_URL"]).port))
        if redis_pid:
            pids["redis"] = redis_pid
        config = {
            "floor": floor,
            "port": port,
            "ws_ports": ws_ports,
            "pids": pids,
            "rate": rate,
            "seconds": args.seconds,
            "warmup": warmup,
            "batches": args.batches,
            "boards": [int(b) for b in args.boards.split(",")],
            "board_processes": args.board_processes,
            "profile": str(_shared(DEFAULT_PROFILE)),
        }
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "board-config.json").write_text(json.dumps(config))
        load = subprocess.run(
            [sys.executable, "-m", "bench.board", "load", str(OUT / "board-config.json")],
            cwd=ROOT,
            check=False,
            stdout=subprocess.PIPE,
            text=True,
        )
        if load.returncode:
            raise SystemExit("bench: the load process failed")
        results = json.loads(load.stdout.strip().splitlines()[-1])
    finally:
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=20)
    run = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "load": " ".join(f"{n:.2f}" for n in os.getloadavg()),
        "floor": name,
        "agents": agents,
        "queues": queues,
        "target_rate": rate,
        "sockets": args.sockets,
        "socket_processes": len(ws_ports) if args.sockets == "separate" else 0,
        "results": results,
    }
    (OUT / f"board-{name}.json").write_text(json.dumps(run, indent=2))
    print(markdown(run))


def markdown(run: dict) -> str:
    from bench.run import machine

    servers = (
        f"sockets served by {run['socket_processes']} Daphne process(es) of their own"
        if run.get("sockets") == "separate"
        else "sockets served by the ingestion Daphne"
    )
    out = [
        f"Run {run['when']} on {machine()}: the {run.get('floor', '?')} floor, "
        f"{run['agents']} agents, {run['queues']} queues, {run.get('target_rate', 0):g} "
        f"events/s wanted; {servers}; load average {run.get('load', '?')}.",
        "",
        "| open boards | events/s | p50 | p95 | p99 | max | probes seen | sequence gaps "
        "| POST of a batch, p50 / p95 | pushes (worker CPU a push) | boards' CPU a frame "
        "| sample = fresh snapshot | kept floor drifted |",
        "|---|---|---|---|---|---|---|---|---|---|---|---|---|",
    ]
    for r in run["results"]:
        post = (
            f"{r['post_p50_ms']:.0f} / {r['post_p95_ms']:.0f} ms"
            if r.get("post_p95_ms") is not None
            else "—"
        )
        cpu = r.get("boards_cpu_us_per_message")
        check = r.get("sample_check") or {}
        pushes = (
            f"{r['pushes']} ({r['worker_ms_per_push']:.0f} ms)"
            if r.get("worker_ms_per_push") is not None
            else "—"
        )
        verdict = (
            "yes"
            if check.get("equal")
            else f"NO {check.get('sections_differing') or check.get('reason', '')}"
        )
        out.append(
            f"| {r['boards']} | {r['rate']:.0f} | {r['p50_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms | "
            f"{r['samples']:,} (missing {r['missing']}) | {r['gaps']} | {post} | "
            f"{pushes} | {'—' if cpu is None else f'{cpu:.0f} µs'} | {verdict} | "
            f"{r.get('drifts', '—')} |"
        )
    if any(r.get("wait_p50_ms") is not None for r in run["results"]):
        out += [
            "",
            "Where the latency goes (p50 / p95; the push's start is the `now` of the frame "
            "that showed the probe; worker CPU a push as above):",
            "",
            "| open boards | POST of a batch | POST returned → push started "
            "| push started → shown at the board | of which push started → on the channel "
            "layer (every push) | whole |",
            "|---|---|---|---|---|---|",
        ]

        def pair(r: dict, name: str) -> str:
            low, high = r.get(f"{name}_p50_ms"), r.get(f"{name}_p95_ms")
            return "—" if low is None or high is None else f"{low:.0f} / {high:.0f} ms"

        for r in run["results"]:
            out.append(
                f"| {r['boards']} | {pair(r, 'post')} | {pair(r, 'wait')} | "
                f"{pair(r, 'deliver')} | {pair(r, 'layer')} | "
                f"{r['p50_ms']:.0f} / {r['p95_ms']:.0f} ms |"
            )
    for r in run["results"]:
        out += [
            "",
            f"Processes with {r['boards']} board(s) (CPU over the run, one core = 100 %):",
            "",
            "| process | CPU | RSS | peak RSS |",
            "|---|---|---|---|",
        ]
        for name, p in r["processes"].items():
            out.append(
                f"| {name} | {p['cpu_pct']:.0f} % | {p['rss_mb']:.0f} MB | {p['peak_mb']:.0f} MB |"
            )
    return "\n".join(out)


if __name__ == "__main__":
    main(sys.argv[1:])
