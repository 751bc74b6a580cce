"""`make loadtest`: open boards, a PBX and people working the API at once, for minutes or hours.

    python -m tests.services -- python -m bench.loadtest [--minutes 10] [--boards 200]
        [--rate 100] [--users 50] [--think 3] [--agents 1000] [--queues 40]
        [--socket-processes 2] [--board-processes 1]
        [--sockets separate|shared] [--http daphne|gunicorn]

    (two hours with 1,000 boards: --minutes 120 --boards 1000)

The production path on loopback, as `docker-compose.yml` runs it: gunicorn for the plain HTTP
(API, pages, telephony events; callfloor/wsgi.py, one worker process with 8 threads) and
`--socket-processes` Daphnes for the floor sockets, each on its own port, the boards spread
over them round-robin as the proxy does (`--http daphne`: a Daphne for the HTTP instead;
`--sockets shared`: one Daphne for both), one Celery worker (the coalesced floor refreshes),
Celery beat (the heartbeat), PostgreSQL and Redis (from `tests.services`). Three kinds of load
run together for `--minutes`:

- `--boards` WebSocket boards logged in as a supervisor, in `--board-processes` processes with
  one asyncio loop each (bench/clients.py says exactly what a client does): every board reads
  its own frames and checks its own sequence as the browser does — a delta whose number skips
  is counted as lost (and answered with a resync), one at or below the last applied as out of
  order (a delta already contained in the snapshot the socket just received is counted apart
  and ignored, as the browser does); frames byte-identical across boards are parsed once per
  process; one sample board applies the snapshot and every delta in full, and at the end its
  data must equal a fresh snapshot at the same sequence number;
- a PBX posting `--rate` telephony events a second, 4 POSTs a second (a slow POST makes the
  next batch bigger, as an adapter sends what piled up), each batch ending with a probe (agent
  0's not-ready reason `probe-<n>`); event-to-board latency is from the POST returning to the
  first board frame after which that board's data shows the probe (kept as counts per
  millisecond, so hours of 1,000 boards take little memory);
- `--users` logged-in sessions (supervisors, team leads, QA analysts, admins, agents), each a
  thread that waits an exponential think time (mean `--think` s) and does what its role does:
  the floor snapshot, reports, evaluations, appeals, handovers, complaints, schedules; and some
  writes with the CSRF token (complaints and help requests by agents, broadcasts by
  supervisors, notifications marked read).

Every 5 s the CPU and memory of each process are read from /proc (each socket process on its
own; PostgreSQL: the postmaster and its backends, proportional set size summed, so shared
buffers count once). Memory is called flat when, for every server process (each socket process
judged on its own), the median RSS of the run's last third exceeds that of its middle third by
less than 1 MB per minute between them (the first third is warm-up; see `memory_trend`).
Results go to var/loadtest/results.json and print as Markdown.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import json
import os
import random
import secrets
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import urlsplit

from bench import board as bench_board

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "loadtest"
SAMPLE_EVERY_S = 5.0
FLAT_MB_PER_MIN = 1.0
PASSWORD = secrets.token_urlsafe(12)

# -- the people ---------------------------------------------------------------------------------

# Role: its share of the `--users` sessions, out of 50 (about the people of a real floor).
MIX = {"supervisor": 5, "team_lead": 10, "qa_analyst": 6, "admin": 2, "agent": 27}


def setup_people(users: int) -> dict:
    """Demo data for the API (evaluations, appeals, handovers, schedules) and `users` sessions."""
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from agents import services
    from agents.models import Agent, Team
    from agents.roles import Role
    from qa.complaints.models import Category

    os.environ.setdefault("CALLFLOOR_DEMO_PASSWORD", PASSWORD)
    for command in ("seed_demo", "seed_quality_demo", "seed_scheduling_demo"):
        call_command(command, stdout=open(os.devnull, "w"))  # noqa: SIM115
    User = get_user_model()
    total = sum(MIX.values())
    counts = {role: max(1, round(users * n / total)) for role, n in MIX.items()}
    counts["agent"] += users - sum(counts.values())
    demo_agents = list(
        Agent.objects.filter(employee_number__startswith="E")
        .select_related("user")
        .order_by("employee_number")
    )
    leads = [t.lead for t in Team.objects.filter(lead__isnull=False).select_related("lead")]
    sessions = []
    for role, count in counts.items():
        for n in range(count):
            if role == "agent":
                user = demo_agents[n % len(demo_agents)].user
            elif role == "team_lead" and n < len(leads):
                user = leads[n]
            elif role == "team_lead":
                user = User.objects.filter(username=f"load-lead-{n}").first()
                if user is None:
                    user = services.user_create(
                        username=f"load-lead-{n}", password=None, roles=[Role.TEAM_LEAD]
                    )
                    Team.objects.filter(
                        pk=Team.objects.filter(lead__isnull=True).order_by("pk").values("pk")[:1]
                    ).update(lead=user)
            else:
                username = f"load-{role}-{n}"
                user = User.objects.filter(username=username).first() or services.user_create(
                    username=username, password=None, roles=[Role(role)]
                )
            client = Client()
            client.force_login(user)
            sessions.append(
                {
                    "role": role,
                    "username": user.username,
                    "agent": getattr(getattr(user, "agent", None), "pk", None),
                    "team": Team.objects.filter(lead=user).values_list("pk", flat=True).first(),
                    "session": client.cookies[settings.SESSION_COOKIE_NAME].value,
                }
            )
    from metrics.models import Queue

    team = Team.objects.filter(name="Billing").first()
    return {
        "queue": Queue.objects.filter(name="billing").values_list("pk", flat=True).first(),
        "sessions": sessions,
        "cookie_name": settings.SESSION_COOKIE_NAME,
        "category": Category.objects.filter(active=True).values_list("pk", flat=True).first(),
        "team": team.pk if team else None,
        "agent": demo_agents[0].pk if demo_agents else None,
    }


def _today() -> str:
    return datetime.now(UTC).date().isoformat()


def actions(role: str, people: dict, me: dict) -> list[tuple[int, str, str, str, dict | None]]:
    """(weight, group, method, path, body) of what someone in `role` does."""
    day = _today()
    team, agent = me.get("team") or people["team"], me["agent"] or people["agent"]
    floor = [(6, "floor", "GET", "/api/floor/snapshot/", None)]
    mine = [
        (2, "people", "GET", "/api/me/", None),
        (2, "people", "GET", "/api/notifications/", None),
        (1, "write", "POST", "/api/notifications/read/", {}),
    ]
    complaints = [
        (3, "complaints", "GET", "/api/complaints/?open=1", None),
        (1, "complaints", "GET", "/api/complaints/categories/", None),
    ]
    if role == "supervisor":
        return [
            *floor,
            *mine,
            *complaints,
            (3, "reports", "GET", f"/api/reports/queues/?start={day}&end={day}", None),
            (2, "reports", "GET", f"/api/reports/site/?start={day}&end={day}", None),
            (1, "complaints", "GET", "/api/live-escalations/", None),
            (1, "people", "GET", "/api/agents/", None),
            (1, "scheduling", "GET", f"/api/staffing/?queue={people['queue']}&day={day}", None),
            (1, "scheduling", "GET", "/api/handovers/", None),
            (1, "page", "GET", "/floor/", None),
            (
                1,
                "write",
                "POST",
                "/api/floor/broadcasts/",
                {"text": "Queue billing is busy: finish wrap-up quickly", "expires_at": "+120"},
            ),
        ]
    if role == "team_lead":
        return [
            *floor,
            *mine,
            *complaints,
            (3, "qa", "GET", "/api/qa/evaluations/", None),
            (3, "scheduling", "GET", "/api/handovers/", None),
            (1, "scheduling", "GET", "/api/handovers/open-cases/", None),
            (2, "reports", "GET", f"/api/reports/teams/{team}/?start={day}&end={day}", None),
            (1, "scheduling", "GET", f"/api/attendance/?team={team}&day={day}", None),
            (1, "scheduling", "GET", "/api/swaps/", None),
            (1, "page", "GET", "/handovers/", None),
        ]
    if role == "qa_analyst":
        return [
            *mine,
            *complaints,
            (5, "qa", "GET", "/api/qa/evaluations/", None),
            (2, "qa", "GET", "/api/qa/appeals/", None),
            (1, "qa", "GET", "/api/qa/stats/", None),
            (1, "qa", "GET", "/api/qa/calibration/", None),
            (1, "qa", "GET", "/api/qa/scorecards/", None),
            (1, "qa", "GET", "/api/qa/sampling-rules/", None),
            (1, "page", "GET", "/qa/worklist/", None),
        ]
    if role == "admin":
        return [
            *mine,
            (2, "people", "GET", "/api/agents/", None),
            (1, "people", "GET", "/api/teams/", None),
            (2, "reports", "GET", f"/api/reports/site/?start={day}&end={day}", None),
            (1, "reports", "GET", f"/api/reports/agents/{agent}/?start={day}&end={day}", None),
            (1, "complaints", "GET", "/api/complaints/reports/", None),
        ]
    return [
        *mine,
        (3, "qa", "GET", "/api/qa/evaluations/", None),
        (1, "qa", "GET", "/api/qa/appeals/", None),
        (2, "scheduling", "GET", f"/api/shifts/?week={day}", None),
        (1, "scheduling", "GET", "/api/swaps/", None),
        (1, "scheduling", "GET", "/api/leave/", None),
        (1, "scheduling", "GET", "/api/briefings/", None),
        (1, "complaints", "GET", "/api/complaints/", None),
        (2, "reports", "GET", f"/api/reports/agents/{agent}/?start={day}&end={day}", None),
        (1, "page", "GET", "/floor/me/", None),
        (1, "write", "POST", "/api/floor/help-requests/", {"reason": "technical"}),
        (
            1,
            "write",
            "POST",
            "/api/complaints/",
            {
                "customer_name": "Load Test Customer",
                "customer_contact": "load@example.invalid",
                "category": people["category"],
                "description": "The customer was charged twice for one transfer.",
            },
        ),
    ]


class Session:
    """One person's browser: a session cookie, the CSRF cookie, keep-alive-free urllib."""

    def __init__(self, base: str, cookie_name: str, me: dict) -> None:
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        host = urlsplit(base).hostname
        self.jar.set_cookie(_cookie(cookie_name, me["session"], host))
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def csrf(self) -> str:
        return next((c.value for c in self.jar if c.name == "csrftoken"), "")

    def request(self, method: str, path: str, body: dict | None = None) -> tuple[int, bytes]:
        headers = {"Accept": "application/json"}
        data = None
        if method != "GET":
            headers.update(
                {
                    "Content-Type": "application/json",
                    "X-CSRFToken": self.csrf(),
                    "Origin": self.base,
                    "Referer": self.base + "/",
                }
            )
            data = json.dumps(body or {}).encode()
        request = urllib.request.Request(  # noqa: S310 - loopback
            self.base + path, data=data, method=method, headers=headers
        )
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()


