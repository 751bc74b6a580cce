"""Celery tasks of telephony (thin: they call services)."""

from celery import shared_task
from django.utils import timezone

from metrics.telephony import services


@shared_task(name="metrics.advance_clocks", ignore_result=True)
def advance_clocks() -> int:
    """End the calls whose after-call-work window passed while their source was quiet."""
    return services.sources_advance(now=timezone.now())
