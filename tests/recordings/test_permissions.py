"""Who may hear a call: the audio and peaks endpoints × every role, and the quality rules.

The world: ann (Billing, lead tina) and bob (Cards, lead tom) each have a recorded call;
quincy (QA) evaluated bob's call and released it; bob appealed, and the panel is sam, tom
and quinn.
"""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.test import Client
from django.urls import reverse

from tests.permissions import ROLES, Case, check_case
from tests.qa.conftest import make_call, released_evaluation

WHOLE_FLOOR = {"CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR": True}

MATRIX = [
    Case(
        "recordings:audio",
        api=False,
        label="ann's call",
        kwargs=lambda w: {"call_id": w.ann_call.pk},
        expect={"anonymous": 403},
        default=200,
    ),
    # Bob is in Cards: ann (agent) hears it only through transparency (off here); tina (lead
    # of Billing) only when the site lets team leads read the whole floor.
    Case(
        "recordings:audio",
        api=False,
        label="bob's call",
        kwargs=lambda w: {"call_id": w.bob_call.pk},
        expect={"anonymous": 403, "agent": 403, "team_lead": 403},
        default=200,
    ),
    Case(
        "recordings:audio",
        api=False,
        label="bob's call",
        kwargs=lambda w: {"call_id": w.bob_call.pk},
        settings=WHOLE_FLOOR,
        expect={"anonymous": 403, "agent": 403},
        default=200,
    ),
    Case(
        "recordings:audio",
        method="post",
        api=False,
        kwargs=lambda w: {"call_id": w.ann_call.pk},
        expect={"anonymous": 405},
        default=405,
    ),
    # The waveform's peaks answer to exactly the same people as the audio.
    Case(
        "recordings:peaks",
        api=False,
        label="ann's call",
        kwargs=lambda w: {"call_id": w.ann_call.pk},
        expect={"anonymous": 403},
        default=200,
    ),
    Case(
        "recordings:peaks",
        api=False,
        label="bob's call",
        kwargs=lambda w: {"call_id": w.bob_call.pk},
        expect={"anonymous": 403, "agent": 403, "team_lead": 403},
        default=200,
    ),
    Case(
        "recordings:peaks",
        api=False,
        label="bob's call",
        kwargs=lambda w: {"call_id": w.bob_call.pk},
        settings=WHOLE_FLOOR,
        expect={"anonymous": 403, "agent": 403},
        default=200,
    ),
    Case(
        "recordings:peaks",
        method="post",
        api=False,
        kwargs=lambda w: {"call_id": w.ann_call.pk},
        expect={"anonymous": 405},
        default=405,
    ),
    Case(
        "recordings:my-listens",
        api=False,
        expect={"anonymous": 302, "agent": 200},
        default=403,
    ),
]