def _cookie(name: str, value: str, host: str) -> http.cookiejar.Cookie:
    return http.cookiejar.Cookie(
        0, name, value, None, False, host, False, False, "/", True, False, None, False, None,
        None, {},
    )  # fmt: skip


def user_loop(base: str, people: dict, me: dict, until: float, think: float, seed: int, out):
    """One person until `until` (monotonic): think, act, record (t, group, method, status, s)."""
    rng = random.Random(seed)
    session = Session(base, people["cookie_name"], me)
    status, _ = session.request("GET", "/")  # the home page sets the CSRF cookie
    if status != 200 or not session.csrf():
        out.append((time.monotonic(), "login", "GET", status, 0.0, "/"))
        return
    menu = actions(me["role"], people, me)
    weights = [w for w, *_ in menu]
    time.sleep(rng.uniform(0, think))  # not everyone starts at once
    while time.monotonic() < until:
        _, group, method, path, body = rng.choices(menu, weights)[0]
        if body and str(body.get("expires_at", "")).startswith("+"):
            ahead = timedelta(seconds=int(body["expires_at"][1:]))
            body = {**body, "expires_at": (datetime.now(UTC) + ahead).isoformat()}
        started = time.monotonic()
        try:
            status, content = session.request(method, path, body)
        except OSError:
            status, content = 0, b""
        out.append((started, group, method, status, time.monotonic() - started, path))
        if path == "/api/floor/help-requests/" and status == 201:
            # The agent withdraws it a little later, as people do once helped.
            ident = json.loads(content)["id"]
            time.sleep(rng.uniform(1, 3))
            started = time.monotonic()
            path = f"/api/floor/help-requests/{ident}/cancel/"
            status, _ = session.request("POST", path, {})
            out.append((started, "write", "POST", status, time.monotonic() - started, path))
        time.sleep(rng.expovariate(1 / think))


