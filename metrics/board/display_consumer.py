"""The socket of an unattended wall display: `/ws/display/<token>/`.

The same feed as the board's (`FloorConsumer`: snapshot, then the site's deltas, resyncs), but
authenticated by the display's token instead of a session, cut to the display's filter and
with callers masked. It joins the display's own group too: revoking the display sends
`display.revoked` there and the socket closes (4001). Origins are checked by the ASGI router as
for every socket. A display holds at most `CALLFLOOR_WS_MAX_PER_SESSION` sockets.
"""

from __future__ import annotations

import logging
import time

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from django.conf import settings

from metrics.board import displays, push, socket_slots
from metrics.board.consumers import CLOSE_TOO_MANY, FloorConsumer

log = logging.getLogger(__name__)

# Application close codes: the display is unknown or revoked.
CLOSE_UNKNOWN, CLOSE_REVOKED = 4404, 4001


class DisplayConsumer(FloorConsumer):
    display_id: int | None = None
    display_group: str | None = None
    seen_at = 0.0

    async def connect(self):
        token = self.scope["url_route"]["kwargs"].get("token", "")
        display = await database_sync_to_async(displays.display_by_token)(token=token)
        if display is None:
            await self.close(code=CLOSE_UNKNOWN)
            return
        holder = f"d:{display.pk}"
        cap = settings.CALLFLOOR_WS_MAX_PER_SESSION
        if not await sync_to_async(socket_slots.acquire, thread_sensitive=False)(
            holder, self.channel_name, cap
        ):
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.holder, self.place_refreshed = holder, time.monotonic()
        self.display_id = display.pk
        self.viewer = await database_sync_to_async(displays.display_viewer)(display)
        if push.local_scheduler is not None:
            push.local_scheduler.attach()
        self.site = display.site
        self.group = push.group_name(self.site)
        self.display_group = displays.group_name(display.pk)
        # Never a full-floor viewer: every message is cut and masked for this display.
        await self.channel_layer.group_add(self.display_group, self.channel_name)
        await self.channel_layer.group_add(self.group, self.channel_name)
        # Revoked between the look-up and joining its group: the revocation was missed.
        if not await self.note_seen():
            await self.close(code=CLOSE_REVOKED)
            return
        await self.accept()
        await self.send_snapshot()

    async def disconnect(self, code):
        if self.display_group:
            await self.channel_layer.group_discard(self.display_group, self.channel_name)
        await super().disconnect(code)

    async def note_seen(self) -> bool:
        self.seen_at = time.monotonic()
        return await database_sync_to_async(displays.display_seen)(display_id=self.display_id)

    async def keep_place(self) -> None:
        await super().keep_place()
        if self.display_id is None or time.monotonic() - self.seen_at < displays.SEEN_EVERY_S:
            return
        try:
            alive = await self.note_seen()
        except Exception:
            log.warning("could not note a display as seen", exc_info=True)
            return
        if not alive:  # revoked while its message did not reach this process
            await self.close(code=CLOSE_REVOKED)

    async def send_json(self, content, close=False):
        kind = content.get("type") if isinstance(content, dict) else None
        if kind == "snapshot":
            content = {**content, "snapshot": displays.mask_snapshot(content["snapshot"])}
        elif kind == "delta":
            content = {**content, "delta": displays.mask_delta(content["delta"])}
        await super().send_json(content, close=close)

    async def display_revoked(self, event):
        await self.close(code=CLOSE_REVOKED)
