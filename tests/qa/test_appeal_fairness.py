"""The appeal as the fairness process intends: the panel re-scores, the outcome counts for both
sides, one score format, and the agent's inbox reads one thread per appeal."""

import csv
import io
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone
from django.utils.translation import override

from agents.models import AuditEntry, Notification
from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from qa import services
from qa.models import Appeal, Decision
from tests.qa.conftest import released_evaluation

pytestmark = pytest.mark.django_db

PANEL = ("tina", "quinn", "sam")


def page_client(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def appeal_at_panel(cast, world, evaluation, *criteria):
    appeal = services.appeal_file(
        evaluation=evaluation,
        user=cast.ann,
        items=[
            {"criterion": world.crit[key].pk, "reason": f"{key} was right."} for key in criteria
        ],
    )
    return services.appeal_screen(appeal=appeal, actor=cast.tina, accept=True)


def vote_all(cast, appeal, opinion: str):
    """Every panel member votes the same on every item (the form every version accepts)."""
    for username in PANEL:
        services.appeal_give_opinions(
            appeal=appeal,
            actor=getattr(cast, username),
            opinions=[{"item": i.pk, "opinion": opinion} for i in appeal.items.all()],
        )


def test_the_panel_proposes_points_and_the_senior_supervisor_decides_a_partial_score(
    cast, world, ann_evaluation, api
):
    appeal = appeal_at_panel(cast, world, ann_evaluation, "correct_answer")
    item = appeal.items.get()
    url = f"/api/qa/appeals/{appeal.pk}/"

    # A proposal below the evaluation's points, or without a reason, is refused by field.
    for proposal, field in (
        ({"item": item.pk, "points": 2, "reason": "Lower."}, f"proposals.{item.pk}.points"),
        ({"item": item.pk, "points": 4, "reason": " "}, "proposals.0.reason"),
    ):
        refused = api(cast.sam).post(f"{url}proposals/", {"proposals": [proposal]}, format="json")
        assert refused.status_code == 400
        assert field in refused.json()["error"]["fields"]
    # Each member proposes the points they would give, with a reason.
    for username, points in (("tina", 4), ("quinn", 5), ("sam", 3)):
        response = api(getattr(cast, username)).post(
            f"{url}proposals/",
            {"proposals": [{"item": item.pk, "points": points, "reason": f"{username}: {points}"}]},
            format="json",
        )
        assert response.status_code == 200, response.content
    again = {"proposals": [{"item": item.pk, "points": 5, "reason": "Changed my mind."}]}
    assert api(cast.sam).post(f"{url}proposals/", again, format="json").status_code == 409

    # The senior supervisor sees the three proposals on the decision form.
    form = page_client(cast.sam).get(f"/qa/appeals/{appeal.pk}/").content.decode()
    for proposal in ("Team lead: 4 / 5", "QA analyst: 5 / 5", "Senior supervisor: 3 / 5"):
        assert proposal in form
    assert "3 / 5 — no change: rejected" in form and "4 / 5 — some points back" in form

    bad = api(cast.sam).post(
        f"{url}decide/",
        {"decisions": [{"item": item.pk, "points": 2, "reason": "Lower."}]},
        format="json",
    )
    assert bad.status_code == 400
    assert f"decisions.{item.pk}.points" in bad.json()["error"]["fields"]

    decided = api(cast.sam).post(
        f"{url}decide/",
        {"decisions": [{"item": item.pk, "points": 4, "reason": "Fee right, tone short."}]},
        format="json",
    )
    assert decided.status_code == 200, decided.content
    body = decided.json()
    assert body["status"] == "decided"
    assert body["items"][0]["decision"] == Decision.PARTLY
    assert body["items"][0]["points_after"] == 4
    assert sorted(o["points"] for o in body["items"][0]["opinions"]) == [3, 4, 5]
    # Resolution (4 + 2 + 1) / 9, opening 0.5: 100 × (0.5 + 2 × 7/9) / 3 = 68.52, recomputed
    # by the scorecard's formula in a new revision.
    ann_evaluation.refresh_from_db()
    assert body["score_before"] == 61.11 and body["score_after"] == ann_evaluation.score == 68.52
    assert (
        ann_evaluation.current_revision().answers[str(world.crit["correct_answer"].pk)]["points"]
        == 4
    )

    # An audit row for each proposal and for the decision, with the points.
    proposals = AuditEntry.objects.filter(action="appeal.proposed", object_id=str(appeal.pk))
    assert sorted(e.data["proposals"][str(item.criterion_id)]["points"] for e in proposals) == [
        3,
        4,
        5,
    ]
    decision = AuditEntry.objects.get(action="appeal.decided", object_id=str(appeal.pk))
    assert decision.data["decisions"][str(item.criterion_id)]["points"] == 4

    # The history shows each proposal in words and the decision.
    history = page_client(cast.ann).get(f"/qa/appeals/{appeal.pk}/").content.decode()
    for line in (
        "Points proposed by the panel (Team lead)",
        "Correct answer: 4 / 5 — tina: 4",
        "Correct answer: 5 / 5 — quinn: 5",
        "Correct answer: 3 / 5 — sam: 3",
        "Correct answer: 4 / 5, Partly upheld — Fee right, tone short.",
    ):
        assert line in history


def test_a_decided_evaluation_offers_only_what_can_still_be_appealed(cast, world, ann_evaluation):
    appeal = appeal_at_panel(cast, world, ann_evaluation, "greeting")
    vote_all(cast, appeal, "uphold")
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[{"item": appeal.items.get().pk, "decision": "upheld", "reason": "Heard it."}],
    )
    page = page_client(cast.ann).get(f"/qa/evaluations/{ann_evaluation.pk}/").content.decode()
    greeting, answer = world.crit["greeting"].pk, world.crit["correct_answer"].pk
    assert f'name="appeal_{answer}"' in page  # still deducted, never appealed
    assert f'name="appeal_{greeting}"' not in page  # decided: its points stand

    # Once every deduction is decided, nothing invites an appeal that would be refused.
    rest = appeal_at_panel(cast, world, ann_evaluation, "correct_answer", "empathy")
    vote_all(cast, rest, "reject")
    services.appeal_decide(
        appeal=rest,
        actor=cast.sam,
        decisions=[
            {"item": i.pk, "decision": "rejected", "reason": "Stands."} for i in rest.items.all()
        ],
    )
    page = page_client(cast.ann).get(f"/qa/evaluations/{ann_evaluation.pk}/").content.decode()
    assert "Tick the deductions" not in page
    assert 'data-testid="file-appeal"' not in page
    assert "Nothing on this evaluation can be appealed now" in page