def users_main(config: dict, until_wall: float, result_path: str) -> None:
    """All the people, one thread each; their requests to `result_path` at the end."""
    until = time.monotonic() + (until_wall - time.time())
    base = f"http://127.0.0.1:{config['port']}"
    people = config["people"]
    records: list = []
    threads = [
        threading.Thread(
            target=user_loop,
            args=(base, people, me, until, config["think"], n, records),
            daemon=True,
        )
        for n, me in enumerate(people["sessions"])
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=max(1.0, until - time.monotonic()) + 90)
    Path(result_path).write_text(json.dumps(records))


# -- the PBX ------------------------------------------------------------------------------------


def pbx_main(floor: dict, port: int, *, rate: float, seconds: float, sim, out) -> None:
    """A PBX adapter: 4 POSTs a second, each with every event due since the last one.

    The simulator's calls, topped up with agent status changes to `rate` events a second, and
    a probe last in each batch; when a POST is slow the next batch is bigger (up to the API's
    1,000), as an adapter sends what piled up. (probe, accepted at, events) go to `out`.
    """
    url = f"http://127.0.0.1:{port}/api/telephony/events"
    rng = random.Random(7)
    members, probe_member = floor["members"][1:], floor["members"][0]
    sim.prefix = "pbx"
    begin = time.monotonic()
    backlog: list[dict] = []
    sent = n = counter = 0
    try:
        while (elapsed := time.monotonic() - begin) < seconds:
            time.sleep(max(0.0, n / 4 - elapsed))
            backlog += sim.advance(time.time())
            due = max(1, min(1000, round(rate * (time.monotonic() - begin)) - sent))
            events, backlog = backlog[: due - 1], backlog[due - 1 :]
            while len(events) < due - 1:
                counter += 1
                status = (
                    {"status": "available"}
                    if rng.random() < 0.5
                    else {"status": "not_ready", "reason": rng.choice(["Break", "Meeting"])}
                )
                events.append(
                    bench_board._event(
                        counter, "agent_status", member=rng.choice(members), **status
                    )
                )
            counter += 1
            events.append(
                bench_board._event(
                    counter,
                    "agent_status",
                    member=probe_member,
                    status="not_ready",
                    reason=f"probe-{n}",
                )
            )
            out.put((n, bench_board._post(url, floor["token"], events), len(events)))
            sent += len(events)
            n += 1
    finally:
        out.put(None)


