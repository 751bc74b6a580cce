"""The column-by-column offline report gives the engine's report, key for key and value for value.

`columnar.columnar_report` works a usual queue_log file out with pandas and numpy and answers
None for anything it does not reproduce exactly; `offline.report_of_file` then runs the
engine (`offline.build_report`, the reference). Both are held equal to the reference on the
real FreePBX log, on a synthetic day and on random logs of every event kind, with the
lines that send a file to the engine (repeats, malformed lines, holds, restarts, …).
"""

import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synthetic import generate_day
from metrics.reports.columnar import columnar_report, report_of_file
from metrics.reports.offline import build_report
from tests.conftest import HYPOTHESIS_SUPPRESSED, shared_data
from tests.metrics.conftest import file_lines

FREEPBX = "asterisk/freepbx-2010-queue_log"
# 2026-03-08 06:50 UTC: New York's clocks move forward within the hour after.
BASE = 1_772_952_600


def reference(path: Path, **settings) -> dict:
    return build_report(file_lines(path), **settings)


def columnar(path: Path, **settings) -> dict | None:
    return columnar_report(path.read_bytes(), **settings)


def same(a: dict, b: dict) -> bool:
    """Equal as objects and as the JSON the command prints (types included)."""
    return a == b and json.dumps(a) == json.dumps(b)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"now": 1266844579, "variant": "answered_only", "threshold": 10},
        {"site_zone": "Europe/Paris", "interval_minutes": 60, "short_abandon": 0},
        {"now": 1266840000, "stale_after": 120, "repeat_window_h": 0.1, "fast_ring": 1},
    ],
)
def test_the_freepbx_log_gives_the_engines_report(options):
    path = shared_data(FREEPBX)
    expected = reference(path, **options)
    found = columnar(path, **options)
    assert found is not None, "the FreePBX log is a usual file: it must not need the engine"
    assert same(found, expected)
    assert same(report_of_file(path, **options), expected)
    assert expected["queues"]["9000"]["offered"] == 21  # (the hand-worked figure)


def test_a_synthetic_day_gives_the_engines_report(tmp_path):
    path = tmp_path / "day.log"
    generate_day(
        path,
        csv_path=shared_data("arrivals/bank-calls-2003.csv"),
        agents=30,
        target_lines=12_000,
    )
    for options in ({}, {"site_zone": "Asia/Kathmandu", "interval_minutes": 30}):
        expected = reference(path, **options)
        found = columnar(path, **options)
        assert found is not None
        assert found["lines"]["read"] > 10_000
        assert expected["agents"] and expected["intervals"]
        assert same(found, expected)


# -- random logs ------------------------------------------------------------------------------

# Names and texts the parser strips are the same name to the engine ("PJSIP/201 ").
MEMBERS = ["PJSIP/201", "PJSIP/202", "Local/2004@from-internal/n", "Agent/7", "PJSIP/201 "]
QUEUES = ["sales", "support", " sales"]
CALLERS = ["0470001", "0470002", " 0470001", "anonymous", "", "Restricted", "0470003 "]
REASONS = ["ACW", "Wrapup", "wrap-up", "Lunch", "", "7", " ACW"]
NUMBERS = st.one_of(st.integers(0, 40).map(str), st.just(""))

