"""Scorecards (versioned, released ones immutable) and evaluations (draft → released → revised)."""

import pytest

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from qa import services
from qa.models import Criterion, ScorecardVersion
from tests.qa.conftest import SECTIONS, answers_for

pytestmark = pytest.mark.django_db


def test_a_released_version_cannot_change_and_a_new_version_is_a_copy(cast, world, api):
    response = api(cast.quinn).put(
        f"/api/qa/scorecards/versions/{world.version.pk}/", {"sections": SECTIONS}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "released"
    copy = api(cast.quinn).post(f"/api/qa/scorecards/versions/{world.version.pk}/copy/")
    assert copy.status_code == 201
    body = copy.json()
    assert body["number"] == 2 and body["status"] == "draft"
    assert [c["title"] for s in body["sections"] for c in s["criteria"]] == [
        "Greeting",
        "Identification",
        "Correct answer",
        "Empathy",
        "Compliance notice",
    ]
    new = ScorecardVersion.objects.get(pk=body["id"])
    services.scorecard_version_update(version=new, actor=cast.quinn, sections=SECTIONS[:1])
    assert Criterion.objects.filter(section__version=world.version).count() == 5
    assert Criterion.objects.filter(section__version=new).count() == 2
    with pytest.raises(Conflict):
        services.scorecard_version_release(version=world.version, actor=cast.quinn)


def test_bad_scorecards_are_refused_naming_the_field(cast, world, api):
    response = api(cast.quinn).post(
        "/api/qa/scorecards/",
        {"name": "Broken", "sections": [{"title": "A", "weight": 1, "criteria": []}]},
        format="json",
    )
    assert response.status_code == 400
    assert any(f.startswith("sections.0.criteria") for f in response.json()["error"]["fields"])


def test_the_scorecard_page_writes_out_the_formula(cast, world, client):
    client.force_login(cast.ann)
    page = client.get(f"/qa/scorecards/versions/{world.version.pk}/").content.decode()
    assert "Section score = points earned ÷ points possible" in page
    assert "Failing it fails the evaluation" in page
    assert "Two security questions" in page


def test_release_needs_every_criterion_and_a_comment_per_deduction(cast, world):
    evaluation = services.evaluation_create(
        evaluator=world.quincy, call=world.ann_call, scorecard_version=world.version
    )
    answers = answers_for(world, greeting=0)
    answers[str(world.crit["greeting"].pk)]["comment"] = ""
    services.evaluation_set_answers(evaluation=evaluation, actor=world.quincy, answers=answers)
    with pytest.raises(DomainError, match="Say why points were deducted for 'Greeting'"):
        services.evaluation_release(evaluation=evaluation, actor=world.quincy)
    with pytest.raises(DomainError, match="cannot be N/A"):
        services.evaluation_set_answers(
            evaluation=evaluation,
            actor=world.quincy,
            answers={str(world.crit["compliance_notice"].pk): {"points": None}},
        )
    with pytest.raises(DomainError, match="takes one of: 0, 2"):
        services.evaluation_set_answers(
            evaluation=evaluation,
            actor=world.quincy,
            answers={str(world.crit["greeting"].pk): {"points": 1}},
        )


def test_release_notifies_the_agent_who_reads_and_acknowledges(cast, world, ann_evaluation, api):
    assert ann_evaluation.score == 61.11
    assert Notification.objects.filter(recipient=cast.ann, kind="qa.evaluation").exists()
    body = api(cast.ann).get(f"/api/qa/evaluations/{ann_evaluation.pk}/").json()
    assert body["revisions"][0]["acknowledged_at"] is None
    ann_evaluation.refresh_from_db()
    assert ann_evaluation.first_read_at is not None
    response = api(cast.ann).post(f"/api/qa/evaluations/{ann_evaluation.pk}/acknowledge/")
    assert response.status_code == 200 and response.json()["acknowledged_at"]
    again = api(cast.ann).post(f"/api/qa/evaluations/{ann_evaluation.pk}/acknowledge/")
    assert again.status_code == 409


def test_a_revision_keeps_the_previous_score_and_asks_for_a_new_acknowledgement(
    cast, world, ann_evaluation, api
):
    services.evaluation_acknowledge(evaluation=ann_evaluation, user=cast.ann)
    url = f"/api/qa/evaluations/{ann_evaluation.pk}/revise/"
    change = {str(world.crit["empathy"].pk): {"points": 3}}
    missing_reason = api(cast.quinn).post(url, {"answers": change, "reason": " "}, format="json")
    assert missing_reason.status_code == 400
    assert (
        api(cast.ann).post(url, {"answers": change, "reason": "x"}, format="json").status_code
        == 403
    )
    response = api(cast.quinn).post(
        url, {"answers": change, "reason": "Second listen"}, format="json"
    )
    assert response.status_code == 201
    revisions = list(ann_evaluation.revisions.order_by("number"))
    assert [(r.number, r.score) for r in revisions] == [(1, 61.11), (2, 68.52)]
    assert revisions[1].reason == "Second listen" and revisions[1].acknowledged_at is None
    assert revisions[0].answers[str(world.crit["empathy"].pk)]["points"] == 2
    entry = AuditEntry.objects.get(action="evaluation.score_revised")
    assert entry.data["previous_score"] == 61.11 and entry.data["score"] == 68.52


def test_a_critical_failure_zeroes_the_evaluation(cast, world):
    from tests.qa.conftest import released_evaluation

    evaluation = released_evaluation(world, cast.ann_agent, compliance_notice=0)
    assert evaluation.score == 0.0
    assert evaluation.current_revision().result["failed_evaluation"] is True


def test_only_analysts_evaluate_and_never_their_own_calls(cast, world):
    with pytest.raises(DomainError, match="Only QA analysts"):
        services.evaluation_create(
            evaluator=cast.tina, call=world.ann_call, scorecard_version=world.version
        )
    with pytest.raises(DomainError, match="another agent"):
        services.evaluation_create(
            evaluator=cast.quinn,
            call=world.ann_call,
            agent=cast.bob_agent,
            scorecard_version=world.version,
        )


def test_an_evaluation_can_name_a_recording_alone(cast, world):
    evaluation = services.evaluation_create(
        evaluator=cast.quinn,
        agent=cast.bob_agent,
        recording_id="rec-7781",
        scorecard_version=world.version,
    )
    assert evaluation.call is None and evaluation.recording_id == "rec-7781"


def test_an_analyst_builds_and_releases_a_scorecard_from_the_page(cast, world, client):
    import json

    client.force_login(cast.quinn)
    response = client.post(
        "/qa/scorecards/",
        {
            "name": "Chat",
            "sections": json.dumps(
                [
                    {
                        "title": "Tone",
                        "criteria": [{"title": "Polite", "max_points": 3, "kind": "scale"}],
                    }
                ]
            ),
        },
    )
    version = ScorecardVersion.objects.get(scorecard__name="Chat")
    assert response.status_code == 302 and version.status == "draft"
    client.post(f"/qa/scorecards/versions/{version.pk}/", {"action": "release"})
    version.refresh_from_db()
    assert version.is_released
    page = client.get(f"/qa/scorecards/versions/{version.pk}/").content.decode()
    assert "Polite" in page and "Scale 0…max: 3" in page
    bad = client.post("/qa/scorecards/", {"name": "Broken", "sections": "[{"}, follow=True)
    assert "not valid JSON" in bad.content.decode()


def test_pages_show_times_in_the_site_zone(cast, world, ann_evaluation, client, settings):
    from zoneinfo import ZoneInfo

    from django.utils import timezone

    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    client.force_login(cast.ann)
    page = client.get(f"/qa/evaluations/{ann_evaluation.pk}/").content.decode()
    local = timezone.localtime(
        ann_evaluation.current_revision().created_at, ZoneInfo("Asia/Shanghai")
    )
    assert f"{local:%Y-%m-%d %H:%M}" in page