# -- the boards ---------------------------------------------------------------------------------


def drive(config: dict) -> dict:
    """Boards open, then the PBX and the people for the run; the figures of all three."""
    import multiprocessing

    from bench.clients import Fleets

    floor, port = config["floor"], config["port"]
    fleets = Fleets(
        ports=config["ws_ports"],
        cookie=floor["cookie"],
        probe=floor["probe"],
        boards=config["boards"],
        processes=config["board_processes"],
    )
    opened_in = fleets.wait_open()
    print(f"loadtest: {config['boards']} boards open in {opened_in:.1f} s", file=sys.stderr)
    seconds = config["minutes"] * 60
    context = multiprocessing.get_context("fork")
    out = context.Queue()
    load_started_wall = time.time()
    Path(config["marks"]).write_text(json.dumps({"load_started": load_started_wall}))
    users = context.Process(
        target=users_main,
        args=(config, load_started_wall + seconds, config["users_result"]),
    )
    users.start()
    sender = context.Process(
        target=pbx_main,
        args=(floor, port),
        kwargs={"rate": config["rate"], "seconds": seconds, "sim": config["sim"], "out": out},
    )
    sender.start()
    board_pids = fleets.pids
    names = (
        ["boards"] if len(board_pids) == 1 else [f"boards-{k + 1}" for k in range(len(board_pids))]
    )
    Path(config["pids_file"]).write_text(
        json.dumps(
            {
                **dict(zip(names, board_pids, strict=True)),
                "load driver": os.getpid(),
                "pbx": sender.pid,
                "users": users.pid,
            }
        )
    )
    probes = events = 0
    while (item := out.get()) is not None:
        probe, at, size = item
        fleets.accept(probe, at)
        probes, events = probes + 1, events + size
    sender.join()
    users.join()
    time.sleep(3)  # the last pushes
    b = fleets.finish()
    return {
        "boards": b["boards"],
        "socket_processes": len(config["ws_ports"]),
        "board_processes": len(board_pids),
        "boards_open_at_end": b["open_at_end"],
        "boards_closed_by": b["closed_by"],
        "events": events,
        "seconds": seconds,
        "rate": events / seconds,
        "probes": probes,
        "board_latency": b["latency"],
        "board_latency_by_minute": b["latency_by_minute"],
        "probes_missing": b["missing"],
        "lost": b["lost"],
        "gaps": b["gaps"],
        "out_of_order": b["out_of_order"],
        "already_in_snapshot": b["already_in_snapshot"],
        "snapshots_after_open": b["snapshots_after_open"],
        "messages": b["messages"],
        "frames_parsed": b["frames_parsed"],
        "boards_cpu_us_per_message": b["cpu_us_per_message"],
        "sample_check": b["sample_check"],
        "pushes": b["pushes"],
    }


def drive_main(config_path: str) -> None:
    """The load's own process (no Django): history, then boards, PBX and people."""
    config = json.loads(Path(config_path).read_text())
    floor, port = config["floor"], config["port"]
    sim, history = bench_board.floor_history(config, prefix="history")
    for start in range(0, len(history), 1000):
        bench_board._post(
            f"http://127.0.0.1:{port}/api/telephony/events",
            floor["token"],
            history[start : start + 1000],
        )
    print(f"loadtest: {len(history)} events of history posted", file=sys.stderr)
    config["sim"] = sim
    result = drive(config)
    records = json.loads(Path(config["users_result"]).read_text())
    result["api"] = api_summary(records)
    print(json.dumps(result))


def _quantiles(values: list[float]) -> dict:
    if len(values) < 2:
        return {"n": len(values), "p50_ms": None, "p95_ms": None, "p99_ms": None}
    q = statistics.quantiles(values, n=100)
    return {
        "n": len(values),
        "p50_ms": 1000 * q[49],
        "p95_ms": 1000 * q[94],
        "p99_ms": 1000 * q[98],
        "max_ms": 1000 * max(values),
    }


