"""The wall board's WebSocket: a snapshot on connect, then the site's deltas, filtered per viewer.

Messages to the browser (JSON):
- `{"type": "snapshot", "seq": n, "now": t, "snapshot": {...}}` on connect and on resync;
- `{"type": "delta", "seq": n, "now": t, "delta": {"set": ..., "remove": ...}}` after each push
  (an empty delta is the heartbeat).
The browser applies deltas whose `seq` follows its own and sends `{"type": "resync"}` on a gap.

Full-floor viewers (supervisors, admins) are not channel-layer members one by one: per server
process and site, one `FloorFanout` is the member of the site's group and writes each push's
pre-encoded text to all of them (one channel-layer wake-up and dispatch per push and process
instead of one per socket). Filtered viewers are members themselves and get their own cut.

Hostile clients: binary frames (4003), frames over 4 KiB (4009) and text that is not JSON (4007)
close the socket — application codes: Daphne refuses to send the protocol's own 1003/1007/1009
for an application and fails the socket with 1011 instead; resyncs are answered at most once a
second; a session holds at most `CALLFLOOR_WS_MAX_PER_SESSION` sockets across every server
process (the next is refused with 4429; see metrics.board.socket_slots). A socket's place is
given back however it ends (closed by either side, or its handler failed).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import time
from typing import TypedDict

from asgiref.sync import sync_to_async
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.conf import settings

from metrics.board import push, socket_slots
from metrics.board.delta import filter_delta, filter_snapshot
from metrics.board.snapshot import default_site, viewer_for

log = logging.getLogger(__name__)


class FloorDelta(TypedDict):
    """`floor.delta` on the channel layer (sent by metrics.board.push.floor_push)."""

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


log = logging.getLogger(__name__)

MAX_FRAME_BYTES = 4096
RESYNC_EVERY_S = 1.0
# Application close codes (4000–4999), after the protocol's 1003, 1007, 1009 and HTTP's 429.
CLOSE_UNSUPPORTED, CLOSE_INVALID, CLOSE_TOO_BIG, CLOSE_TOO_MANY = 4003, 4007, 4009, 4429


def _session_of(scope) -> str:
    session = scope.get("session")
    key = getattr(session, "session_key", None)
    return f"s:{key}" if key else f"u:{scope['user'].pk}"


class FloorFanout:
    """The member of a site's group for this process's full-floor sockets (see the module
    docstring). It lives while one of them is open; it renews its group membership now and
    then, as the channel layer forgets members after `group_expiry`."""

    RENEW_S = 600.0
    running: dict[tuple[int, str], FloorFanout] = {}  # (id of the event loop, site) → fan-out

    def __init__(self, layer, site: str) -> None:
        self.layer, self.site = layer, site
        self.group = push.group_name(site)
        self.sockets: set[FloorConsumer] = set()
        self.loop = asyncio.get_running_loop()
        self.ready: asyncio.Future[str] = self.loop.create_future()  # the channel's name
        self.task: asyncio.Task | None = None

    @classmethod
    async def join(cls, consumer: FloorConsumer) -> None:
        loop = asyncio.get_running_loop()
        key = (id(loop), consumer.site)
        fanout = cls.running.get(key)
        if fanout is None or fanout.loop is not loop or (fanout.task and fanout.task.done()):
            fanout = cls.running[key] = cls(consumer.channel_layer, consumer.site)
            try:
                channel = await fanout.layer.new_channel()
            except BaseException as error:
                del cls.running[key]
                fanout.ready.set_exception(error)
                raise
            fanout.task = loop.create_task(fanout._run(channel))
            fanout.ready.set_result(channel)
        channel = await asyncio.shield(fanout.ready)
        fanout.sockets.add(consumer)
        consumer.fanout = fanout
        # Also renews the membership (the channel layer forgets members after a while).
        await fanout.layer.group_add(fanout.group, channel)

    async def leave(self, consumer: FloorConsumer) -> None:
        self.sockets.discard(consumer)
        if self.sockets:
            return
        key = (id(self.loop), self.site)
        if self.running.get(key) is self:
            del self.running[key]
        if self.task is not None:
            self.task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self.task
        await self.layer.group_discard(self.group, self.ready.result())

    async def _run(self, channel: str) -> None:
        renewed = time.monotonic()
        while True:
            message = await self.layer.receive(channel)
            if time.monotonic() - renewed > self.RENEW_S:  # pushes come every few seconds
                await self.layer.group_add(self.group, channel)
                renewed = time.monotonic()
            if message.get("type") not in ("floor.delta", "floor.snapshot"):
                continue
            for consumer in list(self.sockets):
                try:
                    await consumer.deliver(message)
                except Exception:
                    log.exception("could not send the floor to a board")


class FloorConsumer(AsyncJsonWebsocketConsumer):
    holder: str | None = None
    last_resync = 0.0
    place_refreshed = 0.0
    fanout: FloorFanout | None = None
    # While a snapshot is read for a full-floor socket, the pushes that arrive wait here.
    held: list[dict] | None = None
    # The sequence number this socket's data stands at: a delta it already holds (pushed
    # while its snapshot was read) is not sent again. A pushed snapshot always goes (the
    # sequence restarts when the cache lost it).
    sent_seq = 0

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
        self.viewer = await database_sync_to_async(viewer_for)(user)
        if self.viewer is None:
            await self.close()
            return
        if push.local_scheduler is not None:
            push.local_scheduler.attach()
        self.site = self.scope["url_route"]["kwargs"].get("site") or default_site()
        self.group = push.group_name(self.site)
        # Join first: whatever is pushed after the snapshot we read is then not missed.
        if self.viewer.everything:
            self.held = []
            await FloorFanout.join(self)
        else:
            await self.channel_layer.group_add(self.group, self.channel_name)
        await self.accept()
        await self.send_snapshot()

    async def __call__(self, scope, receive, send):
        try:
            await super().__call__(scope, receive, send)
        finally:
            # Also when the socket did not end through `disconnect` (a handler failed, the
            # server cancelled the application): its place is not left to go stale.
            await self.give_back_place()

    async def give_back_place(self) -> None:
        if self.holder is None:
            return
        holder, self.holder = self.holder, None
        try:
            await sync_to_async(socket_slots.release, thread_sensitive=False)(
                holder, self.channel_name
            )
        except Exception:  # its place goes stale by itself
            log.warning("could not give back a board socket's place", exc_info=True)

    async def disconnect(self, code):
        await self.give_back_place()
        if self.fanout is not None:
            fanout, self.fanout = self.fanout, None
            await fanout.leave(self)
        elif getattr(self, "group", None):
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
            # It saw a gap: the worker's next push rebuilds the floor in full.
            await database_sync_to_async(push.floor_resync_requested)(site=self.site)
            await self.send_snapshot()

    async def send_snapshot(self):
        if self.fanout is not None and self.held is None:
            self.held = []
        try:
            if self.viewer.everything:
                # The whole floor: the text encoded once per push in this process.
                seq, text = await database_sync_to_async(push.floor_current_text)(site=self.site)
                await self.send(text_data=text)
            else:
                current = await database_sync_to_async(push.floor_current)(site=self.site)
                seq = current["seq"]
                await self.send_json(
                    {
                        "type": "snapshot",
                        "seq": seq,
                        "now": current.get("now"),
                        "snapshot": filter_snapshot(current["snapshot"], self.viewer),
                    }
                )
            self.sent_seq = seq
            # What was pushed meanwhile, in order, after the snapshot it follows (older pushes
            # are in it). Still holding: a push that comes during a send joins the queue.
            while self.held:
                message = self.held.pop(0)
                if message["seq"] > self.sent_seq:
                    await self._send_push(message)
        finally:
            self.held = None

    def _fresh(self, event: dict) -> bool:
        """Whether a push takes this socket further (and count it as sent)."""
        if event["type"] != "floor.snapshot" and event["seq"] <= self.sent_seq:
            return False
        self.sent_seq = event["seq"]
        return True

    async def _send_push(self, message: dict) -> None:
        if self._fresh(message):
            await self.send(text_data=message["text"])

    async def deliver(self, message: dict) -> None:
        """A push, from this process's fan-out (full-floor sockets only)."""
        await self.keep_place()
        if self.held is not None:
            self.held.append(message)
        else:
            await self._send_push(message)

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
        if not self._fresh(event):
            return
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json(
            {
                "type": "delta",
                "seq": event["seq"],
                "now": event["now"],
                "delta": filter_delta(event["delta"], self.viewer),
            }
        )

    async def floor_snapshot(self, event: FloorSnapshot):
        await self.keep_place()
        self._fresh(event)
        if self.viewer.everything and "text" in event:
            await self.send(text_data=event["text"])
            return
        await self.send_json(
            {
                "type": "snapshot",
                "seq": event["seq"],
                "now": event["now"],
                "snapshot": filter_snapshot(event["snapshot"], self.viewer),
            }
        )
