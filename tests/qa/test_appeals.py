"""Appeals: filing, screening, the three-party panel with recusal, decisions, races."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.test import override_settings
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from qa import selectors, services
from qa.models import Appeal, AppealStatus, Evaluation, QaSettings, Seat
from tests.qa.conftest import released_evaluation

pytestmark = pytest.mark.django_db


def file_two(cast, world, evaluation):
    return services.appeal_file(
        evaluation=evaluation,
        user=cast.ann,
        items=[
            {"criterion": world.crit["greeting"].pk, "reason": "I said the company name."},
            {"criterion": world.crit["correct_answer"].pk, "reason": "The answer was right."},
        ],
    )


def at_panel(cast, world, evaluation):
    appeal = file_two(cast, world, evaluation)
    return services.appeal_screen(appeal=appeal, actor=cast.tina, accept=True)


def all_opinions(cast, appeal, opinion="uphold"):
    for user in (cast.sam, cast.tina, cast.quinn):
        services.appeal_give_opinions(
            appeal=appeal,
            actor=user,
            opinions=[{"item": item.pk, "opinion": opinion} for item in appeal.items.all()],
        )


def test_the_agent_files_an_appeal_and_her_team_lead_is_told(cast, world, ann_evaluation):
    appeal = file_two(cast, world, ann_evaluation)
    assert appeal.status == AppealStatus.SCREENING
    assert appeal.items.count() == 2
    assert Notification.objects.filter(recipient=cast.tina, kind="qa.appeal").exists()
    assert AuditEntry.objects.filter(action="appeal.filed", object_id=str(appeal.pk)).exists()


def test_a_late_appeal_is_refused_with_a_clear_message(cast, world, ann_evaluation, api):
    Evaluation.objects.filter(pk=ann_evaluation.pk).update(
        released_at=timezone.now() - timedelta(days=8)
    )
    response = api(cast.ann).post(
        "/api/qa/appeals/",
        {
            "evaluation": ann_evaluation.pk,
            "items": [{"criterion": world.crit["greeting"].pk, "reason": "I did greet."}],
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "appeal_window_closed"
    assert "appeal window closed" in error["message"]
    assert "7 days after the evaluation was released" in error["message"]
    assert not Appeal.objects.exists()


def test_the_window_is_configurable(cast, world, ann_evaluation):
    Evaluation.objects.filter(pk=ann_evaluation.pk).update(
        released_at=timezone.now() - timedelta(days=8)
    )
    services.qa_settings_update(actor=cast.ada, appeal_window_days=10)
    ann_evaluation.refresh_from_db()
    assert file_two(cast, world, ann_evaluation).status == AppealStatus.SCREENING


def test_only_deducted_criteria_with_a_reason_can_be_appealed(cast, world, ann_evaluation):
    with pytest.raises(DomainError, match="no deduction"):
        services.appeal_file(
            evaluation=ann_evaluation,
            user=cast.ann,
            items=[{"criterion": world.crit["identification"].pk, "reason": "x"}],
        )
    with pytest.raises(DomainError, match="Give a reason"):
        services.appeal_file(
            evaluation=ann_evaluation,
            user=cast.ann,
            items=[{"criterion": world.crit["greeting"].pk, "reason": "  "}],
        )


def test_one_open_appeal_per_evaluation(cast, world, ann_evaluation):
    file_two(cast, world, ann_evaluation)
    with pytest.raises(DomainError, match="open appeal already"):
        services.appeal_file(
            evaluation=ann_evaluation,
            user=cast.ann,
            items=[{"criterion": world.crit["empathy"].pk, "reason": "I was kind."}],
        )


def test_another_agent_cannot_appeal(cast, world, ann_evaluation):
    with pytest.raises(DomainError, match="Only the evaluated agent"):
        services.appeal_file(
            evaluation=ann_evaluation,
            user=cast.bob,
            items=[{"criterion": world.crit["greeting"].pk, "reason": "Not mine."}],
        )


def test_only_the_agents_own_team_lead_screens(cast, world, ann_evaluation, api):
    appeal = file_two(cast, world, ann_evaluation)
    url = f"/api/qa/appeals/{appeal.pk}/screen/"
    # Tom leads Cards: ann's appeal is not even visible to him (403 when the site lets team
    # leads read the whole floor: reading is not screening).
    assert api(cast.tom).post(url, {"accept": True}, format="json").status_code == 404
    with override_settings(CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR=True):
        assert api(cast.tom).post(url, {"accept": True}, format="json").status_code == 403
    response = api(cast.tina).post(url, {"accept": False, "reason": ""}, format="json")
    assert response.status_code == 400
    assert "reason" in response.json()["error"]["fields"]
    response = api(cast.tina).post(
        url, {"accept": False, "reason": "Listen again first."}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "returned"
    assert Notification.objects.filter(recipient=cast.ann, text__contains="Listen again").exists()


def test_accepting_seats_a_panel_without_the_evaluator_or_the_agent(cast, world, ann_evaluation):
    appeal = at_panel(cast, world, ann_evaluation)
    seats = {m.seat: m.user for m in appeal.panel.all()}
    assert seats == {
        Seat.SUPERVISOR: cast.sam,
        Seat.TEAM_LEAD: cast.tina,
        Seat.QA_ANALYST: cast.quinn,
    }
    assert world.quincy not in seats.values()


def test_the_evaluator_cannot_sit_on_the_panel_of_their_own_evaluation(
    cast, world, ann_evaluation, api
):
    appeal = file_two(cast, world, ann_evaluation)
    with pytest.raises(DomainError, match="evaluator of this evaluation cannot sit"):
        services.appeal_screen(
            appeal=appeal,
            actor=cast.tina,
            accept=True,
            panel={
                Seat.SUPERVISOR: cast.sam,
                Seat.TEAM_LEAD: cast.tina,
                Seat.QA_ANALYST: world.quincy,
            },
        )
    response = api(cast.tina).post(
        f"/api/qa/appeals/{appeal.pk}/screen/",
        {
            "accept": True,
            "panel": {"supervisor": "sam", "team_lead": "tina", "qa_analyst": "quincy"},
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "recused"
    # With quinn as the evaluator too, nobody is left for the analyst's seat.
    evaluation = released_evaluation(world, cast.bob_agent, evaluator=cast.quinn, greeting=0)
    bob_appeal = services.appeal_file(
        evaluation=evaluation,
        user=cast.bob,
        items=[{"criterion": world.crit["greeting"].pk, "reason": "I greeted."}],
    )
    assert services.panel_propose(appeal=bob_appeal)[Seat.QA_ANALYST] == world.quincy


def test_no_eligible_analyst_means_no_panel(cast, world, ann_evaluation):
    world.quincy.groups.clear()
    cast.quinn.groups.clear()
    appeal = file_two(cast, world, ann_evaluation)
    with pytest.raises(DomainError, match="QA analyst seat"):
        services.appeal_screen(appeal=appeal, actor=cast.tina, accept=True)
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.SCREENING


def test_the_supervisor_decides_only_after_every_opinion(cast, world, ann_evaluation):
    appeal = at_panel(cast, world, ann_evaluation)
    items = list(appeal.items.order_by("criterion__position", "criterion__section__position"))
    decisions = [{"item": i.pk, "decision": "rejected", "reason": "Stands."} for i in items]
    with pytest.raises(DomainError, match="every panel member"):
        services.appeal_decide(appeal=appeal, actor=cast.sam, decisions=decisions)
    all_opinions(cast, appeal)
    with pytest.raises(DomainError, match="senior supervisor"):
        services.appeal_decide(appeal=appeal, actor=cast.tina, decisions=decisions)
    with pytest.raises(DomainError, match="reason"):
        services.appeal_decide(
            appeal=appeal, actor=cast.sam, decisions=[{**d, "reason": ""} for d in decisions]
        )


def test_an_upheld_criterion_revises_the_score_and_asks_for_acknowledgement(
    cast, world, ann_evaluation
):
    services.evaluation_acknowledge(evaluation=ann_evaluation, user=cast.ann)
    services.appeal_explain(
        appeal=(appeal := at_panel(cast, world, ann_evaluation)),
        actor=world.quincy,
        text="The greeting missed the company name.",
    )
    all_opinions(cast, appeal)
    greeting = appeal.items.get(criterion=world.crit["greeting"])
    answer = appeal.items.get(criterion=world.crit["correct_answer"])
    before = ann_evaluation.score
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[
            {"item": greeting.pk, "decision": "upheld", "reason": "The recording has it."},
            {"item": answer.pk, "decision": "rejected", "reason": "The fee was wrong."},
        ],
    )
    appeal.refresh_from_db()
    ann_evaluation.refresh_from_db()
    assert appeal.status == AppealStatus.DECIDED
    assert appeal.score_before == before == 61.11
    # Opening is now 4/4: (1 × 1 + 2 × 6/9) / 3.
    assert ann_evaluation.score == appeal.score_after == 77.78
    revisions = list(ann_evaluation.revisions.order_by("number"))
    assert [r.score for r in revisions] == [61.11, 77.78]
    assert revisions[0].acknowledged_at is not None and revisions[1].acknowledged_at is None
    assert "Appeal" in revisions[1].reason
    assert AuditEntry.objects.filter(
        action="evaluation.score_revised", object_id=str(ann_evaluation.pk)
    ).exists()
    assert Notification.objects.filter(recipient=cast.ann, text__contains="77.78").exists()
    stats = services_stats()
    assert stats["evaluators"] == [
        {
            "evaluator": "quincy",
            "evaluations": 1,
            "appealed": 2,
            "upheld": 1,
            "partly": 0,
            "upheld_rate": 0.5,
        }
    ]
    assert {r["criterion"]: r["upheld"] for r in stats["criteria"]} == {
        "Greeting": 1,
        "Correct answer": 0,
    }


def services_stats():
    from qa.selectors import appeal_stats

    return appeal_stats()


def test_reminders_go_to_whoever_holds_an_overdue_appeal(cast, world, ann_evaluation):
    from qa.tasks import appeal_reminders

    appeal = file_two(cast, world, ann_evaluation)
    assert appeal_reminders() == 0  # due in two days
    Appeal.objects.filter(pk=appeal.pk).update(due_at=timezone.now() - timedelta(hours=1))
    assert appeal_reminders() == 1
    assert Notification.objects.filter(
        recipient=cast.tina, kind="qa.reminder", text__contains="overdue"
    ).exists()
    assert appeal_reminders() == 0  # once a day


def test_transparency_lets_agents_read_peers_without_evaluator_names(
    cast, world, ann_evaluation, api
):
    url = f"/api/qa/evaluations/{ann_evaluation.pk}/"
    assert api(cast.bob).get(url).status_code == 404
    assert api(cast.bob).get("/api/qa/evaluations/").json() == []
    services.qa_settings_update(actor=cast.ada, transparency=True)
    body = api(cast.bob).get(url).json()
    assert body["score"] == 61.11 and body["evaluator"] is None
    assert api(cast.ann).get(url).json()["evaluator"] == "quincy"
    QaSettings.objects.update(hide_evaluator_names=False)
    assert api(cast.bob).get(url).json()["evaluator"] == "quincy"
    # Read-only: a peer can neither acknowledge nor appeal it.
    assert api(cast.bob).post(f"{url}acknowledge/").status_code == 403


@pytest.mark.django_db(transaction=True)
def test_two_deciding_at_once_cannot_both_win(cast, world, ann_evaluation):
    assert connection.vendor == "postgresql"
    appeal = at_panel(cast, world, ann_evaluation)
    all_opinions(cast, appeal)
    items = list(appeal.items.all())
    plans = [
        [{"item": i.pk, "decision": "upheld", "reason": "Right."} for i in items],
        [{"item": i.pk, "decision": "rejected", "reason": "Wrong."} for i in items],
    ]
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def decide(plan):
        try:
            fresh = Appeal.objects.get(pk=appeal.pk)
            barrier.wait(timeout=10)
            services.appeal_decide(appeal=fresh, actor=cast.sam, decisions=plan)
            outcomes.append("won")
        except Conflict:
            outcomes.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=decide, args=(plan,)) for plan in plans]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["conflict", "won"]
    appeal.refresh_from_db()
    decisions = set(appeal.items.values_list("decision", flat=True))
    assert len(decisions) == 1  # one plan, whole
    revisions = ann_evaluation.revisions.count()
    assert revisions == (2 if decisions == {"upheld"} else 1)
    assert AuditEntry.objects.filter(action="appeal.decided").count() == 1


@pytest.mark.django_db(transaction=True)
def test_two_appeals_filed_at_once_leave_one_open(cast, world, ann_evaluation):
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def file(criterion):
        try:
            barrier.wait(timeout=10)
            services.appeal_file(
                evaluation=Evaluation.objects.get(pk=ann_evaluation.pk),
                user=cast.ann,
                items=[{"criterion": criterion.pk, "reason": "Wrong."}],
            )
            outcomes.append("filed")
        except DomainError:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [
        threading.Thread(target=file, args=(world.crit[key],)) for key in ("greeting", "empathy")
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["filed", "refused"]
    assert Appeal.objects.filter(status=AppealStatus.SCREENING).count() == 1


def test_an_agent_without_a_team_lead_has_a_supervisor_screen(cast, world, ann_evaluation, api):
    cast.billing.lead = None
    cast.billing.save(update_fields=["lead"])
    appeal = file_two(cast, world, ann_evaluation)
    assert Notification.objects.filter(recipient=cast.sam, kind="qa.appeal").exists()
    assert [a.pk for a in selectors.screening_queue(cast.sam)] == [appeal.pk]
    # Tina no longer leads Billing: she neither reads nor screens ann's appeal.
    assert (
        api(cast.tina)
        .post(f"/api/qa/appeals/{appeal.pk}/screen/", {"accept": True}, format="json")
        .status_code
        == 404
    )
    response = api(cast.sam).post(
        f"/api/qa/appeals/{appeal.pk}/screen/", {"accept": True}, format="json"
    )
    assert response.status_code == 200
    seats = {m["seat"]: m["user"] for m in response.json()["panel"]}
    assert seats == {"supervisor": "sam", "team_lead": "tina", "qa_analyst": "quinn"}


def test_panel_members_who_have_not_given_an_opinion_are_reminded(cast, world, ann_evaluation):
    appeal = at_panel(cast, world, ann_evaluation)
    services.appeal_give_opinions(
        appeal=appeal,
        actor=cast.tina,
        opinions=[{"item": i.pk, "opinion": "reject"} for i in appeal.items.all()],
    )
    Appeal.objects.filter(pk=appeal.pk).update(due_at=timezone.now() + timedelta(hours=3))
    assert services.appeal_send_reminders() == 1
    reminded = set(
        Notification.objects.filter(kind="qa.reminder").values_list(
            "recipient__username", flat=True
        )
    )
    assert reminded == {"sam", "quinn"}


def test_the_agent_sees_the_panels_opinions_only_once_decided(cast, world, ann_evaluation, api):
    appeal = at_panel(cast, world, ann_evaluation)
    all_opinions(cast, appeal, opinion="reject")
    url = f"/api/qa/appeals/{appeal.pk}/"
    assert all(i["opinions"] is None for i in api(cast.ann).get(url).json()["items"])
    assert all(len(i["opinions"]) == 3 for i in api(cast.quinn).get(url).json()["items"])
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[
            {"item": i.pk, "decision": "rejected", "reason": "Stands."} for i in appeal.items.all()
        ],
    )
    items = api(cast.ann).get(url).json()["items"]
    assert all(len(i["opinions"]) == 3 and i["decision"] == "rejected" for i in items)
    assert api(cast.ann).get(url).json()["score_after"] == 61.11
