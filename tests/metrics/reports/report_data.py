"""Builders of telephony history for the report tests (through the real ingestion path)."""

from __future__ import annotations

from datetime import UTC, datetime

from metrics.queue_log import read_lines


def member(ext: str) -> str:
    return f"Local/{ext}@from-internal/n"


class Log:
    """Writes queue_log lines (file layout) of answered and abandoned calls."""

    def __init__(self, start: datetime) -> None:
        self.ts = int(start.timestamp())
        self.lines: list[str] = []
        self.serial = 0

    def _line(self, ts: int, call: str, queue: str, agent: str, event: str, *data) -> None:
        self.lines.append("|".join([str(ts), call, queue, agent, event, *map(str, data)]))

    def answered(
        self, *, queue: str, ext: str, wait: int, talk: int, caller: str = "", gap: int = 600
    ) -> str:
        self.serial += 1
        call = f"{self.ts}.{self.serial}"
        self._line(self.ts, call, queue, "NONE", "ENTERQUEUE", "", caller, 1)
        self._line(self.ts + wait, call, queue, member(ext), "CONNECT", wait, "chan", 3)
        self._line(self.ts + wait + talk, call, queue, member(ext), "COMPLETECALLER", wait, talk, 1)
        self.ts += gap
        return call

    def abandoned(self, *, queue: str, wait: int, caller: str = "", gap: int = 600) -> str:
        self.serial += 1
        call = f"{self.ts}.{self.serial}"
        self._line(self.ts, call, queue, "NONE", "ENTERQUEUE", "", caller, 1)
        self._line(self.ts + wait, call, queue, "NONE", "ABANDON", 1, 1, wait)
        self.ts += gap
        return call

    def ingest(self, source) -> None:
        from metrics.telephony.services import events_ingest

        # A last line far later closes every after-call-work window.
        self._line(self.ts + 3600, "NONE", "NONE", "NONE", "CONFIGRELOAD")
        events_ingest(source=source, events=list(read_lines(self.lines, layout="file", zone="UTC")))


def day(y: int, m: int, d: int, h: int = 9) -> datetime:
    return datetime(y, m, d, h, tzinfo=UTC)
