"""Helpers of the follower tests: an AMI source, a follower in a thread, the floor as data."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime

from django.db import connections

from metrics.models import (
    AgentDay,
    AgentState,
    EngineCall,
    EngineMember,
    Queue,
    QueueCall,
    QueueInterval,
    TelephonySource,
)
from metrics.selectors import floor_queue_stats
from metrics.telephony.ami.config import source_secret_set
from metrics.telephony.ami.follower import AmiFollower
from tests.ami.server import ScriptedAmiServer

CALL_FIELDS = (
    "caller",
    "offered_at",
    "outcome",
    "wait_s",
    "member",
    "answered_at",
    "ring_s",
    "talk_s",
    "hold_s",
    "acw_s",
    "ended_at",
    "transferred",
    "cut",
)


def ami_source(server: ScriptedAmiServer, name: str = "asterisk") -> TelephonySource:
    source = TelephonySource(
        name=name,
        kind="ami",
        ami_host=server.host,
        ami_port=server.port,
        ami_username=server.username,
    )
    source_secret_set(source=source, secret=server.secret)
    source.save()
    return source


class Clock:
    """The follower's clock: the time of the scripted morning, moved by the test."""

    def __init__(self, ts: float) -> None:
        self.ts = ts

    def __call__(self) -> float:
        return self.ts


class FollowerThread:
    """`AmiFollower.run` in a thread of its own (its own event loop), stopped by `stop()`."""

    def __init__(self, follower: AmiFollower) -> None:
        self.follower = follower
        self.loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._ready = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._main, daemon=True)

    def start(self) -> FollowerThread:
        self.thread.start()
        self._ready.wait(5)
        return self

    def _main(self) -> None:
        async def main() -> None:
            self.loop = asyncio.get_running_loop()
            self._stop = asyncio.Event()
            self._ready.set()
            await self.follower.run(self._stop)

        try:
            asyncio.run(main())
        except BaseException as error:  # reported by stop()
            self.error = error
        finally:
            connections.close_all()

    def stop(self) -> None:
        if self.loop is not None and self._stop is not None:
            self.loop.call_soon_threadsafe(self._stop.set)
        self.thread.join(15)
        assert not self.thread.is_alive(), "the follower did not stop"
        if self.error is not None:
            raise self.error


def wait_until(predicate: Callable[[], bool], timeout: float = 15, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {timeout} s: {what}")
        time.sleep(0.05)


def floor_result(source: TelephonySource, *, now: datetime) -> dict:
    """The calls, agent states, rollups and board KPIs the source's events made."""
    calls = {
        row["call_id"]: {k: row[k] for k in CALL_FIELDS}
        for row in QueueCall.objects.filter(source=source).values("call_id", *CALL_FIELDS)
    }
    states = list(
        AgentState.objects.filter(source=source)
        .order_by("member", "started_at", "id")
        .values_list("member", "status", "reason", "activity", "call_id", "started_at", "ended_at")
    )
    skip = {"id", "queue", "queue_id", "source", "source_id", "agent", "agent_id"}
    intervals = {
        (row.queue.name, row.start): {
            f.attname: getattr(row, f.attname)
            for f in QueueInterval._meta.concrete_fields
            if f.attname not in skip
        }
        for row in QueueInterval.objects.select_related("queue")
    }
    days = {
        (row.member, row.day): {
            f.attname: getattr(row, f.attname)
            for f in AgentDay._meta.concrete_fields
            if f.attname not in skip
        }
        for row in AgentDay.objects.filter(source=source)
    }
    figures = {
        Queue.objects.get(pk=pk).name: stats
        for pk, stats in floor_queue_stats(queues=Queue.objects.all(), now=now).items()
    }
    return {"calls": calls, "states": states, "intervals": intervals, "days": days, "kpis": figures}


def floor_clear() -> None:
    """Forget the calls, states and rollups (the queue's rollups are shared by its sources)."""
    for model in (QueueCall, AgentState, QueueInterval, AgentDay, EngineCall, EngineMember):
        model.objects.all().delete()


def at(ts: float) -> datetime:
    return datetime.fromtimestamp(ts, UTC)
