"""`make bench-recordings`: a 30-minute recording streamed, the serving process's peak memory.

    python -m tests.services -- python -m bench.recordings [--minutes 30] [--rate 8000]
        [--servers gunicorn,daphne] [--parallel 4]

Writes a stereo 16-bit WAV of `--minutes` at `--rate` Hz (30 minutes at 8 kHz: 57.6 MB, as a
two-channel MixMonitor writes it) into a directory store, and serves the product as production
does (gunicorn, one gthread worker with 8 threads, callfloor/wsgi.py) and as `make demo` does
(Daphne, callfloor/asgi.py), each with production's malloc settings. For each server: a warm-up
(a page, a small range), then the whole file once, then `--parallel` listeners at once, each
reading the whole file, then seeks (ranges from the middle and the end). The server process's
RSS is sampled every 10 ms and its peak (VmHWM) read before and after; the recording counts as
streamed with flat memory when the peak grows by less than `--limit-mb` (default 16 MB), far
below the file's size, whatever the file's length. Results: stdout and var/bench/recordings.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
import urllib.request
import wave
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "var" / "bench"
MALLOC_ENV = {"MALLOC_ARENA_MAX": "2", "MALLOC_MMAP_THRESHOLD_": "131072"}


def _django() -> None:
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")
    import django

    django.setup()


def write_wav(path: Path, *, minutes: float, rate: int) -> int:
    """A long two-voice recording, written a minute at a time (the bench itself stays small)."""
    from metrics.recordings import demo

    path.parent.mkdir(parents=True, exist_ok=True)
    minute = demo.conversation(seconds=60, seed=1)
    if rate != demo.RATE:
        import numpy as np

        index = (np.arange(int(60 * rate)) * demo.RATE / rate).astype(int)
        minute = minute[index]
    with wave.open(str(path), "wb") as out:
        out.setnchannels(2)
        out.setsampwidth(2)
        out.setframerate(rate)
        whole, part = divmod(minutes, 1)
        for _ in range(int(whole)):
            out.writeframes(minute.tobytes())
        out.writeframes(minute[: int(part * 60 * rate)].tobytes())
    return path.stat().st_size


def setup(directory: Path, minutes: float, rate: int) -> dict:
    """A source with a directory store, one answered call with its recording, and a session."""
    from datetime import timedelta

    from django.conf import settings
    from django.core.management import call_command
    from django.test import Client
    from django.utils import timezone

    from agents import services as agent_services
    from agents.roles import Role
    from metrics.models import Outcome, Queue, QueueCall, TelephonySource
    from metrics.recordings import services
    from metrics.recordings.models import StoreKind

    call_command("migrate", verbosity=0)
    source = TelephonySource.objects.create(name="bench-recordings", kind="simulator")
    queue = Queue.objects.create(name="bench-recordings")
    offered = timezone.now() - timedelta(hours=1)
    call = QueueCall.objects.create(
        source=source,
        call_id="1733490000.1",
        queue=queue,
        offered_at=offered,
        outcome=Outcome.ANSWERED,
        answered_at=offered + timedelta(seconds=5),
        talk_s=minutes * 60,
        ended_at=offered + timedelta(seconds=5 + minutes * 60),
    )
    store = services.recording_store_set(
        source=source, actor=None, kind=StoreKind.DIRECTORY, directory=str(directory)
    )
    day = call.answered_at
    size = write_wav(
        directory / f"{day:%Y/%m/%d}" / f"q-9000-555-{day:%Y%m%d-%H%M%S}-{call.call_id}.wav",
        minutes=minutes,
        rate=rate,
    )
    since, until = call.offered_at, call.offered_at + timedelta(seconds=1)
    assert services.recordings_link(store=store, since=since, until=until) == 1
    supervisor = agent_services.user_create(
        username="bench-listener", password=None, roles=[Role.SUPERVISOR]
    )
    client = Client()
    client.force_login(supervisor)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
    return {
        "path": f"/recordings/calls/{call.pk}/audio",
        "cookie": f"{settings.SESSION_COOKIE_NAME}={cookie}",
        "size": size,
    }


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


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


def _status_kb(pid: int, field: str) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1])
    raise KeyError(field)


def start(server: str, port: int) -> tuple[subprocess.Popen, int]:
    """The server and the pid of the process that answers the requests."""
    env = dict(os.environ, LOG_LEVEL="WARNING", **MALLOC_ENV)
    py = sys.executable
    if server == "gunicorn":
        cmd = [py, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "--workers", "1",
               "--worker-class", "gthread", "--threads", "8",
               "callfloor.wsgi:application"]  # fmt: skip
    else:
        cmd = [py, "-m", "daphne", "-b", "127.0.0.1", "-p", str(port), "callfloor.asgi:application"]
    OUT.mkdir(parents=True, exist_ok=True)
    log = open(OUT / f"recordings-{server}.log", "w")  # noqa: SIM115
    process = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                break
        except OSError:
            time.sleep(0.3)
    else:
        process.kill()
        raise SystemExit(f"bench: {server} did not answer")
    if server == "gunicorn":
        workers = _children(process.pid)
        if len(workers) != 1:
            process.kill()
            raise SystemExit(f"bench: expected one gunicorn worker, found {workers}")
        return process, workers[0]
    return process, process.pid


def fetch(base: str, target: dict, *, headers: dict | None = None) -> tuple[int, int]:
    """GET the recording, reading it 64 KiB at a time; (status, bytes read)."""
    request = urllib.request.Request(  # noqa: S310 - loopback
        base + target["path"], headers={"Cookie": target["cookie"], **(headers or {})}
    )
    read = 0
    with urllib.request.urlopen(request, timeout=300) as response:  # noqa: S310 - loopback
        while chunk := response.read(65536):
            read += len(chunk)
        return response.status, read


class Sampler(threading.Thread):
    """The highest RSS of a process, sampled every 10 ms."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.max_kb, self.running = pid, 0, True

    def run(self) -> None:
        while self.running:
            self.max_kb = max(self.max_kb, _status_kb(self.pid, "VmRSS"))
            time.sleep(0.01)


