"""The player on the quality pages, as each person gets it: the same call for every participant
of a calibration session, and a clear state instead of the player when the recording cannot be
played (missing, expired, none linked)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from qa import services
from tests.recordings.conftest import recorded, spool  # noqa: F401  (fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(request):
    """The recordings fixture of tests/recordings: ann's and bob's calls in a directory store."""
    return request.getfixturevalue("recorded")


AUDIO_SRC = re.compile(r'<audio [^>]*src="([^"]+)"')


def page_as(user, url: str) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_calibration_session_plays_the_same_call_to_every_participant(cast, world, stored):
    session = services.calibration_create(
        actor=cast.quinn,
        title="Billing fees",
        scorecard_version=world.version,
        participants=[cast.quinn, world.quincy, cast.tom],
        call=world.ann_call,
    )
    url = reverse("qa-calibration-session", args=[session.pk])
    audio = reverse("recordings:audio", kwargs={"call_id": world.ann_call.pk})

    sources = {AUDIO_SRC.findall(page_as(u, url))[0] for u in (cast.quinn, world.quincy, cast.tom)}

    # tom leads another team: he hears ann's call because he sits in the session.
    assert sources == {audio}


def test_the_evaluation_page_says_when_the_recording_is_missing(
    cast, world, ann_evaluation, stored
):
    stored.files[world.ann_call.call_id].unlink()

    html = page_as(cast.ann, reverse("qa-evaluation", args=[ann_evaluation.pk]))

    assert 'data-testid="player-missing"' in html and "<audio" not in html


def test_the_evaluation_page_says_when_the_recording_expired(cast, world, ann_evaluation, stored):
    stored.store.retention_days = 0  # no limit
    stored.store.save()
    assert "<audio" in page_as(cast.ann, reverse("qa-evaluation", args=[ann_evaluation.pk]))
    world.ann_call.__class__.objects.filter(pk=world.ann_call.pk).update(
        offered_at=world.ann_call.offered_at.replace(year=2020),
        ended_at=world.ann_call.ended_at.replace(year=2020),
    )
    stored.store.retention_days = 30
    stored.store.save()

    html = page_as(cast.ann, reverse("qa-evaluation", args=[ann_evaluation.pk]))

    assert 'data-testid="player-expired"' in html and "<audio" not in html


def test_an_evaluation_without_a_call_has_no_player(cast, world, stored):
    from tests.qa.conftest import released_evaluation

    evaluation = released_evaluation(world, cast.ann_agent, greeting=0)  # a recording id only

    html = page_as(cast.ann, reverse("qa-evaluation", args=[evaluation.pk]))

    assert 'data-testid="player-none"' in html and "<audio" not in html


def test_a_featured_call_plays_for_a_peer_from_its_highlight(cast, world, stored):
    nomination = services.great_call_nominate(
        user=cast.bob, call=world.ann_call, reason="Calm", highlight={"at_ms": 1_000}
    )
    services.great_call_feature(nomination=nomination, actor=cast.sam)

    html = page_as(cast.bob, reverse("qa-library"))

    assert AUDIO_SRC.findall(html) == [
        reverse("recordings:audio", kwargs={"call_id": world.ann_call.pk})
    ]
    assert 'data-start-ms="1000"' in html


AUDIO_TAG = re.compile(r"<audio [^>]*>")
PEAKS_URL = re.compile(r'data-peaks-url="([^"]+)"')


def test_opening_a_player_page_records_no_listen(cast, world, stored):
    """Evaluation, appeal, calibration session and library: the page asks the browser for
    nothing of the recording (preload="none") and draws the waveform from the peaks, which are
    not a listen either. Only playing the call is."""
    from metrics.recordings.models import RecordingListen
    from tests.qa.conftest import released_evaluation

    evaluation = released_evaluation(world, cast.bob_agent, call=world.bob_call, greeting=0)
    item = {"criterion": world.crit["greeting"].pk, "reason": "I greeted."}
    appeal = services.appeal_file(evaluation=evaluation, user=cast.bob, items=[item])
    session = services.calibration_create(
        actor=cast.quinn,
        title="Cards",
        scorecard_version=world.version,
        participants=[cast.quinn, world.quincy],
        call=world.bob_call,
    )
    nomination = services.great_call_nominate(user=cast.tom, call=world.bob_call, reason="Calm")
    services.great_call_feature(nomination=nomination, actor=cast.sam)
    pages = [
        (cast.bob, reverse("qa-evaluation", args=[evaluation.pk])),
        (cast.bob, reverse("qa-appeal", args=[appeal.pk])),
        (cast.quinn, reverse("qa-calibration-session", args=[session.pk])),
        (cast.ann, reverse("qa-library")),
    ]
    for user, url in pages:
        html = page_as(user, url)
        audio = AUDIO_TAG.findall(html)
        assert len(audio) == 1 and 'preload="none"' in audio[0], (url, audio)
        expected = reverse("recordings:peaks", kwargs={"call_id": world.bob_call.pk})
        assert PEAKS_URL.findall(html) == [expected], url
        client = Client()
        client.force_login(user)
        waveform = client.get(expected).json()
        assert len(waveform["peaks"]) == 2 and waveform["duration"] == 3.0, url
    assert not RecordingListen.objects.exists()