def api_summary(records: list) -> dict:
    groups: dict[str, list] = {}
    refused: dict[str, int] = {}
    for _, group, method, status, seconds, path in records:
        groups.setdefault(group, []).append((status, seconds))
        if status >= 400 or status == 0:
            key = f"{method} {path.split('?')[0]} → {status}"
            refused[key] = refused.get(key, 0) + 1
    summary = {}
    for group, rows in sorted(groups.items()):
        summary[group] = {
            **_quantiles([s for _, s in rows]),
            "requests": len(rows),
            "5xx": sum(1 for status, _ in rows if status >= 500),
            "4xx": sum(1 for status, _ in rows if 400 <= status < 500),
            "failed": sum(1 for status, _ in rows if status == 0),
        }
    total = len(records)
    first = min((r[0] for r in records), default=0.0)
    last = max((r[0] for r in records), default=0.0)
    summary["all"] = {
        **_quantiles([r[4] for r in records]),
        "requests": total,
        "per_s": total / (last - first) if last > first else 0.0,
        "5xx": sum(1 for r in records if r[3] >= 500),
        "4xx": sum(1 for r in records if 400 <= r[3] < 500),
        "failed": sum(1 for r in records if r[3] == 0),
        "refused": refused,
    }
    return summary


# -- processes and their use of the machine -------------------------------------------------------


def _children(pid: int) -> list[int]:
    found = []
    for proc in Path("/proc").iterdir():
        if proc.name.isdigit():
            try:
                stat = (proc / "stat").read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            if int(stat[1]) == pid:
                found.append(int(proc.name))
    return found


