"""The API server hands the C heap's free pages back to the system (glibc's malloc_trim)."""

from __future__ import annotations

import threading
import time
from pathlib import Path

from callfloor import malloc_trim


def rss_mb() -> float:
    return int(Path("/proc/self/statm").read_text().split()[1]) * 4096 / 2**20


def test_trimming_releases_the_free_pages_between_live_blocks():
    trim = malloc_trim.trimmer()
    assert trim is not None, "glibc's malloc_trim is missing"
    trim()
    # 100 MB in 64 KiB blocks (under glibc's mmap threshold: they come from the heap), then
    # every other one freed: 50 MB of holes, each between two live blocks.
    blocks = [bytearray(64 * 1024) for _ in range(1600)]
    del blocks[::2]
    held = rss_mb()
    trim()
    trimmed = rss_mb()
    assert held - trimmed > 25, (held, trimmed)
    assert len(blocks) == 800 and all(len(b) == 64 * 1024 for b in blocks[:3])


def test_the_trimming_thread_trims_every_interval_until_stopped(monkeypatch):
    calls = []
    monkeypatch.setattr(malloc_trim, "trimmer", lambda: lambda: calls.append(time.monotonic()))
    assert malloc_trim.start(0) is None  # off
    stop = threading.Event()
    thread = malloc_trim.start(0.05, stop=stop)
    assert thread is not None and thread.daemon and thread.name == "malloc-trim"
    time.sleep(0.5)
    stop.set()
    thread.join(timeout=2)
    assert not thread.is_alive()
    assert 4 <= len(calls) <= 11


def test_no_trimming_thread_without_glibc(monkeypatch):
    monkeypatch.setattr(malloc_trim, "trimmer", lambda: None)
    assert malloc_trim.start(30) is None
