"""The floor's pushes have a Celery queue of their own, and every queue has a worker.

A push that waited behind a long task froze every board: in a two-hour load test the hourly
call facts (a whole day read, 20–45 s) held the one worker at xx:05, and the boards showed
nothing new for up to 50 s. The floor's tasks now go to the `floor` queue, which production
serves with a worker of one process (it keeps the floors in memory), and everything else to
the default queue on another worker.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from django.conf import settings

from callfloor.celery import app
from tests.services import celery_worker_command

ROOT = Path(__file__).resolve().parents[1]
FLOOR_TASKS = ("metrics.refresh_floor", "metrics.floor_heartbeat")


def queue_of(task: str) -> str:
    route = app.amqp.router.route({}, task, args=(), kwargs={})
    return route["queue"].name


def worker_queues(command: list[str]) -> set[str]:
    """The queues a `celery worker` command line consumes (`-Q a,b`; none: the default)."""
    if "-Q" not in command:
        return {app.conf.task_default_queue}
    return set(command[command.index("-Q") + 1].split(","))


def compose_workers() -> dict[str, list[str]]:
    services = yaml.safe_load((ROOT / "docker-compose.yml").read_text())["services"]
    return {
        name: service["command"]
        for name, service in services.items()
        if service.get("command", [])[:4] == ["celery", "-A", "callfloor", "worker"]
    }


def test_the_floors_tasks_go_to_their_own_queue_and_the_rest_to_the_default():
    for task in FLOOR_TASKS:
        assert queue_of(task) == settings.CALLFLOOR_FLOOR_QUEUE == "floor"
    assert queue_of("metrics.refresh_call_facts") == app.conf.task_default_queue == "celery"
    assert queue_of("metrics.alerts.deliver_due") == "celery"


def test_the_compose_file_serves_every_queue_and_the_floor_with_one_process():
    workers = compose_workers()
    floor = [name for name, command in workers.items() if "floor" in worker_queues(command)]
    assert floor == ["floor-worker"], workers
    command = workers["floor-worker"]
    assert worker_queues(command) == {"floor"}
    assert "--concurrency=1" in command or "--pool=solo" in command
    served = set().union(*(worker_queues(c) for c in workers.values()))
    # Every task on the beat schedule reaches a worker that serves its queue.
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert queue_of(entry["task"]) in served, entry["task"]
    # The other worker does not take the floor's pushes (they would wait behind its tasks).
    assert all("floor" not in worker_queues(c) for n, c in workers.items() if n != "floor-worker")


def test_the_tests_worker_serves_both_queues():
    assert worker_queues(celery_worker_command()) == {"floor", "celery"}


@pytest.mark.parametrize(("queues", "tuned"), [(["floor"], True), (["celery"], False)])
def test_a_floor_worker_collects_young_objects_rarely_and_sets_aside_what_it_loaded(queues, tuned):
    """A whole rebuild of a 5,000-agent floor spent about half its time in the garbage
    collector with the interpreter's thresholds (`bench.floor_push`): a worker of the floor's
    queue raises them at start and freezes what it loaded; another worker keeps them."""
    import gc

    from callfloor.celery import FLOOR_GC_THRESHOLD

    before = gc.get_threshold()
    try:
        gc.set_threshold(700, 10, 10)
        gc.unfreeze()
        # A real worker, built (its `worker_init` sent) but not started.
        app.WorkController(queues=queues, pool_cls="solo", hostname=f"gc-{queues[0]}@test")
        assert (gc.get_threshold() == FLOOR_GC_THRESHOLD) is tuned
        assert (gc.get_freeze_count() > 10_000) is tuned
    finally:
        gc.unfreeze()
        gc.set_threshold(*before)
