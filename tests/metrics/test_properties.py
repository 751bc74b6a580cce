"""Property tests: the KPIs do not depend on how the same events arrive."""

import json
import random
from itertools import pairwise

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from metrics import formulas, kpi
from metrics.queue_log import read_lines
from metrics.reports.offline import build_report
from tests.conftest import HYPOTHESIS_SUPPRESSED

BASE = 1_700_000_000

call_spec = st.fixed_dictionaries(
    {
        "queue": st.sampled_from(["q1", "q2"]),
        "enter": st.integers(0, 120),
        "outcome": st.sampled_from(
            ["answered", "answered", "abandon", "timeout", "empty", "key", "open", "cut"]
        ),
        "wait": st.integers(0, 45),
        "talk": st.integers(0, 90),
        "transfer": st.booleans(),
        "acw": st.sampled_from([None, (0, 1), (1, 15), (3, 10), (2, 4)]),
        "rings": st.lists(
            st.tuples(st.integers(0, 4), st.sampled_from([0, 1000, 15000])),
            max_size=4,
            unique_by=lambda r: r[0],
        ),
        "empty_wait": st.booleans(),
    }
)


def make_log(calls: list[dict], restart: int | None) -> list[tuple[int, str]]:
    """Lines (time, text) of a generated day; every call has its own member, so events of one
    second commute (as the engine promises) and only the file order within a second varies."""
    rows: list[tuple[int, str]] = []
    for i, c in enumerate(calls):
        cid, q, member = f"{BASE}.{i}", c["queue"], f"PJSIP/{100 + i}"
        t0 = c["enter"]
        rows.append((t0, f"{cid}|{q}|NONE|ENTERQUEUE||04700{i:05d}"))
        for offset, ms in c["rings"]:
            rows.append(
                (t0 + min(offset, c["wait"]), f"{cid}|{q}|PJSIP/9{offset}|RINGNOANSWER|{ms}")
            )
        t1 = t0 + c["wait"]
        wait = "" if c["empty_wait"] else str(c["wait"])
        if c["outcome"] in ("answered", "cut"):
            rows.append((t1, f"{cid}|{q}|{member}|CONNECT|{c['wait']}|{cid}.1|2"))
            if c["outcome"] == "cut":
                continue
            t2 = t1 + c["talk"]
            if c["transfer"]:
                rows.append(
                    (t2, f"{cid}|{q}|{member}|BLINDTRANSFER|200|ctx|{c['wait']}|{c['talk']}|1")
                )
            else:
                rows.append((t2, f"{cid}|{q}|{member}|COMPLETEAGENT|{c['wait']}|{c['talk']}|1"))
            if c["acw"]:
                gap, length = c["acw"]
                rows.append((t2 + gap, f"NONE|{q}|{member}|PAUSE|ACW"))
                rows.append((t2 + gap + length, f"NONE|{q}|{member}|UNPAUSE|"))
        elif c["outcome"] == "abandon":
            rows.append((t1, f"{cid}|{q}|NONE|ABANDON|1|1|{wait}"))
        elif c["outcome"] == "timeout":
            rows.append((t1, f"{cid}|{q}|NONE|EXITWITHTIMEOUT|1|1|{wait}"))
        elif c["outcome"] == "empty":
            rows.append((t1, f"{cid}|{q}|NONE|EXITEMPTY|1|1|{wait}"))
        elif c["outcome"] == "key":
            rows.append((t1, f"{cid}|{q}|NONE|EXITWITHKEY|5|1|1|{wait}"))
    if restart is not None:
        rows.append((restart, "NONE|NONE|NONE|QUEUESTART|"))
    rows.sort(key=lambda r: r[0])  # the file order within a second stays as generated
    return [(t, f"{BASE + t}|{text}\n") for t, text in rows]


def shuffled_within_seconds(rows, rng: random.Random) -> list[tuple[int, str]]:
    groups: dict[int, list] = {}
    for row in rows:
        groups.setdefault(row[0], []).append(row)
    out = []
    for t in sorted(groups):
        group = groups[t][:]
        rng.shuffle(group)
        out += group
    return out


def figures(lines: list[str], now: int) -> dict:
    result = build_report(lambda: iter(lines), now=BASE + now)
    return {k: result[k] for k in ("queues", "agents", "days", "intervals")}


days = st.lists(call_spec, min_size=1, max_size=25)
restarts = st.one_of(st.none(), st.integers(0, 200))


@settings(max_examples=60, deadline=None)
@given(calls=days, restart=restarts, seed=st.integers(0, 10_000))
def test_shuffling_lines_within_equal_timestamps_changes_nothing(calls, restart, seed):
    rows = make_log(calls, restart)
    now = max(t for t, _ in rows) + 3
    plain = figures([text for _, text in rows], now)
    shuffled = shuffled_within_seconds(rows, random.Random(seed))
    assert figures([text for _, text in shuffled], now) == plain


@settings(max_examples=60, deadline=None)
@given(calls=days, restart=restarts, picks=st.lists(st.integers(0, 10_000), max_size=10))
def test_repeated_lines_count_once(calls, restart, picks):
    rows = make_log(calls, restart)
    now = max(t for t, _ in rows) + 3
    texts = [text for _, text in rows]
    repeated = texts[:]
    for pick in picks:
        line = texts[pick % len(texts)]
        repeated.insert(pick % (len(repeated) + 1), line)
    result = build_report(lambda: iter(repeated), now=BASE + now)
    assert {k: result[k] for k in ("queues", "agents", "days", "intervals")} == figures(texts, now)
    assert result["lines"]["duplicates"] == len(picks)


