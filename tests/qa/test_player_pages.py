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