def _cpu_s(pid: int, *, reaped: bool = False) -> float:
    """CPU seconds of `pid` (with `reaped`: also of its children that have exited)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12])
    if reaped:
        ticks += int(fields[13]) + int(fields[14])
    return ticks / bench_board.Usage.TICK


def _mem_mb(pid: int, field: str) -> float:
    path = Path(f"/proc/{pid}/smaps_rollup" if field == "Pss" else f"/proc/{pid}/status")
    for line in path.read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


class Sampler(threading.Thread):
    """CPU (% of one core since the last sample) and memory of each process every 5 s."""

    def __init__(self, pids: dict[str, int], groups: dict[str, int]) -> None:
        super().__init__(daemon=True)
        self.pids = dict(pids)  # one process each: RSS
        self.groups = dict(groups)  # a process and its children (PostgreSQL): PSS summed
        self.samples: list[dict] = []
        self.stop = threading.Event()
        self._last: dict[str, tuple[float, float]] = {}

    def add(self, pids: dict[str, int]) -> None:
        self.pids.update(pids)

    def _measure(self, name: str, pids: list[int], field: str, now: float) -> dict | None:
        group = field == "Pss"
        cpu = mem = 0.0
        alive = False
        for pid in pids:
            try:
                # A group's parent also counts its exited children (one backend a request).
                cpu += _cpu_s(pid, reaped=group and pid == pids[0])
                mem += _mem_mb(pid, field)
                alive = True
            except (OSError, IndexError, ValueError):
                continue
        if not alive:
            return None
        last = self._last.get(name)
        self._last[name] = (now, cpu)
        pct = 100 * (cpu - last[1]) / (now - last[0]) if last and now > last[0] else None
        return {"cpu_pct": pct, "mem_mb": mem}

    def run(self) -> None:
        while not self.stop.is_set():
            now = time.monotonic()
            sample = {"t": time.time(), "processes": {}}
            for name, pid in list(self.pids.items()):
                m = self._measure(name, [pid], "VmRSS", now)
                if m:
                    sample["processes"][name] = m
            for name, pid in self.groups.items():
                m = self._measure(name, [pid, *_children(pid)], "Pss", now)
                if m:
                    sample["processes"][name] = m
            self.samples.append(sample)
            self.stop.wait(SAMPLE_EVERY_S)


def memory_trend(points: list[tuple[float, float]], start: float, end: float) -> dict:
    """How a process's memory moved after the warm-up, from (time s, MB) samples of the run.

    The first third is warm-up (caches, pools, buffers reaching their working size). The trend
    is the median of the last third less the median of the middle third, per minute between
    the two thirds' centres: a leak of x MB a minute shows as x whatever the noise, while a
    transient peak (a big request's buffers, given back) moves no median. A step that stays
    (a higher floor the memory no longer falls below) counts as growth. The least-squares
    slope over the second half is reported beside it.
    """
    third = (end - start) / 3
    middle = [mb for t, mb in points if start + third <= t < start + 2 * third]
    last = [mb for t, mb in points if start + 2 * third <= t <= end]
    trend = None
    if len(middle) >= 3 and len(last) >= 3 and third > 0:
        trend = (statistics.median(last) - statistics.median(middle)) / (third / 60)
    half = start + (end - start) / 2
    return {
        "trend_mb_per_min": trend,
        "slope_second_half_mb_per_min": _slope(
            [((t - start) / 60, mb) for t, mb in points if t >= half]
        ),
        "flat": trend is not None and trend < FLAT_MB_PER_MIN,
    }


def _slope(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (minutes, MB) points, MB per minute."""
    if len(points) < 3:
        return None
    mx = statistics.fmean(x for x, _ in points)
    my = statistics.fmean(y for _, y in points)
    den = sum((x - mx) ** 2 for x, _ in points)
    return sum((x - mx) * (y - my) for x, y in points) / den if den else None


# PostgreSQL is reported but not judged: its shared buffers fill as the tables grow.
SERVERS = (
    "daphne",
    "gunicorn",
    "gunicorn-master",
    "daphne-sockets",
    "worker",
    "worker-tasks",
    "beat",
    "redis",
)


def judged(name: str) -> bool:
    """Whether a process's memory is judged: the servers, every socket process among them."""
    return name in SERVERS or name.startswith("daphne-sockets-")


def usage_summary(samples: list[dict], start: float, end: float) -> dict:
    """Per process: mean/max CPU, memory at start, end and peak, slope over the second half."""
    names = sorted({n for s in samples for n in s["processes"]})
    result = {}
    for name in names:
        series = [
            (s["t"], s["processes"][name])
            for s in samples
            if name in s["processes"] and start <= s["t"] <= end
        ]
        if not series:
            continue
        cpu = [m["cpu_pct"] for _, m in series if m["cpu_pct"] is not None]
        mem = [(t, m["mem_mb"]) for t, m in series]
        first_minute = [mb for t, mb in mem if t < start + 60] or [mem[0][1]]
        last_minute = [mb for t, mb in mem if t > end - 60] or [mem[-1][1]]
        trend = memory_trend(mem, start, end)
        result[name] = {
            "cpu_mean_pct": statistics.fmean(cpu) if cpu else None,
            "cpu_max_pct": max(cpu) if cpu else None,
            "mem_first_minute_mb": statistics.fmean(first_minute),
            "mem_last_minute_mb": statistics.fmean(last_minute),
            "mem_peak_mb": max(mb for _, mb in mem),
            "mem_trend_mb_per_min": trend["trend_mb_per_min"],
            "mem_slope_second_half_mb_per_min": trend["slope_second_half_mb_per_min"],
            "mem_flat": trend["flat"],
            "memory": "PSS, summed" if name == "postgresql" else "RSS",
        }
    flat = {name: p["mem_flat"] for name, p in result.items() if judged(name)}
    return {"processes": result, "memory_flat": flat}


# -- the run ------------------------------------------------------------------------------------


def main(argv: list[str]) -> int:
    if argv[:1] == ["drive"]:
        drive_main(argv[1])
        return 0
    parser = argparse.ArgumentParser(prog="loadtest")
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--rate", type=float, default=100, help="telephony events per second")
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--think", type=float, default=3.0, help="mean think time, seconds")
    parser.add_argument("--agents", type=int, default=1000)
    parser.add_argument("--queues", type=int, default=40)
    parser.add_argument(
        "--warmup",
        type=float,
        help="minutes of history (default: 10 at 1,000 agents, 10 × 1,000 / agents above)",
    )
    parser.add_argument(
        "--sockets",
        choices=("separate", "shared"),
        default="separate",
        help="serve the board sockets from Daphnes of their own (separate, as in production) "
        "or from the one that serves the API",
    )
    parser.add_argument(
        "--socket-processes",
        type=int,
        default=2,
        help="Daphne processes serving the board sockets (each on its own port; the boards "
        "are spread over them round-robin, as the proxy does)",
    )
    parser.add_argument(
        "--board-processes",
        type=int,
        default=1,
        help="processes running the board clients (one asyncio loop each)",
    )
    parser.add_argument(
        "--http",
        choices=("daphne", "gunicorn"),
        help="the server of the plain HTTP (API, pages, telephony events): gunicorn with the "
        "sockets on Daphne (as in production; the default), or Daphne (the default with "
        "--sockets shared)",
    )
    args = parser.parse_args(argv)
    if args.http is None:
        args.http = "daphne" if args.sockets == "shared" else "gunicorn"
    if args.http == "gunicorn" and args.sockets == "shared":
        parser.error("--http gunicorn serves no sockets: use --sockets separate")
    if args.socket_processes < 1 or args.board_processes < 1 or args.boards < 1:
        parser.error("--socket-processes, --board-processes and --boards take 1 or more")
    if not os.environ.get("REDIS_URL") or not os.environ.get("DATABASE_URL"):
        raise SystemExit("loadtest: run through `make loadtest` (PostgreSQL and Redis)")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(32))
    bench_board._django()
    from metrics.management.commands.simulate_floor import DEFAULT_PROFILE, _shared

    OUT.mkdir(parents=True, exist_ok=True)
    bench_board.OUT = OUT  # the servers' logs and beat schedule go beside the results
    load_before = os.getloadavg()
    print(f"loadtest: a floor of {args.agents} agents, {args.queues} queues", file=sys.stderr)
    floor = bench_board.setup_floor(args.agents, args.queues)
    # The probe agent's not-ready reason is new with every batch (`probe-<n>`, 2,400 of them
    # in ten minutes); a floor's reasons are a short list. In a team, each would become a
    # column of that team's report for every agent (4.5 MB of JSON by the end of a run, and
    # growing): out of the teams, the probe still shows on every board.
    from agents.models import Agent

    Agent.objects.filter(pk=int(floor["probe"].removeprefix("a"))).update(team=None)
    people = setup_people(args.users)
    port = bench_board._free_port()
    ws_ports = (
        [bench_board._free_port() for _ in range(args.socket_processes)]
        if args.sockets == "separate"
        else []
    )
    processes = bench_board.start_processes(port, ws_ports, http=args.http)
    sampler = None
    try:
        bench_board._wait_http(f"http://127.0.0.1:{port}/healthz")
        for on in ws_ports:
            bench_board._wait_http(f"http://127.0.0.1:{on}/healthz")
        pids = {name: p.pid for name, p in processes.items()}
        if args.http == "gunicorn":
            # The master only watches; the worker serves (its RSS compares with Daphne's).
            pids["gunicorn-master"] = pids.pop("gunicorn")
            workers = _children(pids["gunicorn-master"])
            if len(workers) != 1:
                raise SystemExit(f"loadtest: expected one gunicorn worker, found {workers}")
            pids["gunicorn"] = workers[0]
        redis_pid = bench_board._pid_listening(int(urlsplit(os.environ["REDIS_URL"]).port))
        if redis_pid:
            pids["redis"] = redis_pid
        groups = {}
        pgdata = os.environ.get("CALLFLOOR_TEST_PGDATA")
        if pgdata and Path(pgdata, "postmaster.pid").exists():
            groups["postgresql"] = int(Path(pgdata, "postmaster.pid").read_text().split()[0])
        config = {
            "floor": floor,
            "people": people,
            "port": port,
            "ws_ports": ws_ports or [port],
            "board_processes": args.board_processes,
            "minutes": args.minutes,
            "boards": args.boards,
            "rate": args.rate,
            "think": args.think,
            "warmup": args.warmup if args.warmup is not None else 10 * min(1.0, 1000 / args.agents),
            "profile": str(_shared(DEFAULT_PROFILE)),
            "users_result": str(OUT / "users.json"),
            "pids_file": str(OUT / "load-pids.json"),
            "marks": str(OUT / "marks.json"),
        }
        for stale in ("pids_file", "marks"):
            Path(config[stale]).unlink(missing_ok=True)
        (OUT / "config.json").write_text(json.dumps(config))
        sampler = Sampler(pids, groups)
        sampler.start()
        drive = subprocess.Popen(
            [sys.executable, "-m", "bench.loadtest", "drive", str(OUT / "config.json")],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            text=True,
        )
        pids_file = Path(config["pids_file"])
        while drive.poll() is None and not pids_file.exists():
            time.sleep(0.5)
        if pids_file.exists():
            sampler.add(json.loads(pids_file.read_text()))
        out, _ = drive.communicate()
        if drive.returncode:
            raise SystemExit("loadtest: the load process failed")
        result = json.loads(out.strip().splitlines()[-1])
    finally:
        if sampler:
            sampler.stop.set()
        for process in processes.values():
            process.terminate()
        for process in processes.values():
            process.wait(timeout=30)
    start = json.loads(Path(config["marks"]).read_text())["load_started"]
    end = start + args.minutes * 60
    from bench.run import machine

    run = {
        "when": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": machine(),
        "load_average_before": load_before,
        "load_average_after": os.getloadavg(),
        "command": "make loadtest" + (f' LOADTEST_ARGS="{" ".join(argv)}"' if argv else ""),
        "settings": vars(args),
        "result": result,
        "usage": usage_summary(sampler.samples, start, end),
        "samples": sampler.samples,
    }
    run["passed"] = {
        "no board message lost or out of order": result["lost"] == 0
        and result["out_of_order"] == 0
        and result["probes_missing"] == 0,
        "every board open to the end": result["boards_open_at_end"] == result["boards"],
        "the sample board's data equals a fresh snapshot": bool(
            (result.get("sample_check") or {}).get("equal")
        ),
        "no 5xx": result["api"].get("all", {}).get("5xx", 0) == 0,
        "memory flat": all(run["usage"]["memory_flat"].values()),
    }
    (OUT / "results.json").write_text(json.dumps(run, indent=2))
    print(markdown(run))
    return 0 if all(run["passed"].values()) else 1


