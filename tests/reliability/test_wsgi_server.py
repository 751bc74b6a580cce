"""The web server as production runs it: gunicorn serving callfloor/wsgi.py.

Django's ASGI handler under Daphne started a thread (and a database connection) for every
request, and the API process's memory crept up under load (RELIABILITY.md, "Load"). gunicorn's
threaded worker serves requests on a fixed pool of threads: this test runs the real server and
notes every thread its worker has over many requests.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
THREADS = 2

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str) -> int:
    with urllib.request.urlopen(url, timeout=30) as response:
        response.read()
        return response.status


@pytest.fixture
def gunicorn():
    from django.db import connection

    db = connection.settings_dict
    url = (
        f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
        if db["PASSWORD"]
        else f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"
    )
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-b", f"127.0.0.1:{port}", "--workers", "1",
         "--worker-class", "gthread", "--threads", str(THREADS), "callfloor.wsgi:application"],
        cwd=ROOT,
        # Plain HTTP on loopback: no redirect to HTTPS (a TLS proxy sits in front in production).
        env=dict(os.environ, DATABASE_URL=url, CALLFLOOR_HTTPS="0"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _get(base + "/accounts/login/")
            break
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                server.terminate()
                pytest.fail("gunicorn did not answer within 60 s")
            time.sleep(0.3)
    try:
        yield base, server.pid
    finally:
        server.terminate()
        server.wait(timeout=30)


def _worker(master: int) -> int:
    children = [
        int(p.name)
        for p in Path("/proc").iterdir()
        if p.name.isdigit()
        and (p / "stat").exists()
        and int((p / "stat").read_text().rsplit(")", 1)[1].split()[1]) == master
    ]
    assert len(children) == 1, children
    return children[0]


def test_gunicorn_serves_many_requests_on_a_fixed_set_of_threads(gunicorn):
    base, master = gunicorn
    worker = _worker(master)
    statuses, threads = set(), set()
    for _ in range(40):
        statuses.add(_get(base + "/accounts/login/"))
        threads |= {task.name for task in Path(f"/proc/{worker}/task").iterdir()}
    assert statuses == {200}
    # Every thread the worker had over the 40 requests: the pool's, the worker's own and the
    # heap-trim thread; none started for a request.
    assert len(threads) <= THREADS + 3, sorted(threads)
