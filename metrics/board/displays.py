"""Unattended wall displays: registering, revoking, finding one by its token, what it sees.

A display's link carries a random token (`secrets.token_urlsafe`, 256 bits); only its SHA-256
is stored, so the link is shown once and a copy of the database opens no board. The display's
page and socket (`metrics.board.display_consumer`) look the token up; a revoked or unknown
token finds nothing. Revoking tells the display's socket group, whose sockets close at once.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import timedelta

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Team
from agents.services import audit_record
from callfloor.errors import DomainError
from metrics.board.delta import Viewer
from metrics.board.models import Display, DisplayLayout
from metrics.board.snapshot import queues_of_teams
from metrics.models import Queue, hash_token

GROUP_PREFIX = "display."
# How often a connected display's last-seen time is written (each push refreshes it).
SEEN_EVERY_S = 30.0


def group_name(display_id: int) -> str:
    return f"{GROUP_PREFIX}{display_id}"


def languages() -> list[tuple[str, str]]:
    return [(code, str(name)) for code, name in settings.LANGUAGES]


# -- writes -------------------------------------------------------------------------------------


def display_create(
    *,
    actor: User,
    name: str,
    site: str,
    team: Team | None = None,
    queue: Queue | None = None,
    language: str = "",
    layout: str = DisplayLayout.FULL,
) -> tuple[Display, str]:
    """Register a display; returns it and its token (shown once: only its hash is kept)."""
    name = name.strip()
    if not name:
        raise DomainError(_("Give the display a name."), field="name")
    if team is not None and queue is not None:
        raise DomainError(_("Choose a team or a queue, not both."), field="queue")
    if queue is not None and queue.site != site:
        raise DomainError(_("This queue belongs to another site."), field="queue")
    language = language or settings.LANGUAGE_CODE
    if language not in dict(settings.LANGUAGES):
        raise DomainError(_("Unknown language."), field="language")
    if layout not in DisplayLayout.values:
        raise DomainError(_("Unknown layout."), field="layout")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        display = Display.objects.create(
            name=name,
            site=site,
            team=team,
            queue=queue,
            language=language,
            layout=layout,
            token_hash=hash_token(token),
            created_by=actor,
        )
        audit_record(
            actor=actor,
            action="display.created",
            target=display,
            data={
                "name": name,
                "site": site,
                "team": team.name if team else None,
                "queue": queue.name if queue else None,
                "language": language,
                "layout": layout,
            },
        )
    return display, token


def display_revoke(*, actor: User, display: Display) -> Display:
    """Revoke a display's link: its page stops opening and its sockets close at once."""
    with transaction.atomic():
        display = Display.objects.select_for_update().get(pk=display.pk)
        if display.revoked_at is not None:
            raise DomainError(_("This display is already revoked."), code="revoked")
        display.revoked_at = timezone.now()
        display.revoked_by = actor
        display.save(update_fields=["revoked_at", "revoked_by"])
        audit_record(actor=actor, action="display.revoked", target=display)
        transaction.on_commit(lambda: display_disconnect(display_id=display.pk))
    return display


def display_disconnect(*, display_id: int) -> None:
    """Close every socket of a display (each server process closes its own)."""
    async_to_sync(get_channel_layer().group_send)(
        group_name(display_id), {"type": "display.revoked"}
    )


def display_seen(*, display_id: int) -> bool:
    """Note that a display is connected now; False when it was revoked meanwhile."""
    now = timezone.now()
    updated = Display.objects.filter(pk=display_id, revoked_at__isnull=True).update(
        last_seen_at=now
    )
    return bool(updated)


# -- reads --------------------------------------------------------------------------------------


def display_by_token(*, token: str) -> Display | None:
    """The display a link's token opens, or None (unknown, malformed or revoked)."""
    if not token or len(token) > 200:
        return None
    return (
        Display.objects.select_related("team", "queue")
        .filter(token_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )


def displays_list(*, site: str | None = None):
    rows = Display.objects.select_related("team", "queue", "created_by", "revoked_by")
    return rows.filter(site=site) if site else rows


def display_is_online(display: Display, *, now=None) -> bool:
    if display.last_seen_at is None or display.revoked_at is not None:
        return False
    return (now or timezone.now()) - display.last_seen_at < timedelta(seconds=3 * SEEN_EVERY_S)


@dataclass(frozen=True, slots=True)
class DisplayViewer(Viewer):
    """What a display may see: its team's agents and queues, one queue (and the teams that
    work it), or its whole site; never the agents' own help-request entries (their alerts
    show, as on any TV)."""

    whole_site: bool = False

    def sees(self, section: str, entry: dict) -> bool:
        if section == "help":
            return False
        if self.whole_site:
            return True
        return Viewer.sees(self, section, entry)


def display_viewer(display: Display) -> DisplayViewer:
    if display.team_id is not None:
        teams = frozenset({display.team_id})
        return DisplayViewer(queues=True, teams=teams, queue_ids=queues_of_teams(teams))
    if display.queue_id is not None:
        teams = frozenset(Team.objects.filter(queues=display.queue_id).values_list("pk", flat=True))
        return DisplayViewer(queues=True, teams=teams, queue_ids=frozenset({display.queue_id}))
    return DisplayViewer(queues=True, whole_site=True)


# -- masking ------------------------------------------------------------------------------------


def mask_caller(number: str | None) -> str:
    """A caller's number as a wall shows it: its last four digits only (as floor.js does)."""
    digits = "".join(ch for ch in str(number or "") if ch.isdigit())
    return f"••• {digits[-4:]}" if len(digits) > 4 else "••••"


def _mask_tile(tile: dict) -> dict:
    if "waiting_calls" not in tile:
        return tile
    calls = [
        {**call, "caller": mask_caller(call.get("caller")) if call.get("caller") else ""}
        for call in tile["waiting_calls"] or []
    ]
    return {**tile, "waiting_calls": calls}


def mask_snapshot(snapshot: dict) -> dict:
    """A snapshot without callers' numbers (a display's copy; the input is left alone)."""
    queues = {key: _mask_tile(tile) for key, tile in snapshot.get("queues", {}).items()}
    return {**snapshot, "queues": queues}


def mask_delta(delta: dict) -> dict:
    masked = dict(delta)
    for part in ("set", "patch"):
        entries = delta.get(part, {}).get("queues")
        if entries:
            masked[part] = {
                **delta[part],
                "queues": {key: _mask_tile(tile) for key, tile in entries.items()},
            }
    return masked