def _ms(value) -> str:
    return "–" if value is None else f"{value:,.0f} ms"


def _num(value, unit: str = "", digits: int = 0) -> str:
    return "–" if value is None else f"{value:,.{digits}f}{unit}"


def _check(check: dict | None) -> str:
    if not check:
        return "not checked"
    if check.get("equal"):
        return f"yes (at sequence {check['seq']})"
    return f"NO: {check.get('sections_differing') or check.get('reason')}"


def markdown(run: dict) -> str:
    r, s = run["result"], run["settings"]
    la = " / ".join(f"{x:.2f}" for x in run["load_average_before"])
    lb = " / ".join(f"{x:.2f}" for x in run["load_average_after"])
    lat = r["board_latency"]
    out = [
        f"Run {run['when']} on {run['machine']}; `{run['command']}`; load average before "
        f"{la}, after {lb}.",
        "",
        f"{s['minutes']:g} minutes: {r['boards']} boards on {r['socket_processes']} socket "
        f"process(es), {r['rate']:.1f} telephony events/s "
        f"({r['events']:,} events, target {s['rate']:g}), {s['users']} API users "
        f"({run['result']['api'].get('all', {}).get('per_s', 0):.1f} requests/s); a floor of "
        f"{s['agents']} agents and {s['queues']} queues.",
        "",
        "| check | result |",
        "|---|---|",
        f"| board messages lost (sequence gaps) | {r['lost']} |",
        f"| board messages out of order | {r['out_of_order']} |",
        f"| deltas already in the snapshot just received (ignored) | {r['already_in_snapshot']} |",
        f"| probes never shown (of {r['probes']:,} × {r['boards']} boards) | "
        f"{r['probes_missing']:,} |",
        f"| boards still open at the end | {r['boards_open_at_end']} of {r['boards']} |",
        f"| the sample board's data (every delta applied) equals a fresh snapshot | "
        f"{_check(r.get('sample_check'))} |",
        f"| boards' CPU a frame received ({r['board_processes']} process(es), "
        f"{r['frames_parsed']:,} distinct frames parsed of {r['messages']:,}) | "
        f"{_num(r.get('boards_cpu_us_per_message'), ' µs')} |",
        f"| API 5xx | {r['api'].get('all', {}).get('5xx', 0)} |",
        f"| event → board latency p50 / p95 / p99 / max | {_ms(lat['p50_ms'])} / "
        f"{_ms(lat['p95_ms'])} / {_ms(lat['p99_ms'])} / {_ms(lat.get('max_ms'))} |",
        "",
        "| API group | requests | p50 | p95 | p99 | 4xx | 5xx | failed |",
        "|---|---|---|---|---|---|---|---|",
    ]
    for group, g in r["api"].items():
        out.append(
            f"| {group} | {g['requests']:,} | {_ms(g['p50_ms'])} | {_ms(g['p95_ms'])} | "
            f"{_ms(g['p99_ms'])} | {g['4xx']} | {g['5xx']} | {g['failed']} |"
        )
    refused = r["api"].get("all", {}).get("refused") or {}
    if refused:
        out += ["", "Refused or failed: " + "; ".join(f"{k} × {n}" for k, n in refused.items())]
    if r.get("boards_closed_by"):
        out += ["", "Boards closed by the server with: " + ", ".join(r["boards_closed_by"])]
    out += [
        "",
        "| process | CPU mean (max) | memory first min | last min | peak | "
        "trend, last vs middle third | slope, 2nd half | flat |",
        "|---|---|---|---|---|---|---|---|",
    ]
    flat = run["usage"]["memory_flat"]
    for name, p in run["usage"]["processes"].items():
        kind = " (PSS)" if name == "postgresql" else ""
        out.append(
            f"| {name} | {_num(p['cpu_mean_pct'], ' %')} ({_num(p['cpu_max_pct'], ' %')}) | "
            f"{_num(p['mem_first_minute_mb'], ' MB')}{kind} | "
            f"{_num(p['mem_last_minute_mb'], ' MB')} | {_num(p['mem_peak_mb'], ' MB')} | "
            f"{_num(p['mem_trend_mb_per_min'], ' MB/min', 2)} | "
            f"{_num(p['mem_slope_second_half_mb_per_min'], ' MB/min', 2)} | "
            f"{'yes' if flat.get(name) else ('no' if name in flat else '')} |"
        )
    out += ["", "| event → board latency, by minute | p50 | p95 | p99 |", "|---|---|---|---|"]
    for minute, q in r["board_latency_by_minute"].items():
        out.append(
            f"| {int(minute) + 1} | {_ms(q['p50_ms'])} | {_ms(q['p95_ms'])} | {_ms(q['p99_ms'])} |"
        )
    out += [
        "",
        "Passed: " + ", ".join(f"{k}: {'yes' if v else 'NO'}" for k, v in run["passed"].items()),
    ]
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
