"""Calls meet their recordings: the periodic task, FreePBX's folders, the demo's files."""

from __future__ import annotations

import wave
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from django.conf import settings
from django.utils import timezone

from tests.qa.conftest import make_call
from tests.recordings.conftest import spool_path


@pytest.fixture
def store(world, spool):
    from metrics.recordings import services
    from metrics.recordings.models import StoreKind

    return services.recording_store_set(
        source=world.source, actor=None, kind=StoreKind.DIRECTORY, directory=str(spool)
    )


def _status(user, call):
    from metrics.recordings.selectors import recording_for

    return recording_for(user=user, call=call).status


def test_a_recording_written_after_the_call_ended_is_linked_by_the_periodic_task(
    cast, world, store, spool
):
    from metrics.tasks import link_recordings

    call = world.ann_call
    assert call.ended_at < timezone.now()
    link_recordings.apply()
    assert _status(cast.ann, call) == "missing"
    # The PBX finishes writing (converting) the file a while after the call ended.
    path = spool_path(spool, call, name_prefix="q-9000-3225550101-")
    path.write_bytes(b"RIFF" + bytes(64))
    assert _status(cast.ann, call) == "missing"
    link_recordings.apply()
    assert _status(cast.ann, call) == "available"
    from metrics.recordings.models import Recording

    recording = Recording.objects.get(source=world.source, call_id=call.call_id)
    assert recording.location == str(path.relative_to(spool))
    assert recording.content_type == "audio/wav"


def test_the_periodic_task_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["metrics-link-recordings"]
    assert entry["task"] == "metrics.link_recordings"
    assert entry["options"]["expires"] < entry["schedule"]


def test_only_answered_recent_calls_of_the_store_s_own_source_are_linked(cast, world, store, spool):
    from metrics.models import Outcome, QueueCall, TelephonySource
    from metrics.recordings import services
    from metrics.recordings.models import Recording

    other = TelephonySource.objects.create(name="other-pbx", kind="simulator")
    twin = QueueCall.objects.create(
        source=other,
        call_id=world.ann_call.call_id,
        queue=world.billing_queue,
        offered_at=world.ann_call.offered_at,
        outcome=Outcome.ANSWERED,
        agent=cast.ann_agent,
        answered_at=world.ann_call.answered_at,
    )
    unanswered = QueueCall.objects.create(
        source=world.source,
        call_id="1003",
        queue=world.billing_queue,
        offered_at=world.ann_call.offered_at,
        outcome=Outcome.ABANDONED,
    )
    old = make_call(
        world, cast.ann_agent, call_id="1004", offered_at=timezone.now() - timedelta(days=5)
    )
    for call in (world.ann_call, old):
        spool_path(spool, call).write_bytes(b"RIFF")
    (spool_path(spool, world.ann_call).parent / "q-9000-1-20260101-000000-1003.wav").write_bytes(
        b""
    )
    assert services.recordings_link_recent(now=timezone.now()) == 1
    assert set(Recording.objects.values_list("source__name", "call_id")) == {("pbx", "1001")}
    assert _status(cast.quinn, unanswered) == "none"
    assert twin.pk and _status(cast.ann, old) == "missing"
    # An explicit window reaches older calls (the demo and a catch-up use it).
    assert (
        services.recordings_link(
            store=store, since=old.offered_at, until=old.offered_at + timedelta(seconds=1)
        )
        == 1
    )


def test_a_call_over_midnight_is_found_in_the_next_day_s_folder(cast, world, store, spool):
    from metrics.recordings import services

    offered = datetime(2026, 12, 4, 23, 59, 50, tzinfo=UTC)
    call = make_call(world, cast.ann_agent, call_id="1733356790.42", offered_at=offered)
    folder = spool / "2026" / "12" / "05"
    folder.mkdir(parents=True)
    (folder / "external-2004-3225550101-20261205-000001-1733356790.42.gsm").write_bytes(b"gsm")
    assert (
        services.recordings_link(store=store, since=offered, until=offered + timedelta(seconds=1))
        == 1
    )
    assert _status(cast.ann, call) == "available"


