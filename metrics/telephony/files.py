"""queue_log files into the database: bulk import and the live follower share this code.

A source remembers how far it has read a file (`follow_path`, `follow_inode`,
`follow_offset`, `follow_line`), saved in the same transaction as the events of each batch,
so a restart resumes exactly where the last committed batch ended. Lines are stored once by
their content (`CallEvent.natural_key`), so reading a line again changes nothing.
"""

from __future__ import annotations

import gc
import hashlib
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection, transaction

from metrics.models import TelephonySource
from metrics.queue_log import Event, LineCounts, LineError, Rejected, parse_db_line, parse_file_line
from metrics.telephony.services import (
    DUPLICATE,
    REJECTED,
    ImportCounts,
    PreparedBatch,
    events_import,
    events_ingest,
    events_prepare,
)

BATCH_LINES = 50_000
# File-layout lines on PostgreSQL take the bulk path (`events_import`: the same rows, the next
# batch read while the database stores this one); other layouts and databases go item by item.
BULK_IMPORT = True
MARK_BYTES = 256
# While a file is read, the cycle collector runs after every this many lines (see
# `_collector_paused`).
GC_LINES = 500_000


def file_mark(path: Path, offset: int) -> str:
    """Digest of the bytes before `offset` (empty at the start of a file)."""
    if offset <= 0:
        return ""
    start = max(0, offset - MARK_BYTES)
    with open(path, "rb") as handle:
        handle.seek(start)
        return hashlib.blake2b(handle.read(offset - start), digest_size=16).hexdigest()


class FileCounts(LineCounts):
    """What a run did with the lines it read (`LineCounts`, fed from stored batches)."""

    def add_batch(self, events: list[Event], result) -> None:
        for event, item in zip(events, result.items, strict=True):
            if item.status == DUPLICATE:
                self.duplicates += 1
            elif item.status == REJECTED:
                self.rejected.append(Rejected(event.seq, item.reason))
            elif item.ignored:
                self.ignored += 1
            else:
                self.used += 1

    def add_import(self, done: ImportCounts) -> None:
        self.used += done.used
        self.ignored += done.ignored
        self.duplicates += done.duplicates
        self.rejected.extend(Rejected(line, reason) for line, reason in done.rejected)

    def summary(self) -> str:
        text = (
            f"lines read {self.read}, used {self.used}, ignored {self.ignored}, "
            f"already imported {self.duplicates}, rejected {len(self.rejected)}"
        )
        for rejected in self.rejected[:50]:
            text += f"\n  line {rejected.line}: {rejected.reason}"
        if len(self.rejected) > 50:
            text += f"\n  … and {len(self.rejected) - 50} more"
        return text


