"""The offline report of a queue_log file, worked out column by column (polars' CSV reader,
which reads on every core, and numpy) instead of event by event: the same figures as
`offline.build_report`, which stays the reference.

`columnar_report` reads the file's bytes and gives the report, or None when the file holds
something this path does not reproduce exactly; the caller then runs the engine on the file
(`report_of_file`). What it takes (checked cheaply, before anything is worked out):

- every line is a usual line of the file layout: printable ASCII, a whole-second epoch, an
  event name of capital letters, names within their columns (read stripped, NONE empty, as
  the parser reads them), the number fields the engine reads empty or plain digits, no line
  twice, every line with its time (empty lines are skipped, as the engine skips them);
- the events the engine knows except HOLD, UNHOLD, ATTENDEDTRANSFER and RINGSTART, and
  QUEUESTART only before any call or member (a log that starts with Asterisk's start);
- each (call id, queue) entered once; each call answered by a named member; each end of talk
  (COMPLETE*, TRANSFER, BLINDTRANSFER) the first after its own call's CONNECT (the engine
  looks an end of talk up by another call id otherwise); no call ends after it went stale;
- times, `now` and the stale limit in whole seconds (every sum is then exact whatever its
  order), a site zone whose offsets are whole minutes, and a file up to `MAX_BYTES`.

Within those, each call's outcome and figures come from the first event that ends it (group by
call, first after its ENTERQUEUE); after-call work and occupancy from each member's events in
order (the next event of a kind, the last event of a kind, by cumulative maxima); the sums by
queue, day, interval and member from each call's class and times (`call_sums`).
`Report.figures` turns the tallies into the published figures, as for the engine.
"""

from __future__ import annotations

import logging
import os
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

import numpy as np
import polars as pl

from metrics import formulas, kpi
from metrics.queue_log import _PRIORITY, MAX_EPOCH, NAME_MAX, NONE
from metrics.reports.call_sums import (
    ABANDONED,
    ANSWERED,
    LEFT,
    UNKNOWN,
    WAITING,
    Sums,
    call_amounts,
    call_classes,
)
from metrics.reports.columnar_read import (
    Unsupported,
    coded,
    factorized,
    need,
    read,
    repeated_lines,
    usual,
)
from metrics.reports.offline import Report, build_report, iso, report_document

log = logging.getLogger(__name__)

# Kinds of event, as this path groups them.
(
    OTHER,
    ENTER,
    CONNECT,
    END_TALK,
    TRANSFER,
    ABANDON,
    TIMEOUT,
    EMPTY,
    KEY,
    RING_NO_ANSWER,
    RING_CANCELED,
    LOGIN,
    LOGOFF,
    PAUSE,
    UNPAUSE,
    QUEUE_START,
    UNSUPPORTED,
) = range(17)

_KINDS = {
    "ENTERQUEUE": ENTER,
    "CONNECT": CONNECT,
    "COMPLETEAGENT": END_TALK,
    "COMPLETECALLER": END_TALK,
    "TRANSFER": TRANSFER,
    "BLINDTRANSFER": TRANSFER,
    "ABANDON": ABANDON,
    "EXITWITHTIMEOUT": TIMEOUT,
    "EXITEMPTY": EMPTY,
    "EXITWITHKEY": KEY,
    "RINGNOANSWER": RING_NO_ANSWER,
    "RINGCANCELED": RING_CANCELED,
    "ADDMEMBER": LOGIN,
    "AGENTLOGIN": LOGIN,
    "AGENTCALLBACKLOGIN": LOGIN,
    "REMOVEMEMBER": LOGOFF,
    "AGENTLOGOFF": LOGOFF,
    "AGENTCALLBACKLOGOFF": LOGOFF,
    "PAUSE": PAUSE,
    "PAUSEALL": PAUSE,
    "UNPAUSE": UNPAUSE,
    "UNPAUSEALL": UNPAUSE,
    "QUEUESTART": QUEUE_START,
    # Handled by the engine only: holds, attended transfers (their fields move), ring starts.
    "HOLD": UNSUPPORTED,
    "UNHOLD": UNSUPPORTED,
    "ATTENDEDTRANSFER": UNSUPPORTED,
    "RINGSTART": UNSUPPORTED,
}
# Every event the engine handles (as `kpi._HANDLERS` is made): one it handles and this path
# does not know sends the file to the engine.
_ENGINE_EVENTS = frozenset(name[4:].upper() for name in dir(kpi.Engine) if name.startswith("_on_"))
_MEMBER_KINDS = (LOGIN, LOGOFF, PAUSE, UNPAUSE, RING_NO_ANSWER, RING_CANCELED)
# The data field (0-based) holding each kind's number(s) the engine reads, as `kpi._NUMBERS`.
_WAIT_FIELD = {CONNECT: 0, ABANDON: 2, TIMEOUT: 2, EMPTY: 2, KEY: 3}
_NUMBER_FIELDS = {
    CONNECT: (0, 2),
    END_TALK: (1,),
    TRANSFER: (3,),
    ABANDON: (2,),
    TIMEOUT: (2,),
    EMPTY: (2,),
    KEY: (3,),
    RING_NO_ANSWER: (0,),
    RING_CANCELED: (0,),
}


