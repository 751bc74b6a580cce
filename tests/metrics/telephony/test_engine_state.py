"""The KPI engine's open state between batches: one row per open call and per member."""

import json

import pytest
from django.apps import apps
from django.db import connection, transaction

from metrics import kpi
from metrics.models import EngineCall, EngineMember, SourceKind, TelephonySource
from metrics.queue_log import Event, read_lines
from metrics.telephony import engine_state, services
from tests.conftest import shared_data

pytestmark = pytest.mark.django_db

MIGRATION = "metrics.migrations.0007_engine_open_state_per_row"


def freepbx_events() -> list[Event]:
    with open(shared_data("asterisk/freepbx-2010-queue_log"), encoding="utf-8") as handle:
        return list(read_lines(handle))


def _source_named(name: str) -> TelephonySource:
    return TelephonySource.objects.create(name=name, kind=SourceKind.HTTP_JSON)


def _source() -> TelephonySource:
    return _source_named("pbx")


def _normal(state: dict, *, stored: bool = True) -> dict:
    """A dump with its calls keyed (their order is not part of the state); without what each
    call counted when last stored, when `stored` is false (only ingestion stores calls)."""
    return {
        **state,
        "calls": {
            (c["call_id"], c["queue"]): {k: v for k, v in c.items() if stored or k != "stored"}
            for c in state["calls"]
        },
    }


def _batches(events: list[Event], size: int) -> list[list[Event]]:
    return [events[start : start + size] for start in range(0, len(events), size)]


def test_the_rows_hold_what_one_engine_fed_the_same_batches_holds():
    events = freepbx_events()
    source = _source()
    engine = kpi.Engine(acw_reasons=engine_state.acw_reasons())
    for batch in _batches(events, 7):
        services.events_ingest(source=source, events=batch)
        for event in sorted(batch, key=lambda e: e.sort_key()):
            engine.feed(event)
        engine.drain()
        # The reference keeps its state the old way: one JSON value between batches.
        engine = kpi.Engine.load(
            json.loads(json.dumps(engine.dump())), acw_reasons=engine_state.acw_reasons()
        )
        source.refresh_from_db()
        loaded, _ = engine_state.load(source)
        assert _normal(loaded.dump(), stored=False) == _normal(engine.dump(), stored=False)
    # The log leaves calls open and members logged in: the rows are not trivially empty.
    assert EngineMember.objects.filter(source=source).exists()
    assert set(source.engine_state) == {"clock", "saw_acw", "saw_hold", "version"}


def _row_versions(model) -> dict[str, str]:
    """Each row's PostgreSQL `xmin`: it changes when (and only when) the row is rewritten."""
    table = model._meta.db_table
    key = "member" if model is EngineMember else "call_id"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {key}, xmin::text FROM {table}")
        return dict(cursor.fetchall())


def test_a_batch_rewrites_only_the_rows_it_changed():
    assert connection.vendor == "postgresql"
    source = _source()
    members = [f"PJSIP/{n}" for n in range(50)]
    login = [
        Event(1_700_000_000.0 + n, n, "NONE", "NONE", m, "AGENTLOGIN", (), f"login-{n}")
        for n, m in enumerate(members)
    ]
    services.events_ingest(source=source, events=login)
    before = _row_versions(EngineMember)
    assert set(before) == set(members)
    pause = Event(1_700_000_100.0, 0, "NONE", "NONE", members[7], "PAUSEALL", ("Lunch",), "p-1")
    services.events_ingest(source=source, events=[pause])
    after = _row_versions(EngineMember)
    assert {m for m in members if after[m] != before[m]} == {members[7]}
    state = EngineMember.objects.get(source=source, member=members[7]).state
    assert (state["status"], state["reason"]) == ("not_ready", "Lunch")


def test_finished_calls_leave_their_rows():
    source = _source()
    events = [
        Event(1_700_000_000.0, 1, "c1", "billing", "NONE", "ENTERQUEUE", ("", "555"), "e1"),
        Event(1_700_000_001.0, 2, "c2", "billing", "NONE", "ENTERQUEUE", ("", "556"), "e2"),
    ]
    services.events_ingest(source=source, events=events)
    assert set(EngineCall.objects.values_list("call_id", flat=True)) == {"c1", "c2"}
    abandon = Event(1_700_000_030.0, 3, "c1", "billing", "NONE", "ABANDON", ("1", "1", "30"), "e3")
    services.events_ingest(source=source, events=[abandon])
    assert set(EngineCall.objects.values_list("call_id", flat=True)) == {"c2"}