@pytest.mark.parametrize(
    "pattern, name, call_id",
    [
        (
            "{yyyy}/{mm}/{dd}/*-{call_id}.{ext}",
            "q-9000-555-20261204-101010-1733307010.7.wav",
            "1733307010.7",
        ),
        (
            "{yyyy}/{mm}/{dd}/*-{call_id}.{ext}",
            "q-9000-anonymous-20261204-101010-demo-3.mp3",
            "demo-3",
        ),
        ("{yyyy}{mm}{dd}/{call_id}.{ext}", "1733307010.7.WAV", "1733307010.7"),
        ("{yyyy}-{mm}-{dd}/rec_{call_id}_*.{ext}", "rec_1733307010.7_in.gsm", "1733307010.7"),
    ],
)
def test_the_file_name_pattern_is_the_source_s_own(tmp_path, pattern, name, call_id):
    from datetime import date

    from metrics.recordings import stores

    assert stores.pattern_problem(pattern) == ""
    day = date(2026, 12, 4)
    folder = tmp_path / stores.pattern_folder(pattern, day)
    folder.mkdir(parents=True)
    (folder / name).write_bytes(b"x")
    (folder / "notes.txt").write_bytes(b"x")
    found = stores.folder_scan(directory=str(tmp_path), pattern=pattern, day=day)
    assert found[call_id] == f"{stores.pattern_folder(pattern, day)}/{name}"
    assert not any(v.endswith("notes.txt") for v in found.values())


def test_the_demo_recordings_are_two_voices_taking_turns(tmp_path):
    from metrics.recordings import demo

    path = demo.demo_recording_write(
        directory=tmp_path,
        call_id="1733307010.7",
        started=datetime(2026, 12, 4, 10, 10, 10, tzinfo=UTC),
        seconds=30,
        seed=1,
    )
    assert path.relative_to(tmp_path).parts[:3] == ("2026", "12", "04")
    with wave.open(str(path)) as audio:
        assert (audio.getnchannels(), audio.getsampwidth(), audio.getframerate()) == (2, 2, 8000)
        assert audio.getnframes() == 30 * 8000
        frames = np.frombuffer(audio.readframes(audio.getnframes()), dtype="<i2").reshape(-1, 2)
    # Energy per half second: each voice speaks and falls silent, mostly not at once.
    blocks = np.abs(frames[: 60 * 4000].astype(float)).reshape(60, 4000, 2).mean(axis=1)
    speaking = blocks > 0.1 * blocks.max()
    left, right = speaking[:, 0], speaking[:, 1]
    assert 0.2 < left.mean() < 0.8 and 0.2 < right.mean() < 0.8
    assert (left & right).mean() < 0.25
    # Turns: the speaker changes several times.
    turns = np.flatnonzero(left[1:] != left[:-1])
    assert len(turns) >= 4


def test_the_demo_seed_links_a_recording_to_every_evaluated_and_featured_call(
    monkeypatch, tmp_path, db, settings
):
    from django.core.management import call_command

    from metrics.recordings.selectors import recording_for
    from qa.models import Evaluation, GreatCall

    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    settings.CALLFLOOR_RECORDINGS_DEMO_DIR = str(tmp_path / "recordings")
    call_command("seed_demo", verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    from django.contrib.auth import get_user_model

    qa = get_user_model().objects.get(username="qa")
    calls = [e.call for e in Evaluation.objects.select_related("call")]
    calls += [g.call for g in GreatCall.objects.filter(status="featured").select_related("call")]
    assert len(calls) >= 3 and all(calls)
    for call in calls:
        info = recording_for(user=qa, call=call)
        assert (info.status, info.content_type) == ("available", "audio/wav"), call
    # 24 calls of the quality demo and the call of the reviewer rotation's demo.
    assert len(list((tmp_path / "recordings").rglob("*.wav"))) == 25
