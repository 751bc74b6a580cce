"""Calibration (blind, deviation, agreement, drift) and the great-call library."""

import pytest

from callfloor.errors import Conflict, DomainError
from qa import selectors, services
from tests.qa.conftest import answers_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def session(cast, world):
    return services.calibration_create(
        actor=cast.quinn,
        title="Week 1",
        scorecard_version=world.version,
        recording_id="rec-cal",
        participants=[cast.quinn, world.quincy, cast.sam],
        reference_by=cast.sam,
    )


def score_as(session, user, world, **points):
    return services.calibration_submit(
        session=session, evaluator=user, answers=answers_for(world, **points)
    )


def test_scores_stay_hidden_until_you_have_scored(cast, world, session, api):
    score_as(session, world.quincy, world, greeting=0)
    url = f"/api/qa/calibration/{session.pk}/"
    assert api(cast.quinn).get(url).json()["report"] is None
    score_as(session, cast.quinn, world)
    report = api(cast.quinn).get(url).json()["report"]
    assert {s["evaluator"] for s in report["scores"]} == {"quincy", "quinn"}
    with pytest.raises(Conflict):
        score_as(session, cast.quinn, world)
    with pytest.raises(DomainError, match="participants"):
        score_as(session, cast.tina, world)


def test_the_report_shows_deviation_from_the_reference_and_agreement(cast, world, session):
    score_as(session, cast.sam, world, empathy=2)
    score_as(session, cast.quinn, world, empathy=2)
    score_as(session, world.quincy, world, greeting=0, empathy=1)
    report = selectors.calibration_report(session)
    assert report["reference"] == 92.59 and report["reference_by"] == "sam"
    deviations = {s["evaluator"]: s["deviation"] for s in report["scores"]}
    assert deviations["sam"] == 0 and deviations["quinn"] == 0
    assert deviations["quincy"] < -10
    by_criterion = {c["criterion"]: c for c in report["criteria"]}
    assert by_criterion["Identification"]["agreement"] == 1.0
    assert by_criterion["Greeting"]["agreement"] == pytest.approx(0.667)
    assert report["alpha"] is not None and report["alpha"] < 1


def test_an_evaluator_who_keeps_deviating_is_flagged(cast, world):
    for week in range(3):
        s = services.calibration_create(
            actor=cast.quinn,
            title=f"Week {week}",
            scorecard_version=world.version,
            recording_id=f"rec-{week}",
            participants=[cast.quinn, world.quincy, cast.sam],
            reference_by=cast.sam,
        )
        score_as(s, cast.sam, world)
        score_as(s, cast.quinn, world)
        score_as(s, world.quincy, world, correct_answer=1, empathy=1)
        services.calibration_close(session=s, actor=cast.quinn)
    trends = {t["evaluator"]: t for t in selectors.evaluator_trends()}
    assert trends["quincy"]["drifting"] is True
    assert trends["quinn"]["drifting"] is False
    assert len(trends["quincy"]["deviations"]) == 3
    # With three sessions the per-criterion alpha over sessions exists.
    report = selectors.calibration_report(s)
    assert any(c["alpha_history"] is not None for c in report["criteria"])


def test_a_nomination_can_be_anonymous_and_a_supervisor_features_it(cast, world, api):
    response = api(cast.ann).post(
        "/api/qa/library/",
        {
            "call": world.bob_call.pk,
            "reason": "Calmed an angry caller in two minutes.",
            "anonymous": True,
        },
        format="json",
    )
    assert response.status_code == 201
    nomination = response.json()
    assert nomination["nominated_by"] == "anonymous" and nomination["agent_name"] == "Bob Agent"
    assert api(cast.bob).get("/api/qa/library/").json() == []  # not featured yet
    assert api(cast.tina).post(f"/api/qa/library/{nomination['id']}/feature/").status_code == 403
    featured = api(cast.sam).post(
        f"/api/qa/library/{nomination['id']}/feature/",
        {"note": "Textbook de-escalation."},
        format="json",
    )
    assert featured.status_code == 200
    listed = api(cast.bob).get("/api/qa/library/").json()
    assert [row["reason"] for row in listed] == ["Calmed an angry caller in two minutes."]
    assert listed[0]["nominated_by"] == "anonymous"
    page = api(cast.bob).get("/qa/library/")
    assert "Textbook de-escalation." in page.content.decode()
    assert "Ann" not in page.content.decode().split("Featured")[1].split("Nominate a call")[0]


def test_a_nomination_needs_a_reason(cast, world, api):
    response = api(cast.ann).post(
        "/api/qa/library/",
        {"agent": cast.bob_agent.pk, "recording_id": "r", "reason": " "},
        format="json",
    )
    assert response.status_code == 400


def _routes_under(prefix, patterns=None, base=""):
    """Every URL route the project serves under `prefix`, written as the schema writes paths."""
    import re

    from django.urls import URLResolver, get_resolver

    for pattern in get_resolver().url_patterns if patterns is None else patterns:
        route = base + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _routes_under(prefix, pattern.url_patterns, route)
        elif route.startswith(prefix):
            yield "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", route)


def test_the_api_schema_documents_every_quality_endpoint():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    paths = [p for p in schema["paths"] if p.startswith("/api/qa/")]
    routes = set(_routes_under("api/qa/"))
    assert len(routes) > 30
    assert set(paths) == routes
    assert "/api/qa/appeals/{appeal_id}/proposals/" in paths
    assert "/api/qa/evaluations/{evaluation_id}/moments/{moment_id}/" in paths
    assert "items" in schema["components"]["schemas"]["AppealListInputRequest"]["properties"]
