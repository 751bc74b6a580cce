"""Writes of recordings: linking calls to their files, the listen trail, a store's settings."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.services import audit_record
from callfloor.errors import DomainError
from metrics.alerts.secrets import secret_encrypt
from metrics.models import QueueCall, TelephonySource
from metrics.recordings import stores
from metrics.recordings.models import Recording, RecordingListen, RecordingStore, StoreKind

User = get_user_model()

# Seeking and the waveform's own fetch each make a request: one listen per person, call and
# this window.
LISTEN_WINDOW = timedelta(minutes=10)


def reference_problem(reference: str) -> str:
    """Why a recording reference sent by a source cannot name a file or address ("" if it can):
    names of letters, digits, `.`, `_`, `-`, separated by `/` (a path under the store)."""
    parts = reference.split("/")
    if not reference or len(reference) > 500 or not all(stores.token_is_safe(p) for p in parts):
        return _("a recording reference is a relative path of letters, digits, '.', '_' and '-'")
    return ""


def recording_link(
    *, source: TelephonySource, call_id: str, location: str, content_type: str = ""
) -> Recording:
    """Record where the recording of one call of `source` is (again: the newest wins)."""
    problem = reference_problem(location)
    if problem:
        raise DomainError(problem, field="recording")
    recording, _created = Recording.objects.update_or_create(
        source=source,
        call_id=call_id[:100],
        defaults={
            "location": location,
            "content_type": content_type or stores.content_type_of(location),
        },
    )
    return recording


def recording_listen_record(*, user: User, call: QueueCall, now: datetime | None = None) -> bool:
    """Write the audit row of `user` listening to `call` (once per LISTEN_WINDOW)."""
    now = now or timezone.now()
    if RecordingListen.objects.filter(user=user, call=call, at__gt=now - LISTEN_WINDOW).exists():
        return False
    RecordingListen.objects.create(user=user, call=call)
    return True


def _local_days(moments: list[datetime], zone: ZoneInfo) -> set[date]:
    """The PBX's folder days of these calls: their local day and its neighbours (a call over
    midnight, a PBX clock in another zone)."""
    days: set[date] = set()
    for moment in moments:
        day = moment.astimezone(zone).date()
        days |= {day - timedelta(days=1), day, day + timedelta(days=1)}
    return days


def recordings_link(*, store: RecordingStore, since: datetime, until: datetime) -> int:
    """Link the answered calls offered in [since, until) that have no recording yet to the
    files their directory store holds now. Returns how many calls were linked."""
    if store.kind != StoreKind.DIRECTORY or not store.directory:
        return 0
    linked = Recording.objects.filter(source_id=store.source_id, call_id=OuterRef("call_id"))
    waiting = (
        QueueCall.objects.filter(
            source_id=store.source_id,
            answered_at__isnull=False,
            offered_at__gte=since,
            offered_at__lt=until,
        )
        .filter(~Exists(linked))
        .values_list("call_id", "offered_at")
    )
    wanted: dict[str, datetime] = {}
    for call_id, offered_at in waiting:
        wanted.setdefault(call_id, offered_at)
    if not wanted:
        return 0
    try:
        zone = ZoneInfo(store.source.time_zone)
    except (KeyError, ValueError):
        zone = ZoneInfo("UTC")
    found: dict[str, str] = {}
    for day in sorted(_local_days(list(wanted.values()), zone)):
        for call_id, location in stores.folder_scan(
            directory=store.directory, pattern=store.file_pattern, day=day
        ).items():
            if call_id in wanted:
                found.setdefault(call_id, location)
    Recording.objects.bulk_create(
        [
            Recording(
                source_id=store.source_id,
                call_id=call_id,
                location=location,
                content_type=stores.content_type_of(location),
            )
            for call_id, location in found.items()
        ],
        ignore_conflicts=True,
    )
    return len(found)


def recordings_link_recent(*, now: datetime, lookback: timedelta = timedelta(days=2)) -> int:
    """The periodic pass: every directory store, over the calls of the last `lookback`."""
    total = 0
    for store in RecordingStore.objects.filter(
        kind=StoreKind.DIRECTORY, source__active=True
    ).select_related("source"):
        total += recordings_link(store=store, since=now - lookback, until=now)
    return total


@transaction.atomic
def recording_store_set(
    *,
    source: TelephonySource,
    actor: User | None,
    kind: str,
    directory: str = "",
    file_pattern: str = "",
    url_template: str = "",
    username: str = "",
    secret: str | None = None,
    retention_days: int | None = None,
) -> RecordingStore:
    """Configure where `source` keeps its recordings (`secret` None keeps the stored one)."""
    store = RecordingStore.objects.filter(source=source).first() or RecordingStore(source=source)
    store.kind = kind
    store.directory = directory
    store.file_pattern = file_pattern or store.file_pattern
    store.url_template = url_template
    store.username = username
    store.retention_days = retention_days
    if secret is not None:
        store.secret_encrypted = secret_encrypt(plain=secret)
    try:
        store.full_clean(exclude=["source"])
    except ValidationError as error:
        field, messages = next(iter(error.message_dict.items()))
        raise DomainError(" ".join(messages), field=field) from None
    store.save()
    audit_record(
        actor=actor,
        action="recording_store.saved",
        target=store,
        data={"kind": kind, "retention_days": retention_days},
    )
    return store