def test_agent_and_team_reports_count_appeal_outcomes_per_agent_and_evaluator(
    cast, world, ann_evaluation
):
    # Ann's appeals against quincy's evaluations: one partly upheld in the range, one rejected
    # 40 days ago (outside it), one still with the panel.
    partly = appeal_at_panel(cast, world, ann_evaluation, "correct_answer")
    vote_all(cast, partly, "uphold")
    # 4 of 5 points where the evaluation gave 3: partly upheld.
    services.appeal_decide(
        appeal=partly,
        actor=cast.sam,
        decisions=[
            {"item": partly.items.get().pk, "decision": "upheld", "points": 4, "reason": "Part."}
        ],
    )
    second = released_evaluation(world, cast.ann_agent, evaluator=world.quincy, greeting=0)
    rejected = appeal_at_panel(cast, world, second, "greeting")
    vote_all(cast, rejected, "reject")
    services.appeal_decide(
        appeal=rejected,
        actor=cast.sam,
        decisions=[{"item": rejected.items.get().pk, "decision": "rejected", "reason": "Stands."}],
    )
    old = released_evaluation(world, cast.ann_agent, greeting=0)
    Appeal.objects.filter(pk=rejected.pk).update(
        decided_at=timezone.now() - timedelta(days=40), filed_at=timezone.now() - timedelta(days=41)
    )
    appeal_at_panel(cast, world, old, "greeting")  # open: filed, not decided

    today = timezone.localdate()
    span = reports.ReportRange(today - timedelta(days=6), today)
    agent = agent_reports.agent_report(agent=cast.ann_agent, span=span)
    total = next(r for r in agent.rows if r["total"] and r["group"] == "Ann Agent")
    assert (
        total["appeals_filed"],
        total["appeals_upheld"],
        total["appeals_partly_upheld"],
        total["appeals_rejected"],
    ) == (2, 0, 1, 0)
    evaluators = [r for r in agent.rows if r["group"] == "Appeals per evaluator"]
    assert [(r["label"], r["appeals_filed"], r["appeals_partly_upheld"]) for r in evaluators] == [
        ("Quincy Second", 2, 1)
    ]

    team = agent_reports.team_report(team=cast.billing, span=span)
    ann_row = next(r for r in team.rows if r["label"] == "Ann Agent")
    assert ann_row["appeals_partly_upheld"] == 1 and ann_row["appeals_filed"] == 2
    with override("en"):
        exported = list(csv.reader(io.StringIO(report_exports.as_csv(team).decode("utf-8-sig"))))
    header = next(row for row in exported if "Appeals partly upheld" in row)
    column = header.index("Appeals partly upheld")
    rows = {row[1]: row for row in exported if len(row) > column}
    assert rows["Ann Agent"][column] == "1"
    assert rows["Quincy Second"][column] == "1"
    assert header.index("Appeals filed") < column < header.index("Appeals rejected")

    # The all-time staff page counts partial outcomes too, its tables scrolling in their card.
    stats = page_client(cast.sam).get("/qa/stats/").content.decode()
    assert "Partly upheld" in stats
    assert stats.count('<div class="table-wrap"><table>') == 3


