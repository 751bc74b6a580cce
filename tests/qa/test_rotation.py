"""Reviewer rotation: planning (chosen, round robin), peers' calls, the peer review — and that
a peer review never counts in the official score."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe
from metrics.reports import agents as agent_reports
from metrics.reports import history as reports
from qa.models import Evaluation, ScoreRevision
from qa.rotation import services as rotation
from qa.rotation.models import PeerReviewStatus, RotationMethod, RotationWeek
from qa.selectors import agent_report_qa
from tests.qa.conftest import released_evaluation

pytestmark = pytest.mark.django_db

GOOD = {"listening": 5, "clarity": 4, "solution": 4, "courtesy": 5}


def audits(action):
    return AuditEntry.objects.filter(action=action)


def test_a_chosen_week_gives_the_reviewer_a_peers_evaluated_call_never_their_own(
    cast, rotation_world
):
    w = rotation_world
    assert w.week.method == RotationMethod.CHOSEN
    assert w.week.week_start.weekday() == 0  # the Monday of the week
    # Billing's evaluated calls besides Ann's own: Cleo's (Bob is in Cards).
    assert w.review.evaluation == w.cleo_evaluation and w.review.reviewed == w.cleo_agent
    entry = audits("rotation.planned").get()
    assert entry.actor == cast.tina
    assert "Ann Agent" in describe(entry.action, entry.data)
    assert audits("peer_review.assigned").count() == 1
    assert Notification.objects.filter(recipient=cast.ann, kind="qa.rotation").exists()
    with pytest.raises(Conflict):
        rotation.rotation_week_plan(
            actor=cast.tina, reviewer=cast.ann_agent, week_start=w.week.week_start
        )


def test_a_reviewer_is_never_given_their_own_call_or_a_draft(cast, rotation_world):
    w = rotation_world
    with pytest.raises(DomainError, match="own call"):
        rotation.peer_review_assign(actor=cast.tina, week=w.week, evaluation=w.ann_evaluation)
    from qa import services

    draft = services.evaluation_create(
        evaluator=w.quincy, scorecard_version=w.version, agent=w.cleo_agent, recording_id="r"
    )
    with pytest.raises(DomainError, match="evaluated calls"):
        rotation.peer_review_assign(actor=cast.tina, week=w.week, evaluation=draft)
    with pytest.raises(Conflict):
        rotation.peer_review_assign(actor=cast.tina, week=w.week, evaluation=w.cleo_evaluation)
    # The QA analyst adds Bob's call (another team) by hand: allowed, audited.
    rotation.peer_review_assign(actor=cast.quinn, week=w.week, evaluation=w.bob_evaluation)
    assert audits("peer_review.assigned").count() == 2


def test_planning_is_refused_to_agents_and_to_the_lead_of_another_team(cast, rotation_world):
    monday = rotation_world.week.week_start + timedelta(weeks=1)
    for user in (cast.ann, cast.tom):  # Tom leads Cards, Ann is in Billing
        with pytest.raises(DomainError) as refused:
            rotation.rotation_week_plan(actor=user, reviewer=cast.ann_agent, week_start=monday)
        assert refused.value.status_code == 403
    with pytest.raises(DomainError) as refused:
        rotation.rotation_plan_round_robin(
            actor=cast.tom, team=cast.billing, first_week=monday, weeks=2
        )
    assert refused.value.status_code == 403
    assert audits("rotation.planned").count() == 1  # the fixture's only


def test_round_robin_takes_the_team_in_turn_and_carries_on_where_it_stopped(cast, rotation_world):
    w = rotation_world
    monday = w.week.week_start + timedelta(weeks=1)
    first = rotation.rotation_plan_round_robin(
        actor=cast.tina, team=cast.billing, first_week=monday, weeks=3
    )
    # Ann reviews this week (chosen): the turns carry on with Cleo.
    assert [week.reviewer.display_name for week in first] == [
        "Cleo Agent",
        "Ann Agent",
        "Cleo Agent",
    ]
    assert [week.week_start for week in first] == [monday + timedelta(weeks=i) for i in range(3)]
    more = rotation.rotation_plan_round_robin(
        actor=cast.quinn, team=cast.billing, first_week=monday + timedelta(weeks=3), weeks=1
    )
    assert more[0].reviewer == cast.ann_agent  # after Cleo, Ann
    # Cleo's weeks give her Ann's evaluated call, never her own.
    assert {r.evaluation_id for r in first[0].reviews.all()} == {w.ann_evaluation.pk}
    assert audits("rotation.planned").filter(data__method="round_robin").count() == 4
    with pytest.raises(DomainError, match="two agents"):
        rotation.rotation_plan_round_robin(
            actor=cast.quinn, team=cast.cards, first_week=monday, weeks=1
        )


def test_only_the_reviewer_submits_and_the_reviewed_agent_is_told(cast, rotation_world, api):
    w = rotation_world
    for user in (w.cleo, cast.tina, cast.quinn):
        with pytest.raises(DomainError) as refused:
            rotation.peer_review_submit(actor=user, review=w.review, ratings=GOOD, comment="x")
        assert refused.value.status_code == 403
    with pytest.raises(DomainError, match="Courtesy"):
        rotation.peer_review_submit(
            actor=cast.ann, review=w.review, ratings={**GOOD, "courtesy": 9}, comment="Nice"
        )
    # Before it is submitted, Cleo cannot read it.
    assert api(w.cleo).get(f"/api/qa/peer-reviews/{w.review.pk}/").status_code == 404
    response = api(cast.ann).post(
        f"/api/qa/peer-reviews/{w.review.pk}/submit/",
        {"ratings": GOOD, "comment": "Calm and clear; offer the app next time."},
        format="json",
    )
    assert response.status_code == 200, response.content
    w.review.refresh_from_db()
    assert w.review.status == PeerReviewStatus.SUBMITTED and w.review.ratings == GOOD
    entry = audits("peer_review.submitted").get()
    assert entry.actor == cast.ann
    assert describe(entry.action, entry.data) == "Reviewed a call of Cleo Agent as a peer"
    told = Notification.objects.get(recipient=w.cleo, kind="qa.peer_review")
    assert told.link == f"/qa/peer-reviews/{w.review.pk}/"
    seen = api(w.cleo).get(f"/api/qa/peer-reviews/{w.review.pk}/").json()
    assert seen["comment"].startswith("Calm and clear") and seen["reviewer"] == "Ann Agent"
    assert api(cast.bob).get(f"/api/qa/peer-reviews/{w.review.pk}/").status_code == 404
    with pytest.raises(Conflict):
        rotation.peer_review_submit(actor=cast.ann, review=w.review, ratings=GOOD, comment="x")


def _report_figures(cast, world):
    today = timezone.localdate()
    span = reports.ReportRange(today - timedelta(days=1), today)
    start, end = span.bounds()
    agent = agent_reports.agent_report(agent=world.cleo_agent, span=span).rows[-1]
    team = agent_reports.team_report(team=cast.billing, span=span).rows[-1]
    return (
        agent["qa_average"],
        agent["qa_evaluations"],
        team["qa_average"],
        team["qa_evaluations"],
        agent_report_qa(agents=[world.cleo_agent, cast.ann_agent], start=start, end=end),
    )


def test_a_peer_review_never_counts_in_the_official_score_or_the_reports(cast, rotation_world):
    w = rotation_world
    before_scores = dict(Evaluation.objects.values_list("pk", "score"))
    before_revisions = ScoreRevision.objects.count()
    before_reports = _report_figures(cast, w)
    # The harshest peer review possible, and a second reviewer's too.
    worst = dict.fromkeys(GOOD, 1)
    rotation.peer_review_submit(actor=cast.ann, review=w.review, ratings=worst, comment="Poor")
    cleo_week = rotation.rotation_week_plan(
        actor=cast.tina, reviewer=w.cleo_agent, week_start=w.week.week_start
    )
    rotation.peer_review_submit(
        actor=w.cleo, review=cleo_week.reviews.get(), ratings=worst, comment="Poor too"
    )
    assert dict(Evaluation.objects.values_list("pk", "score")) == before_scores
    assert ScoreRevision.objects.count() == before_revisions
    assert _report_figures(cast, w) == before_reports
    # And the figures are real: a new official evaluation does move them.
    released_evaluation(w, w.cleo_agent, call=None, greeting=0)
    assert _report_figures(cast, w) != before_reports


def test_the_agent_sees_their_week_calls_and_peer_feedback_on_their_page(
    cast, rotation_world, client
):
    w = rotation_world
    client.force_login(cast.ann)
    page = client.get("/quality/").content.decode()
    assert 'data-testid="my-rotation"' in page and "Call of Cleo Agent" in page
    rotation.peer_review_submit(actor=cast.ann, review=w.review, ratings=GOOD, comment="Warm")
    client.force_login(w.cleo)
    page = client.get("/quality/").content.decode()
    assert "Warm" in page and "Ann Agent" in page
    assert RotationWeek.objects.count() == 1
