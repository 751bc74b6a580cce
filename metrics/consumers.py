"""The wall board's WebSocket: a snapshot on connect, then the site's deltas, filtered per viewer.

Messages to the browser (JSON):
- `{"type": "snapshot", "seq": n, "now": t, "snapshot": {...}}` on connect and on resync;
- `{"type": "delta", "seq": n, "now": t, "delta": {"set": ..., "remove": ...}}` after each push
  (an empty delta is the heartbeat).
The browser applies deltas whose `seq` follows its own and sends `{"type": "resync"}` on a gap.

Hostile clients: binary frames (1003), frames over 4 KiB (1009) and text that is not JSON (1007)
close the socket; resyncs are answered at most once a second; a session holds at most
`CALLFLOOR_WS_MAX_PER_SESSION` sockets across every server process (the next is refused with
4429; see metrics.socket_slots).
"""

from __future__ import annotations

import json
import logging
import time
from typing import TypedDict

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from metrics import floor, floor_delta, push, socket_slots

log = logging.getLogger(__name__)


class FloorDelta(TypedDict):
    """`floor.delta` on the channel layer (sent by metrics.push.floor_push)."""

    type: str
    seq: int
    now: float
    delta: dict
    text: str  # the browser's message for a full-floor viewer, serialised once


class FloorSnapshot(TypedDict):
    type: str
    seq: int
    now: float
    snapshot: dict
    text: str


MAX_FRAME_BYTES = 4096
RESYNC_EVERY_S = 1.0
CLOSE_UNSUPPORTED, CLOSE_INVALID, CLOSE_TOO_BIG, CLOSE_TOO_MANY = 1003, 1007, 1009, 4429


def _session_of(scope) -> str:
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    return f"s:{key}" if key else f"u:{scope['user'].pk}"


class FloorConsumer(AsyncJsonWebsocketConsumer):
    holder: str | None = None
    last_resync = 0.0
    place_refreshed = 0.0

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
        holder = _session_of(self.scope)
        cap = settings.CALLFLOOR_WS_MAX_PER_SESSION
        if not await sync_to_async(socket_slots.acquire, thread_sensitive=False)(
            holder, self.channel_name, cap
        ):
            await self.close(code=CLOSE_TOO_MANY)
            return
        self.holder, self.place_refreshed = holder, time.monotonic()
        self.viewer = await database_sync_to_async(floor.viewer_for)(user)
        if self.viewer is None:
            await self.close()
            return
        if push.local_scheduler is not None:
            push.local_scheduler.attach()
        self.site = self.scope["url_route"]["kwargs"].get("site") or floor.default_site()
        self.group = push.group_name(self.site)
        # Join first: whatever is pushed after the snapshot we read is then not missed.
        await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_snapshot()

    async def disconnect(self, code):
        if self.holder is not None:
            holder, self.holder = self.holder, None
            try:
                await sync_to_async(socket_slots.release, thread_sensitive=False)(
                    holder, self.channel_name
                )
            except Exception:  # its place goes stale by itself
                log.warning("could not give back a board socket's place", exc_info=True)
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        if text_data is None:
            await self.close(code=CLOSE_UNSUPPORTED)
        elif len(text_data) > MAX_FRAME_BYTES:
            await self.close(code=CLOSE_TOO_BIG)
        else:
            try:
                content = json.loads(text_data)
            except (ValueError, RecursionError):
                await self.close(code=CLOSE_INVALID)
                return
            await self.receive_json(content)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            now = time.monotonic()
            if now - self.last_resync < RESYNC_EVERY_S:
                return
            self.last_resync = now
            await self.send_snapshot()

    async def send_snapshot(self):
        current = await database_sync_to_async(push.floor_current)(site=self.site)
        await self.send_json(
            {
                "type": "snapshot",
                "seq": current["seq"],
                "now": current.get("now"),
                "snapshot": floor_delta.filter_snapshot(current["snapshot"], self.viewer),
            }
        )

    async def keep_place(self) -> None:
        """Each push shows the socket is alive: refresh its place now and then."""
        if self.holder is None or time.monotonic() - self.place_refreshed < socket_slots.REFRESH_S:
            return
        self.place_refreshed = time.monotonic()
        try:
            await sync_to_async(socket_slots.refresh, thread_sensitive=False)(
                self.holder, self.channel_name
            )
        except Exception:
            log.warning("could not refresh a board socket's place", exc_info=True)

    async def floor_delta(self, event: FloorDelta):
        await self.keep_place()
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json(
            {
                "type": "delta",
                "seq": event["seq"],
                "now": event["now"],
                "delta": floor_delta.filter_delta(event["delta"], self.viewer),
            }
        )

    async def floor_snapshot(self, event: FloorSnapshot):
        await self.keep_place()
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json(
            {
                "type": "snapshot",
                "seq": event["seq"],
                "now": event["now"],
                "snapshot": floor_delta.filter_snapshot(event["snapshot"], self.viewer),
            }
        )
