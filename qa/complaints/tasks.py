"""Celery tasks for complaints (thin: they call services)."""

from celery import shared_task

from qa.complaints import services

CHECK_TIMERS_EVERY_S = 60


@shared_task(name="complaints.check_timers", ignore_result=True)
def check_timers() -> int:
    """Escalate cases whose service-level time ran out; safe to run twice at once."""
    return len(services.complaint_check_timers())
