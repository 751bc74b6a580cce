"""Large batches are written set-wise (COPY, staging table); they store what row writes store."""

import gc
import json
import time

import pytest
from django.db import DataError
from hypothesis import given
from hypothesis import strategies as st

from bench.synthetic import generate_day
from metrics.models import (
    AgentDay,
    AgentState,
    CallEvent,
    EngineCall,
    EngineMember,
    QueueCall,
    QueueInterval,
    SourceKind,
    TelephonySource,
)
from metrics.queue_log import Event
from metrics.telephony import files, services, store
from tests.conftest import shared_data
from tests.metrics.telephony.test_import_follow import calls_of, freepbx_lines, run, snapshot

pytestmark = pytest.mark.django_db


def _stored() -> dict:
    stored = snapshot()
    for call in stored["stats"]["waiting_calls"]:
        call.pop("id")  # row ids differ between the two imports
    return {
        **stored,
        "intervals": list(
            QueueInterval.objects.order_by("queue__name", "start").values_list(
                "queue__name",
                "start",
                "offered",
                "answered",
                "a_in",
                "b_in",
                "b_out",
                "aht_n",
                "talk_sum",
                "acw_sum",
                "max_wait_s",
                "acw_known",
                "hold_known",
            )
        ),
        "states": list(
            AgentState.objects.order_by("member", "started_at", "id").values_list(
                "member",
                "status",
                "reason",
                "activity",
                "queue__name",
                "call_id",
                "started_at",
                "ended_at",
            )
        ),
    }


def _wipe() -> None:
    for model in (AgentState, QueueCall, CallEvent, QueueInterval, AgentDay):
        model.objects.all().delete()
    TelephonySource.objects.all().delete()