@pytest.fixture
def rec_world(cast, world, recorded):
    from qa import services

    w = SimpleNamespace(**vars(cast), **vars(world), recorded=recorded)
    w.ev_bob = released_evaluation(world, cast.bob_agent, call=world.bob_call, greeting=0)
    greeting = {"criterion": world.crit["greeting"].pk, "reason": "I greeted."}
    w.appeal_bob = services.appeal_file(evaluation=w.ev_bob, user=cast.bob, items=[greeting])
    services.appeal_screen(appeal=w.appeal_bob, actor=cast.tom, accept=True)
    return w


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(rec_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, rec_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


def _hear(user, call) -> int:
    client = Client()
    if user is not None:
        client.force_login(user)
    response = client.get(reverse("recordings:audio", kwargs={"call_id": call.pk}))
    if response.streaming:
        b"".join(response.streaming_content)
    return response.status_code


def _listens(call) -> list[str]:
    from metrics.recordings.models import RecordingListen

    return sorted(
        RecordingListen.objects.filter(call=call).values_list("user__username", flat=True)
    )


def test_the_agent_hears_their_own_call(rec_world):
    assert _hear(rec_world.bob, rec_world.bob_call) == 200
    assert _listens(rec_world.bob_call) == ["bob"]


def test_a_peer_hears_an_evaluated_call_only_while_transparency_is_on(rec_world):
    from qa.models import QaSettings

    w = rec_world
    assert _hear(w.ann, w.bob_call) == 403
    assert _listens(w.bob_call) == []
    QaSettings.objects.update_or_create(pk=1, defaults={"transparency": True})
    assert _hear(w.ann, w.bob_call) == 200
    assert _listens(w.bob_call) == ["ann"]
    # A call of bob's that nobody evaluated stays his own.
    unevaluated = make_call(w, w.bob_agent, call_id="2002", queue=w.cards_queue)
    assert _hear(w.ann, unevaluated) == 403
    QaSettings.objects.filter(pk=1).update(transparency=False)
    assert _hear(w.ann, w.bob_call) == 403


def test_a_peer_never_hears_a_draft_evaluation_s_call(rec_world):
    from qa import services
    from qa.models import QaSettings

    w = rec_world
    QaSettings.objects.update_or_create(pk=1, defaults={"transparency": True})
    call = make_call(w, w.bob_agent, call_id="2003", queue=w.cards_queue)
    services.evaluation_create(evaluator=w.quinn, scorecard_version=w.version, call=call)
    assert _hear(w.ann, call) == 403


def test_a_team_lead_of_another_team_hears_only_from_a_panel_seat(rec_world, settings):
    from qa.models import PanelMember, Seat

    w = rec_world
    assert _hear(w.tina, w.bob_call) == 403
    assert _hear(w.tom, w.bob_call) == 200  # bob's own lead
    PanelMember.objects.filter(appeal=w.appeal_bob, seat=Seat.TEAM_LEAD).update(user=w.tina)
    assert _hear(w.tina, w.bob_call) == 200
    assert _listens(w.bob_call) == ["tina", "tom"]


def test_every_panel_member_hears_the_appealed_call(rec_world):
    w = rec_world
    panel = {seat.user.username: seat.user for seat in w.appeal_bob.panel.select_related("user")}
    assert set(panel) == {"sam", "tom", "quinn"}
    for user in panel.values():
        assert _hear(user, w.bob_call) == 200
    assert _listens(w.bob_call) == ["quinn", "sam", "tom"]


def test_the_evaluator_and_the_analysts_hear_it(rec_world):
    w = rec_world
    assert _hear(w.quincy, w.bob_call) == 200
    assert _hear(w.quinn, w.bob_call) == 200
    assert _listens(w.bob_call) == ["quincy", "quinn"]


def test_calibration_participants_and_the_library_open_a_call(rec_world):
    from qa import services

    w = rec_world
    assert _hear(w.tina, w.bob_call) == 403
    services.calibration_create(
        actor=w.quinn,
        title="Week 1",
        scorecard_version=w.version,
        call=w.bob_call,
        participants=[w.quinn, w.quincy, w.tina],
    )
    assert _hear(w.tina, w.bob_call) == 200
    assert _hear(w.ann, w.bob_call) == 403
    nomination = services.great_call_nominate(user=w.tom, call=w.bob_call, reason="Calm.")
    assert _hear(w.ann, w.bob_call) == 403  # nominated, not yet featured
    services.great_call_feature(nomination=nomination, actor=w.sam)
    assert _hear(w.ann, w.bob_call) == 200


def test_anonymous_hears_nothing_and_leaves_no_listen(rec_world):
    assert _hear(None, rec_world.ann_call) == 403
    assert _listens(rec_world.ann_call) == []


def test_one_listen_per_person_and_call_while_they_seek(rec_world):
    from datetime import timedelta

    from metrics.recordings import services
    from metrics.recordings.models import RecordingListen

    w = rec_world
    client = Client()
    client.force_login(w.ann)
    url = reverse("recordings:audio", kwargs={"call_id": w.ann_call.pk})
    for header in ("bytes=0-", "bytes=1000-", "bytes=-10"):
        assert client.get(url, HTTP_RANGE=header).status_code == 206
    listens = list(RecordingListen.objects.filter(call=w.ann_call))
    assert [(listen.user_id, listen.call_id) for listen in listens] == [(w.ann.pk, w.ann_call.pk)]
    later = listens[0].at + services.LISTEN_WINDOW + timedelta(seconds=1)
    assert services.recording_listen_record(user=w.ann, call=w.ann_call, now=later) is True
    assert RecordingListen.objects.filter(call=w.ann_call).count() == 2


def test_a_listen_is_never_changed_or_deleted(rec_world):
    from django.db import DatabaseError, transaction

    from metrics.recordings.models import RecordingListen

    _hear(rec_world.ann, rec_world.ann_call)
    listen = RecordingListen.objects.get()
    with pytest.raises(PermissionError):
        listen.save()
    with pytest.raises(PermissionError):
        listen.delete()
    for statement in (
        RecordingListen.objects.filter(pk=listen.pk).update,
        RecordingListen.objects.filter(pk=listen.pk).delete,
    ):
        with pytest.raises(DatabaseError), transaction.atomic():
            statement(user=rec_world.sam) if statement.__name__ == "update" else statement()
    assert RecordingListen.objects.filter(pk=listen.pk, user=rec_world.ann).exists()
