"""Scheduling settings with their defaults (each can be set in the environment)."""

from datetime import timedelta

from django.conf import settings


def handover_ack_within() -> timedelta:
    return timedelta(minutes=getattr(settings, "CALLFLOOR_HANDOVER_ACK_MINUTES", 30))


def swap_min_notice() -> timedelta:
    return timedelta(hours=getattr(settings, "CALLFLOOR_SWAP_MIN_NOTICE_HOURS", 24))


def min_rest() -> timedelta:
    return timedelta(hours=getattr(settings, "CALLFLOOR_MIN_REST_HOURS", 11))


def max_weekly_hours() -> timedelta:
    return timedelta(hours=getattr(settings, "CALLFLOOR_MAX_WEEKLY_HOURS", 48))


def late_grace() -> timedelta:
    return timedelta(minutes=getattr(settings, "CALLFLOOR_LATE_GRACE_MINUTES", 0))


def adherence_threshold() -> timedelta:
    """How long an agent may be out of adherence before the board marks them and alerts."""
    return timedelta(minutes=getattr(settings, "CALLFLOOR_ADHERENCE_THRESHOLD_MINUTES", 5))
