"""The long-lived follower of an AMI source: connect, log in, rebuild, follow, reconnect.

One session: connect and log in (asking for the call and agent event classes), ask
`QueueStatus`, bring the stored state to what Asterisk answered (`events.rebuild_events`),
then translate every followed event (`events.AmiTranslator`) and ingest them in small
batches through the same path as every other adapter (`services.ami_events_ingest`). A
`Ping` every `heartbeat_s` proves the link alive. When the connection ends, what was
received is ingested, the link shows `down` with the reason, and the next attempt waits
`backoff` seconds (growing with each failure in a row, reset by a good session).

Nothing here writes the secret anywhere: it is decrypted for the Login action only.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections.abc import Callable, Sequence

from asgiref.sync import sync_to_async
from django.db import DatabaseError, connections

from metrics.models import TelephonySource
from metrics.telephony.ami import services
from metrics.telephony.ami.config import AmiNotConfigured, ami_settings
from metrics.telephony.ami.events import FOLLOWED, AmiTranslator, rebuild_events
from metrics.telephony.ami.models import AmiLinkState
from metrics.telephony.ami.protocol import AmiClient, AmiError, AmiLoginRefused

logger = logging.getLogger("callfloor.ami")

BACKOFF_S = (1.0, 2.0, 5.0, 10.0, 30.0, 60.0)
BATCH_MAX = 500


class AmiFollower:
    """Follows one AMI source until `stop` is set (see the module docstring)."""

    def __init__(
        self,
        *,
        source: TelephonySource,
        clock: Callable[[], float] = time.time,
        backoff: Sequence[float] = BACKOFF_S,
        heartbeat_s: float = 20.0,
        flush_s: float = 0.2,
        timeout_s: float = 10.0,
    ) -> None:
        self.source = source
        self.clock = clock
        self.backoff = tuple(backoff)
        self.heartbeat_s = heartbeat_s
        self.flush_s = flush_s
        self.timeout_s = timeout_s
        self.failures = 0
        self.sessions = 0
        self.waits: list[float] = []  # the back-off waits taken, in order (for the log, tests)

    async def run(self, stop: asyncio.Event) -> None:
        while not stop.is_set():
            try:
                await self._session(stop)
                if stop.is_set():
                    break
                reason = "connection closed by Asterisk"
            except AmiLoginRefused as error:
                reason = f"login refused: {error}"
            except (AmiError, AmiNotConfigured) as error:
                reason = str(error)
            except DatabaseError as error:
                # The database is away: what this session had not written is lost, and the
                # next session's rebuild from QueueStatus brings the state back.
                reason = f"database unavailable ({type(error).__name__})"
                await sync_to_async(connections.close_all)()
            self.failures += 1
            wait = self.backoff[min(self.failures, len(self.backoff)) - 1]
            self.waits.append(wait)
            logger.warning(
                "AMI source %s: %s; connecting again in %.1f s", self.source.name, reason, wait
            )
            with contextlib.suppress(DatabaseError):
                await sync_to_async(services.ami_link_set)(
                    source=self.source,
                    state=AmiLinkState.DOWN,
                    message=reason,
                    failures=self.failures,
                )
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stop.wait(), wait)
        await sync_to_async(services.ami_link_set)(
            source=self.source, state=AmiLinkState.DOWN, message="follower stopped"
        )
        # The database connection of the thread that ran the writes.
        await sync_to_async(connections.close_all)()

    async def _session(self, stop: asyncio.Event) -> None:
        settings = await sync_to_async(ami_settings)(self.source)
        await sync_to_async(services.ami_link_set)(
            source=self.source, state=AmiLinkState.CONNECTING, failures=self.failures
        )
        inbox: asyncio.Queue[dict] = asyncio.Queue()
        client = AmiClient(
            on_event=lambda m: inbox.put_nowait(m) if m.get("Event") in FOLLOWED else None
        )
        try:
            await client.connect(host=settings.host, port=settings.port, timeout=self.timeout_s)
            await client.login(
                username=settings.username,
                secret=settings.secret,
                events="call,agent",
                timeout=self.timeout_s,
            )
            del settings
            translator = await self._rebuild(client)
            self.sessions += 1
            self.failures = 0
            await sync_to_async(services.ami_link_set)(
                source=self.source, state=AmiLinkState.CONNECTED
            )
            logger.info("AMI source %s: connected (AMI %s)", self.source.name, client.version)
            await self._follow(client, inbox, translator, stop)
        finally:
            if stop.is_set():
                await client.logoff()
            else:
                await client.close()

    async def _rebuild(self, client: AmiClient) -> AmiTranslator:
        answer = await client.send("QueueStatus", timeout=self.timeout_s)
        engine = await sync_to_async(services.ami_engine_read)(source=self.source)
        events = rebuild_events(engine=engine, status=answer.events, now=self.clock())
        if events:
            await self._ingest(events)
        translator = AmiTranslator()
        translator.seed(await sync_to_async(services.ami_engine_read)(source=self.source))
        return translator

    async def _follow(
        self,
        client: AmiClient,
        inbox: asyncio.Queue,
        translator: AmiTranslator,
        stop: asyncio.Event,
    ) -> None:
        batch = []
        next_ping = time.monotonic() + self.heartbeat_s
        while True:
            try:
                message = await asyncio.wait_for(inbox.get(), self.flush_s)
                batch.extend(translator.translate(message, now=self.clock()))
                if len(batch) < BATCH_MAX:
                    continue
            except TimeoutError:
                pass
            if batch:
                await self._ingest(batch)
                batch = []
            if stop.is_set():
                return
            if client.closed.is_set() and inbox.empty():
                raise AmiError(client.close_reason)
            if time.monotonic() >= next_ping and not client.closed.is_set():
                await client.send("Ping", timeout=self.timeout_s)
                await sync_to_async(services.ami_link_seen)(source=self.source)
                next_ping = time.monotonic() + self.heartbeat_s

    async def _ingest(self, events: list) -> None:
        result = await sync_to_async(services.ami_events_ingest)(source=self.source, events=events)
        for item in result.items:
            if item.status == "rejected":
                logger.warning(
                    "AMI source %s: event %s rejected: %s", self.source.name, item.key, item.reason
                )
