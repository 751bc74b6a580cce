"""The import's and the offline report's fast paths give what the full paths give.

Each fast path (the usual queue_log line, a batch's checks, the report's reader, the COPY time
texts, the report's local day and interval) is held equal to the full path it shortcuts, on
random input that includes what the fast path must hand over (malformed and unusual lines).
"""

import math
import time
from datetime import UTC, datetime
from unittest.mock import patch
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from metrics import formulas, kpi
from metrics.queue_log import (
    Event,
    LineCounts,
    LineError,
    parse_file_line,
    parse_file_line_checked,
    read_lines,
)
from metrics.reports.offline import Report, _grouped, _ordered_file_events
from metrics.telephony import services
from metrics.telephony.services import event_problem, event_window, events_prepare
from metrics.telephony.store import _LocalTimes, _TimeTexts

BASE = 1_772_434_200

heads = st.one_of(
    st.integers(BASE, BASE + 5).map(str),
    st.sampled_from(
        [
            "",
            " 1772434200",
            "1772434200 ",
            "1772434200.5",
            "01772434200",
            "001772434200",
            "0001772434200",
            "253402300799",
            "253402300800",
            "999999999999",
            "-1",
            "1e9",
            "nan",
            "inf",
            "abc",
            "１７７２４３４２００",
            "١٧٧٢٤٣٤٢٠٠",
            "²",
        ]
    ),
)
names = st.one_of(
    st.sampled_from(
        [
            "ENTERQUEUE",
            "CONNECT",
            "COMPLETECALLER",
            "ABANDON",
            "RINGNOANSWER",
            "PAUSEALL",
            "UNPAUSE",
            "ADDMEMBER",
            "QUEUESTART",
            "CONFIGRELOAD",
            "enterqueue",
            "Connect",
            " CONNECT",
            "CONNECT ",
            "ADD_MEMBER",
            "EVENT2",
            "",
            "-",
            "É",
            "X" * 41,
            "X" * 40,
        ]
    ),
    st.text(min_size=0, max_size=6),
)
fields = st.one_of(
    st.sampled_from(
        [
            "",
            "NONE",
            " NONE",
            "q1",
            "1772434200.12",
            "PJSIP/2004",
            "Local/2004@from-internal/n",
            " padded ",
            "tab\there",
            "nul\x00",
            "del\x7f",
            "c1\x85",
            "ünï",
            "\ufffe",
            "x" * 100,
            "x" * 101,
            "x" * 200,
            "x" * 201,
            "\\back",
        ]
    ),
    st.text(max_size=8),
)
numbers = st.sampled_from(
    ["", "0", "12", " 12", "12 ", "007", "999999999", "1000000000", "1e3", "-3", "nan", "1.5"]
)
endings = st.sampled_from(["", "\n", "\r\n", "\r", "|", "||", "|\n"])


@st.composite
def lines(draw) -> str:
    parts = [draw(heads), draw(fields), draw(fields), draw(fields), draw(names)]
    parts += draw(st.lists(st.one_of(numbers, fields), max_size=5))
    keep = draw(st.integers(1, len(parts)))
    return "|".join(parts[:keep]) + draw(endings)


def _parsed(parse, text: str, seq: int):
    try:
        return parse(text, seq)
    except LineError as error:
        return ("rejected", str(error))


@settings(max_examples=3000)
@given(lines(), st.integers(1, 10**6))
def test_the_usual_line_path_reads_every_line_as_the_full_check_does(text, seq):
    """Same event (key included) or same rejection, on any line."""
    assert _parsed(parse_file_line, text, seq) == _parsed(parse_file_line_checked, text, seq)


@settings(max_examples=500)
@given(lines(), st.integers(1, 10**6))
def test_a_line_read_without_its_digest_differs_only_by_its_key(text, seq):
    with_digest = _parsed(parse_file_line, text, seq)
    without = _parsed(lambda t, n: parse_file_line(t, n, digest=False), text, seq)
    if isinstance(with_digest, Event):
        assert isinstance(without, Event)
        assert without.key in (with_digest.key, text.rstrip("\r\n"))
        without.key = with_digest.key
    assert without == with_digest


def test_the_usual_line_is_read_by_the_fast_path():
    """(The property above would hold with no fast path at all: the usual line takes it.)"""
    event = parse_file_line("1772434200|1.1|q1|PJSIP/2004|CONNECT|5|1.2|3|\n", 7, digest=False)
    assert event.key == "1772434200|1.1|q1|PJSIP/2004|CONNECT|5|1.2|3|"
    assert event.data == ("5", "1.2", "3")


@st.composite
def numbered_events(draw) -> Event:
    name = draw(st.sampled_from([*kpi._NUMBERS, "ATTENDEDTRANSFER", "PAUSE", "ENTERQUEUE"]))
    data = tuple(draw(st.lists(st.one_of(numbers, fields), max_size=6)))
    ts = draw(st.sampled_from([BASE, BASE + 1, 0.0, 1.0, 4102444800.0 * 10]))
    key = draw(st.sampled_from(["k1", "k2", "k3", "", "k" * 201]))
    seq = draw(st.integers(1, 100))
    return Event(ts, seq, "c", "q1", "PJSIP/1", name, data, key)


