"""Celery's autodiscovery imports `<app>.tasks`: the tasks of metrics live in its sub-packages."""

from metrics.alerts.tasks import deliver, deliver_due
from metrics.board.tasks import floor_heartbeat, refresh_floor
from metrics.recordings.tasks import link_recordings
from metrics.reports.tasks import refresh_call_facts, send_daily_summary
from metrics.telephony.tasks import advance_clocks, raw_event_partitions

__all__ = [
    "advance_clocks",
    "deliver",
    "deliver_due",
    "floor_heartbeat",
    "link_recordings",
    "raw_event_partitions",
    "refresh_call_facts",
    "refresh_floor",
    "send_daily_summary",
]
