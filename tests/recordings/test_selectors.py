"""`recording_for`: what a page shows for a call's recording, for each state."""

from __future__ import annotations

from datetime import timedelta

from django.urls import reverse
from django.utils import timezone

from tests.qa.conftest import make_call


def test_each_state_of_a_recording(cast, world, recorded):
    from metrics.models import Outcome, QueueCall, TelephonySource
    from metrics.recordings.selectors import RecordingInfo, recording_for

    call = world.ann_call
    audio = reverse("recordings:audio", kwargs={"call_id": call.pk})
    peaks = reverse("recordings:peaks", kwargs={"call_id": call.pk})
    assert recording_for(user=cast.ann, call=call) == RecordingInfo(
        "available", audio, "audio/wav", peaks
    )
    # Bob may not hear ann's call: nothing about it is told, not even whether it exists.
    assert recording_for(user=cast.bob, call=call) == RecordingInfo("forbidden", "", "")
    missing = make_call(world, cast.ann_agent, call_id="1009")
    assert recording_for(user=cast.ann, call=missing) == RecordingInfo("missing")
    recorded.store.retention_days = 1
    recorded.store.save()
    QueueCall.objects.filter(pk=call.pk).update(ended_at=timezone.now() - timedelta(days=2))
    call.refresh_from_db()
    assert recording_for(user=cast.ann, call=call) == RecordingInfo("expired")
    elsewhere = TelephonySource.objects.create(name="no-recordings", kind="simulator")
    QueueCall.objects.filter(pk=missing.pk).update(source=elsewhere)
    missing.refresh_from_db()
    assert recording_for(user=cast.ann, call=missing) == RecordingInfo("none")
    abandoned = make_call(world, cast.ann_agent, call_id="1010")
    QueueCall.objects.filter(pk=abandoned.pk).update(outcome=Outcome.ABANDONED, answered_at=None)
    abandoned.refresh_from_db()
    assert recording_for(user=cast.ann, call=abandoned) == RecordingInfo("none")


def test_a_store_setting_that_could_escape_is_refused_with_its_field(world):
    import pytest

    from callfloor.errors import DomainError
    from metrics.recordings import services
    from metrics.recordings.models import StoreKind

    cases = [
        ({"kind": StoreKind.DIRECTORY, "directory": "relative/dir"}, "directory"),
        (
            {"kind": StoreKind.DIRECTORY, "directory": "/spool", "file_pattern": "../{call_id}"},
            "file_pattern",
        ),
        (
            {"kind": StoreKind.URL_TEMPLATE, "url_template": "https://{call_id}.pbx.example/"},
            "url_template",
        ),
    ]
    for fields, field in cases:
        with pytest.raises(DomainError) as error:
            services.recording_store_set(source=world.source, actor=None, **fields)
        assert error.value.field == field