@settings(max_examples=1500)
@given(st.lists(numbered_events(), max_size=12))
def test_a_batch_is_checked_as_every_event_checked_in_full(events):
    """events_prepare skips the full check only for events that pass it: the same
    rejections (line and reason), repeats and valid events as checking every event."""
    # The window ends at now: one now for both (the clock is the one thing replaced).
    with patch.object(services.time, "time", return_value=time.time()):
        window = event_window(live=False)
        rejected, duplicates, fresh = [], 0, {}
        for event in events:
            problem = event_problem(event, window=window, text=False)
            if problem:
                rejected.append((event.seq, problem))
            elif event.key in fresh:
                duplicates += 1
            else:
                fresh[event.key] = event
        batch = events_prepare(events)
    assert batch.counts.rejected == rejected
    assert batch.counts.duplicates == duplicates
    assert batch.events == list(fresh.values())
    assert batch.ordered == sorted(fresh.values(), key=Event.sort_key)


@st.composite
def ordered_logs(draw) -> list[str]:
    texts = []
    ts = BASE
    for _ in range(draw(st.integers(0, 25))):
        ts += draw(st.sampled_from([0, 0, 1, 2]))
        kind = draw(st.sampled_from(["good", "good", "good", "again", "bad", "blank", "random"]))
        if kind == "good":
            name = draw(st.sampled_from(["ENTERQUEUE", "CONNECT", "PAUSE", "UNPAUSE", "INFO"]))
            member = draw(st.sampled_from(["PJSIP/1", "PJSIP/2", "NONE"]))
            texts.append(f"{ts}|c{draw(st.integers(1, 3))}|q1|{member}|{name}|5|x\n")
        elif kind == "again" and texts:
            texts.append(draw(st.sampled_from(texts)))
        elif kind == "bad":
            texts.append(f"{ts}|only|three\n")
        elif kind == "blank":
            texts.append(draw(st.sampled_from(["\n", "  \n", "\t\n", ""])))
        else:
            texts.append(f"{ts}|" + draw(lines()))
    return texts


def _shape(events) -> list[tuple]:
    return [(e.ts, e.seq, e.call_id, e.queue, e.member, e.name, e.data) for e in events]


@settings(max_examples=800)
@given(ordered_logs(), st.sampled_from([None, BASE + 3, BASE + 40]))
def test_the_report_reads_an_ordered_file_as_the_general_reader_does(texts, until):
    """The same events in the same order, the same repeats, counts and rejections."""
    general, fast = LineCounts(), LineCounts()
    expected = _shape(_grouped(read_lines(texts, until=until, counts=general), general))
    assert _shape(_ordered_file_events(texts, counts=fast, until=until)) == expected
    assert fast.as_dict() == general.as_dict()


@settings(max_examples=2000)
@given(
    st.one_of(
        st.integers(0, 253402300799),
        st.floats(0, 4102444800, allow_nan=False),
        st.sampled_from([0, 86399, 86400, 951782400, 253402300799, 1.5]),
    )
)
def test_copy_time_texts_are_the_isoformat_of_the_time(ts):
    assert _TimeTexts()[ts] == datetime.fromtimestamp(ts, UTC).isoformat()
    assert _TimeTexts()[None] == "\\N"


@settings(max_examples=1500)
@given(
    st.floats(0, 4102444800, allow_nan=False),
    st.sampled_from(["UTC", "Europe/London", "America/St_Johns", "Asia/Kathmandu"]),
    st.sampled_from([15, 30, 60]),
    st.integers(0, 23),
)
def test_the_report_works_out_a_calls_day_and_interval_as_the_formulas_do(ts, zone, minutes, reset):
    report = Report(
        threshold=20,
        short_abandon=5,
        variant="offered",
        interval_minutes=minutes,
        site_zone=zone,
        day_reset_hour=reset,
    )
    expected = (
        formulas.day_label(ts, zone=report.zone, reset_hour=reset),
        formulas.interval_start(ts, zone=report.zone, minutes=minutes),
    )
    # Twice: computed, then from the cache of its minute (another second of it first).
    report.local(ts - ts % 60)
    assert report.local(ts) == expected
    assert report.local(ts) == expected


def test_a_time_a_hair_before_an_interval_starts_is_stored_in_the_interval_datetime_gives_it():
    """`datetime` rounds a time to the microsecond: 0.24 µs before 10:15 is 10:15. The
    import's cache of interval starts per minute must not answer it with 10:00 because
    another time of the minute 10:14 was asked first."""
    zone = ZoneInfo("Europe/London")
    boundary = datetime(2026, 3, 2, 10, 15, tzinfo=UTC).timestamp()
    local = _LocalTimes(zone)
    local(boundary - 30, 15)
    hair = math.nextafter(boundary, 0)  # 0.24 µs before
    assert local(hair, 15) == (
        formulas.interval_start(hair, zone=zone, minutes=15),
        datetime.fromtimestamp(hair, zone).date(),
    )
    assert local(hair, 15)[0] == datetime(2026, 3, 2, 10, 15, tzinfo=UTC)
