"""`make bench`: generate a synthetic day, then time the import, the report and the snapshot.

    python -m tests.services -- python -m bench.run [--scale 1.0] [--snapshot 10000,100000,1000000]

Each measured step runs in its own process (`python -m bench.run step …`), which reports its
wall time and peak resident memory. Results go to stdout as Markdown and to
var/bench/results.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import secrets
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
ARRIVALS = Path(os.environ.get("CALLFLOOR_SHARED_DATA", "/work/shared/data")) / (
    "arrivals/bank-calls-2003.csv"
)


def _per_line(done: dict) -> str:
    lines = done["events"] or 1
    python = done["cpu_python_s"] / lines * 1e6
    if done.get("cpu_postgres_s") is None:
        return f"Python {python:.1f} µs (PostgreSQL not readable)"
    postgres = done["cpu_postgres_s"] / lines * 1e6
    return f"Python {python:.1f} µs + PostgreSQL {postgres:.1f} µs"


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    import django

    django.setup()


def _peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


# -- steps (each in its own process) -----------------------------------------------------------


def step_report(path: str) -> dict:
    # (pandas loads with it, before the clock, as the count's does)
    from metrics.reports.columnar import report_of_file

    start, cpu = time.perf_counter(), time.process_time()
    report = report_of_file(path)
    json.dumps(report)
    return {
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "lines": report["lines"]["read"],
    }


def step_pandas_count(path: str) -> dict:
    """The yardstick of the report: a plain pandas count of the same file (its first five
    columns read with the C parser, then the offered calls per queue), no KPI at all. (Lines of
    more than ten fields are skipped: a yardstick, not a report.)"""
    import csv

    import pandas as pd

    start, cpu = time.perf_counter(), time.process_time()
    frame = pd.read_csv(
        path,
        sep="|",
        header=None,
        names=list(range(10)),
        usecols=list(range(5)),
        dtype=str,
        quoting=csv.QUOTE_NONE,
        on_bad_lines="skip",
        engine="c",
    )
    offered = frame[frame[4] == "ENTERQUEUE"].groupby(2).size()
    return {
        "seconds": time.perf_counter() - start,
        "cpu_s": time.process_time() - cpu,
        "peak_mb": _peak_mb(),
        "lines": len(frame),
        "offered": int(offered.sum()),
    }


def _process_cpu(pid: int) -> float | None:
    """User + system CPU seconds of a process of this machine, from /proc."""
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
    except OSError:
        return None
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def step_import(path: str) -> dict:
    _django()
    from io import StringIO

    from django.core.management import call_command
    from django.db import connection

    from metrics.models import CallEvent, QueueCall

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    load_before = os.getloadavg()[0]
    backend_before, python_before = _process_cpu(backend), time.process_time()
    start = time.perf_counter()
    out = StringIO()
    call_command("import_queue_log", path, "--source", "bench", "--no-progress", stdout=out)
    seconds = time.perf_counter() - start
    backend_after = _process_cpu(backend)
    return {
        "seconds": seconds,
        "peak_mb": _peak_mb(),
        # CPU seconds of this process and of its PostgreSQL backend: what the import costs
        # whatever else the machine runs (None when the backend's /proc entry is not readable).
        "cpu_python_s": round(time.process_time() - python_before, 2),
        "cpu_postgres_s": (
            None
            if backend_before is None or backend_after is None
            else round(backend_after - backend_before, 2)
        ),
        # The machine may be shared: the 1-minute load average before and after the import.
        "load": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "summary": out.getvalue().strip(),
        "events": CallEvent.objects.count(),
        "calls": QueueCall.objects.count(),
    }


def _copy_calls(
    queue, source, count: int, first: int, day_start: datetime, span_s: float, rng
) -> dict:
    """Append `count` finished calls of today to the queue with COPY; return their tallies."""
    from io import StringIO

    from django.db import connection

    from callfloor.zone import site_zone
    from metrics import formulas

    zone = site_zone()
    buffer = StringIO()
    tallies: dict[datetime, formulas.Tally] = {}
    for n in range(first, first + count):
        offered = day_start + timedelta(seconds=rng.random() * span_s)
        wait = rng.expovariate(1 / 20)
        answered = rng.random() < 0.85
        talk = max(10.0, rng.expovariate(1 / 130)) if answered else None
        facts = formulas.CallFacts(
            "answered" if answered else "abandoned",
            wait,
            4.0 if answered else None,
            talk,
            None,
            15.0 if answered else None,
            answered,
            False,
            False,
        )
        start = formulas.interval_start(
            offered.timestamp(), zone=zone, minutes=queue.interval_minutes
        )
        tallies.setdefault(start, formulas.Tally()).add(
            formulas.contribution(
                facts, threshold=queue.sl_threshold_s, short_abandon=queue.short_abandon_s
            )
        )

        def v(x):
            return "\\N" if x is None else str(x)

        answered_at = offered + timedelta(seconds=wait) if answered else None
        ended = answered_at + timedelta(seconds=talk + 15) if answered else None
        buffer.write(
            "\t".join(
                [
                    str(source.pk),
                    f"snap.{n}",
                    str(queue.pk),
                    "",
                    offered.isoformat(),
                    facts.outcome,
                    v(wait),
                    "PJSIP/1000" if answered else "",
                    "\\N",
                    v(answered_at and answered_at.isoformat()),
                    v(facts.ring_s),
                    v(talk),
                    "\\N",
                    v(facts.acw_s),
                    v(ended and ended.isoformat()),
                    "f",
                    "f",
                    "",
                    offered.isoformat(),
                ]
            )
            + "\n"
        )
    buffer.seek(0)
    with connection.cursor() as cursor:
        cursor.copy_expert(
            "COPY metrics_queuecall (source_id, call_id, queue_id, caller, offered_at, outcome, "
            "wait_s, member, agent_id, answered_at, ring_s, talk_s, hold_s, acw_s, ended_at, "
            "transferred, cut, recording_id, updated_at) FROM STDIN",
            buffer,
        )
    return tallies


def step_snapshot(levels: str) -> dict:
    """Time floor_queue_stats with 10 k, 100 k, 1 M calls of today already in the database."""
    _django()
    import random

    from metrics import formulas
    from metrics.models import Queue, QueueCall, QueueInterval, TelephonySource
    from metrics.selectors import floor_agent_stats, floor_queue_stats

    rng = random.Random(3)
    now = datetime.now(UTC).replace(microsecond=0)
    day_start = now.replace(hour=0, minute=0, second=0)
    span = (now - day_start).total_seconds() - 120
    source, _ = TelephonySource.objects.get_or_create(name="snapshot", kind="simulator")
    queue, _ = Queue.objects.get_or_create(name="snapshot")
    # 1,000 agents with counters for today, and 40 calls waiting now.
    from metrics.models import AgentDay

    AgentDay.objects.bulk_create(
        [
            AgentDay(
                source=source,
                member=f"PJSIP/{1000 + i}",
                day=now.date(),
                answered=200,
                aht_n=200,
                talk_sum=26000.0,
                missed_rings=3,
            )
            for i in range(1000)
        ]
    )
    QueueCall.objects.bulk_create(
        [
            QueueCall(
                source=source,
                call_id=f"wait.{i}",
                queue=queue,
                offered_at=now - timedelta(seconds=5 + 3 * i),
            )
            for i in range(40)
        ]
    )
    totals: dict[datetime, formulas.Tally] = {}
    results = []
    done = 0
    for level in [int(x) for x in levels.split(",")]:
        for start, tally in _copy_calls(
            queue, source, level - done, done, day_start, span, rng
        ).items():
            totals.setdefault(start, formulas.Tally()).add(tally)
        done = level
        QueueInterval.objects.filter(queue=queue).delete()
        QueueInterval.objects.bulk_create(
            [
                QueueInterval(queue=queue, start=start, **t.as_dict(), acw_known=True)
                for start, t in totals.items()
            ]
        )
        from django.db import connection

        with connection.cursor() as cursor:
            cursor.execute("ANALYZE metrics_queuecall")
        timings = []
        for _ in range(100):
            t0 = time.perf_counter()
            stats = floor_queue_stats(queues=[queue], now=now)[queue.pk]
            floor_agent_stats(now=now)
            timings.append(time.perf_counter() - t0)
        # The 40 waiting calls are not in the rollups written here (ingestion would add them).
        assert (stats["offered"], stats["waiting_now"]) == (level, 40), stats["offered"]
        results.append(
            {
                "calls": level,
                "median_ms": statistics.median(timings) * 1000,
                "min_ms": min(timings) * 1000,
                "p95_ms": sorted(timings)[int(len(timings) * 0.95) - 1] * 1000,
            }
        )
    return {"levels": results, "peak_mb": _peak_mb()}


def step_generate(arg: str) -> dict:
    from bench.synthetic import generate_day

    scale = float(arg)
    started = time.perf_counter()
    day = generate_day(
        OUT / "queue_log",
        csv_path=ARRIVALS,
        agents=max(1, round(1000 * scale)),
        target_lines=int(1_500_000 * scale),
    )
    return {**day, "generate_seconds": time.perf_counter() - started}


# Every step runs in a fresh process: a child forked from a big parent would inherit its peak.
STEPS = {
    "generate": step_generate,
    "report": step_report,
    "pandas_count": step_pandas_count,
    "import": step_import,
    "snapshot": step_snapshot,
}


def run_step(name: str, arg: str) -> dict:
    env = dict(os.environ)
    if name == "import" and env.get("REDIS_URL"):
        # As in production: the import queues its floor refresh for the Celery worker rather
        # than computing the 1,000-agent floor itself (`tests.services` makes tasks run
        # in-process by default).
        env["CELERY_TASK_ALWAYS_EAGER"] = "0"
    proc = subprocess.run(
        [sys.executable, "-m", "bench.run", "step", name, arg],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode:
        sys.stderr.write(proc.stdout + proc.stderr)
        raise SystemExit(f"bench step {name} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor(),
    )
    mem = next(
        int(line.split()[1])
        for line in Path("/proc/meminfo").read_text().splitlines()
        if line.startswith("MemTotal")
    )
    return (
        f"{cpu}, {os.cpu_count()} cores, {mem / 1024 / 1024:.0f} GiB RAM, "
        f"Python {platform.python_version()}, {platform.system()} {platform.release()}"
    )


def main(argv: list[str]) -> None:
    if argv[:1] == ["step"]:
        print(json.dumps(STEPS[argv[1]](argv[2])))
        return
    parser = argparse.ArgumentParser()
    parser.add_argument(
        "--scale",
        type=float,
        default=float(os.environ.get("BENCH_SCALE", "1.0")),
        help="1.0 = 1,000 agents and about 1.5 M lines",
    )
    parser.add_argument(
        "--snapshot",
        default=os.environ.get("BENCH_SNAPSHOT", "10000,100000,1000000"),
        help="calls into the day",
    )
    args = parser.parse_args(argv)
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("bench: run through `make bench` (it starts a throwaway PostgreSQL)")

    path = OUT / "queue_log"
    day = run_step("generate", str(args.scale))
    print(f"day: {day}", file=sys.stderr)
    # The day's 87 MB were just written: flushed to disk now, not by the kernel during the
    # report and the count, which read it from the page cache either way.
    os.sync()
    env_ok = subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
        cwd=ROOT,
        check=False,
        env={**os.environ, "DEBUG": "1"},
    )
    if env_ok.returncode:
        raise SystemExit("bench: migrate failed")
    report = run_step("report", str(path))
    print(f"report: {report}", file=sys.stderr)
    pandas_count = run_step("pandas_count", str(path))
    print(f"pandas count: {pandas_count}", file=sys.stderr)
    imported = run_step("import", str(path))
    print(f"import: {imported}", file=sys.stderr)
    snapshot = run_step("snapshot", args.snapshot)
    print(f"snapshot: {snapshot}", file=sys.stderr)
    results = {
        "machine": machine(),
        "scale": args.scale,
        "day": day,
        "report": report,
        "pandas_count": pandas_count,
        "import": imported,
        "snapshot": snapshot,
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "results.json").write_text(json.dumps(results, indent=2))
    print(markdown(results))


def markdown(r: dict) -> str:
    lines_per_s = r["day"]["lines"] / r["import"]["seconds"]
    levels = r["snapshot"]["levels"]
    flat = levels[-1]["median_ms"] / levels[0]["median_ms"]
    flat_min = levels[-1]["min_ms"] / levels[0]["min_ms"]
    out = [
        f"Run {r['when']} at scale {r['scale']} on {r['machine']}.",
        "",
        f"Synthetic day: {r['day']['agents']} agents, {r['day']['lines']:,} lines, "
        f"{r['day']['calls']:,} calls (generated in {r['day']['generate_seconds']:.1f} s).",
        "",
        "| measure | result | target |",
        "|---|---|---|",
        f"| import into PostgreSQL | {lines_per_s:,.0f} lines/s "
        f"({r['import']['seconds']:.1f} s, peak {r['import']['peak_mb']:.0f} MB, load average "
        f"{r['import']['load'][0]:.1f} before, {r['import']['load'][1]:.1f} after) "
        "| ≥ 150,000 lines/s |",
        f"| CPU of the import per line | {_per_line(r['import'])} | |",
        f"| `queue_log_report` of the day | {r['report']['seconds']:.2f} s "
        f"(peak {r['report']['peak_mb']:.0f} MB) | ≤ 30 s |",
        f"| `queue_log_report` ÷ a plain pandas count of the day "
        f"({r['pandas_count']['seconds']:.2f} s) | "
        f"{r['report']['seconds'] / r['pandas_count']['seconds']:.2f} × | ≤ 2 × |",
    ]
    for level in levels:
        out.append(
            f"| live snapshot at {level['calls']:,} calls | {level['median_ms']:.1f} ms "
            f"median (min {level['min_ms']:.1f}, p95 {level['p95_ms']:.1f} ms) | |"
        )
    out.append(
        f"| snapshot at {levels[-1]['calls']:,} / at {levels[0]['calls']:,} | "
        f"{flat:.2f} × (medians), {flat_min:.2f} × (minima) | ≤ 1.5 × |"
    )
    return "\n".join(out)


if __name__ == "__main__":
    main(sys.argv[1:])
