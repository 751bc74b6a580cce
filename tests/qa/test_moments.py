"""Moments: the evaluator pins comments and deductions to times of the call, the agent cites
moments against appealed items, the nominator highlights a great call's moment. Each write is
audited; bad times are refused with the field that is wrong, and nothing half-written stays."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import AuditEntry
from callfloor.errors import DomainError
from qa import services
from qa.models import Appeal, GreatCall, QaSettings
from qa.moments.clock import clock_to_ms, clocks_to_ms, ms_to_clock
from qa.moments.models import Moment, MomentKind
from qa.moments.services import moment_pin, moment_unpin
from tests.qa.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(cast, world):
    evaluation = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.ann_agent,
        call=world.ann_call,
        scorecard_version=world.version,
    )
    services.evaluation_set_answers(
        evaluation=evaluation, actor=cast.quinn, answers=answers_for(world, greeting=0)
    )
    return evaluation


def test_the_evaluator_pins_a_comment_and_a_deduction_in_time_order(cast, world, draft, api):
    client = api(cast.quinn)
    url = reverse("api-qa-evaluation-moments", args=[draft.pk])

    deduction = client.post(
        url, {"at_ms": 12_500, "criterion": world.crit["greeting"].pk}, format="json"
    )
    comment = client.post(url, {"at_ms": 3_000, "note": "Warm opening"}, format="json")

    assert deduction.status_code == 201, deduction.content
    assert comment.status_code == 201, comment.content
    listed = client.get(url).json()
    assert [(m["kind"], m["at_ms"], m["clock"], m["label"]) for m in listed] == [
        ("comment", 3_000, "0:03", "Comment"),
        ("deduction", 12_500, "0:12", "Greeting"),
    ]
    assert client.get(reverse("api-qa-evaluation-detail", args=[draft.pk])).json()["moments"] == (
        listed
    )
    audited = AuditEntry.objects.filter(action="evaluation.moment_pinned", object_id=str(draft.pk))
    assert sorted(a.data["at_ms"] for a in audited) == [3_000, 12_500]


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"at_ms": -1, "note": "x"}, "at_ms"),
        ({"at_ms": 191_000, "note": "after the end"}, "moment.at_ms"),
        ({"at_ms": 1_000}, "note"),
        ({"at_ms": 1_000, "criterion": 999_999}, "criterion"),
        ({"at_ms": 1_000, "note": "x" * 501}, "note"),
    ],
)
def test_a_bad_moment_is_refused_with_its_field(cast, draft, api, payload, field):
    response = api(cast.quinn).post(
        reverse("api-qa-evaluation-moments", args=[draft.pk]), payload, format="json"
    )

    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert not Moment.objects.exists()


def test_moments_are_fixed_once_the_evaluation_is_released(cast, world, draft):
    pinned = moment_pin(evaluation=draft, actor=cast.quinn, at_ms=5_000, note="Long hold")
    services.evaluation_release(evaluation=draft, actor=cast.quinn)

    with pytest.raises(DomainError) as refused:
        moment_pin(evaluation=draft, actor=cast.quinn, at_ms=6_000, note="One more")
    assert refused.value.status_code == 403
    with pytest.raises(DomainError):
        moment_unpin(moment=pinned, actor=cast.quinn)
    assert list(draft.moments.values_list("at_ms", flat=True)) == [5_000]


def test_unpinning_is_audited(cast, draft):
    pinned = moment_pin(evaluation=draft, actor=cast.quinn, at_ms=5_000, note="Long hold")

    moment_unpin(moment=pinned, actor=cast.quinn)

    assert not draft.moments.exists()
    entry = AuditEntry.objects.get(action="evaluation.moment_unpinned")
    assert entry.data["at_ms"] == 5_000 and entry.actor == cast.quinn


def test_a_peer_sees_the_marks_but_not_who_made_them(cast, world, draft, api):
    moment_pin(evaluation=draft, actor=cast.quinn, at_ms=5_000, note="Long hold")
    services.evaluation_release(evaluation=draft, actor=cast.quinn)
    config = QaSettings.load()
    config.transparency = True
    config.save()

    peer = api(cast.bob).get(reverse("api-qa-evaluation-moments", args=[draft.pk])).json()
    own = api(cast.ann).get(reverse("api-qa-evaluation-moments", args=[draft.pk])).json()

    assert [(m["note"], m["author"]) for m in peer] == [("Long hold", None)]
    assert [(m["note"], m["author"]) for m in own] == [("Long hold", "quinn")]


def test_the_pin_form_takes_a_clock_time(cast, draft):
    client = Client()
    client.force_login(cast.quinn)

    response = client.post(
        reverse("qa-evaluation-moments", args=[draft.pk]),
        {"at": "1:05", "note": "Hold without asking", "criterion": ""},
    )
    bad = client.post(reverse("qa-evaluation-moments", args=[draft.pk]), {"at": "soon"})

    assert response.status_code == 302
    assert response["Location"].endswith(f"#player-evaluation-{draft.pk}")
    assert bad.status_code == 302
    assert list(draft.moments.values_list("kind", "at_ms")) == [(MomentKind.COMMENT, 65_000)]


def test_an_appeal_cites_moments_against_each_item(cast, world, ann_evaluation, api):
    response = api(cast.ann).post(
        reverse("api-qa-appeal-list"),
        {
            "evaluation": ann_evaluation.pk,
            "items": [
                {
                    "criterion": world.crit["greeting"].pk,
                    "reason": "I gave the company name.",
                    "moments": [{"at_ms": 9_000, "note": "company name"}, {"at_ms": 2_000}],
                },
                {"criterion": world.crit["empathy"].pk, "reason": "I apologised."},
            ],
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    items = {i["title"]: i for i in response.json()["items"]}
    assert [(m["at_ms"], m["note"], m["kind"]) for m in items["Greeting"]["moments"]] == [
        (2_000, "", "citation"),
        (9_000, "company name", "citation"),
    ]
    assert items["Empathy"]["moments"] == []
    entry = AuditEntry.objects.get(action="appeal.moments_cited")
    assert entry.data["at_ms"] == [2_000, 9_000] and entry.actor == cast.ann


def test_an_appeal_citing_a_moment_after_the_call_is_refused_whole(
    cast, world, ann_evaluation, api
):
    response = api(cast.ann).post(
        reverse("api-qa-appeal-list"),
        {
            "evaluation": ann_evaluation.pk,
            "items": [
                {
                    "criterion": world.crit["greeting"].pk,
                    "reason": "I gave the company name.",
                    "moments": [{"at_ms": 2_000}, {"at_ms": 999_000}],
                }
            ],
        },
        format="json",
    )

    assert response.status_code == 400
    assert "items[0].moments[1].at_ms" in response.json()["error"]["fields"]
    assert not Appeal.objects.exists() and not Moment.objects.exists()


def test_the_appeal_form_cites_clock_times(cast, world, ann_evaluation):
    client = Client()
    client.force_login(cast.ann)
    greeting = world.crit["greeting"].pk

    bad = client.post(
        reverse("qa-appeal-file", args=[ann_evaluation.pk]),
        {f"appeal_{greeting}": "on", f"reason_{greeting}": "I did.", f"moments_{greeting}": "x"},
    )
    assert bad.status_code == 302 and not Appeal.objects.exists()

    client.post(
        reverse("qa-appeal-file", args=[ann_evaluation.pk]),
        {
            f"appeal_{greeting}": "on",
            f"reason_{greeting}": "I did.",
            f"moments_{greeting}": "0:07, 1:02",
        },
    )
    appeal = Appeal.objects.get()
    assert list(
        Moment.objects.filter(appeal_item__appeal=appeal).values_list("at_ms", flat=True)
    ) == [7_000, 62_000]
    history = client.get(reverse("qa-appeal", args=[appeal.pk])).content.decode()
    assert "Moments of the call cited" in history


def test_a_nomination_carries_its_highlighted_moment(cast, world, api):
    response = api(cast.bob).post(
        reverse("api-qa-library"),
        {
            "call": world.ann_call.pk,
            "reason": "Calmed an angry caller",
            "highlight": {"at_ms": 42_000, "note": "the turn"},
        },
        format="json",
    )

    assert response.status_code == 201, response.content
    highlight = response.json()["highlight"]
    assert (highlight["at_ms"], highlight["note"], highlight["kind"]) == (
        42_000,
        "the turn",
        "highlight",
    )
    nomination = GreatCall.objects.get()
    assert AuditEntry.objects.filter(
        action="greatcall.highlighted", object_id=str(nomination.pk)
    ).exists()


def test_the_library_form_names_the_call_by_its_recording_and_highlights_it(cast, world):
    client = Client()
    client.force_login(cast.bob)

    client.post(
        reverse("qa-library"),
        {
            "agent": cast.ann_agent.pk,
            "recording_id": world.ann_call.recording_id,
            "reason": "Calmed an angry caller",
            "highlight_at": "0:42",
        },
    )
    refused = client.post(
        reverse("qa-library"),
        {"agent": cast.ann_agent.pk, "recording_id": "x", "reason": "y", "highlight_at": "9:99"},
    )

    nomination = GreatCall.objects.get()
    assert nomination.call == world.ann_call
    assert list(nomination.moments.values_list("kind", "at_ms")) == [("highlight", 42_000)]
    assert refused.status_code == 302


@pytest.mark.parametrize(
    ("text", "ms"),
    [("0:07", 7_000), ("1:05", 65_000), ("65", 65_000), ("0:07.5", 7_500), ("1:02:03", 3_723_000)],
)
def test_clock_times(text, ms):
    assert clock_to_ms(text, field="at") == ms


@pytest.mark.parametrize("text", ["", "soon", "1:75", "-3", "1::2"])
def test_clock_times_refused(text):
    with pytest.raises(DomainError):
        clock_to_ms(text, field="at")


def test_clock_lists_and_display():
    assert clocks_to_ms(" 0:07, 1:02;2:00 ", field="m") == [7_000, 62_000, 120_000]
    assert [ms_to_clock(ms) for ms in (0, 7_999, 65_000, 3_723_000)] == [
        "0:00",
        "0:07",
        "1:05",
        "1:02:03",
    ]
