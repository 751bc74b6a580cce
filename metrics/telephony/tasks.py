"""Celery tasks of telephony (thin: they call services)."""

from celery import shared_task
from django.conf import settings
from django.utils import timezone

from metrics.telephony import partitions, services


@shared_task(name="metrics.advance_clocks", ignore_result=True)
def advance_clocks() -> int:
    """End the calls whose after-call-work window passed while their source was quiet."""
    return services.sources_advance(now=timezone.now())


@shared_task(name="metrics.raw_event_partitions", ignore_result=True)
def raw_event_partitions() -> dict:
    """Raw events' day partitions: created ahead, the DEFAULT partition emptied into its days,
    days past the retention dropped whole (PostgreSQL; nothing on SQLite)."""
    done = partitions.partitions_maintain(
        ahead_days=settings.CALLFLOOR_RAW_EVENT_PARTITIONS_AHEAD_DAYS,
        retention_days=settings.CALLFLOOR_RAW_EVENT_RETENTION_DAYS,
    )
    return {
        "created": [d.isoformat() for d in done.created],
        "moved": sum(done.moved.values()),
        "dropped": [d.isoformat() for d in done.dropped],
    }
