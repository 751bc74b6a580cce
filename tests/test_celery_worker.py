"""A real Celery worker on the Redis broker answers, and /healthz says so."""

import os
import subprocess
import time
from pathlib import Path

import pytest

from tests.services import start_celery_worker, stop_process

REPO = Path(__file__).resolve().parent.parent
REAL = os.environ.get("CALLFLOOR_TEST_SERVICES") == "1" or os.environ.get("CI")


@pytest.fixture
def celery_worker():
    process = start_celery_worker(name="test@%h", wait=False, stdout=subprocess.PIPE)
    try:
        yield process
    finally:
        stop_process(process)


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