def test_scores_read_in_one_format_everywhere(cast, world, ann_evaluation):
    full = released_evaluation(world, cast.ann_agent)  # 100
    ann = page_client(cast.ann)
    assert 'data-testid="score">100.00<' in ann.get(f"/qa/evaluations/{full.pk}/").content.decode()
    assert (
        'data-testid="score">61.11<'
        in ann.get(f"/qa/evaluations/{ann_evaluation.pk}/").content.decode()
    )
    mine = ann.get("/quality/").content.decode()
    assert "100.00" in mine and "61.11" in mine and "100.0<" not in mine

    appeal = appeal_at_panel(cast, world, ann_evaluation, "greeting", "correct_answer", "empathy")
    vote_all(cast, appeal, "uphold")
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[
            {"item": i.pk, "decision": "upheld", "reason": "All right."} for i in appeal.items.all()
        ],
    )
    # The decision message (read through the API) and the appeal page: 61.11 → 100.00.
    message = Notification.objects.filter(recipient=cast.ann, text__contains="decided").get()
    assert message.text.endswith("Score 61.11 → 100.00.")
    assert (
        '<strong data-testid="score-after">100.00</strong>'
        in ann.get(f"/qa/appeals/{appeal.pk}/").content.decode()
    )
    assert report_exports.display(100.0, "score") == "100.00"
    # Both of Ann's evaluations now score 100: the report's QA average reads 100.00 in the
    # CSV as on the page.
    today = timezone.localdate()
    report = agent_reports.agent_report(
        agent=cast.ann_agent, span=reports.ReportRange(today - timedelta(days=1), today)
    )
    with override("en"):
        rows = list(csv.reader(io.StringIO(report_exports.as_csv(report).decode("utf-8-sig"))))
    header = next(row for row in rows if "QA average" in row)
    total = next(row for row in rows if len(row) == len(header) and row[1] == "Total")
    assert total[header.index("QA average")] == "100.00"


def test_one_appeal_reads_as_one_thread_in_the_agents_inbox(cast, world, ann_evaluation):
    appeal = appeal_at_panel(cast, world, ann_evaluation, "greeting")
    services.appeal_explain(appeal=appeal, actor=world.quincy, text="No company name.")
    vote_all(cast, appeal, "uphold")
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[{"item": appeal.items.get().pk, "decision": "upheld", "reason": "Heard it."}],
    )
    about_appeal = Notification.objects.filter(recipient=cast.ann, link=f"/qa/appeals/{appeal.pk}/")
    assert about_appeal.count() == 7  # filed, accepted, explained, three proposals, decided
    inbox = page_client(cast.ann).get("/notifications/").content.decode()
    assert inbox.count(f'href="/qa/appeals/{appeal.pk}/"') == 1
    newest = inbox.index("was decided")
    assert newest < inbox.index("6 earlier messages") < inbox.index("was filed")
