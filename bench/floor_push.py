"""`make bench-floor`: the refresh worker's CPU per push, the full rebuild against the kept floor.

    python -m tests.services -- python -m bench.floor_push [--floors 1000x40,5000x200]
        [--pushes 200] [--batches 1] [--profile FILE [--profile-kind heartbeat]] [--statements]

For each floor (agents x queues) a throwaway database of its own (on the PostgreSQL of
tests.services) gets the agents (ten teams with their leads, one telephony name each), the
queues and a telephony source; every agent logs into two queues, and each queue has a few
answered and waiting calls. Then, `--pushes` times each, in turn: a realistic batch (three
agents and one or two queues touched: a call offered, answered or ended, a pause or its end;
`--batches` of them before each push) goes through the real ingestion service
(`events_ingest`, whose commit marks what it touched), and the floor is pushed
(`push.floor_push`, in this process, with the channel layer on Redis):

- `incremental`: the kept floor advanced by the batch (what a refresh does now);
- `full`: the same push with the mark "rebuild everything" (what every refresh did before:
  a whole snapshot and a diff of every entry);
- `heartbeat`: a heartbeat push (every 5 s per site: what depends on the clock read again).

Reported per kind: worker CPU per push (`time.process_time`: this process's CPU, everything
a push does — reads, the kept floor, the delta, the JSON text, the stored copy of what changed,
the alert rules after it), p50/p95/max; the database time inside the push (wall time spent in
queries, p50/p95), the garbage collector's CPU time inside it (p50/p95; the collector is set
as a floor worker sets it, `--collector default` for the interpreter's thresholds) and the
wall time. `--out` writes the figures as JSON (default
var/bench/floor_push.json).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import subprocess
import sys
import time
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

from bench import OUT, ROOT
from bench import setup_django as _django


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _summary(values: list[float]) -> dict:
    return {
        "n": len(values),
        "p50_ms": round(statistics.median(values) * 1000, 2),
        "p95_ms": round(_quantile(values, 0.95) * 1000, 2),
        "max_ms": round(max(values) * 1000, 2),
    }


# -- the child: one floor in its own database ---------------------------------------------------


def setup_floor(agents: int, queues: int, rng: random.Random) -> dict:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from agents.models import Agent, Team, TelephonyAlias
    from metrics.models import Queue
    from metrics.telephony.services import source_create

    call_command("migrate", verbosity=0)
    User = get_user_model()
    leads = User.objects.bulk_create([User(username=f"lead{n:02d}") for n in range(10)])
    teams = [Team.objects.create(name=f"Team {n:02d}", lead=leads[n]) for n in range(10)]
    users = User.objects.bulk_create([User(username=f"bench{n:05d}") for n in range(agents)])
    people = Agent.objects.bulk_create(
        [
            Agent(
                user=user,
                display_name=f"Agent {n:05d}",
                employee_number=f"B{n:05d}",
                team=teams[n % len(teams)],
            )
            for n, user in enumerate(users)
        ]
    )
    members = [f"PJSIP/{10000 + n}" for n in range(agents)]
    TelephonyAlias.objects.bulk_create(
        [TelephonyAlias(agent=a, name=m) for a, m in zip(people, members, strict=True)]
    )
    names = [f"queue{n:03d}" for n in range(queues)]
    Queue.objects.bulk_create([Queue(name=name, site="main") for name in names])
    source, _ = source_create(name="bench-pbx", kind="http_json", site="main")
    return {"source": source, "members": members, "queues": names}


class Floor:
    """The telephony of the bench floor: who is on which call, which calls wait."""

    def __init__(self, source, members: list[str], queues: list[str], rng: random.Random):
        self.source, self.members, self.queues, self.rng = source, members, queues, rng
        self.on_call: dict[str, tuple[str, str]] = {}  # member → (call id, queue)
        self.paused: set[str] = set()
        self.waiting: dict[str, list[str]] = {q: [] for q in queues}
        self.calls = 0
        self.events = 0

    def _event(self, kind: str, **fields) -> dict:
        self.events += 1
        at = datetime.now(UTC) - timedelta(milliseconds=1)
        return {"id": f"b{self.events}", "type": kind, "at": at.isoformat(), **fields}

    def ingest(self, events: list[dict]) -> None:
        from metrics.telephony.api import EventInput, event_from_input
        from metrics.telephony.services import events_ingest

        normalised = []
        for index, raw in enumerate(events):
            item = EventInput(data=raw)
            item.is_valid(raise_exception=True)
            normalised.append(event_from_input(item.validated_data, index))
        events_ingest(source=self.source, events=normalised)

    def offer(self, queue: str) -> dict:
        self.calls += 1
        call_id = f"call{self.calls}"
        self.waiting[queue].append(call_id)
        return self._event("call_queued", call_id=call_id, queue=queue, caller=f"+3220{self.calls}")

    def warm_up(self) -> None:
        """Everyone logs into two queues; a few calls answered and ended, a few waiting."""
        logins = []
        for n, member in enumerate(self.members):
            for queue in (
                self.queues[n % len(self.queues)],
                self.queues[(n + 7) % len(self.queues)],
            ):
                logins.append(self._event("agent_login", member=member, queue=queue))
        for start in range(0, len(logins), 1000):
            self.ingest(logins[start : start + 1000])
        for queue in self.queues:
            for _ in range(4):
                self.ingest(self.step(queues=[queue]))

    def step(self, *, queues: list[str] | None = None) -> list[dict]:
        """A batch touching three agents and one or two queues."""
        rng = self.rng
        queues = queues or rng.sample(self.queues, rng.choice((1, 2)))
        events = [self.offer(queue) for queue in queues]
        for member in rng.sample(self.members, 3):
            if member in self.on_call:
                call_id, queue = self.on_call.pop(member)
                events.append(
                    self._event(
                        "call_ended", call_id=call_id, queue=queue, member=member, talk_s=60
                    )
                )
            elif member in self.paused:
                self.paused.discard(member)
                events.append(self._event("agent_status", member=member, status="available"))
            elif rng.random() < 0.3:
                self.paused.add(member)
                events.append(
                    self._event("agent_status", member=member, status="not_ready", reason="Break")
                )
            else:
                queue = queues[0]
                if self.waiting[queue]:
                    call_id = self.waiting[queue].pop(0)
                    self.on_call[member] = (call_id, queue)
                    events.append(
                        self._event(
                            "call_answered",
                            call_id=call_id,
                            queue=queue,
                            member=member,
                            wait_s=8,
                            ring_s=3,
                        )
                    )
        return events


@contextmanager
def _database_time():
    from django.db import connection

    spent = [0.0, 0, []]  # seconds in queries, queries, their SQL (the first 120 characters)

    def timed(execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            spent[0] += time.perf_counter() - started
            spent[1] += 1
            spent[2].append(" ".join(sql.split())[:120])

    with connection.execute_wrapper(timed):
        yield spent


def run_floor(
    agents: int,
    queues: int,
    pushes: int,
    seed: int,
    profile: str = "",
    steps: int = 1,
    profile_kind: str = "incremental",
    collector: str = "floor",
) -> dict:
    _django()
    import gc

    if collector == "floor":  # as a worker of the floor's queue runs (`callfloor.celery`)
        from callfloor.celery import FLOOR_GC_THRESHOLD

        gc.collect()
        gc.freeze()
        gc.set_threshold(*FLOOR_GC_THRESHOLD)
    gc_time = [0.0, 0.0]  # (the collector's CPU time in the push being measured)

    def _gc(phase, info):
        if phase == "start":
            gc_time[0] = time.process_time()
        else:
            gc_time[1] += time.process_time() - gc_time[0]

    gc.callbacks.append(_gc)
    import cProfile
    import pickle

    from django.core.cache import cache

    from metrics.board import marks, push, state, tasks

    rng = random.Random(seed)
    cache.clear()
    made = setup_floor(agents, queues, rng)
    floor = Floor(made["source"], made["members"], made["queues"], rng)
    # The bench pushes by itself: a committed batch only records what it touched.
    tasks.refresh_floor.apply_async = lambda *a, **k: None
    floor.warm_up()
    push.floor_push(site="main")  # the first push: the kept floor is made
    samples: dict[str, dict[str, list[float]]] = {
        kind: {"cpu": [], "db": [], "wall": [], "queries": [], "gc": []}
        for kind in ("incremental", "full", "heartbeat")
    }
    # CPU time (not wall time): what the worker spends, not what it waits for.
    profiler = cProfile.Profile(time.process_time) if profile else None
    sizes: dict[str, list[int]] = {"incremental": [], "full": []}
    for n in range(pushes * 2 + pushes // 10):
        if n % 21 == 20:
            kind = "heartbeat"
        else:
            kind = "full" if n % 2 else "incremental"
            for _ in range(steps):
                floor.ingest(floor.step())
            if kind == "full":
                marks.touched_add(site="main", tokens={marks.FULL})
        profiled = profiler is not None and kind == profile_kind
        with _database_time() as db:
            if profiled:
                profiler.enable()
            wall, cpu = time.perf_counter(), time.process_time()
            gc_time[1] = 0.0
            message = push.floor_push(site="main", heartbeat=kind == "heartbeat")
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            if profiled:
                profiler.disable()
        samples[kind]["cpu"].append(cpu)
        samples[kind]["gc"].append(gc_time[1])
        samples[kind]["db"].append(db[0])
        samples[kind]["queries"].append(db[1])
        samples[kind]["wall"].append(wall)
        if kind in sizes:
            sizes[kind].append(len(message["text"]))
        if kind == "incremental":
            statements = db[2]
    started = time.process_time()
    for _ in range(5):
        current = push.floor_stored(site="main")  # what a socket that opens reads
    stored_s = (time.process_time() - started) / 5
    started = time.process_time()
    for _ in range(5):
        pickled = pickle.dumps(current, pickle.HIGHEST_PROTOCOL)
    pickle_s = (time.process_time() - started) / 5
    if profiler is not None:
        profiler.dump_stats(profile)
    return {
        "agents": agents,
        "queues": queues,
        "pushes": pushes,
        "batches_per_push": steps,
        "events_per_batch": round(floor.events / max(1, floor.calls), 1),
        "cpu": {kind: _summary(v["cpu"]) for kind, v in samples.items()},
        "db": {kind: _summary(v["db"]) for kind, v in samples.items()},
        "gc": {kind: _summary(v["gc"]) for kind, v in samples.items()},
        "wall": {kind: _summary(v["wall"]) for kind, v in samples.items()},
        "queries_p50": {kind: int(statistics.median(v["queries"])) for kind, v in samples.items()},
        "message_bytes_p50": {k: int(statistics.median(v)) for k, v in sizes.items()},
        "snapshot_pickle": {"bytes": len(pickled), "ms": round(pickle_s * 1000, 2)},
        "stored_read_ms": round(stored_s * 1000, 2),
        "drift": state.drift_count.get("main", 0),
        "statements_of_the_last_incremental_push": statements,
    }


# -- the parent: a database per floor ------------------------------------------------------------


def _database_for(url: str, name: str) -> str:
    import psycopg2

    parts = urlsplit(url)
    admin = psycopg2.connect(urlunsplit(parts._replace(path="/postgres")))
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()
    return urlunsplit(parts._replace(path=f"/{name}"))


def _print(result: dict, verbose: bool = False) -> None:
    print(
        f"\n{result['agents']} agents, {result['queues']} queues, {result['pushes']} pushes "
        f"each, {result.get('batches_per_push', 1)} batch(es) a push"
    )
    print(
        f"  {'push':<12}{'CPU p50':>10}{'CPU p95':>10}{'CPU max':>10}{'DB p50':>10}{'DB p95':>10}"
        f"{'GC p50':>10}{'GC p95':>10}"
    )
    for kind in ("incremental", "full", "heartbeat"):
        cpu, db = result["cpu"][kind], result["db"][kind]
        collected = result.get("gc", {}).get(kind, {"p50_ms": 0.0, "p95_ms": 0.0})
        print(
            f"  {kind:<12}{cpu['p50_ms']:>8.1f}ms{cpu['p95_ms']:>8.1f}ms{cpu['max_ms']:>8.1f}ms"
            f"{db['p50_ms']:>8.1f}ms{db['p95_ms']:>8.1f}ms"
            f"{collected['p50_ms']:>8.1f}ms{collected['p95_ms']:>8.1f}ms"
        )
    print(
        f"  message text p50: {result['message_bytes_p50']} bytes; the snapshot pickled "
        f"whole: {result['snapshot_pickle']['bytes']} bytes, "
        f"{result['snapshot_pickle']['ms']} ms (a push stores only what it changed; a socket "
        f"that opens reads the stored floor in {result.get('stored_read_ms', '?')} ms); kept "
        f"floor drifted {result['drift']} times"
    )
    print(f"  queries per push p50: {result['queries_p50']}")
    if verbose:
        print("  the statements of the last incremental push:")
        for sql in result["statements_of_the_last_incremental_push"]:
            print(f"    {sql}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--floors", default="1000x40,5000x200", help="agents x queues, ...")
    parser.add_argument("--pushes", type=int, default=200, help="pushes of each kind")
    parser.add_argument("--seed", type=int, default=22)
    parser.add_argument("--out", default=str(OUT / "floor_push.json"))
    parser.add_argument(
        "--profile",
        default="",
        help="write a cProfile of the incremental pushes to this file (pstats; the CPU "
        "figures then include the profiler's own cost)",
    )
    parser.add_argument(
        "--profile-kind",
        choices=["incremental", "full", "heartbeat"],
        default="incremental",
        help="the pushes --profile profiles",
    )
    parser.add_argument(
        "--statements",
        action="store_true",
        help="print the SQL statements of the last incremental push (always in the JSON)",
    )
    parser.add_argument(
        "--batches",
        type=int,
        default=1,
        help="batches ingested before each push (1: a quiet floor's push; 10: about what a "
        "push of a 5,000-agent floor at 500 events/s covers)",
    )
    parser.add_argument(
        "--collector",
        choices=["floor", "default"],
        default="floor",
        help="the garbage collector as a floor worker sets it (callfloor.celery), or the "
        "interpreter's default thresholds",
    )
    parser.add_argument("--child", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.pushes < 10:
        parser.error("--pushes must be at least 10 (every 21st push is a heartbeat)")
    if args.child:
        agents, queues = (int(v) for v in args.child.split("x"))
        result = run_floor(
            agents,
            queues,
            args.pushes,
            args.seed,
            args.profile,
            steps=args.batches,
            profile_kind=args.profile_kind,
            collector=args.collector,
        )
        print(json.dumps(result))
        return
    url = os.environ["DATABASE_URL"]
    results = []
    for floor in args.floors.split(","):
        agents, queues = (int(v) for v in floor.split("x"))
        env = dict(os.environ, DATABASE_URL=_database_for(url, f"bench_floor_{agents}_{queues}"))
        env.setdefault("LOG_LEVEL", "WARNING")
        print(f"building a floor of {agents} agents and {queues} queues ...", flush=True)
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "bench.floor_push",
                "--child",
                floor,
                "--pushes",
                str(args.pushes),
                "--seed",
                str(args.seed),
                "--batches",
                str(args.batches),
                *(["--profile", str(Path(args.profile).resolve())] if args.profile else []),
                "--profile-kind",
                args.profile_kind,
                "--collector",
                args.collector,
            ],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        result = json.loads(done.stdout.strip().splitlines()[-1])
        results.append(result)
        _print(result, args.statements)
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    load = os.getloadavg()
    out.write_text(json.dumps({"load": load, "floors": results}, indent=2))
    print(f"\nload average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; written to {out}")


if __name__ == "__main__":
    main()