def ingest_file(
    *,
    source: TelephonySource,
    path: Path,
    layout: str = "file",
    zone: str = "UTC",
    offset: int = 0,
    line_no: int = 0,
    batch_lines: int = BATCH_LINES,
    counts: FileCounts | None = None,
    progress: Callable[[int], None] | None = None,
    remember: bool = True,
) -> FileCounts:
    """Read `path` from `offset` and ingest its complete lines in batches.

    Batches end only where the time changes, so equal-time lines are always ordered together.
    With `remember`, the position after each batch is saved on the source in the batch's
    transaction.
    """
    from zoneinfo import ZoneInfo

    counts = counts or FileCounts()
    first_rejected = len(counts.rejected)
    tz = ZoneInfo(zone)
    inode = os.stat(path).st_ino
    bulk = BULK_IMPORT and layout == "file" and connection.vendor == "postgresql"

    def flush(
        batch: list[Event] | PreparedBatch, end_offset: int, end_line: int, meanwhile
    ) -> None:
        with transaction.atomic():
            if bulk:
                done = events_import(source=source, events=batch, meanwhile=meanwhile)
            else:
                result = events_ingest(source=source, events=batch)
            if remember:
                TelephonySource.objects.filter(pk=source.pk).update(
                    follow_path=str(path),
                    follow_inode=inode,
                    follow_offset=end_offset,
                    follow_line=end_line,
                    follow_mark=file_mark(path, end_offset),
                )
        if bulk:
            counts.add_import(done)
        else:
            counts.add_batch(batch, result)
        if progress:
            progress(end_offset)

    def events() -> Iterator[tuple[Event, int, int]]:
        # Complete lines from `offset` (the database layout: read whole, then sorted).
        after, number = offset, line_no
        with open(path, "rb") as handle:
            handle.seek(offset)
            for raw in handle:
                if not raw.endswith(b"\n"):
                    return  # still being written: left for the next read
                after += len(raw)
                number += 1
                if raw.isspace():
                    continue
                counts.read += 1
                try:
                    yield (
                        parse_db_line(raw.decode("utf-8", errors="replace"), number, tz),
                        after,
                        number,
                    )
                except LineError as error:
                    counts.rejected.append(Rejected(number, str(error)))
                    # No event, but the position moves past the line: it is not read again.
                    yield None, after, number

    def file_batches() -> Iterator[tuple[list[Event], int, int]]:
        # The file layout: lines in file order, cut into batches where the time changes.
        # One loop per line, no generator step or tuple per line (this runs for every line
        # of an import): the position is kept as two numbers and given with each batch.
        parse, rejected, read = parse_file_line, counts.rejected, 0
        batch: list[Event] = []
        append = batch.append
        after = end_after = offset
        number = end_line = line_no
        with open(path, "rb") as handle:
            handle.seek(offset)
            for raw in handle:
                if raw[-1:] != b"\n":
                    break  # still being written: left for the next read
                after += len(raw)
                number += 1
                if raw.isspace():
                    continue
                read += 1
                try:
                    event = parse(raw.decode("utf-8", errors="replace"), number)
                except LineError as error:
                    rejected.append(Rejected(number, str(error)))
                    # No event, but the position moves past the line: it is not read again.
                    end_after, end_line = after, number
                    continue
                if len(batch) >= batch_lines and event.ts != batch[-1].ts:
                    counts.read += read
                    read = 0
                    # The bulk path checks and orders a batch as it is read (while the
                    # previous one is being stored).
                    yield (events_prepare(batch) if bulk else batch), end_after, end_line
                    batch = []
                    append = batch.append
                append(event)
                end_after, end_line = after, number
        counts.read += read
        if batch or (end_after, end_line) != (offset, line_no):
            # (Only rejected lines since the last batch: an empty batch keeps their position.)
            yield (events_prepare(batch) if bulk else batch), end_after, end_line

    def batches(stream) -> Iterator[tuple[list[Event], int, int]]:
        batch: list[Event] = []
        start = end = (offset, line_no)
        for event, after, number in stream:
            if event is None:
                end = (after, number)
                continue
            if len(batch) >= batch_lines and event.ts != batch[-1].ts:
                yield (events_prepare(batch) if bulk else batch), *end
                batch = []
            batch.append(event)
            end = (after, number)
        if batch or end != start:
            yield (events_prepare(batch) if bulk else batch), *end

    if layout != "db":
        reader: Iterator = file_batches()
    else:
        # Database exports may be unordered: read them whole and sort; the position is only
        # remembered at the end.
        rows = list(events())
        last = max((row[1:] for row in rows), default=(offset, line_no))
        rows = sorted((row for row in rows if row[0] is not None), key=lambda r: r[0].sort_key())
        stream = iter([(event, *last) for event, _, _ in rows] or [(None, *last)])
        reader = batches(stream)

    with _collector_paused():
        _ingest_batches(source, path, inode, offset, line_no, reader, flush, remember)
    # The next batch is read while one is stored: keep the rejected lines in file order.
    counts.rejected[first_rejected:] = sorted(
        counts.rejected[first_rejected:], key=lambda r: r.line
    )
    source.refresh_from_db(fields=["follow_path", "follow_inode", "follow_offset", "follow_line"])
    return counts


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector off while batches are parsed and stored.

    A batch makes hundreds of thousands of objects and keeps most of them to its end, so the
    collector would walk them again and again (a third of the import's Python time) to find
    almost nothing: the events, calls and rows are freed by reference counting. It runs once
    every `GC_LINES` lines instead (each run walks the objects alive then, e.g. the batch
    read ahead), and as before after the import.
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _ingest_batches(source, path, inode, offset, line_no, reader, flush, remember) -> None:
    pending = next(reader, None)
    if pending is None and remember:
        TelephonySource.objects.filter(pk=source.pk).update(
            follow_path=str(path),
            follow_inode=inode,
            follow_offset=offset,
            follow_line=line_no,
            follow_mark=file_mark(path, offset),
        )
    lines = 0
    while pending is not None:
        lines += len(pending[0])
        ahead: list = []

        def read_ahead(ahead=ahead):
            # The next batch, read while this one is stored (given back to be fed ahead).
            ahead.append(next(reader, None))
            return ahead[0][0] if ahead[0] is not None else None

        flush(*pending, meanwhile=read_ahead)
        pending = ahead[0] if ahead else next(reader, None)
        if lines >= GC_LINES and not gc.isenabled():
            # The young generations: whatever this part of the file left behind.
            gc.collect(1)
            lines = 0


def follow_step(
    *,
    source: TelephonySource,
    path: Path,
    layout: str = "file",
    zone: str = "UTC",
    counts: FileCounts | None = None,
) -> FileCounts:
    """Read whatever is new in the followed file, across a rotation or a truncation.

    Rotation (`queue_log` renamed to `queue_log.1`, a new `queue_log` created): the rest of the
    old file is read from `queue_log.1` (found by its inode) before the new file from 0.
    Truncation (same file, now shorter than the stored offset, or with other bytes before
    it): read again from 0.
    """
    counts = counts or FileCounts()
    source.refresh_from_db()
    if not path.exists():
        return counts
    current = os.stat(path)
    offset, line_no = source.follow_offset, source.follow_line
    same_file = source.follow_path == str(path) and source.follow_inode == current.st_ino
    if source.follow_inode is not None and source.follow_path == str(path) and not same_file:
        rotated = _find_rotated(path, source.follow_inode)
        if rotated is not None:
            ingest_file(
                source=source,
                path=rotated,
                layout=layout,
                zone=zone,
                offset=offset,
                line_no=line_no,
                counts=counts,
                remember=False,
            )
        offset, line_no = 0, 0
    elif not same_file or current.st_size < offset or file_mark(path, offset) != source.follow_mark:
        # Another file, or this one rewritten in place: read it from the start (lines read
        # before are recognised and skipped).
        offset, line_no = 0, 0
    ingest_file(
        source=source,
        path=path,
        layout=layout,
        zone=zone,
        offset=offset,
        line_no=line_no,
        counts=counts,
    )
    return counts


def _find_rotated(path: Path, inode: int) -> Path | None:
    for candidate in (path.with_name(path.name + ".1"), path.with_name(path.name + ".0")):
        try:
            if candidate.exists() and os.stat(candidate).st_ino == inode:
                return candidate
        except OSError:
            continue
    return None
