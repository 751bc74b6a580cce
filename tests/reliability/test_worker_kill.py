"""The Celery worker killed with SIGKILL mid-stream: no floor message (the boards' heartbeat
goes quiet, so they show the stale banner after two beats); a new worker catches up with every
change made meanwhile, in sequence, with nothing lost."""

from __future__ import annotations

import signal
import subprocess
from pathlib import Path

import pytest
import redis.exceptions

from metrics.board import tasks
from tests.metrics.board.conftest import event, ingest
from tests.metrics.board.test_push import Listener
from tests.services import start_celery_worker

REPO = Path(__file__).resolve().parents[2]
pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]


def start_worker() -> subprocess.Popen:
    from django.db import connection

    return start_celery_worker(name="kill@%h", database=connection.settings_dict["NAME"])


class PatientListener(Listener):
    """The group's messages, read on through the quiet minutes a dead worker makes."""

    def __init__(self) -> None:
        import asyncio
        import contextlib
        import queue
        import threading

        from channels.layers import channel_layers

        from metrics.board import push

        self.messages = queue.Queue()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()

        async def listen():
            layer = channel_layers.make_backend("default")
            channel = await layer.new_channel()
            await layer.group_add(push.group_name("main"), channel)
            ready.set()
            while True:
                try:
                    self.messages.put(await layer.receive(channel))
                except redis.exceptions.TimeoutError:  # an idle read timed out: read again
                    continue

        def run():
            self.task = self.loop.create_task(listen())
            with contextlib.suppress(asyncio.CancelledError):
                self.loop.run_until_complete(self.task)

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert ready.wait(10)


@pytest.fixture
def listener():
    listening = PatientListener()
    try:
        yield listening
    finally:
        listening.close()


def test_a_killed_worker_goes_quiet_and_a_new_one_catches_up(cast, source, listener):
    from callfloor.celery import app

    eager, app.conf.task_always_eager = app.conf.task_always_eager, False
    worker = start_worker()
    try:
        ingest(source.source, [event("agent_login", member="PJSIP/2004")])
        before = listener.collect(3)
        assert before and before[-1]["seq"] >= 1
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)

        # Mid-stream: changes and heartbeats are queued, nobody pushes.
        ingest(source.source, [event("agent_login", member="PJSIP/2005")])
        ingest(
            source.source,
            [event("agent_status", member="PJSIP/2004", status="not_ready", reason="Lunch")],
        )
        tasks.floor_heartbeat.apply_async()
        assert listener.collect(2) == []  # two heartbeats of silence: the boards go stale

        worker = start_worker()
        after = listener.collect(5)
        assert after, "the new worker pushed nothing"
        seqs = [m["seq"] for m in before + after]
        assert seqs == list(range(seqs[0], seqs[0] + len(seqs)))  # no gap, no repeat
        changed: dict = {}
        for message in after:
            body = message.get("delta", {}).get("set") or message.get("snapshot") or {}
            changed.update(body.get("agents", {}))
        ann, bob = changed[f"a{cast.ann_agent.pk}"], changed[f"a{cast.bob_agent.pk}"]
        assert "Lunch" in str(ann) and bob  # both changes made while no worker ran
    finally:
        app.conf.task_always_eager = eager
        worker.send_signal(signal.SIGKILL)
        worker.wait(timeout=10)
