"""`make bench-board`: event accepted → shown in the board's data, measured at the clients.

    python -m tests.services -- python -m bench.board [--agents 1000] [--queues 40]
        [--rate 100] [--seconds 30] [--boards 1,200] [--sockets separate|shared]

The whole production path on loopback: Daphne for the ingestion API, a second Daphne for the
board sockets (`--sockets shared`: one Daphne for both), one Celery worker (the coalesced
refreshes), Celery beat (the heartbeat), PostgreSQL and Redis. A load process posts `--rate`
telephony events a second through the API, like a PBX: the simulator's calls plus agent status
changes, and in every batch a *probe* (agent 0's not-ready reason set to `probe-<n>`).
Each board is a WebSocket client that applies the snapshot and the deltas in
sequence as the browser does; the latency of probe n at a board is from the moment the API
accepted it (the POST returned) to the first message after which the board's data shows probe
n or a later one. A sequence gap would be a lost message; boards count them.
"""

from __future__ import annotations

import argparse
import asyncio
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

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
    import django

    django.setup()


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

    call_command("migrate", verbosity=0)
    User = get_user_model()
    teams = [Team.objects.create(name=f"Team {n:02d}") for n in range(10)]
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
    Queue.objects.bulk_create([Queue(name=f"queue{n:02d}", site="main") for n in range(queues)])
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
        "queues": [f"queue{n:02d}" for n in range(queues)],
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


