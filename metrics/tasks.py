"""Celery tasks of the wall board (thin: they call services).

Celery's autodiscovery imports this module; it imports the tasks of the sub-packages.
"""

from celery import shared_task

from metrics import push
from metrics.telephony.tasks import advance_clocks  # noqa: F401


@shared_task(name="metrics.refresh_floor", ignore_result=True)
def refresh_floor(site: str) -> None:
    """Push the floor of `site` to its boards (scheduled by a committed change)."""
    push.floor_push(site=site)


@shared_task(name="metrics.floor_heartbeat", ignore_result=True)
def floor_heartbeat() -> None:
    """Push every site, changed or not, so boards know the feed is alive."""
    for site in push.floor_sites():
        push.floor_push(site=site)