call_spec = st.fixed_dictionaries(
    {
        "queue": st.sampled_from(QUEUES),
        "enter": st.integers(0, 900),
        "caller": st.sampled_from(CALLERS),
        "outcome": st.sampled_from(
            ["answered"] * 4 + ["abandon", "timeout", "empty", "key", "open"]
        ),
        "wait": st.integers(0, 60),
        "wait_field": NUMBERS,
        "member": st.sampled_from(MEMBERS),
        "ring": st.one_of(st.just(""), st.integers(0, 30).map(str)),
        "talk": st.integers(0, 200),
        "talk_field": NUMBERS,
        "end": st.sampled_from(
            ["COMPLETEAGENT", "COMPLETECALLER", "TRANSFER", "BLINDTRANSFER", None]
        ),
        "acw": st.one_of(st.none(), st.tuples(st.integers(0, 3), st.integers(0, 30))),
        "rings": st.lists(
            st.tuples(st.sampled_from(MEMBERS), st.sampled_from(["0", "1000", "15000", ""])),
            max_size=3,
        ),
        "cancel": st.booleans(),
    }
)
member_line = st.tuples(
    st.integers(0, 1200),
    st.sampled_from([*MEMBERS, ""]),
    st.sampled_from(
        [
            "ADDMEMBER",
            "REMOVEMEMBER",
            "AGENTLOGIN",
            "AGENTLOGOFF",
            "AGENTCALLBACKLOGIN",
            "AGENTCALLBACKLOGOFF",
            "PAUSE",
            "PAUSEALL",
            "UNPAUSE",
            "UNPAUSEALL",
        ]
    ),
    st.sampled_from([*QUEUES, "NONE"]),
    st.sampled_from(REASONS),
)
# Lines of any kind at any time: events out of their call's order, unknown events, and
# what only the engine reads.
other_line = st.tuples(
    st.integers(0, 1200),
    st.sampled_from([f"{BASE}.{i}" for i in range(6)] + ["NONE"]),
    st.sampled_from([*QUEUES, "NONE"]),
    st.sampled_from([*MEMBERS, "NONE"]),
    st.sampled_from(
        [
            "CONNECT",
            "COMPLETECALLER",
            "ABANDON",
            "EXITWITHKEY",
            "RINGNOANSWER",
            "RINGCANCELED",
            "CONFIGRELOAD",
            "DID",
            "SYSCOMPAT",
            "ENTERQUEUE",
            "HOLD",
            "UNHOLD",
            "ATTENDEDTRANSFER",
            "RINGSTART",
            "QUEUESTART",
        ]
    ),
    st.lists(NUMBERS, max_size=5),
)
# What a file may hold that sends it to the engine.
odd_line = st.sampled_from(
    [
        "garbage",
        "1772952601|x|sales|PJSIP/201",
        "abc|1|sales|PJSIP/201|ENTERQUEUE||1",
        "1772952601|1|sales|PJSIP/201|enterqueue||1",
        "1772952601|1|sales|PJSIP/201|CONNECT|x|1|2",
        "1772952601|1|sales|PJSIP/201|CONNECT|1.5|1|2",
        "1772952601|1|sales|PJSIP/201|CONNECT|9999999999|1|2",
        "1772952601| 1|sales|PJSIP/201|ENTERQUEUE||1",
        "1772952601|1|sales |PJSIP/201|ENTERQUEUE||1",
        "1772952601|1|sales|PJSIP/201|ENTERQUEUE|| 0470001",
        "1772952601|1|sales|PJSIP/201|PAUSE| ACW",
        "1772952601|1|sales|PJSIP/201|ENTERQUEUE||1\t",
        "1772952601|1|sales|PJSIP/201|ENTERQUEUE||caf\u00e9",
        "1772952601.5|1|sales|PJSIP/201|ENTERQUEUE||1",
        "+1772952601|1|sales|PJSIP/201|ENTERQUEUE||1",
        "   ",
        "",
        "1772952601|1|sales|PJSIP/201|ENTERQUEUE||1|a|b|c|d|e|f|g|h",
        "1772952601|NONE|NONE|NONE|QUEUESTART|",
    ]
)


