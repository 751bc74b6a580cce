"""Reads of recordings: where a call's recording is, whether a person may hear it, who listened."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone

from metrics.models import QueueCall
from metrics.recordings import stores
from metrics.recordings.access import can_hear_call
from metrics.recordings.models import Recording, RecordingListen, RecordingStore, StoreKind

AVAILABLE, MISSING, EXPIRED, NONE, FORBIDDEN = (
    "available",
    "missing",
    "expired",
    "none",
    "forbidden",
)


@dataclass(frozen=True)
class RecordingInfo:
    """What a page shows for a call's recording.

    `status`: "available" (play `url`), "missing" (the store has no file for the call, or not
    yet), "expired" (older than the source's retention), "none" (the call's source keeps no
    recordings, or the call was never answered) or "forbidden" (the person may not hear it).
    """

    status: str
    url: str = ""
    content_type: str = ""
    peaks_url: str = ""


@dataclass(frozen=True)
class Located:
    """Where the recording of a call is, for the streaming endpoint."""

    status: str
    store: RecordingStore | None = None
    path: Path | None = None
    url: str = ""
    content_type: str = ""


def _expired(store: RecordingStore, call: QueueCall, now) -> bool:
    if not store.retention_days:
        return False
    return (call.ended_at or call.offered_at) < now - timedelta(days=store.retention_days)


def recording_locate(*, call: QueueCall, now=None) -> Located:
    """Find the recording of `call` in its source's store (no permission check)."""
    store = RecordingStore.objects.filter(source_id=call.source_id).first()
    if store is None or call.answered_at is None:
        return Located(NONE)
    if _expired(store, call, now or timezone.now()):
        return Located(EXPIRED, store)
    recording = Recording.objects.filter(source_id=call.source_id, call_id=call.call_id).first()
    if store.kind == StoreKind.DIRECTORY:
        if recording is None:
            return Located(MISSING, store)
        path = stores.directory_file(directory=store.directory, location=recording.location)
        if path is None:
            return Located(MISSING, store)
        kind = recording.content_type or stores.content_type_of(path.name)
        return Located(AVAILABLE, store, path=path, content_type=kind)
    reference = recording.location if recording else ""
    url = stores.template_url(store.url_template, call_id=call.call_id, recording=reference)
    if url is None:
        return Located(MISSING, store)
    kind = (recording.content_type if recording else "") or stores.content_type_of(
        reference or url.partition("?")[0]
    )
    return Located(AVAILABLE, store, url=url, content_type=kind)


def recording_for(*, user, call: QueueCall) -> RecordingInfo:
    """The recording of `call` as `user` may hear it (the player's one question)."""
    if not can_hear_call(user, call):
        return RecordingInfo(FORBIDDEN)
    located = recording_locate(call=call)
    if located.status != AVAILABLE:
        return RecordingInfo(located.status)
    url = reverse("recordings:audio", kwargs={"call_id": call.pk})
    peaks_url = reverse("recordings:peaks", kwargs={"call_id": call.pk})
    return RecordingInfo(AVAILABLE, url=url, content_type=located.content_type, peaks_url=peaks_url)


def listens_of_agent(*, agent, since=None) -> QuerySet[RecordingListen]:
    """Who else listened to the agent's calls, newest first."""
    listens = (
        RecordingListen.objects.filter(call__agent=agent)
        .exclude(user_id=agent.user_id)
        .select_related("user", "call", "call__queue")
    )
    if since is not None:
        listens = listens.filter(at__gte=since)
    return listens.order_by("-at", "-id")