def measure(server: str, target: dict, parallel: int) -> dict:
    port = _free_port()
    process, pid = start(server, port)
    base = f"http://127.0.0.1:{port}"
    size = target["size"]
    try:
        # Warm-up: the code paths a listen touches are loaded before the baseline.
        assert fetch(base, target, headers={"Range": "bytes=0-1048575"}) == (206, 1048576)
        assert fetch(base, target, headers={"Range": "bytes=-1000"}) == (206, 1000)
        time.sleep(0.5)
        before = {"rss_kb": _status_kb(pid, "VmRSS"), "peak_kb": _status_kb(pid, "VmHWM")}
        sampler = Sampler(pid)
        sampler.start()
        t0 = time.monotonic()
        status, read = fetch(base, target)
        one_s = time.monotonic() - t0
        assert (status, read) == (200, size), (status, read)
        results: list[tuple[int, int]] = []
        threads = [
            threading.Thread(target=lambda: results.append(fetch(base, target)))
            for _ in range(parallel)
        ]
        t1 = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        parallel_s = time.monotonic() - t1
        assert results == [(200, size)] * parallel, results
        for start_at in (size // 2, size - 65536):
            status, read = fetch(base, target, headers={"Range": f"bytes={start_at}-"})
            assert (status, read) == (206, size - start_at)
        sampler.running = False
        sampler.join()
        after = {"rss_kb": _status_kb(pid, "VmRSS"), "peak_kb": _status_kb(pid, "VmHWM")}
    finally:
        process.terminate()
        process.wait(timeout=30)
    return {
        "server": server,
        "file_mb": round(size / 1e6, 1),
        "rss_before_mb": round(before["rss_kb"] / 1024, 1),
        "peak_before_mb": round(before["peak_kb"] / 1024, 1),
        "peak_after_mb": round(after["peak_kb"] / 1024, 1),
        "sampled_max_mb": round(sampler.max_kb / 1024, 1),
        "peak_growth_mb": round((after["peak_kb"] - before["peak_kb"]) / 1024, 1),
        "one_listener_s": round(one_s, 2),
        "one_listener_mb_s": round(size / 1e6 / one_s, 1),
        "parallel": parallel,
        "parallel_s": round(parallel_s, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--minutes", type=float, default=30)
    parser.add_argument("--rate", type=int, default=8000)
    parser.add_argument("--servers", default="gunicorn,daphne")
    parser.add_argument("--parallel", type=int, default=4)
    parser.add_argument("--limit-mb", type=float, default=16)
    args = parser.parse_args()
    _django()
    directory = OUT / "recordings-spool"
    target = setup(directory, args.minutes, args.rate)
    rows = [measure(server, target, args.parallel) for server in args.servers.split(",")]
    report = {"minutes": args.minutes, "rate": args.rate, "limit_mb": args.limit_mb, "rows": rows}
    (OUT / "recordings.json").write_text(json.dumps(report, indent=2))
    for row in rows:
        print(
            f"{row['server']:>9}: {row['file_mb']} MB file · RSS {row['rss_before_mb']} MB before,"
            f" peak {row['peak_before_mb']} → {row['peak_after_mb']} MB"
            f" (+{row['peak_growth_mb']} MB; sampled max {row['sampled_max_mb']} MB) ·"
            f" one listener {row['one_listener_s']} s ({row['one_listener_mb_s']} MB/s),"
            f" {row['parallel']} at once {row['parallel_s']} s"
        )
    flat = all(row["peak_growth_mb"] < args.limit_mb for row in rows)
    print("memory flat" if flat else f"memory NOT flat (limit +{args.limit_mb} MB)")
    sys.exit(0 if flat else 1)


if __name__ == "__main__":
    main()