def start_processes(
    port: int, ws_port: int | None = None, *, http: str = "daphne"
) -> dict[str, subprocess.Popen]:
    """Daphne on `port`, a Celery worker and beat; with `ws_port`, a second Daphne for the
    sockets (as production runs it: ingestion and the fan-out then do not share a process).

    `http="gunicorn"`: gunicorn (one worker process with 8 threads, as many as the ASGI
    server's request threads) serves the plain HTTP on `port` through
    callfloor/wsgi.py instead; the sockets then need `ws_port`."""
    if http == "gunicorn" and ws_port is None:
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
        return [py, "-m", "daphne", "-b", "127.0.0.1", "-p", str(on), "callfloor.asgi:application"]

    def gunicorn(on: int) -> list[str]:
        return [py, "-m", "gunicorn", "-b", f"127.0.0.1:{on}", "--workers", "1",
                "--worker-class", "gthread", "--threads", "8",
                "callfloor.wsgi:application"]  # fmt: skip

    commands = {
        http: gunicorn(port) if http == "gunicorn" else daphne(port),
        "worker": [
            py,
            "-m",
            "celery",
            "-A",
            "callfloor",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
        ],
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
    if ws_port is not None:
        commands["daphne-sockets"] = daphne(ws_port)
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
            result[name] = {
                "cpu_pct": 100 * (self._cpu(pid) - self.start[name]) / wall,
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


# -- the boards -----------------------------------------------------------------------------------


class Board:
    """One open board: the browser's snapshot + deltas, with probe arrival times."""

    def __init__(self, probe: str) -> None:
        self.probe = probe
        self.state: dict | None = None
        self.seq: int | None = None
        self.seen_probe = -1
        self.arrivals: dict[int, float] = {}  # probe n → first time the data showed ≥ n
        self.gaps = 0
        self.messages = 0
        self.closed: tuple | None = None  # (code, reason) when the server closed it
        self.ready = asyncio.get_event_loop().create_future()

    def receive(self, message: dict, at: float) -> None:
        self.messages += 1
        if message["type"] == "snapshot":
            self.state, self.seq = message["snapshot"], message["seq"]
            if not self.ready.done():
                self.ready.set_result(True)
        elif self.seq is not None and message["seq"] > self.seq:
            if message["seq"] != self.seq + 1:
                self.gaps += 1
            # In place, as the browser's module could: the result equals floor_delta.apply.
            for section, keys in message["delta"].get("remove", {}).items():
                for key in keys:
                    self.state.setdefault(section, {}).pop(key, None)
            for section, entries in message["delta"].get("set", {}).items():
                self.state.setdefault(section, {}).update(entries)
            for section, entries in message["delta"].get("patch", {}).items():
                target = self.state.setdefault(section, {})
                for key, fields in entries.items():
                    target.setdefault(key, {}).update(fields)
            self.seq = message["seq"]
        else:
            return
        reason = (self.state["agents"].get(self.probe) or {}).get("reason", "")
        if reason.startswith("probe-"):
            shown = int(reason[6:])
            for n in range(self.seen_probe + 1, shown + 1):
                self.arrivals[n] = at
            self.seen_probe = max(self.seen_probe, shown)


async def open_board(port: int, cookie: str, probe: str, *, board: Board | None = None) -> Board:
    """Open a board socket (autobahn on asyncio) and wait for its first snapshot."""
    from autobahn.asyncio.websocket import WebSocketClientFactory, WebSocketClientProtocol

    board = board if board is not None else Board(probe)

    class Protocol(WebSocketClientProtocol):
        def onMessage(self, payload, is_binary):
            board.receive(json.loads(payload), time.monotonic())

        def onClose(self, was_clean, code, reason):
            board.closed = (code, reason)

    factory = WebSocketClientFactory(
        f"ws://127.0.0.1:{port}/ws/floor/",
        headers={"Cookie": cookie, "Origin": f"http://127.0.0.1:{port}"},
    )
    factory.protocol = Protocol
    factory.setProtocolOptions(maxMessagePayloadSize=0, maxFramePayloadSize=0)
    loop = asyncio.get_event_loop()
    board.transport, _ = await loop.create_connection(factory, "127.0.0.1", port)
    await asyncio.wait_for(board.ready, 120)
    return board


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
    """The PBX: `rate` events a second in batches, in order; (probe, accepted) to `out`."""
    url = f"http://127.0.0.1:{port}/api/telephony/events"
    sim.prefix = f"bench{first_probe}"  # this process's copy of the simulator: fresh ids
    rng = random.Random(first_probe)
    members = floor["members"][1:]
    probe_member = floor["members"][0]
    per_batch = max(2, round(rate / batches_per_s))
    counter = first_probe * 1000
    begin = time.monotonic()
    n = first_probe
    try:
        _send_batches(
            url,
            floor["token"],
            out,
            begin=begin,
            seconds=seconds,
            n=n,
            first_probe=first_probe,
            batches_per_s=batches_per_s,
            sim=sim,
            rng=rng,
            members=members,
            probe_member=probe_member,
            per_batch=per_batch,
            counter=counter,
        )
    finally:
        out.put(None)


def _send_batches(
    url,
    token,
    out,
    *,
    begin,
    seconds,
    n,
    first_probe,
    batches_per_s,
    sim,
    rng,
    members,
    probe_member,
    per_batch,
    counter,
) -> None:
    backlog: list[dict] = []
    while time.monotonic() - begin < seconds:
        time.sleep(max(0.0, begin + (n - first_probe) / batches_per_s - time.monotonic()))
        backlog += sim.advance(time.time())
        events, backlog = backlog[: per_batch - 1], backlog[per_batch - 1 :]
        while len(events) < per_batch - 1:
            counter += 1
            events.append(
                _event(
                    counter,
                    "agent_status",
                    member=rng.choice(members),
                    **(
                        {"status": "available"}
                        if rng.random() < 0.5
                        else {
                            "status": "not_ready",
                            "reason": rng.choice(["Break", "Meeting", "Coaching"]),
                        }
                    ),
                )
            )
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
        sent = time.monotonic()
        accepted = _post(url, token, events)
        out.put((n, accepted, len(events), accepted - sent))
        n += 1


async def run_load(
    floor: dict,
    port: int,
    *,
    boards: int,
    rate: float,
    seconds: float,
    sim,
    first_probe: int,
    batches_per_s: float,
    ws_port: int | None = None,
) -> dict:
    """Open `boards` boards (on `ws_port` when the sockets have a server of their own), post
    the load to `port` and measure; the figures of one run."""
    import multiprocessing

    open_started = time.monotonic()
    opened = []
    for start in range(0, boards, 20):  # a few at a time: each gets a full snapshot first
        opened += await asyncio.gather(
            *(
                open_board(ws_port or port, floor["cookie"], floor["probe"])
                for _ in range(start, min(boards, start + 20))
            )
        )
    open_seconds = time.monotonic() - open_started
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
    sender.start()
    accepted: dict[int, float] = {}
    posts: list[float] = []  # seconds each POST of a batch took
    events = 0
    loop = asyncio.get_event_loop()
    while (item := await loop.run_in_executor(None, out.get)) is not None:
        probe, at, size = item[:3]
        accepted[probe] = at
        events += size
        posts += item[3:4]
    sender.join()
    n = max(accepted) + 1 if accepted else first_probe
    await asyncio.sleep(3)  # let the last pushes arrive
    latencies = [
        board.arrivals[p] - accepted[p] for board in opened for p in accepted if p in board.arrivals
    ]
    missing = sum(1 for board in opened for p in accepted if p not in board.arrivals)
    for board in opened:
        board.transport.close()
    quantiles = statistics.quantiles(latencies, n=100) if len(latencies) > 1 else [0.0] * 99
    return {
        "boards": boards,
        "events": events,
        "seconds": seconds,
        "rate": events / seconds,
        "last_probe": n,
        "open_seconds": open_seconds,
        "p50_ms": 1000 * quantiles[49],
        "p95_ms": 1000 * quantiles[94],
        "p99_ms": 1000 * quantiles[98],
        "max_ms": 1000 * max(latencies, default=0),
        "samples": len(latencies),
        "post_p50_ms": 1000 * statistics.median(posts) if posts else None,
        "post_p95_ms": 1000 * statistics.quantiles(posts, n=20)[18] if len(posts) > 1 else None,
        "missing": missing,
        "gaps": sum(b.gaps for b in opened),
        "messages": sum(b.messages for b in opened),
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
    """The load and the boards, in a process without Django (autobahn runs on asyncio here)."""
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
    pids = dict(config["pids"], **{"boards + load": os.getpid()})
    results = []
    probe = 0
    for boards in config["boards"]:
        usage = Usage(pids)
        result = asyncio.run(
            run_load(
                floor,
                port,
                boards=boards,
                rate=config["rate"],
                seconds=config["seconds"],
                sim=sim,
                first_probe=probe,
                batches_per_s=config["batches"],
                ws_port=config.get("ws_port"),
            )
        )
        probe = result["last_probe"] + 1
        result["processes"] = usage.report()
        print(f"bench: {result}", file=sys.stderr)
        results.append(result)
    print(json.dumps(results))


def main(argv: list[str]) -> None:
    if argv[:1] == ["load"]:
        load_main(argv[1])
        return
    parser = argparse.ArgumentParser()
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=40)
    parser.add_argument("--rate", type=float, default=100, help="telephony events per second")
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument(
        "--batches",
        type=float,
        default=4,
        help="batches a second (a PBX adapter batches its events)",
    )
    parser.add_argument("--boards", default="1,200")
    parser.add_argument("--warmup", type=float, default=10, help="minutes of history")
    parser.add_argument(
        "--sockets",
        choices=["separate", "shared"],
        default="separate",
        help="serve the board sockets from a second Daphne (separate) or from the ingestion one",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("bench: run through `make bench-board` (PostgreSQL and Redis)")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    _django()
    from metrics.management.commands.simulate_floor import DEFAULT_PROFILE, _shared

    print(f"bench: a floor of {args.agents} agents and {args.queues} queues", file=sys.stderr)
    floor = setup_floor(args.agents, args.queues)
    port = _free_port()
    ws_port = _free_port() if args.sockets == "separate" else None
    processes = start_processes(port, ws_port)
    try:
        _wait_http(f"http://127.0.0.1:{port}/healthz")
        if ws_port is not None:
            _wait_http(f"http://127.0.0.1:{ws_port}/healthz")
        pids = {name: p.pid for name, p in processes.items()}
        redis_pid = _pid_listening(int(urlsplit(os.environ["REDIS_URL"]).port))
        if redis_pid:
            pids["redis"] = redis_pid
        config = {
            "floor": floor,
            "port": port,
            "ws_port": ws_port,
            "pids": pids,
            "rate": args.rate,
            "seconds": args.seconds,
            "warmup": args.warmup,
            "batches": args.batches,
            "boards": [int(b) for b in args.boards.split(",")],
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
        "agents": args.agents,
        "queues": args.queues,
        "sockets": args.sockets,
        "results": results,
    }
    (OUT / "board.json").write_text(json.dumps(run, indent=2))
    print(markdown(run))


def markdown(run: dict) -> str:
    from bench.run import machine

    out = [
        f"Run {run['when']} on {machine()}: {run['agents']} agents, {run['queues']} queues, "
        f"sockets served by {'a second' if run.get('sockets') == 'separate' else 'the ingestion'}"
        f" Daphne; load average {run.get('load', '?')}.",
        "",
        "| open boards | events/s | p50 | p95 | p99 | max | probes seen | sequence gaps "
        "| POST of a batch, p50 / p95 |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in run["results"]:
        post = (
            f"{r['post_p50_ms']:.0f} / {r['post_p95_ms']:.0f} ms"
            if r.get("post_p95_ms") is not None
            else "—"
        )
        out.append(
            f"| {r['boards']} | {r['rate']:.0f} | {r['p50_ms']:.0f} ms | "
            f"{r['p95_ms']:.0f} ms | {r['p99_ms']:.0f} ms | {r['max_ms']:.0f} ms | "
            f"{r['samples']:,} (missing {r['missing']}) | {r['gaps']} | {post} |"
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