def test_the_migration_moves_a_json_state_into_rows_and_back():
    migration = __import__(MIGRATION, fromlist=["state_to_rows"])
    events = freepbx_events()
    engine = kpi.Engine(acw_reasons=engine_state.acw_reasons())
    for event in events[: len(events) // 2]:
        engine.feed(event)
    legacy = json.loads(json.dumps(engine.dump()))
    assert legacy["calls"] and legacy["members"]
    source = _source()
    source.refresh_from_db()
    TelephonySource.objects.filter(pk=source.pk).update(engine_state=legacy)

    migration.state_to_rows(apps, None)
    source.refresh_from_db()
    assert set(source.engine_state) == {"clock", "saw_acw", "saw_hold"}
    assert EngineCall.objects.filter(source=source).count() == len(legacy["calls"])
    loaded, _ = engine_state.load(source)
    assert _normal(loaded.dump()) == _normal(legacy)

    migration.rows_to_state(apps, None)
    source.refresh_from_db()
    assert _normal(source.engine_state) == _normal(legacy)


def test_the_next_batch_reuses_the_engine_the_process_committed(
    django_capture_on_commit_callbacks,
):
    events = freepbx_events()
    source = _source()
    engine_state.engines.clear()
    batches = _batches(events, 11)
    for batch in batches[: len(batches) // 2]:
        with django_capture_on_commit_callbacks(execute=True):
            services.events_ingest(source=source, events=batch)
    version, kept, _ = engine_state.engines[source.pk]
    source.refresh_from_db()
    assert source.engine_state["version"] == version
    engine, _ = engine_state.load(source)
    assert engine is kept
    # What the process kept is what the rows hold.
    fresh, _ = engine_state.load(source)
    assert fresh is not kept
    assert _normal(fresh.dump()) == _normal(kept.dump())

    # Another process writes a batch: the version moves and this process reads the rows.
    engine_state.engines[source.pk] = (version, kept, engine_state.SavedState({}, {}, {}))
    with django_capture_on_commit_callbacks(execute=True):
        services.events_ingest(source=source, events=batches[len(batches) // 2])
    source.refresh_from_db()
    TelephonySource.objects.filter(pk=source.pk).update(
        engine_state={**source.engine_state, "version": "elsewhere"}
    )
    source.refresh_from_db()
    stale = engine_state.engines[source.pk][1]
    engine, _ = engine_state.load(source)
    assert engine is not stale
    assert _normal(engine.dump()) == _normal(stale.dump())

    # A batch that fails keeps nothing: the next one reads the rows.
    engine_state.engines.clear()
    with django_capture_on_commit_callbacks(execute=True):
        services.events_ingest(source=source, events=batches[len(batches) // 2 + 1])
    assert source.pk in engine_state.engines
    with pytest.raises(RuntimeError), transaction.atomic():
        services.events_ingest(source=source, events=batches[len(batches) // 2 + 2])
        raise RuntimeError("rolled back")
    assert source.pk not in engine_state.engines

    # The rest through the cache gives the rows what one pass gives them.
    for batch in batches[len(batches) // 2 + 2 :]:
        with django_capture_on_commit_callbacks(execute=True):
            services.events_ingest(source=source, events=batch)
    source.refresh_from_db()
    engine_state.engines.clear()
    through_cache, _ = engine_state.load(source)
    other = _source_named("pbx-once")
    for batch in batches:
        services.events_ingest(source=other, events=batch)
    other.refresh_from_db()
    once, _ = engine_state.load(other)
    assert _normal(through_cache.dump()) == _normal(once.dump())


def test_a_clock_run_with_nothing_to_end_keeps_the_engine(django_capture_on_commit_callbacks):
    from datetime import UTC, datetime

    source = _source()
    engine_state.engines.clear()
    login = Event(1_700_000_000.0, 1, "NONE", "NONE", "PJSIP/1", "AGENTLOGIN", (), "login-1")
    with django_capture_on_commit_callbacks(execute=True):
        services.events_ingest(source=source, events=[login])
    kept = engine_state.engines[source.pk][1]
    services.sources_advance(now=datetime.fromtimestamp(1_700_000_100.0, UTC), sources=[source])
    assert engine_state.engines[source.pk][1] is kept
    source.refresh_from_db()
    assert engine_state.load(source)[0] is kept
