"""The Celery application: tasks live in each app's tasks.py, beat entries in settings."""

import gc
import os

from celery import Celery
from celery.signals import worker_init

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "callfloor.settings")

app = Celery("callfloor")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# A worker of the floor's queue keeps each site's floor in memory (`metrics.board.state`): at
# 5,000 agents a whole rebuild makes a few hundred thousand objects, and the interpreter's
# default collector thresholds then traced the whole heap during about half of it. A floor
# worker collects the young objects every 50,000 allocations instead of 700, and what it
# loaded at start (Django, the apps) is set aside from every later collection. What it keeps
# is freed by reference counting; the collector still runs for cycles.
FLOOR_GC_THRESHOLD = (50_000, 10, 10)


@worker_init.connect
def tune_the_collector_of_a_floor_worker(sender, **kwargs) -> None:
    """`worker_init`: the garbage collector of a worker that takes the floor's queue (its
    prefork children inherit it)."""
    from django.conf import settings

    if settings.CALLFLOOR_FLOOR_QUEUE not in sender.app.amqp.queues.consume_from:
        return
    gc.collect()
    gc.freeze()
    gc.set_threshold(*FLOOR_GC_THRESHOLD)