def run_engine(events, cuts: list[int]) -> dict:
    """Feed the events in pieces, the open state going through JSON between pieces."""
    engine = kpi.Engine()
    calls: dict[tuple, dict] = {}
    bounds = [0, *sorted({c % (len(events) + 1) for c in cuts}), len(events)]
    for start, end in pairwise(bounds):
        for event in sorted(events[start:end], key=lambda e: e.sort_key()):
            engine.feed(event)
        changed, _, _ = engine.drain()
        for call in changed:
            calls[(call.call_id, call.queue, call.offered_ts)] = call.to_state()
        engine = kpi.Engine.load(json.loads(json.dumps(engine.dump())))
    return calls


@settings(max_examples=60, deadline=None)
@given(calls=days, restart=restarts, cuts=st.lists(st.integers(0, 500), max_size=3))
def test_feeding_in_pieces_with_stored_state_is_feeding_once(calls, restart, cuts):
    rows = make_log(calls, restart)
    events = list(read_lines([text for _, text in rows]))
    # Pieces are cut where the time changes, as the importer and the follower do.
    boundaries = [i for i in range(1, len(events)) if events[i].ts != events[i - 1].ts]
    chosen = [boundaries[c % len(boundaries)] for c in cuts] if boundaries else []
    assert run_engine(events, chosen) == run_engine(events, [])


@pytest.mark.django_db
@settings(
    max_examples=20,
    deadline=None,
    suppress_health_check=[*HYPOTHESIS_SUPPRESSED, HealthCheck.function_scoped_fixture],
)
@given(calls=days, restart=restarts, cuts=st.lists(st.integers(0, 500), max_size=3))
def test_live_rollups_equal_a_recomputation_and_the_pure_report(db, calls, restart, cuts):
    from django.db import transaction

    from metrics.models import Queue, QueueInterval
    from metrics.telephony.services import events_ingest, queue_rollups_rebuild, source_create

    rows = make_log(calls, restart)
    texts = [text for _, text in rows]
    events = list(read_lines(texts))
    boundaries = [i for i in range(1, len(events)) if events[i].ts != events[i - 1].ts]
    chosen = sorted({boundaries[c % len(boundaries)] for c in cuts}) if boundaries else []
    pieces = [0, *chosen, len(events)]
    now = max(t for t, _ in rows) + 3
    report = build_report(lambda: iter(texts), now=BASE + now)
    with transaction.atomic():
        source, _ = source_create(name="gen", kind="queue_log_file")
        for start, end in pairwise(pieces):
            events_ingest(source=source, events=events[start:end])
        fields = [*formulas.SUM_FIELDS, "max_wait_s"]
        for queue in Queue.objects.all():
            live = list(
                QueueInterval.objects.filter(queue=queue)
                .order_by("start")
                .values_list("start", *fields)
            )
            queue_rollups_rebuild(queue=queue)
            rebuilt = list(
                QueueInterval.objects.filter(queue=queue)
                .order_by("start")
                .values_list("start", *fields)
            )
            # Rows whose calls all moved elsewhere may remain with zero counters.
            assert [r for r in live if any(r[1:])] == rebuilt
            totals = formulas.Tally()
            for row in QueueInterval.objects.filter(queue=queue):
                totals.add({name: getattr(row, name) for name in fields})
            expected = report["queues"][queue.name]
            assert (
                totals.offered,
                totals.answered,
                totals.abandoned,
                totals.short_abandoned,
                totals.timed_out,
                totals.unknown,
            ) == (
                expected["offered"],
                expected["answered"],
                expected["abandoned"],
                expected["short_abandoned"],
                expected["timed_out"],
                expected["unknown"],
            )
        # One engine, two paths: the live "today" equals the offline report at the same now.
        from datetime import UTC, datetime

        from metrics.selectors import floor_queue_stats
        from metrics.telephony.services import sources_advance

        at = datetime.fromtimestamp(BASE + now, UTC)
        # The report closes the after-call-work windows passed by now; so does the clock.
        sources_advance(now=at, margin_s=0)
        live = formulas.round_figures(floor_queue_stats(queues=list(Queue.objects.all()), now=at))
        for queue in Queue.objects.all():
            expected = report["queues"][queue.name]
            got = live[queue.pk]
            for key in (
                "offered",
                "answered",
                "abandoned",
                "short_abandoned",
                "timed_out",
                "unknown",
                "waiting",
                "transferred",
                "service_level_variants",
                "answer_rate",
                "abandon_rate",
                "asa_s",
                "avg_abandon_wait_s",
                "max_wait_s",
                "aht_s",
                "avg_talk_s",
                "transfer_rate",
            ):
                assert got[key] == expected[key], (queue.name, key)
        transaction.set_rollback(True)


_FIELD = st.text(
    alphabet=st.one_of(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E),
        st.sampled_from(["\t", "\n", "\r", "\x00", "\x1b", "\x7f", "\x85", "\u00e9", "坐"]),
        st.characters(),
    ),
    max_size=12,
)


@settings(max_examples=400, deadline=None)
@given(fields=st.lists(_FIELD, min_size=5, max_size=5), data=st.lists(_FIELD, max_size=4))
def test_the_text_check_refuses_exactly_the_texts_holding_a_forbidden_character(fields, data):
    from metrics.queue_log import _BAD_TEXT, Event, text_problem

    event = Event(1.0, 1, fields[0], fields[1], fields[2], fields[3], tuple(data), fields[4])
    forbidden = any(_BAD_TEXT.search(value) for value in (*fields, *data))
    assert (text_problem(event) is not None) == forbidden