# The column path holds the file's columns in memory: about 6.5 bytes of memory a byte of
# file (the 87 MB, 1.46 M-line bench day peaks near 560 MB, the process included; the reader
# reads it in parallel). A larger file is read by the engine, which streams it, so a report
# never needs much more than 0.85 GB.
MAX_BYTES = 128 * 2**20


def columnar_report(
    data: bytes | str | os.PathLike,
    *,
    site_zone: str = "UTC",
    now: float | None = None,
    threshold: float = 20,
    short_abandon: float = 5,
    variant: str = "offered",
    interval_minutes: int = 15,
    acw_reasons=kpi.DEFAULT_ACW_REASONS,
    repeat_window_h: float = 24,
    fast_ring: float = formulas.THREE_RINGS_S,
    stale_after: float = kpi.DEFAULT_STALE_AFTER_S,
) -> dict | None:
    """The report of a file-layout queue_log (its bytes, or the path of the file), or None when
    only the engine can give it exactly (see the module's docstring). A file is read by the
    parser itself, without holding its bytes."""
    try:
        return _report(
            data,
            site_zone=site_zone,
            now=now,
            threshold=threshold,
            short_abandon=short_abandon,
            variant=variant,
            interval_minutes=interval_minutes,
            acw_reasons=acw_reasons,
            repeat_window_h=repeat_window_h,
            fast_ring=fast_ring,
            stale_after=stale_after,
        )
    except Unsupported as why:
        log.debug("queue_log report: the engine reads this file (%s)", why)
        return None


def report_of_file(
    path,
    *,
    layout: str = "file",
    zone: str = "UTC",
    site_zone: str | None = None,
    now: float | None = None,
    threshold: float = 20,
    short_abandon: float = 5,
    variant: str = "offered",
    interval_minutes: int = 15,
    acw_reasons=kpi.DEFAULT_ACW_REASONS,
    repeat_window_h: float = 24,
    fast_ring: float = formulas.THREE_RINGS_S,
    stale_after: float = kpi.DEFAULT_STALE_AFTER_S,
) -> dict:
    """`offline.build_report` of the file at `path`: a usual file-layout log is worked out
    column by column (`columnar_report`, the same figures), anything else by the engine."""
    settings = {
        "site_zone": site_zone or zone,
        "now": now,
        "threshold": threshold,
        "short_abandon": short_abandon,
        "variant": variant,
        "interval_minutes": interval_minutes,
        "acw_reasons": acw_reasons,
        "repeat_window_h": repeat_window_h,
        "fast_ring": fast_ring,
        "stale_after": stale_after,
    }
    if variant not in formulas.VARIANTS:
        raise ValueError(f"unknown service level variant {variant!r}")
    if layout == "file" and os.path.getsize(path) <= MAX_BYTES:
        report = columnar_report(path, **settings)
        if report is not None:
            return report

    def open_lines():
        with open(path, encoding="utf-8", errors="replace") as handle:
            yield from handle

    return build_report(open_lines, layout=layout, zone=zone, **settings)


def _of_kinds(kind: np.ndarray, kinds) -> np.ndarray:
    """Whether each row's kind is one of `kinds` (a table look-up)."""
    table = np.zeros(UNSUPPORTED + 1, dtype=bool)
    table[list(kinds)] = True
    return table[kind]


def _number_fields(kind: np.ndarray, order: np.ndarray, fields: list):
    """The number fields of every row of a kind that has them, as the engine reads them:
    `numbers[(kind, field)][rank[row]]` is the field of a row of that kind."""
    numbers: dict[tuple[int, int], np.ndarray] = {}
    rank = np.zeros(len(kind), dtype=_positions(len(kind)).dtype)
    for k, indexes in _NUMBER_FIELDS.items():
        rows = np.flatnonzero(kind == k)
        rank[rows] = _positions(len(rows))
        for i in indexes:
            numbers[(k, i)] = _numbers(fields[i], order[rows])
    return numbers, rank


def _ids_and_codes(texts: pl.Series) -> tuple[_Column, np.ndarray]:
    """The call id column, and its codes in the file's order."""
    column = _Column(coded(texts), limit=NAME_MAX["call id"])
    return column, column.codes