def test_the_staging_path_stores_what_the_row_path_stores(monkeypatch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    monkeypatch.setattr(store, "STAGE_ROWS", 10**9)
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    by_rows = _stored()
    _wipe()
    monkeypatch.setattr(store, "STAGE_ROWS", 0)
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    assert _stored() == by_rows
    assert by_rows["stats"]["offered"] == 21 and len(by_rows["calls"]) >= 21


def test_odd_characters_survive_the_staging_path(monkeypatch):
    monkeypatch.setattr(store, "STAGE_ROWS", 0)
    source, _ = services.source_create(name="odd", kind=SourceKind.HTTP_JSON)
    caller = 'tab\there "quote" back\\slash\nnew\rline Zoë ☎'
    member = "PJSIP/odd\\name\t1"
    call_id = "c\\1\n"
    events = [
        Event(
            ts=1772442000.0,
            seq=1,
            call_id=call_id,
            queue="q\t1",
            member="",
            name="ENTERQUEUE",
            data=("", caller),
            key="k1",
        ),
        Event(
            ts=1772442010.0,
            seq=2,
            call_id=call_id,
            queue="q\t1",
            member=member,
            name="CONNECT",
            data=("10", "", "3"),
            key="k2",
        ),
    ]
    result = services.events_ingest(source=source, events=events)
    assert result.accepted == 2
    call = QueueCall.objects.get()
    assert (call.call_id, call.caller, call.member, call.queue.name) == (
        call_id,
        caller,
        member,
        "q\t1",
    )
    assert (call.outcome, call.wait_s, call.ring_s) == ("answered", 10.0, 3.0)
    assert AgentState.objects.get(member=member, ended_at__isnull=True).call_id == call_id
    # The rollups go through the staging table too: the agent's day keeps the odd name.
    day = AgentDay.objects.get()
    assert (day.member, day.answered, day.max_wait_s) == (member, 1, 10.0)
    assert CallEvent.objects.get(natural_key="k1").data == ["", caller]


def _keys() -> list[tuple]:
    return sorted(
        CallEvent.objects.values_list("natural_key", "at", "ordinal", "event", "member", "data")
    )


@pytest.mark.parametrize("batch", ["60", "50000"])
def test_the_bulk_file_path_stores_what_the_item_path_stores(monkeypatch, batch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    monkeypatch.setattr(files, "BULK_IMPORT", False)
    by_items = run("import_queue_log", path, "--source", "pbx", "--batch", batch)
    stored, keys = _stored(), _keys()
    _wipe()
    monkeypatch.setattr(files, "BULK_IMPORT", True)
    bulk = run("import_queue_log", path, "--source", "pbx", "--batch", batch)
    assert bulk == by_items
    assert "lines read 278, used 271, ignored 7, already imported 0, rejected 0" in bulk
    assert _stored() == stored and _keys() == keys
    assert len(keys) == 278


def test_a_synthetic_day_in_bulk_batches_is_the_day_item_by_item(monkeypatch, tmp_path):
    """Many batches, calls and states spanning batches, duplicate and bad lines, a re-import."""
    log = tmp_path / "queue_log"
    generate_day(
        log, csv_path=shared_data("arrivals/bank-calls-2003.csv"), agents=6, target_lines=4000
    )
    lines = log.read_text().splitlines(keepends=True)
    lines[100:100] = [lines[99], "1772442000|x|q|NONE|ENTERQUEUE\n", "garbage\n"]
    lines[2000:2000] = [lines[1500], lines[1999]]  # a line repeated in a later batch
    log.write_text("".join(lines))
    outputs, results = [], []
    for bulk in (False, True):
        monkeypatch.setattr(files, "BULK_IMPORT", bulk)
        out = run("import_queue_log", str(log), "--source", "pbx", "--batch", "700")
        again = run("import_queue_log", str(log), "--source", "pbx", "--from-start")
        outputs.append((out, again))
        results.append((_stored_all(), _keys()))
        _wipe()
    assert outputs[0] == outputs[1]
    assert "already imported 3, rejected 1" in outputs[1][0]
    assert "line 103: time is not an epoch number: 'garbage'" in outputs[1][0]
    assert f"already imported {len(lines) - 1}, rejected 1" in outputs[1][1]
    assert results[0] == results[1]
    assert len(results[1][1]) == len(lines) - 4 > 4000 * 0.8


def _stored_all() -> dict:
    return {
        "calls": sorted(
            QueueCall.objects.values_list(
                "call_id",
                "queue__name",
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
        ),
        "states": sorted(
            AgentState.objects.values_list(
                "member",
                "status",
                "reason",
                "activity",
                "queue__name",
                "call_id",
                "started_at",
                "ended_at",
            ),
            key=str,
        ),
        "intervals": sorted(
            QueueInterval.objects.values_list(
                "queue__name",
                "start",
                "offered",
                "answered",
                "abandoned",
                "a_in",
                "b_in",
                "b_out",
                "aht_n",
                "talk_sum",
                "acw_sum",
                "max_wait_s",
                "acw_known",
                "hold_known",
            )
        ),
        # The engine's open state as rows: what the next batch, the follower or the beat's
        # clock advance of the same source load.
        "engine": (
            sorted(map(str, EngineCall.objects.values_list("call_id", "queue", "state"))),
            sorted(map(str, EngineMember.objects.values_list("member", "state"))),
            sorted(
                (k, v)
                for state in TelephonySource.objects.values_list("engine_state", flat=True)
                for k, v in state.items()
                if k != "version"
            ),
        ),
        "days": sorted(
            AgentDay.objects.values_list(
                "member",
                "day",
                "answered",
                "aht_n",
                "talk_sum",
                "missed_rings",
                "unreachable_rings",
            )
        ),
    }


def test_a_write_failing_in_the_writer_rolls_its_batch_back_and_the_import_resumes(monkeypatch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    run("import_queue_log", path, "--source", "reference", "--batch", "60")
    reference = calls_of("reference")
    made = store.event_text
    texts = []

    def bad_second_batch(source_pk, events, received):
        texts.append(events)
        text = made(source_pk, events, received)
        return text.replace("\t", "\tnot a number\t", 1) if len(texts) == 2 else text

    monkeypatch.setattr(store, "event_text", bad_second_batch)
    with pytest.raises(DataError):
        run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    source = TelephonySource.objects.get(name="pbx")
    first = texts[0]
    assert source.follow_line == first[-1].seq
    assert CallEvent.objects.filter(source=source).count() == len(first)
    monkeypatch.setattr(store, "event_text", made)
    out = run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    assert f"Resuming after line {first[-1].seq}" in out
    assert calls_of("pbx") == reference
    assert CallEvent.objects.filter(source=source).count() == 278


@given(st.lists(st.text(), max_size=5))
def test_event_data_joined_as_json_is_what_json_dumps_writes(data):
    assert store._DataTexts()[tuple(data)] == json.dumps(data)


def test_plain_event_data_is_joined_without_json_dumps(monkeypatch):
    monkeypatch.setattr(store.json, "dumps", None)
    assert store._DataTexts()[("10", "", "3")] == '["10", "", "3"]'


def test_a_file_batch_after_the_newest_stored_event_skips_the_key_look_up(monkeypatch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    lines = freepbx_lines()
    looked_up = []
    unseen = store.events_unseen

    def spy(source, events):
        kept = unseen(source, events)
        looked_up.append(len(events) - len(kept))
        return kept

    monkeypatch.setattr(store, "events_unseen", spy)
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    source = TelephonySource.objects.get(name="pbx")
    newest = max(float(line.split("|", 1)[0]) for line in lines)
    assert source.events_until.timestamp() == newest
    assert sum(looked_up) == 0
    out = run("import_queue_log", path, "--source", "pbx", "--from-start", "--batch", "60")
    assert "already imported 278" in out
    assert sum(looked_up) == 278
    assert CallEvent.objects.count() == 278


def test_lines_received_item_by_item_are_known_to_a_later_bulk_import(monkeypatch, tmp_path):
    """`events_ingest` (the JSON API, other layouts) keeps `events_until` too."""
    lines = freepbx_lines()
    first = tmp_path / "first"
    first.write_text("".join(lines[:150]))
    monkeypatch.setattr(files, "BULK_IMPORT", False)
    run("import_queue_log", str(first), "--source", "pbx")
    newest = max(float(line.split("|", 1)[0]) for line in lines[:150])
    assert TelephonySource.objects.get(name="pbx").events_until.timestamp() == newest
    monkeypatch.setattr(files, "BULK_IMPORT", True)
    whole = tmp_path / "whole"
    whole.write_text("".join(lines))
    out = run("import_queue_log", str(whole), "--source", "pbx", "--batch", "60")
    assert "already imported 150, rejected 0" in out
    assert CallEvent.objects.count() == 278


def test_batches_of_history_do_not_signal_the_floor_but_the_import_does_once(
    tmp_path, django_capture_on_commit_callbacks
):
    from metrics.board.signals import floor_changed

    path = str(shared_data("asterisk/freepbx-2010-queue_log"))  # 2010: history
    received = []

    def listener(sender, site, **kwargs):
        received.append(site)

    floor_changed.connect(listener)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            run("import_queue_log", path, "--source", "old", "--batch", "60")
        history = list(received)
        received.clear()
        # The same calls an hour ago: every batch reaches the live floor.
        shift = int(time.time()) - 3600 - int(float(freepbx_lines()[0].split("|", 1)[0]))
        recent = tmp_path / "recent"
        recent.write_text(
            "".join(
                f"{int(line.split('|', 1)[0]) + shift}|{line.split('|', 1)[1]}"
                for line in freepbx_lines()
            )
        )
        with django_capture_on_commit_callbacks(execute=True):
            run("import_queue_log", str(recent), "--source", "new", "--batch", "60")
    finally:
        floor_changed.disconnect(listener)
    assert history == ["main"]  # once, at the end
    assert len(received) >= 4  # each of the 60-line batches, then the end


def test_the_cycle_collector_is_paused_during_batches_and_back_after(monkeypatch):
    path = str(shared_data("asterisk/freepbx-2010-queue_log"))
    during = []
    made = store.event_text

    def spy(source_pk, events, received):
        during.append(gc.isenabled())
        return made(source_pk, events, received)

    monkeypatch.setattr(store, "event_text", spy)
    assert gc.isenabled()
    run("import_queue_log", path, "--source", "pbx", "--batch", "60")
    assert during and not any(during)  # off while batches are stored
    assert gc.isenabled()
    # Back on after a failed import as well.
    monkeypatch.setattr(store, "event_text", lambda *args: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        run("import_queue_log", path, "--source", "other", "--batch", "60")
    assert gc.isenabled()


def test_sources_and_queues_with_calls_or_states_cannot_be_deleted():
    """No database-level foreign keys from calls and states: the ORM still protects them."""
    from django.db.models import ProtectedError

    run("import_queue_log", str(shared_data("asterisk/freepbx-2010-queue_log")), "--source", "pbx")
    source = TelephonySource.objects.get(name="pbx")
    queue = QueueCall.objects.filter(source=source).first().queue
    assert AgentState.objects.filter(source=source).exists()
    with pytest.raises(ProtectedError):
        queue.delete()
    with pytest.raises(ProtectedError):
        source.delete()
    assert QueueCall.objects.filter(queue=queue).exists()


def test_keys_stored_before_they_began_with_their_second_still_find_their_lines(tmp_path):
    """Migration 0013 gives stored line keys the form `queue_log.line_key` now makes."""
    import hashlib
    import importlib

    from django.apps import apps
    from django.db import connection

    migration = importlib.import_module("metrics.migrations.0013_line_keys_start_with_their_second")
    lines = freepbx_lines()[:40]
    log = tmp_path / "queue_log"
    log.write_text("".join(lines))
    run("import_queue_log", str(log), "--source", "pbx")
    # Back to the keys as they were: the digest of the line alone.
    for event in CallEvent.objects.all():
        event.natural_key = event.natural_key.split("-", 1)[1]
        event.save(update_fields=["natural_key"])
    old = {
        hashlib.blake2b(line.rstrip("\n").encode(), digest_size=16).hexdigest() for line in lines
    }
    assert set(CallEvent.objects.values_list("natural_key", flat=True)) == old
    with connection.schema_editor() as editor:
        migration.prefix_line_keys(apps, editor)
    assert all(
        key.split("-")[1] in old and len(key) == 12 + 1 + 32
        for key in CallEvent.objects.values_list("natural_key", flat=True)
    )
    out = run("import_queue_log", str(log), "--source", "pbx", "--from-start")
    assert f"already imported {len(lines)}, rejected 0" in out
    assert CallEvent.objects.count() == len(lines)


@pytest.mark.django_db(transaction=True)
def test_batches_fed_ahead_store_what_the_item_path_stores(monkeypatch, tmp_path):
    """With commits (engines kept between batches), each batch is fed to the engine while the
    one before is stored; a re-read of the file and a batch of another source in between
    fall back to feeding in turn."""
    log = tmp_path / "queue_log"
    generate_day(
        log, csv_path=shared_data("arrivals/bank-calls-2003.csv"), agents=6, target_lines=4000
    )
    lines = log.read_text().splitlines(keepends=True)
    lines[2000:2000] = [lines[1500], lines[1999]]  # lines read again in a later batch
    log.write_text("".join(lines))
    fed_ahead = []
    ahead = services._feed_ahead

    def spy(engine, batch, *, after):
        ahead(engine, batch, after=after)
        fed_ahead.append(batch.fed is not None)

    monkeypatch.setattr(services, "_feed_ahead", spy)
    results = []
    for bulk in (False, True):
        monkeypatch.setattr(files, "BULK_IMPORT", bulk)
        out = run("import_queue_log", str(log), "--source", "pbx", "--batch", "500")
        results.append((out, _stored_all(), _keys()))
        _wipe()
    assert results[0] == results[1]
    assert "already imported 2, rejected 0" in results[1][0]
    assert sum(fed_ahead) >= 5  # most batches were fed ahead
    assert not all(fed_ahead)  # the batch holding lines read before was not
