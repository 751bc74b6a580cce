"""Celery tasks of recordings (thin: they call services)."""

from celery import shared_task
from django.utils import timezone

from metrics.recordings import services


@shared_task(name="metrics.link_recordings", ignore_result=True)
def link_recordings() -> int:
    """Link the recent calls to the recording files the PBX wrote since they ended."""
    return services.recordings_link_recent(now=timezone.now())
