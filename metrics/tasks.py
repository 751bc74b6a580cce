"""Celery's autodiscovery imports `<app>.tasks`: the tasks of metrics live in its sub-packages."""

from metrics.board.tasks import floor_heartbeat, refresh_floor
from metrics.telephony.tasks import advance_clocks

__all__ = ["advance_clocks", "floor_heartbeat", "refresh_floor"]
