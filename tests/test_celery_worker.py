"""A real Celery worker on the Redis broker answers, and /healthz says so."""

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REAL = os.environ.get("CALLFLOOR_TEST_SERVICES") == "1" or os.environ.get("CI")


@pytest.fixture
def celery_worker():
    env = dict(os.environ, CELERY_TASK_ALWAYS_EAGER="0")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "callfloor",
            "worker",
            "--pool=solo",
            "--loglevel=WARNING",
            "--without-gossip",
            "--without-mingle",
            "-n",
            "test@%h",
        ],
        cwd=REPO,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        yield process
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


@pytest.mark.skipif(not REAL, reason="needs the Redis broker of make test")
@pytest.mark.django_db
def test_healthz_sees_a_running_celery_worker(celery_worker, client, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = False
    deadline = time.monotonic() + 60
    body = None
    while time.monotonic() < deadline:
        response = client.get("/healthz")
        body = response.json()
        if response.status_code == 200:
            break
        time.sleep(1)
    assert body["checks"]["celery"] == {"ok": True, "workers": 1}, body
