"""Celery tasks for telephony and the wall board (thin: they call services)."""

from celery import shared_task
from django.utils import timezone

from metrics import push, services

ADVANCE_EVERY_S = 5


@shared_task(name="metrics.advance_clocks", ignore_result=True)
def advance_clocks() -> int:
    """End the calls whose after-call-work window passed while their source was quiet."""
    return services.sources_advance(now=timezone.now())


@shared_task(name="metrics.refresh_floor", ignore_result=True)
def refresh_floor(site: str) -> None:
    """Push the floor of `site` to its boards (scheduled by a committed change)."""
    push.floor_push(site=site)


@shared_task(name="metrics.floor_heartbeat", ignore_result=True)
def floor_heartbeat() -> None:
    """Push every site, changed or not, so boards know the feed is alive."""
    for site in push.floor_sites():
        push.floor_push(site=site)