def call_lines(i: int, c: dict) -> list[tuple[int, str]]:
    cid, q, member = f"{BASE}.{i}", c["queue"], c["member"]
    t0 = c["enter"]
    rows = [(t0, f"{cid}|{q}|NONE|ENTERQUEUE||{c['caller']}|1")]
    t1 = t0 + c["wait"]
    for who, ms in c["rings"]:
        rows.append((t0 + c["wait"] // 2, f"{cid}|{q}|{who}|RINGNOANSWER|{ms}"))
    wait = c["wait_field"]
    outcome = c["outcome"]
    if outcome == "answered":
        rows.append((t1, f"{cid}|{q}|{member}|CONNECT|{wait}|{cid}.9|{c['ring']}"))
        if c["cancel"]:
            rows.append((t1, f"{cid}|{q}|PJSIP/209|RINGCANCELED|{c['ring']}"))
        if c["end"] is None:
            return rows
        t2 = t1 + c["talk"]
        talk = c["talk_field"]
        if c["end"] in ("TRANSFER", "BLINDTRANSFER"):
            rows.append((t2, f"{cid}|{q}|{member}|{c['end']}|200|ctx|{wait}|{talk}|1"))
        else:
            rows.append((t2, f"{cid}|{q}|{member}|{c['end']}|{wait}|{talk}|1"))
        if c["acw"]:
            gap, length = c["acw"]
            rows.append((t2 + gap, f"NONE|{q}|{member}|PAUSEALL|ACW"))
            rows.append((t2 + gap + length, f"NONE|{q}|{member}|UNPAUSEALL|"))
    elif outcome == "abandon":
        rows.append((t1, f"{cid}|{q}|NONE|ABANDON|1|1|{wait}"))
    elif outcome == "timeout":
        rows.append((t1, f"{cid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}"))
    elif outcome == "empty":
        rows.append((t1, f"{cid}|{q}|NONE|EXITEMPTY|1|1|{wait}"))
    elif outcome == "key":
        rows.append((t1, f"{cid}|{q}|NONE|EXITWITHKEY|5|1|1|{wait}"))
    return rows


def usual_log(calls, members) -> list[tuple[int, str]]:
    rows = [row for i, c in enumerate(calls) for row in call_lines(i, c)]
    for t, member, name, queue, reason in members:
        data = f"|{reason}" if "PAUSE" in name and "UN" not in name else "|"
        rows.append((t, f"NONE|{queue}|{member or 'NONE'}|{name}{data}"))
    rows.sort(key=lambda row: row[0])  # (the file order within a second stays as made)
    seen, texts = set(), []
    for t, text in rows:
        line = f"{BASE + t}|{text}"
        if line not in seen:  # (no line twice: that one sends a file to the engine)
            seen.add(line)
            texts.append(line)
    return texts


report_settings = st.fixed_dictionaries(
    {
        "now": st.one_of(st.none(), st.integers(0, 1300).map(lambda t: BASE + t)),
        "threshold": st.sampled_from([0, 10, 20]),
        "short_abandon": st.sampled_from([0, 5]),
        "variant": st.sampled_from(["offered", "ignore_abandons", "answered_only"]),
        "interval_minutes": st.sampled_from([15, 30, 60]),
        "site_zone": st.sampled_from(
            ["UTC", "America/New_York", "Asia/Kathmandu", "Australia/Lord_Howe"]
        ),
        "repeat_window_h": st.sampled_from([0.01, 24]),
        "fast_ring": st.sampled_from([0, 15]),
    }
)


def write(tmp_path_factory, texts: list[str], *, last_break: bool = True) -> Path:
    path = tmp_path_factory.mktemp("log") / "queue_log"
    path.write_text("\n".join(texts) + ("\n" if last_break else ""), encoding="utf-8")
    return path


@settings(max_examples=150, deadline=None, suppress_health_check=HYPOTHESIS_SUPPRESSED)
@given(
    calls=st.lists(call_spec, max_size=14),
    members=st.lists(member_line, max_size=16),
    options=report_settings,
    last_break=st.booleans(),
)
def test_a_usual_log_is_worked_out_in_columns_as_the_engine_does(
    tmp_path_factory, calls, members, options, last_break
):
    """Logs of every event the column path reads (members shared between calls, so one's
    after-call work meets the next call; logins and pauses at any time; rings; stale
    calls): the column path takes them all, with the engine's figures."""
    texts = usual_log(calls, members)
    path = write(tmp_path_factory, texts, last_break=last_break)
    if not texts:
        return
    expected = reference(path, **options)
    found = columnar(path, **options)
    assert found is not None
    assert same(found, expected)


@settings(max_examples=150, deadline=None, suppress_health_check=HYPOTHESIS_SUPPRESSED)
@given(
    calls=st.lists(call_spec, max_size=10),
    members=st.lists(member_line, max_size=10),
    others=st.lists(other_line, max_size=6),
    odd=st.lists(st.tuples(st.integers(0, 60), odd_line), max_size=2),
    repeats=st.lists(st.integers(0, 60), max_size=2),
    shuffle=st.randoms(use_true_random=False),
    shuffled=st.booleans(),
    stale_after=st.sampled_from([60, 600, 14_400]),
    options=report_settings,
)
def test_any_log_gives_the_engines_report_whichever_path_reads_it(
    tmp_path_factory, calls, members, others, odd, repeats, shuffle, shuffled, stale_after, options
):
    """Anything the column path does not reproduce (repeated, malformed, out-of-order or
    unusual lines, holds, ring starts, attended transfers, restarts, ends of talk and
    answers out of their call's order, calls past their stale limit) is read by the engine:
    `report_of_file` always gives the engine's report."""
    texts = usual_log(calls, members)
    for t, cid, queue, member, name, data in others:
        texts.append(f"{BASE + t}|{cid}|{queue}|{member}|{name}|{'|'.join(data)}")
    texts.sort(key=lambda text: text.split("|")[0])
    for at, text in odd:
        texts.insert(min(at, len(texts)), text)
    for at in repeats:
        if texts:
            texts.insert(min(at + 1, len(texts)), texts[min(at, len(texts) - 1)])
    if shuffled:
        shuffle.shuffle(texts)
    path = write(tmp_path_factory, texts)
    options = {**options, "stale_after": stale_after}
    expected = reference(path, **options)
    found = columnar(path, **options)
    if found is not None:
        assert same(found, expected)
    assert same(report_of_file(path, **options), expected)


@pytest.mark.parametrize(
    "extra, engine",
    [
        ("{t}|NONE|NONE|NONE|QUEUESTART|", True),  # a restart after calls began
        ("{t}|{cid}|sales|PJSIP/201|HOLD|", True),
        ("{t}|{cid}|sales|PJSIP/201|RINGSTART|", True),
        ("{t}|{cid}|sales|PJSIP/201|ATTENDEDTRANSFER|BRIDGE|x|1|2|1", True),
        ("{t}|other|sales|PJSIP/201|COMPLETEAGENT|1|2|1", True),  # under another call id
        ("{t}|{cid}|sales|PJSIP/201|COMPLETEAGENT|1|2|1", True),  # the talk ends twice
        ("{t}|{cid}|sales|PJSIP/201|CONNECT|x|1|2", True),  # a rejected line
        ("{t}|{cid}|sales|NONE|ENTERQUEUE||1", True),  # a call entered twice
        ("{line}", True),  # the same line twice
        ("{t}|{cid}|sales|PJSIP/201|ENTERQUEUE|", True),  # a text the parser strips
        ("{t}|{cid}|sales|PJSIP/202|CONNECT|1||", False),  # a second answer: ignored
        ("{t}|{cid}|sales|NONE|ABANDON|1|1|3", False),  # an answered call's abandon: ignored
        ("{t}|NONE|NONE|NONE|CONFIGRELOAD|", False),  # kept and ignored
    ],
)
def test_what_only_the_engine_reads_sends_the_file_to_it(tmp_path, extra, engine):
    cid = f"{BASE}.1"
    texts = [
        f"{BASE}|NONE|NONE|NONE|QUEUESTART|",
        f"{BASE + 1}|NONE|sales|PJSIP/201|ADDMEMBER|",
        f"{BASE + 2}|{cid}|sales|NONE|ENTERQUEUE||0470001|1",
        f"{BASE + 5}|{cid}|sales|PJSIP/201|CONNECT|3|{cid}.9|2",
        f"{BASE + 65}|{cid}|sales|PJSIP/201|COMPLETECALLER|3|60|1",
        f"{BASE + 66}|NONE|NONE|PJSIP/201|PAUSEALL|ACW",
        f"{BASE + 80}|NONE|NONE|PJSIP/201|UNPAUSEALL|",
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    plain = columnar(path)
    assert plain is not None and same(plain, reference(path))
    assert plain["queues"]["sales"]["aht_s"] == 74.0  # 60 s of talk and 14 s of work
    line = extra.format(t=BASE + 70, cid=cid, line=texts[3]).replace("ENTERQUEUE|", "ENTERQUEUE| ")
    texts.insert(6, line)
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = reference(path)
    if engine:
        assert columnar(path) is None, line
    else:
        assert same(columnar(path), expected)
        assert expected["lines"]["ignored"] == 1
    assert same(report_of_file(path), expected)


@pytest.mark.parametrize(
    "first, second, engine",
    [
        # alike in second, event, call, queue and member, different past them: two lines
        ("PJSIP/201|RINGNOANSWER|1000", "PJSIP/201|RINGNOANSWER|2000", False),
        ("PJSIP/201|RINGNOANSWER|1000", "PJSIP/201|RINGNOANSWER|1000|x", False),
        ("PJSIP/201|RINGNOANSWER|1000|||||a", "PJSIP/201|RINGNOANSWER|1000|||||b", False),
        ("PJSIP/201|RINGNOANSWER|07", "PJSIP/201|RINGNOANSWER|7", False),
        # the same line twice: the engine counts it once
        ("PJSIP/201|RINGNOANSWER|1000|||||a", "PJSIP/201|RINGNOANSWER|1000|||||a", True),
    ],
)
def test_lines_alike_but_not_the_same_stay_on_the_column_path(tmp_path, first, second, engine):
    """Lines alike in the columns the repeat test hashes are told apart by their texts, down
    to fields the column path does not read and numbers that read the same."""
    cid = f"{BASE}.1"
    texts = [
        f"{BASE + 1}|NONE|sales|PJSIP/201|ADDMEMBER|",
        f"{BASE + 2}|{cid}|sales|NONE|ENTERQUEUE||0470001|1",
        f"{BASE + 3}|{cid}|sales|{first}",
        f"{BASE + 3}|{cid}|sales|{second}",
        f"{BASE + 5}|{cid}|sales|PJSIP/201|CONNECT|3|{cid}.9|2",
        f"{BASE + 65}|{cid}|sales|PJSIP/201|COMPLETECALLER|3|60|1",
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = reference(path)
    found = columnar(path)
    if engine:
        assert found is None
        assert expected["lines"]["duplicates"] == 1
    else:
        assert found is not None and same(found, expected)
        assert expected["lines"]["duplicates"] == 0
    assert same(report_of_file(path), expected)


def test_a_file_read_by_path_is_checked_to_its_last_byte(tmp_path):
    """The column path reads a file by its path (the parser reads it, the check for bytes
    other than printable ASCII goes through it in pieces): a byte it does not take past the
    first piece still sends the file to the engine, and both paths give the engine's JSON."""
    cid = f"{BASE}.1"
    texts = [
        f"{BASE + 1}|NONE|sales|PJSIP/201|ADDMEMBER|",
        f"{BASE + 2}|{cid}|sales|NONE|ENTERQUEUE||0470001|1",
        f"{BASE + 5}|{cid}|sales|PJSIP/201|CONNECT|3|{cid}.9|2",
        f"{BASE + 65}|{cid}|sales|PJSIP/201|COMPLETECALLER|3|60|1",
    ]
    texts += [f"{BASE + 100 + i}|NONE|NONE|NONE|CONFIGRELOAD|" for i in range(40_000)]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert path.stat().st_size > 2**20 + 2**19
    expected = reference(path)
    assert same(columnar_report(path), expected)
    assert same(columnar_report(str(path)), expected)
    assert same(report_of_file(path), expected)
    texts[-1] = texts[-1] + "\u00e9"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = reference(path)
    assert columnar_report(path) is None
    assert columnar(path) is None
    assert same(report_of_file(path), expected)


def test_the_command_gives_the_same_json_through_either_path(tmp_path, capsys):
    from django.core.management import call_command

    path = shared_data(FREEPBX)
    call_command("queue_log_report", str(path), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == reference(path)
    odd = tmp_path / "queue_log"
    last = [line for line in path.read_bytes().splitlines(keepends=True) if line.strip()][-1]
    odd.write_bytes(path.read_bytes() + last)
    assert columnar(odd) is None  # (its last line twice)
    call_command("queue_log_report", str(odd), "--json")
    printed = json.loads(capsys.readouterr().out)
    assert printed == reference(odd)
    assert printed["lines"]["duplicates"] == 1


def test_texts_the_parser_strips_are_one_name_on_the_column_path(tmp_path):
    """A caller, queue or member written with spaces around it is the same one to the
    engine: a caller calling again is a repeat call, a pause reason " ACW" is after-call
    work, " sales" is the queue sales."""
    texts = [
        f"{BASE}|{BASE}.1|sales|NONE|ENTERQUEUE||0470001|1",
        f"{BASE + 4}|{BASE}.1|sales|PJSIP/201|CONNECT|4|{BASE}.1.9|2",
        f"{BASE + 64}|{BASE}.1|sales|PJSIP/201 |COMPLETEAGENT|4|60|1",
        f"{BASE + 65}|NONE|NONE|PJSIP/201|PAUSEALL| ACW",
        f"{BASE + 75}|NONE|NONE|PJSIP/201|UNPAUSEALL|",
        f"{BASE + 600}|{BASE}.2| sales|NONE|ENTERQUEUE|| 0470001 |1",
        f"{BASE + 610}|{BASE}.2|sales |NONE|ABANDON|1|1|10",
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = reference(path)
    assert expected["queues"]["sales"]["repeat_call_rate"] == 1.0
    assert expected["queues"]["sales"]["abandoned"] == 1
    assert expected["queues"]["sales"]["aht_s"] == 70.0
    assert list(expected["queues"]) == ["sales"]
    found = columnar(path)
    assert found is not None
    assert same(found, expected)


def test_every_event_the_engine_handles_is_one_the_column_path_knows():
    """An event the engine learns to handle sends a file to it until the column path is
    taught it too (it would otherwise be counted as ignored)."""
    from metrics import kpi
    from metrics.reports import columnar as path

    assert set(kpi._HANDLERS) == path._ENGINE_EVENTS
    assert set(path._KINDS) == path._ENGINE_EVENTS


def test_a_file_too_large_to_hold_is_read_by_the_engine(tmp_path, monkeypatch):
    from metrics.reports import columnar as path_module

    path = shared_data(FREEPBX)
    calls = []
    original = path_module.columnar_report
    monkeypatch.setattr(
        path_module, "columnar_report", lambda *a, **k: calls.append(1) or original(*a, **k)
    )
    assert same(report_of_file(path), reference(path))
    assert calls == [1]
    monkeypatch.setattr(path_module, "MAX_BYTES", path.stat().st_size - 1)
    assert same(report_of_file(path), reference(path))
    assert calls == [1]  # (not asked again: the engine read it)


def test_calls_still_waiting_at_the_end_are_stale_or_waiting_on_the_column_path(tmp_path):
    texts = [
        f"{BASE}|{BASE}.1|sales|NONE|ENTERQUEUE||0470001|1",
        f"{BASE + 500}|{BASE}.2|sales|NONE|ENTERQUEUE||0470002|1",
        f"{BASE + 520}|{BASE}.2|sales|PJSIP/201|RINGNOANSWER|15000",
        f"{BASE + 700}|{BASE}.3|support|NONE|ENTERQUEUE||0470003|1",
        f"{BASE + 800}|NONE|NONE|NONE|CONFIGRELOAD|",
    ]
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    for now in (None, BASE + 1200):
        expected = reference(path, now=now, stale_after=600)
        sales = expected["queues"]["sales"]
        assert (sales["unknown"], sales["waiting"]) == ((1, 1) if now is None else (2, 0))
        assert sales["max_wait_s"] == 600.0  # (a stale call waited its limit)
        found = columnar(path, now=now, stale_after=600)
        assert found is not None
        assert same(found, expected)


# -- callers, talk times and odd lines: the column path reads them as the engine does ----------


def day_with_callers(callers: list[str], talk: str = "60") -> list[str]:
    """A call per caller, each answered and ended (its talk time in the second data field),
    and a second call of the first caller (a repeat call)."""
    texts = [f"{BASE}|NONE|sales|PJSIP/201|ADDMEMBER|"]
    for i, caller in enumerate([*callers, callers[0]]):
        t, cid = BASE + 100 * i + 1, f"{BASE}.{i}"
        texts += [
            f"{t}|{cid}|sales|NONE|ENTERQUEUE||{caller}|1",
            f"{t + 4}|{cid}|sales|PJSIP/201|CONNECT|4|{cid}.9|2",
            f"{t + 64}|{cid}|sales|PJSIP/201|COMPLETECALLER|4|{talk}|1",
        ]
    return texts


@pytest.mark.parametrize(
    "callers",
    [
        ["0470001", "0470002", "007", "7", ""],  # "007" and "7" are two callers
        ['"Jane Doe" <0470001>', "'x'|", "0470002"],  # quotes are text (the extra field)
        ["a" * 31, "b" * 31 + "c", "b" * 31 + "d", "a" * 31],  # long callers alike but the last
        ["0470001", "c" * 33, "d" * 60 + " "],
        [" 0470001", "0470001 ", "anonymous"],
    ],
)
def test_callers_on_the_column_path_are_the_engines_texts(tmp_path, callers):
    path = tmp_path / "queue_log"
    path.write_text("\n".join(day_with_callers(callers)) + "\n", encoding="utf-8")
    expected = reference(path)
    found = columnar(path)
    assert found is not None
    assert same(found, expected)
    assert same(report_of_file(path), expected)
    assert expected["queues"]["sales"]["repeat_call_rate"] > 0


@pytest.mark.parametrize("talk", ["0060", "9" * 31 + "0", "6" * 40, "60.5", " 60"])
def test_talk_times_of_every_shape_are_read_as_the_engine_reads_them(tmp_path, talk):
    path = tmp_path / "queue_log"
    path.write_text("\n".join(day_with_callers(["0470001"], talk)) + "\n", encoding="utf-8")
    expected = reference(path)
    found = columnar(path)
    if found is not None:
        assert same(found, expected)
    assert same(report_of_file(path), expected)


def engine_lines(path):
    """The lines of `path` as `report_of_file` gives them to the engine."""

    def open_lines():
        with open(path, encoding="utf-8", errors="replace") as handle:
            yield from handle

    return open_lines


@pytest.mark.parametrize(
    "content",
    [
        b"",
        b"\n\n",
        # CRLF line ends, a byte of Latin-1: the engine reads the file
        b"{t}|{cid}|sales|NONE|ENTERQUEUE||0470001|1\r\n",
        b"{t}|{cid}|sales|NONE|ENTERQUEUE||04700\xe9|1\n",
        # too many fields, too few, quotes: the parser reads them, the engine rejects or not
        b"{t}|{cid}|sales|NONE|ENTERQUEUE||0470001|1|a|b|c|d|e|f\n",
        b"{t}|{cid}|sales\n",
        b'{t}|{cid}|sales|NONE|ENTERQUEUE||"0470001|1"\n',
        b'{t}|"{cid}|sales"|NONE|ENTERQUEUE||0470001|1\n',
    ],
)
def test_odd_lines_give_the_engines_report_with_their_line_numbers(tmp_path, content):
    cid = f"{BASE}.7".encode()
    head = "\n".join(day_with_callers(["0470009", "0470008"])).encode() + b"\n"
    odd = content.replace(b"{t}", str(BASE + 50).encode()).replace(b"{cid}", cid)
    path = tmp_path / "queue_log"
    for body in (odd, head + odd, head + odd + head.replace(b"PJSIP/201", b"PJSIP/202")):
        path.write_bytes(body)
        expected = build_report(engine_lines(path))
        assert same(report_of_file(path), expected)
        if body is not odd and odd.count(b"|") == 2:  # (a rejected line keeps its number)
            assert [r["line"] for r in expected["lines"]["rejected"]] == [head.count(b"\n") + 1]
        found = columnar(path)
        if found is not None:
            assert same(found, expected)
            assert not expected["lines"]["rejected"]


@pytest.mark.parametrize(
    "gap, column_path, rejected",
    [
        (b"\n", True, False),  # an empty line: skipped, as the engine skips it
        (b"\n\n\n", True, False),
        (b"|\n", False, True),  # a line of two empty fields: the engine rejects it
        (b"\n|\n", False, True),
        (b" \n", False, False),  # a space: the engine reads the file (and skips it)
    ],
)
def test_empty_lines_are_skipped_and_lines_without_a_time_rejected_on_either_path(
    tmp_path, gap, column_path, rejected
):
    """The parser reads an empty line as a line of empty fields: the column path skips it
    only when every line without a time is an empty one (at the start, between lines, at the
    end); any other line without a time sends the file to the engine, which rejects it."""
    lines = [text.encode() + b"\n" for text in day_with_callers(["0470009", "0470008"])]
    path = tmp_path / "queue_log"
    for at in (0, 4, len(lines)):
        path.write_bytes(b"".join(lines[:at]) + gap + b"".join(lines[at:]))
        expected = build_report(engine_lines(path))
        assert same(report_of_file(path), expected)
        assert bool(expected["lines"]["rejected"]) == rejected
        found = columnar(path)
        assert (found is not None) == column_path
        if found is not None:
            assert same(found, expected)


@pytest.mark.parametrize("member", ["007", "7", "1e3", "true", "NaN", "0x1F"])
def test_names_that_read_as_numbers_are_texts_on_the_column_path(tmp_path, member):
    """Names, reasons and callers are read as the file's texts whatever they look like: "007"
    and "7" are two members, a pause reason "1e3" is not the number 1000."""
    texts = [
        line.replace("PJSIP/201", member)
        for line in day_with_callers(["0470001", "0470001"], talk="60")
    ]
    texts.append(f"{BASE + 900}|NONE|NONE|{member}|PAUSEALL|{member}")
    path = tmp_path / "queue_log"
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    expected = reference(path)
    found = columnar(path)
    assert found is not None
    assert same(found, expected)
    assert list(expected["agents"]) == [member]


def test_texts_of_one_hash_are_still_two_callers(tmp_path, monkeypatch):
    """Callers are numbered by a hash of their texts; two texts of one hash (forced here) are
    told apart by comparing each text with its number's first, and the report is unchanged."""
    import polars as pl

    from metrics.reports.columnar_read import factorized

    path = tmp_path / "queue_log"
    path.write_text(
        "\n".join(day_with_callers(["0470001", "0470002", "0470001", "0470003"])) + "\n",
        encoding="utf-8",
    )
    expected = reference(path)
    assert same(columnar(path), expected)
    calls = []

    def one_hash(series, seed=0):
        calls.append(len(series))
        return pl.Series(series.name, [7] * len(series), dtype=pl.UInt64)

    monkeypatch.setattr(pl.Series, "hash", one_hash)
    codes, texts = factorized(pl.Series(["a", "b", "a", "c"]))
    assert [texts[c] for c in codes] == ["a", "b", "a", "c"]
    assert same(columnar(path), expected)
    assert calls  # (the forced hash was the one used)


def test_the_printable_check_takes_exactly_printable_ascii_and_line_breaks(tmp_path):
    """The check runs beside the report's work (numpy, no GIL): every byte value, at the start,
    the middle and the end of a file and of its pieces, is taken or refused as it should be."""
    from metrics.reports.columnar_read import usual as _usual

    usual = set(range(0x20, 0x7F)) | {0x0A}
    path = tmp_path / "queue_log"
    for value in range(256):
        for body in (
            bytes([value]),
            b"1|a|b\n" + bytes([value]) + b"|x\n",
            b"x" * (2**22 - 1) + bytes([value]) + b"y" * 10,  # (the last byte of a piece)
        ):
            assert _usual(body) == (value in usual), value
            if len(body) > 2**20:
                path.write_bytes(body)
                assert _usual(path) == (value in usual), value
    assert _usual(b"")


def test_a_file_whose_name_looks_like_a_pattern_is_the_file_read(tmp_path):
    """The reader is given the file's name, not a pattern: "queue_log[1]" is that file, not
    "queue_log1" beside it (which holds another day)."""
    named = tmp_path / "queue_log[1]"
    named.write_text("\n".join(day_with_callers(["0470001"])) + "\n", encoding="utf-8")
    other = tmp_path / "queue_log1"
    other.write_text("\n".join(day_with_callers(["0470002", "0470003"])) + "\n", encoding="utf-8")
    expected = reference(named)
    assert expected["queues"]["sales"]["offered"] == 2
    found = columnar_report(str(named))
    assert found is not None and same(found, expected)
    assert same(report_of_file(str(named)), expected)


def test_a_file_of_other_bytes_goes_to_the_engine_even_if_the_work_fails_first(
    tmp_path, monkeypatch
):
    """The printable check runs beside the work: an error the work meets before the check ends
    sends a file of other bytes to the engine, and is not hidden for a usual file."""
    from metrics.reports import columnar as path_module

    def broken(*args, **kwargs):
        raise IndexError("a fault of the column path")

    monkeypatch.setattr(path_module, "_call_table", broken)
    path = tmp_path / "queue_log"
    texts = day_with_callers(["0470001"])
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    with pytest.raises(IndexError):
        columnar(path)
    texts[1] = texts[1].replace("0470001", "0470\x01001")
    path.write_text("\n".join(texts) + "\n", encoding="utf-8")
    assert columnar(path) is None
    assert same(report_of_file(path), build_report(engine_lines(path)))
