"""Asterisk queue_log parsing: text lines in, normalised events out (no Django here).

Two layouts are read:

- ``file``: ``epoch|callid|queue|agent|EVENT|data1|data2|…`` with a whole-second UTC epoch;
- ``db``: the realtime-table layout ``time|callid|queue|agent|event|data1..data5`` where ``time``
  is a local date-time (often with microseconds) in the zone the caller names, and fields past
  the fifth data field are glued into ``data5`` with ``|`` (so they simply stay split here).

Every adapter (file import, follower, the JSON API, the simulator) produces `Event` records;
the KPI engine in `metrics.kpi` consumes them.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

NONE = "NONE"

# Events the engine counts; every other well-formed event is kept and ignored.
CALL_EVENTS = frozenset(
    {
        "ENTERQUEUE",
        "CONNECT",
        "COMPLETEAGENT",
        "COMPLETECALLER",
        "ABANDON",
        "EXITWITHTIMEOUT",
        "EXITEMPTY",
        "EXITWITHKEY",
        "RINGNOANSWER",
        "RINGCANCELED",
        "TRANSFER",
        "BLINDTRANSFER",
        "ATTENDEDTRANSFER",
        "HOLD",
        "UNHOLD",
    }
)
MEMBER_EVENTS = frozenset(
    {
        "ADDMEMBER",
        "REMOVEMEMBER",
        "AGENTLOGIN",
        "AGENTLOGOFF",
        "AGENTCALLBACKLOGIN",
        "AGENTCALLBACKLOGOFF",
        "PAUSE",
        "UNPAUSE",
        "PAUSEALL",
        "UNPAUSEALL",
    }
)
SYSTEM_EVENTS = frozenset({"QUEUESTART"})
KNOWN_EVENTS = CALL_EVENTS | MEMBER_EVENTS | SYSTEM_EVENTS

# Within one timestamp, events are applied in this order (then by line), so the result does
# not depend on how a tailer or a database export happened to order equal-time lines.
_PRIORITY = {
    "QUEUESTART": 0,
    "ADDMEMBER": 1,
    "AGENTLOGIN": 1,
    "AGENTCALLBACKLOGIN": 1,
    "ENTERQUEUE": 2,
    "RINGNOANSWER": 3,
    "RINGCANCELED": 3,
    # Not written by Asterisk: the ring start that sources such as the JSON events API report
    # (`call_ringing`). Same rank as the ring ends, so a ring that ends and the next that
    # starts in one second keep their order of arrival.
    "RINGSTART": 3,
    "CONNECT": 4,
    "HOLD": 5,
    "UNHOLD": 5,
    "COMPLETEAGENT": 6,
    "COMPLETECALLER": 6,
    "TRANSFER": 6,
    "BLINDTRANSFER": 6,
    "ATTENDEDTRANSFER": 6,
    "ABANDON": 6,
    "EXITWITHTIMEOUT": 6,
    "EXITEMPTY": 6,
    "EXITWITHKEY": 6,
    # Pauses and unpauses of one second keep their file order (a 0-second wrap-up is
    # PAUSE then UNPAUSE; a break cancelled at once is the same pair).
    "PAUSE": 7,
    "PAUSEALL": 7,
    "UNPAUSE": 7,
    "UNPAUSEALL": 7,
    "REMOVEMEMBER": 9,
    "AGENTLOGOFF": 9,
    "AGENTCALLBACKLOGOFF": 9,
}


@dataclass(slots=True)
class Event:
    """One telephony event in the engine's vocabulary (the queue_log's event names).

    `ts` is UTC epoch seconds; `seq` orders events of equal `ts` as they arrived (line number);
    `key` is the natural key that makes the same event twice count once.
    """

    ts: float
    seq: int
    call_id: str
    queue: str
    member: str
    name: str
    data: tuple[str, ...] = ()
    key: str = ""

    def sort_key(self) -> tuple[float, int, int]:
        return (self.ts, _PRIORITY.get(self.name, 5), self.seq)

    @property
    def at(self) -> datetime:
        return datetime.fromtimestamp(self.ts, UTC)


@dataclass(slots=True)
class Rejected:
    line: int
    reason: str


@dataclass(slots=True)
class LineCounts:
    read: int = 0
    used: int = 0
    ignored: int = 0
    duplicates: int = 0
    rejected: list[Rejected] = field(default_factory=list)

    def as_dict(self) -> dict:
        return {
            "read": self.read,
            "used": self.used,
            "ignored": self.ignored,
            "duplicates": self.duplicates,
            "rejected": [{"line": r.line, "reason": r.reason} for r in self.rejected],
        }


# 9999-12-31T23:59:59Z: the last second a date-time can hold.
MAX_EPOCH = 253402300800.0


class LineError(ValueError):
    """A line that cannot be read; the message says why."""


# The one rule for the text of every telephony event, whatever its path (file import,
# follower, offline report, JSON events API, simulator): `text_problem`.
# No text holds a C0 control but tab and line breaks, DEL, a C1 control, a lone surrogate
# (not UTF-8) or U+FFFE/U+FFFF (not XML): PostgreSQL refuses NUL, spreadsheets refuse
# controls, and a board shows none of them. Tabs and line breaks are stored as they are.
_BAD_TEXT = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
# The columns names are stored in. A longer name is refused, never cut: two names cut to the
# same text would be one key in the database and two in the engine.
NAME_MAX = {"event id": 200, "call id": 100, "queue name": 100, "member name": 200, "event": 40}


def text_problem(event: Event) -> str | None:
    """Why the text of `event` cannot be stored, or None when it can.

    Names longer than their column (`NAME_MAX`) and control characters (`bad_character`) in
    any field are refused. On the usual path this is a few lengths and one scan of the text
    (it runs once per line of every import).
    """
    names = (event.key, event.call_id, event.queue, event.member, event.name)
    for what, value in zip(NAME_MAX, names, strict=True):
        if len(value) > NAME_MAX[what]:
            return f"{what} longer than {NAME_MAX[what]} characters"
    text = "".join((*names, *event.data))
    # Printable ASCII (the usual line) holds none of `_BAD_TEXT`: two scans in C, no regex.
    if (text.isascii() and text.isprintable()) or _BAD_TEXT.search(text) is None:
        return None
    for what, value in zip(NAME_MAX, names, strict=True):
        found = bad_character(value)
        if found is not None:
            return f"{what} holds the control character {found!r}"
    for index, value in enumerate(event.data, start=1):
        found = bad_character(value)
        if found is not None:
            return f"data field {index} holds the control character {found!r}"
    return None


def bad_character(text: str) -> str | None:
    """The first character of `text` that no telephony text may hold, or None."""
    found = _BAD_TEXT.search(text)
    return None if found is None else found.group()


def shown(text: str, limit: int = 40) -> str:
    """`text` quoted for a rejection reason, cut after `limit` characters (a line may be
    megabytes of garbage, and every reason is kept with the source's import counts)."""
    return repr(text) if len(text) <= limit else f"{text[:limit]!r}… ({len(text)} characters)"


# The largest value of a number field: a duration in seconds (a ring time in milliseconds)
# beyond it is no real call's, and a few of them summed in a rollup make it infinite.
MAX_NUMBER = 1e9


def number(text: str, *, what: str) -> float | None:
    """A non-negative number field up to `MAX_NUMBER`; empty means unknown (None), never 0."""
    if text.isdigit() and len(text) < 10 and text.isascii():
        return float(text)  # the usual field: at most 9 digits, below `MAX_NUMBER`
    text = text.strip()
    if text == "":
        return None
    try:
        value = float(text)
    except ValueError:
        raise LineError(f"{what} is not a number: {shown(text)}") from None
    if value != value or value in (float("inf"), float("-inf")):
        raise LineError(f"{what} is not a finite number: {shown(text)}")
    if value < 0:
        raise LineError(f"{what} is negative: {shown(text)}")
    if value > MAX_NUMBER:
        raise LineError(f"{what} is larger than {MAX_NUMBER:.0e}: {shown(text)}")
    return value


def line_key(text: str, ts: float) -> str:
    """The natural key of a queue_log line: its whole second (12 digits), then a digest of
    its content.

    The time first keeps the keys of a log in the order of its lines, so the database's
    unique index of keys takes each new one at its end. Digests alone land at random places:
    once a day's index outgrows the database's cache, each line then costs a page read and
    write, and the import slows down as the day goes on.
    """
    return f"{int(ts):012d}-{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}"


def _split(text: str, seq: int, ts: float) -> Event:
    parts = text.split("|")
    if len(parts) < 5:
        raise LineError(f"expected at least 5 fields separated by '|', got {len(parts)}")
    name = parts[4].strip()
    if not name or not name.replace("_", "").isalnum():
        raise LineError(f"event name is missing or malformed: {shown(parts[4])}")
    data = parts[5:]
    while data and data[-1] == "":
        data.pop()
    # Empty or NONE fields are ""; the key is `line_key(text, ts)`, inlined (this runs once
    # per line of every import and report).
    call_id, queue, member = parts[1].strip(), parts[2].strip(), parts[3].strip()
    event = Event(
        ts,
        seq,
        "" if call_id == NONE else call_id,
        "" if queue == NONE else queue,
        "" if member == NONE else member,
        name.upper(),
        tuple(data),
        f"{int(ts):012d}-{hashlib.blake2b(text.encode(), digest_size=16).hexdigest()}",
    )
    # `text_problem`, with the usual line checked by one scan of its text and three lengths.
    if (
        _BAD_TEXT.search(text) is not None
        or len(call_id) > 100
        or len(queue) > 100
        or len(member) > 200
        or len(name) > 40
    ):
        problem = text_problem(event)
        if problem is not None:
            raise LineError(problem)
    return event


def parse_file_line(text: str, seq: int, *, digest: bool = True) -> Event:
    """Parse one line of the file layout (`epoch|callid|queue|agent|EVENT|data…`).

    The usual line (a whole-second epoch of digits, an event name of capital letters,
    printable ASCII, names within their columns) is read by one split and no other scan;
    any other line goes through `parse_file_line_checked`, which gives the same event or the
    same rejection (a property test holds the two equal on random lines).

    With `digest=False` the usual line's key is its text rather than `line_key`'s digest of
    it: for a reader that only uses keys to find the same line twice (the offline report).
    """
    text = text.rstrip("\r\n")
    parts = text.split("|")
    if len(parts) < 5:
        return parse_file_line_checked(text, seq)
    head, call_id, queue, member, name = parts[0], parts[1], parts[2], parts[3], parts[4]
    if (
        len(head) > 12
        or not (head.isdigit() and head.isascii())
        or not (name.isalpha() and name.isupper() and name.isascii())
        or len(name) > 40
        or not (text.isascii() and text.isprintable())
        or len(call_id) > 100
        or len(queue) > 100
        or len(member) > 200
    ):
        return parse_file_line_checked(text, seq)
    ts = float(head)
    if ts >= MAX_EPOCH:
        return parse_file_line_checked(text, seq)
    call_id, queue, member = call_id.strip(), queue.strip(), member.strip()
    if len(parts) == 5:
        data: tuple[str, ...] = ()
    else:
        while parts[-1] == "" and len(parts) > 5:
            parts.pop()
        data = tuple(parts[5:])
    # The key is `line_key(text, ts)`: head is the whole second in digits (at most 12).
    return Event(
        ts,
        seq,
        "" if call_id == NONE else call_id,
        "" if queue == NONE else queue,
        "" if member == NONE else member,
        _NAMES.get(name) or _name(name),
        data,
        head.zfill(12) + "-" + _blake2b(text.encode(), digest_size=16).hexdigest()
        if digest
        else text,
    )


# Event names seen, one string object each (an event holds the shared one, whose hash is
# known: the engine looks every event's name up).
_NAMES: dict[str, str] = {}


def _name(name: str) -> str:
    return _NAMES.setdefault(name, name) if len(_NAMES) < 1000 else name


_blake2b = hashlib.blake2b


def parse_file_line_checked(text: str, seq: int) -> Event:
    """`parse_file_line` for any line: every field checked and stripped."""
    text = text.rstrip("\r\n")
    head, _, _ = text.partition("|")
    try:
        ts = float(head)
    except ValueError:
        raise LineError(f"time is not an epoch number: {shown(head)}") from None
    if not 0 <= ts < MAX_EPOCH:  # also refuses nan and inf
        raise LineError(f"time is not a valid epoch: {shown(head)}")
    return _split(text, seq, ts)


def parse_db_line(text: str, seq: int, zone: ZoneInfo) -> Event:
    """Parse one row of the realtime-table layout (local `time`, data1..data5)."""
    text = text.rstrip("\r\n")
    head, _, _ = text.partition("|")
    try:
        local = datetime.fromisoformat(head.strip())
    except ValueError:
        raise LineError(f"time is not a date-time: {shown(head)}") from None
    if local.tzinfo is None:
        local = local.replace(tzinfo=zone)
    return _split(text, seq, local.timestamp())


def read_lines(
    lines: Iterable[str],
    *,
    layout: str = "file",
    zone: str = "UTC",
    counts: LineCounts | None = None,
    first_line: int = 1,
    until: float | None = None,
) -> Iterator[Event]:
    """Parse lines into events; bad lines go to `counts.rejected`, blank lines are skipped.

    Lines after `until` (epoch seconds) are not read.
    """
    tz = ZoneInfo(zone)
    counts = counts if counts is not None else LineCounts()
    for number_, text in enumerate(lines, start=first_line):
        if not text.strip():
            continue
        try:
            event = (
                parse_db_line(text, number_, tz)
                if layout == "db"
                else parse_file_line(text, number_)
            )
        except LineError as error:
            counts.read += 1
            counts.rejected.append(Rejected(number_, str(error)))
            continue
        if until is not None and event.ts > until:
            continue
        counts.read += 1
        yield event