class _Column:
    """One text column as codes into its distinct texts; a name column's texts as the engine
    reads them (stripped, NONE empty), within `limit` characters. Codes are int32 (widened
    where they take part in sums)."""

    def __init__(self, coded: tuple[np.ndarray, list[str]], *, limit: int | None = None) -> None:
        codes, texts = coded
        if limit is not None:
            # (printable ASCII has no space but " ": without one there is nothing to strip)
            if " " in "\n".join(texts):
                read = [t.strip() for t in texts]
                read = ["" if t == NONE else t for t in read]
                codes, texts = _merged(codes, texts, read)
            elif NONE in texts:  # (distinct texts: NONE and "" are the only two to merge)
                read = list(texts)
                read[read.index(NONE)] = ""
                codes, texts = _merged(codes, texts, read) if "" in texts else (codes, read)
            need(max(map(len, texts), default=0) <= limit, "a name longer than its column")
        self.codes = np.asarray(codes, dtype=np.int32)
        self.texts = texts

    def take(self, order: np.ndarray) -> None:
        self.codes = self.codes[order]

    def empty(self) -> int:
        """The code of the empty text (-1 when no field is empty)."""
        try:
            return self.texts.index("")
        except ValueError:
            return -1


def _codes(column: _Column | pl.Series, rows: np.ndarray) -> tuple[np.ndarray, list[str]]:
    """The texts of `rows` of a column as codes into their distinct texts."""
    if isinstance(column, _Column):
        return column.codes[rows], column.texts
    return factorized(column.gather(rows))


def _numbers(column: _Column | pl.Series, rows: np.ndarray) -> np.ndarray:
    """The number fields of `rows` as the engine reads them (NaN: empty, unknown)."""
    if isinstance(column, pl.Series):  # (texts: checked and read at once)
        texts = column.gather(rows)
        need(texts.str.contains(r"^[0-9]{0,9}$").all(), "a number field not of digits")
        return texts.replace("", None).cast(pl.Float64).to_numpy()
    codes, texts = _codes(column, rows)
    values = np.full(len(texts), np.nan)
    for code in np.flatnonzero(np.bincount(codes, minlength=len(texts))).tolist():
        text = texts[code]
        if text == "":
            continue
        need(text.isdigit() and len(text) < 10, f"number field {text!r}")
        values[code] = float(text)
    return values[codes]


def _call_table(call_keys: np.ndarray, space: int, lines: int):
    """A look-up of the call (its index in `call_keys`) entered under each key (below
    `space`), -1 for none: a table when the keys are few enough, else a sorted search. A key
    entered twice sends the file to the engine."""
    n_calls = len(call_keys)
    if space <= 4 * lines + 2**20:
        table = np.full(space, -1, dtype=np.int32 if n_calls < 2**31 else np.int64)
        table[call_keys] = np.arange(n_calls)
        need((table[call_keys] == np.arange(n_calls)).all(), "a call entered twice")
        return table.__getitem__
    key_order = np.argsort(call_keys, kind="stable")
    sorted_keys = call_keys[key_order]
    need(not (sorted_keys[1:] == sorted_keys[:-1]).any(), "a call entered twice")

    def search(wanted: np.ndarray) -> np.ndarray:
        if not n_calls:
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.minimum(np.searchsorted(sorted_keys, wanted), n_calls - 1)
        return np.where(sorted_keys[at] == wanted, key_order[at], -1)

    return search


def _call_at(rows: np.ndarray, key: np.ndarray, calls_of, enters: np.ndarray) -> np.ndarray:
    """The call of each row's (call id, queue) entered before it; -1 when none."""
    calls = calls_of(key[rows])
    before = np.zeros(len(rows), dtype=bool)
    known = calls >= 0
    before[known] = enters[calls[known]] < rows[known]
    return np.where(before, calls, -1)


def _positions(n: int) -> np.ndarray:
    """0 … n-1, in the smallest of int32 and int64 that holds n."""
    return np.arange(n, dtype=np.int32 if n < 2**31 - 1 else np.int64)


def _next_of(mask: np.ndarray, group: np.ndarray) -> np.ndarray:
    """For each row, the index of the next row after it (same group) where `mask` holds; -1
    when none."""
    n = len(mask)
    if not n:
        return _positions(0)
    # (from the end: the smallest index at or after each row where `mask` holds, else n)
    index = np.where(mask[::-1], _positions(n)[::-1], n)
    following = np.minimum.accumulate(index)[::-1]
    nxt = np.empty_like(following)
    nxt[:-1] = following[1:]
    nxt[-1] = n
    found = nxt < n
    same = np.zeros(n, dtype=bool)
    same[found] = group[nxt[found]] == group[found]
    return np.where(same, nxt, -1)


def _first_of_each(calls: np.ndarray, rows: np.ndarray, n_calls: int):
    """The calls of `calls` (rows in ascending order) once each, with the first of their
    rows."""
    first = np.full(n_calls, -1, dtype=rows.dtype)
    first[calls[::-1]] = rows[::-1]  # (the last write of a call is its first row)
    these = np.flatnonzero(first >= 0)
    return these, first[these]


def _last_of(mask: np.ndarray, group_start: np.ndarray) -> np.ndarray:
    """For each row, the index of the last row at or before it (same group) where `mask`
    holds; -1 when none."""
    index = np.where(mask, _positions(len(mask)), -1)
    last = np.maximum.accumulate(index) if len(mask) else index
    return np.where(last >= group_start, last, -1)


