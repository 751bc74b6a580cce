"""The wall board's WebSocket: a snapshot on connect, then the site's deltas, filtered per viewer.

Messages to the browser (JSON):
- `{"type": "snapshot", "seq": n, "now": t, "snapshot": {...}}` on connect and on resync;
- `{"type": "delta", "seq": n, "now": t, "delta": {"set": ..., "remove": ...}}` after each push
  (an empty delta is the heartbeat).
The browser applies deltas whose `seq` follows its own and sends `{"type": "resync"}` on a gap.
"""

from __future__ import annotations

from typing import TypedDict

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from metrics import floor, floor_delta, push


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


class FloorConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated:
            await self.close()
            return
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
        if getattr(self, "group", None):
            await self.channel_layer.group_discard(self.group, self.channel_name)

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "resync":
            await self.send_snapshot()

    async def send_snapshot(self):
        current = await database_sync_to_async(push.floor_current)(site=self.site)
        await self.send_json({
            "type": "snapshot", "seq": current["seq"], "now": current.get("now"),
            "snapshot": floor_delta.filter_snapshot(current["snapshot"], self.viewer),
        })

    async def floor_delta(self, event: FloorDelta):
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json({"type": "delta", "seq": event["seq"], "now": event["now"],
                              "delta": floor_delta.filter_delta(event["delta"], self.viewer)})

    async def floor_snapshot(self, event: FloorSnapshot):
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json({
            "type": "snapshot", "seq": event["seq"], "now": event["now"],
            "snapshot": floor_delta.filter_snapshot(event["snapshot"], self.viewer),
        })
