"""Delivering alert messages: one attempt per task run, retried with exponential back-off."""

import logging

from celery import shared_task

from metrics.alerts import services

log = logging.getLogger(__name__)


@shared_task(name="metrics.alerts.deliver", ignore_result=True)
def deliver(delivery_id: int) -> None:
    """Attempt delivery `delivery_id`; on failure schedule the next attempt after its back-off."""
    delay = services.delivery_attempt(delivery_id=delivery_id)
    if delay is not None:
        deliver.apply_async(args=[delivery_id], countdown=delay)


@shared_task(name="metrics.alerts.deliver_due", ignore_result=True)
def deliver_due() -> None:
    """Pick up deliveries whose attempt is due but whose task was lost (a worker restart)."""
    services.deliveries_dispatch(ids=services.deliveries_due())


def on_floor_pushed(sender, *, site: str, snapshot: dict, now, **kwargs) -> None:
    """`floor_pushed` receiver: evaluate the alert rules of `site` against its new floor.

    An evaluation that fails is logged and never fails the push (the next push evaluates again).
    """
    try:
        services.alerts_evaluate(site=site, snapshot=snapshot, now=now)
    except Exception:
        log.exception("could not evaluate the alert rules of %s", site)
