"""Periodic work on people and roles (beat entries in settings)."""

from celery import shared_task

from agents.swaps import services as swaps


@shared_task(name="agents.apply_role_swaps", acks_late=True)
def apply_role_swaps() -> list[int]:
    """Start due role swaps and end expired ones (idempotent: each is a checked transition)."""
    return list(swaps.role_swaps_apply_schedule())