def _report(data: bytes | str | os.PathLike, **settings) -> dict:
    helper = ThreadPoolExecutor(1, thread_name_prefix="report")
    try:
        return _worked_out(helper, data, **settings)
    except Exception:
        # The printable check runs beside the work and decides at its end: a file of other
        # bytes that upsets the work before then goes to the engine too. (Any other error
        # is a fault of this path, and is not hidden.)
        if not usual(data):
            raise Unsupported("a line holds more than printable ASCII") from None
        raise
    finally:
        helper.shutdown(cancel_futures=True)


def _worked_out(
    helper: ThreadPoolExecutor,
    data: bytes | str | os.PathLike,
    *,
    site_zone: str,
    now: float | None,
    threshold: float,
    short_abandon: float,
    variant: str,
    interval_minutes: int,
    acw_reasons,
    repeat_window_h: float,
    fast_ring: float,
    stale_after: float,
) -> dict:
    need(now is None or float(now).is_integer(), "now within a second")
    need(float(stale_after).is_integer(), "stale limit within a second")
    ts, texts = read(data)
    need(ts.min() >= 0 and ts.max() < MAX_EPOCH, "time out of range")
    names = _Column(coded(texts[3]))
    for text in names.texts:
        need(text.isalpha() and text.isupper() and len(text) <= 40, f"event name {text!r}")
        need(
            text in _KINDS or text not in _ENGINE_EVENTS,
            f"an event this path does not know: {text}",
        )
    kind_of = np.asarray([_KINDS.get(t, OTHER) for t in names.texts] or [0], dtype=np.int8)
    prio_of = np.asarray([_PRIORITY.get(t, 5) for t in names.texts] or [0], dtype=np.int64)
    kind = kind_of[names.codes]
    need(not (kind == UNSUPPORTED).any(), "an event only the engine reads")

    # (the call ids, the file's repeats, the callers and the repeat rates are worked out by
    # `helper`, on the other core meanwhile: numpy and polars let go of the GIL as they work)
    ids = helper.submit(_ids_and_codes, texts[0])
    queues = _Column(coded(texts[1]), limit=NAME_MAX["queue name"])
    members = _Column(coded(texts[2]), limit=NAME_MAX["member name"])
    in_file_order = (ts, names.codes, queues.codes, members.codes)
    # (the data fields are read for the rows of a few kinds only)
    fields: list = [_Column(coded(texts[i])) if i != 5 else texts[i] for i in range(4, 8)]
    del texts

    # Lines after `now` are not read; the rest in the engine's order (time, event, line).
    if now is None:
        order = np.argsort(ts * 16 + prio_of[names.codes], kind="stable")
    else:
        keep = np.flatnonzero(ts <= now)
        order = keep[np.argsort(ts[keep] * 16 + prio_of[names.codes[keep]], kind="stable")]
    ts = ts[order]
    kind = kind[order]
    for column in (queues, members):
        column.take(order)
    # (the data fields are read for a few kinds only: by `order[row]`)
    n = len(ts)
    final = float(now) if now is not None else (float(ts[-1]) if n else 0.0)
    no_member, no_queue = members.empty(), queues.empty()
    has_member = members.codes != no_member
    used = np.zeros(n, dtype=bool)

    # Number fields: every line of a kind with numbers has them checked by the engine (by
    # `helper`, first; then the checks needed only at the end).
    number_fields = helper.submit(_number_fields, kind, order, fields[:4])
    fields[2] = fields[3] = None  # (read)
    printable = helper.submit(usual, data)
    repeated = helper.submit(
        lambda *columns: repeated_lines(data, *columns, ids.result()[1]), *in_file_order
    )
    del in_file_order

    # QUEUESTART only before anything it would cut.
    starts = np.flatnonzero(kind == QUEUE_START)
    if len(starts):
        state = np.flatnonzero(
            (kind == ENTER) | (_of_kinds(kind, _MEMBER_KINDS) & has_member) | (kind == CONNECT)
        )
        need(not len(state) or starts.max() < state.min(), "QUEUESTART after calls began")
        used[starts] = True

    # Each member's events in order: C (a CONNECT that answered), E (an end of talk, under
    # the call's member), A (an after-call-work pause), P (another pause), U (an unpause),
    # L (a login) and OFF (a logoff).
    member_rows = np.flatnonzero(_of_kinds(kind, (LOGIN, LOGOFF, PAUSE, UNPAUSE)) & has_member)
    used[member_rows] = True
    reasons, reason_texts = _codes(fields[0], order[member_rows])
    fields[0] = None  # (read)
    acw_codes = [i for i, t in enumerate(reason_texts) if t.strip() in set(acw_reasons)]
    m_kind = kind[member_rows]
    is_acw = (m_kind == PAUSE) & np.isin(reasons, acw_codes)
    saw_acw = bool(is_acw.any())
    C, E, A, P, U, L, OFF = range(7)
    m_type = np.select(
        [is_acw, m_kind == PAUSE, m_kind == UNPAUSE, m_kind == LOGIN, m_kind == LOGOFF],
        [A, P, U, L, OFF],
    ).astype(np.int8)
    del m_kind, is_acw

    # Calls: one per (call id, queue) entered.
    call_ids = ids.result()[0]
    call_ids.take(order)
    n_queues = max(len(queues.texts), 1)
    key = call_ids.codes.astype(np.int64) * n_queues + queues.codes
    enters = np.flatnonzero((kind == ENTER) & (queues.codes != no_queue))
    used[enters] = True
    call_keys = key[enters]
    callers = helper.submit(_codes, fields[1], order[enters])
    fields[1] = None  # (read)
    n_calls = len(enters)
    offered = ts[enters].astype(np.float64)
    call_queue = queues.codes[enters].astype(np.int64)
    limit = float(stale_after)
    calls_of = _call_table(call_keys, len(call_ids.texts) * n_queues, len(key))
    numbers, rank = number_fields.result()

    # The first CONNECT, ABANDON or EXIT* after a call's ENTERQUEUE ends its wait.
    exits = np.flatnonzero(_of_kinds(kind, (CONNECT, ABANDON, TIMEOUT, EMPTY, KEY)))
    exit_call = _call_at(exits, key, calls_of, enters)
    outcome = np.full(n_calls, WAITING, dtype=np.int64)
    wait = np.full(n_calls, np.nan)
    first_exit = np.full(n_calls, -1, dtype=np.int64)
    matched = exit_call >= 0
    if matched.any():
        calls, rows = _first_of_each(exit_call[matched], exits[matched], n_calls)
        first_exit[calls] = rows
        need(not (ts[rows] >= offered[calls] + limit).any(), "a call ended after it went stale")
        used[rows] = True
        for k in (CONNECT, ABANDON, TIMEOUT, EMPTY, KEY):
            of_kind = kind[rows] == k
            if not of_kind.any():
                continue
            these, at = calls[of_kind], rows[of_kind]
            given = numbers[(k, _WAIT_FIELD[k])][rank[at]]
            wait[these] = np.where(np.isnan(given), ts[at] - offered[these], given)
            if k == CONNECT:
                outcome[these] = ANSWERED
            else:
                outcome[these] = ABANDONED if k == ABANDON else LEFT
    # Still waiting at the end: stale ones are unknown with the limit as their wait.
    stale = (outcome == WAITING) & (final >= offered + limit)
    outcome[stale] = UNKNOWN
    wait[stale] = limit
    rates = helper.submit(
        lambda answered: _repeat_rates(
            *callers.result(),
            answered,
            call_queue,
            offered,
            n_queues,
            window_s=repeat_window_h * 3600,
        ),
        outcome == ANSWERED,
    )

    # Answered calls: their member, ring and talk.
    answered = np.flatnonzero(outcome == ANSWERED)
    connect_rows = first_exit[answered]
    call_member = np.full(n_calls, -1, dtype=np.int64)
    call_member[answered] = members.codes[connect_rows]
    need(not (call_member[answered] == no_member).any(), "a call answered by no member")
    ring = np.full(n_calls, np.nan)
    ring[answered] = numbers[(CONNECT, 2)][rank[connect_rows]]
    answered_at = np.full(n_calls, np.nan)
    answered_at[answered] = ts[connect_rows]

    ends = np.flatnonzero((kind == END_TALK) | (kind == TRANSFER))
    end_call = _call_at(ends, key, calls_of, enters)
    need((end_call >= 0).all(), "an end of talk without its call")
    need((outcome[end_call] == ANSWERED).all(), "an end of talk of a call not answered")
    need((first_exit[end_call] < ends).all(), "an end of talk before its CONNECT")
    need(np.bincount(end_call, minlength=1).max() <= 1, "a call's talk ended twice")
    used[ends] = True
    talk = np.full(n_calls, np.nan)
    talk_end = np.full(n_calls, np.nan)
    transferred = np.zeros(n_calls, dtype=bool)
    end_row = np.full(n_calls, -1, dtype=np.int64)
    for k, field in ((END_TALK, 1), (TRANSFER, 3)):
        at = ends[kind[ends] == k]
        these = end_call[kind[ends] == k]
        given = numbers[(k, field)]
        talk[these] = np.where(np.isnan(given), ts[at] - answered_at[these], given)
        talk_end[these] = ts[at]
        transferred[these] = k == TRANSFER
        end_row[these] = at

    del key, calls_of, call_ids, exits, exit_call, ends, end_call  # (calls found)

    # Rings.
    rings = np.flatnonzero((kind == RING_NO_ANSWER) & has_member)
    ring_ms = numbers[(RING_NO_ANSWER, 0)][rank[rings]]
    missed_ring = ~np.isnan(ring_ms) & (ring_ms != 0)
    used[rings] = True
    used[(kind == RING_CANCELED) & has_member] = True

    # Each member's events in order (their kinds worked out above, `m_type`).
    ev_pos = np.concatenate([connect_rows, end_row[end_row >= 0], member_rows])
    ev_member = np.concatenate(
        [
            call_member[answered],
            call_member[end_row >= 0],
            members.codes[member_rows],
        ]
    )
    ev_type = np.concatenate(
        [
            np.full(len(connect_rows), C, dtype=np.int8),
            np.full(int((end_row >= 0).sum()), E, dtype=np.int8),
            m_type,
        ]
    )
    ev_call = np.concatenate(
        [answered, np.flatnonzero(end_row >= 0), np.full(len(member_rows), -1)]
    )
    # By member, then position: the positions are distinct, so a scatter orders them.
    slot = np.full(n, -1, dtype=_positions(0).dtype)
    slot[ev_pos] = _positions(len(ev_pos))
    by_position = slot[slot >= 0]
    del slot, m_type
    keys = ev_member[by_position]
    if len(members.texts) < 2**15:
        keys = keys.astype(np.int16)  # (a radix sort)
    by_member = by_position[np.argsort(keys, kind="stable")]
    ev_pos, ev_member = ev_pos[by_member], ev_member[by_member]
    ev_type, ev_call = ev_type[by_member], ev_call[by_member]
    del by_position, keys, by_member
    ev_ts = ts[ev_pos].astype(np.float64)
    m = len(ev_pos)
    new_member = np.ones(m, dtype=bool)
    new_member[1:] = ev_member[1:] != ev_member[:-1]
    group_start = np.maximum.accumulate(np.where(new_member, _positions(m), 0)) if m else ev_pos

    # A logoff logs the member out when no login is left (`Engine._on_removemember`).
    logged_out = np.zeros(m, dtype=bool)
    logins: dict[int, list[str]] = {}
    for i in np.flatnonzero((ev_type == L) | (ev_type == OFF)).tolist():
        row, who = int(ev_pos[i]), int(ev_member[i])
        scope = queues.texts[queues.codes[row]] or "*"
        held = logins.setdefault(who, [])
        if ev_type[i] == L:
            if scope not in held:
                held.append(scope)
            continue
        held[:] = [q for q in held if q != scope]
        if names.texts[names.codes[order[row]]] != "REMOVEMEMBER" or not scope or scope == "*":
            held.clear()
        logged_out[i] = not held

    # After-call work of each ended talk: the member's next C, E or A decides.
    cea = (ev_type == C) | (ev_type == E) | (ev_type == A)
    next_cea = _next_of(cea, ev_member)
    ended = np.zeros(n_calls, dtype=bool)
    acw = np.zeros(n_calls, dtype=np.float64)
    at_end = np.flatnonzero(ev_type == E)
    the_call = ev_call[at_end]
    te = talk_end[the_call]
    nxt = next_cea[at_end]
    has_next = nxt >= 0
    caught = np.zeros(len(at_end), dtype=bool)
    caught[has_next] = (ev_type[nxt[has_next]] == A) & (
        ev_ts[nxt[has_next]] <= te[has_next] + kpi.ACW_WINDOW_S
    )
    # Not caught: ended (no after-call work) once another C/E/A of the member or a time past
    # the window comes.
    plain = ~caught
    ended[the_call[plain]] = has_next[plain] | (final > te[plain] + kpi.ACW_WINDOW_S)
    # Caught: the work lasts to the member's next U, C or E.
    next_uce = _next_of((ev_type == U) | (ev_type == C) | (ev_type == E), ev_member)
    pause_at = nxt[caught]
    close = next_uce[pause_at]
    closed = close >= 0
    calls = the_call[caught]
    ended[calls[closed]] = True
    acw[calls[closed]] = ev_ts[close[closed]] - ev_ts[pause_at[closed]]

    # Occupancy: each member's status and activity after each event, held to the next (by
    # `helper`, while the tallies are made).
    n_members = max(len(members.texts), 1)
    occupancy = helper.submit(
        _occupancy,
        ev_type,
        ev_member,
        ev_ts,
        logged_out,
        group_start,
        new_member,
        cea,
        final=final,
        n_members=n_members,
    )
    del ev_pos, ev_member, ev_type, ev_call, ev_ts, group_start, new_member, logged_out
    del cea, next_cea, next_uce

    # Members whose occupancy is known: a login or a pause line.
    logged = set(
        members.codes[member_rows[_of_kinds(kind[member_rows], (LOGIN, PAUSE, UNPAUSE))]].tolist()
    )

    # The report's tallies, as `Report.add_call` would fold them.
    report = Report(
        threshold=threshold,
        short_abandon=short_abandon,
        variant=variant,
        interval_minutes=interval_minutes,
        site_zone=site_zone,
        fast_ring=fast_ring,
    )
    report.repeat_window_s = repeat_window_h * 3600
    classes = call_classes(
        outcome,
        wait,
        ring,
        ended,
        transferred,
        threshold=threshold,
        short_abandon=short_abandon,
        fast_ring=fast_ring,
    )
    amounts = call_amounts(outcome, wait, talk, acw, ended, classes)
    queue_text = queues.texts
    # Each call's day and interval, worked out once per minute (the calls are in time order).
    minute = (offered // 60).astype(np.int64)
    first_of_minute = np.ones(n_calls, dtype=bool)
    first_of_minute[1:] = minute[1:] != minute[:-1]
    minute_of = np.cumsum(first_of_minute) - 1
    local = _local_minutes(report, minute[first_of_minute].tolist())
    day_names = sorted({day for day, _ in local})
    interval_starts = sorted({start for _, start in local})
    day_at = {day: i for i, day in enumerate(day_names)}
    start_at = {start: i for i, start in enumerate(interval_starts)}
    call_day = np.asarray([day_at[d] for d, _ in local], dtype=np.int64)[minute_of]
    call_interval = np.asarray([start_at[s] for _, s in local], dtype=np.int64)[minute_of]
    days, starts = len(day_names), len(interval_starts)
    # Sums by queue, day and interval: by (queue, day, interval) first, then merged.
    finest = Sums.of_calls(
        (call_queue * days + call_day) * starts + call_interval,
        n_queues * days * starts,
        classes,
        amounts,
    )
    for g, tally in finest.merged(finest.groups // (days * starts)).tallies():
        report.queues[queue_text[g]] = tally
    for g, tally in finest.merged(finest.groups // starts).tallies():
        report.days[(queue_text[g // days], day_names[g % days])] = tally
    by_interval = finest.groups // (days * starts) * starts + finest.groups % starts
    for g, tally in finest.merged(by_interval).tallies():
        report.intervals[(queue_text[g // starts], interval_starts[g % starts])] = tally
    answered_calls = outcome == ANSWERED
    by_member = Sums.of_calls(
        call_member[answered_calls],
        n_members,
        classes[answered_calls],
        amounts[:, answered_calls],
    )
    for g, tally in by_member.tallies():
        report.agents[members.texts[g]] = tally
        report.missed.setdefault(members.texts[g], 0)
    ring_member = members.codes[rings]
    missed = np.bincount(ring_member[missed_ring], minlength=n_members).tolist()
    unreachable = np.bincount(ring_member[~missed_ring], minlength=n_members).tolist()
    for g in np.flatnonzero(np.bincount(ring_member, minlength=n_members)).tolist():
        name = members.texts[g]
        report.missed[name] = report.missed.get(name, 0) + missed[g]
        if unreachable[g]:
            report.unreachable[name] = unreachable[g]
        report.agents.setdefault(name, formulas.Tally())
    busy, idle = occupancy.result()
    for g in logged:
        report.busy[members.texts[g]] = float(busy[g])
        report.idle[members.texts[g]] = float(idle[g])
    report.waiting = [
        kpi.Call("", queue_text[call_queue[c]], float(offered[c]))
        for c in np.flatnonzero(outcome == WAITING).tolist()
    ]

    counts = {
        "read": n,
        "used": int(used.sum()),
        "ignored": n - int(used.sum()),
        "duplicates": 0,
        "rejected": [],
    }
    components = formulas.aht_components(saw_hold=False, saw_acw=saw_acw)
    body = report.figures(final, components, {members.texts[g] for g in logged})
    need(printable.result(), "a line holds more than printable ASCII")
    need(not repeated.result(), "repeats")
    rates = rates.result()
    for name, figures in body["queues"].items():
        figures["repeat_call_rate"] = rates[queue_text.index(name)]
    return report_document(
        rounded=_rounded,
        final=iso(final),
        counts=counts,
        threshold=threshold,
        short_abandon=short_abandon,
        variant=variant,
        interval_minutes=interval_minutes,
        repeat_window_h=repeat_window_h,
        fast_ring=fast_ring,
        stale_after=stale_after,
        body=body,
    )


def _occupancy(
    ev_type, ev_member, ev_ts, logged_out, group_start, new_member, cea, *, final, n_members
) -> tuple[np.ndarray, np.ndarray]:
    """Each member's busy and idle seconds, from their events in order (each event's status
    and activity held to the member's next event, the last to `final`)."""
    C, A, P, U, L = 0, 2, 3, 4, 5  # (the kinds of a member's events, as `_worked_out` has them)
    m = len(ev_type)
    last_cea = _last_of(cea, group_start)
    last_u = _last_of(ev_type == U, group_start)
    last_l = _last_of(ev_type == L, group_start)
    last_fixed = _last_of((ev_type == A) | (ev_type == P) | logged_out, group_start)
    fixed_type = np.where(last_fixed >= 0, ev_type[np.maximum(last_fixed, 0)], -1)
    fixed_out = np.where(last_fixed >= 0, logged_out[np.maximum(last_fixed, 0)], False)
    not_ready = (fixed_type == P) & ~(last_u > last_fixed)
    is_out = fixed_out & ~(last_l > last_fixed)
    available = ~not_ready & ~is_out
    activity = np.where(last_cea >= 0, ev_type[np.maximum(last_cea, 0)], -1)
    busy_now = (activity == C) | ((activity == A) & ~(last_u > last_cea))
    following = np.empty(m, dtype=np.float64)
    if m:
        following[:-1] = ev_ts[1:]
        following[-1] = final
        last_of_member = np.ones(m, dtype=bool)
        last_of_member[:-1] = new_member[1:]
        following[last_of_member] = final
    length = np.maximum(0.0, following - ev_ts)
    busy = np.bincount(ev_member, weights=length * (busy_now & ~is_out), minlength=n_members)
    idle = np.bincount(ev_member, weights=length * (available & ~busy_now), minlength=n_members)
    return busy, idle


def _local_minutes(report, minutes: list[int]) -> list[tuple[str, datetime]]:
    """`Report.local` of each minute (UTC minutes since the epoch, ascending), when the site
    zone's offset is whole minutes and the same within each of them (every time of a minute
    then has its minute's day and interval, as `Report.local`'s own cache assumes).

    Minutes in a row with the same offset and the same local interval and day (by the
    offset) are worked out by their first and last; should those two differ (a repeated
    hour's fold), each minute of the run is worked out."""
    zone, length = report.zone, report.minutes
    day_start = report.reset_hour * 60
    keys = []
    for minute in minutes:
        first = datetime.fromtimestamp(minute * 60, zone).utcoffset()
        last = datetime.fromtimestamp(minute * 60 + 59, zone).utcoffset()
        need(first == last and first is not None and not first.seconds % 60, "zone offset")
        wall = minute + int(first.total_seconds()) // 60
        keys.append(
            (wall - (wall - wall // length * length), (wall - day_start) // 1440, wall - minute)
        )
    found: list[tuple[str, datetime]] = []
    run = 0
    while run < len(minutes):
        end = run
        while end + 1 < len(minutes) and keys[end + 1] == keys[run]:
            end += 1
        head = report.local(minutes[run] * 60.0)
        if end == run or report.local(minutes[end] * 60.0) == head:
            found += [head] * (end - run + 1)
        else:
            found += [report.local(m * 60.0) for m in minutes[run : end + 1]]
        run = end + 1
    return found


_ANONYMOUS = sorted(w for w in formulas.ANONYMOUS_CALLERS if w)


def _merged(codes: np.ndarray, texts: list[str], read: list[str]) -> tuple[np.ndarray, list]:
    """Codes and texts once each text is `read` as the engine reads it (two texts may then
    be one)."""
    if read == texts:
        return codes, texts
    if len(set(read)) == len(read):
        return codes, read  # (no two texts became one: the codes stay)
    merged: dict[str, int] = {}
    remap = [merged.setdefault(text, len(merged)) for text in read]
    return np.asarray(remap, dtype=np.int64)[codes], list(merged)


def _repeat_rates(
    caller: np.ndarray,
    texts: list[str],
    answered: np.ndarray,
    call_queue: np.ndarray,
    offered: np.ndarray,
    n_queues: int,
    *,
    window_s: float,
) -> list[float | None]:
    """`formulas.repeat_call_rate` of every queue: the share of its answered calls with a
    known caller who calls any queue again within `window_s` (strictly later)."""
    if " " in "\n".join(texts):  # (printable ASCII: " " is the only space to strip)
        caller, texts = _merged(caller, texts, [t.strip() for t in texts])
    anonymous = np.zeros(len(texts) + 1, dtype=bool)
    # (a caller is mostly digits: the words are looked for in all the texts at once)
    lowered = "\n".join(texts).lower()
    if any(word in lowered for word in _ANONYMOUS):
        anonymous[: len(texts)] = [t.lower() in formulas.ANONYMOUS_CALLERS for t in texts]
    if "" in texts:
        anonymous[texts.index("")] = True
    with_caller = np.flatnonzero(~(caller == (texts.index("") if "" in texts else -1)))
    # (by caller, then time: both in one key, times below 2**38)
    key = (caller[with_caller].astype(np.int64) << 38) | offered[with_caller].astype(np.int64)
    by_key = np.argsort(key, kind="stable")
    by_caller, sorted_key = with_caller[by_key], key[by_key]
    known = np.flatnonzero(answered & ~anonymous[caller])
    wanted = (caller[known].astype(np.int64) << 38) | offered[known].astype(np.int64)
    after = np.searchsorted(sorted_key, wanted, side="right")
    inside = after < len(by_caller)
    again = np.zeros(len(known), dtype=bool)
    following = by_caller[after[inside]]
    again[inside] = (caller[following] == caller[known[inside]]) & (
        offered[following] <= offered[known[inside]] + window_s
    )
    totals = np.bincount(call_queue[known], minlength=n_queues).tolist()
    repeats = np.bincount(call_queue[known][again], minlength=n_queues).tolist()
    return [None if total == 0 else r / total for r, total in zip(repeats, totals, strict=True)]


def _rounded(value):
    """`formulas.round_figures`, with the usual types looked up first."""
    kind = type(value)
    if kind is float:
        return round(value, 4)
    if kind is dict:
        return {k: _rounded(v) for k, v in value.items()}
    if kind is list:
        return [_rounded(v) for v in value]
    if kind is int or value is None or kind is str:
        return value
    return formulas.round_figures(value)
