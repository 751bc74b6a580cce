"""Periodic scheduling work (beat entries in settings)."""

from celery import shared_task

from scheduling import services


@shared_task(name="scheduling.alert_overdue_handovers", acks_late=True)
def alert_overdue_handovers() -> int:
    return services.handovers_alert_overdue()


@shared_task(name="scheduling.expire_swaps", acks_late=True)
def expire_swaps() -> int:
    return services.swaps_expire()
