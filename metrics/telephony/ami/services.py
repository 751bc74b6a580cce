"""Writes of an AMI source's follower: its events into the one ingestion path, its link state."""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone

from metrics import kpi
from metrics.board.signals import floor_changed_on_commit
from metrics.models import TelephonySource
from metrics.queue_log import Event
from metrics.telephony import engine_state
from metrics.telephony.ami.models import AmiLink, AmiLinkState
from metrics.telephony.services import IngestResult, event_window, events_ingest


def ami_events_ingest(*, source: TelephonySource, events: list[Event]) -> IngestResult:
    """Ingest the follower's events like any live adapter's (`events_ingest`)."""
    return events_ingest(source=source, events=events, window=event_window(live=True))


def ami_engine_read(*, source: TelephonySource) -> kpi.Engine:
    """The engine's open state of the source (calls in flight, members' states), to compare
    with what Asterisk says after a (re)connect."""
    source = TelephonySource.objects.get(pk=source.pk)
    engine, _saved = engine_state.load(source, reuse=False)
    return engine


def ami_link_set(
    *,
    source: TelephonySource,
    state: str,
    message: str = "",
    failures: int = 0,
    now: datetime | None = None,
) -> AmiLink:
    """Record the follower's connection state; the boards of the site hear of a change."""
    now = now or timezone.now()
    with transaction.atomic():
        link, created = AmiLink.objects.select_for_update().get_or_create(
            source=source,
            defaults={"state": state, "since": now, "message": message[:300], "seen_at": now},
        )
        changed = created or link.state != state
        if not created:
            if changed:
                link.since = now
            link.state, link.message, link.failures, link.seen_at = (
                state,
                message[:300],
                failures,
                now,
            )
            link.save(update_fields=["state", "since", "message", "failures", "seen_at"])
        if changed:
            floor_changed_on_commit(sender=AmiLink, site=source.site)
    return link


def ami_link_seen(*, source: TelephonySource, now: datetime | None = None) -> None:
    """The follower is alive and connected (a heartbeat answered)."""
    AmiLink.objects.filter(source=source).update(seen_at=now or timezone.now())


def ami_link_is_up(link: AmiLink | None, *, now: datetime, stale_after_s: float) -> bool:
    """Connected, and heard from within `stale_after_s` (a follower that died says nothing)."""
    if link is None or link.state != AmiLinkState.CONNECTED or link.seen_at is None:
        return False
    return (now - link.seen_at).total_seconds() <= stale_after_s
