"""A decided appeal stands: criteria decided on appeal are locked against revision, nothing is
revised while an appeal is open, and the agent may appeal what a later revision changed."""

import threading
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from callfloor.errors import Conflict, DomainError
from qa import services
from qa.models import Appeal, AppealStatus, Evaluation, QaSettings, ScoreRevision
from tests.qa.test_appeals import all_opinions, at_panel

pytestmark = pytest.mark.django_db


def decided(cast, world, evaluation):
    """Greeting upheld (0 → 2), correct answer rejected (stays 3/5): score 61.11 → 77.78."""
    appeal = at_panel(cast, world, evaluation)
    all_opinions(cast, appeal)
    items = {i.criterion_id: i for i in appeal.items.all()}
    services.appeal_decide(
        appeal=appeal,
        actor=cast.sam,
        decisions=[
            {
                "item": items[world.crit["greeting"].pk].pk,
                "decision": "upheld",
                "reason": "The recording has it.",
            },
            {
                "item": items[world.crit["correct_answer"].pk].pk,
                "decision": "rejected",
                "reason": "The fee was wrong.",
            },
        ],
    )
    evaluation.refresh_from_db()
    return appeal


def revise(api, user, evaluation, criterion, points, reason="Second listen"):
    return api(user).post(
        f"/api/qa/evaluations/{evaluation.pk}/revise/",
        {"answers": {str(criterion.pk): {"points": points, "comment": "x"}}, "reason": reason},
        format="json",
    )


def test_the_evaluator_cannot_take_back_the_points_a_panel_upheld(cast, world, ann_evaluation, api):
    decided(cast, world, ann_evaluation)
    assert ann_evaluation.score == 77.78
    response = revise(api, world.quincy, ann_evaluation, world.crit["greeting"], 0)
    assert response.status_code == 400, response.content
    error = response.json()["error"]
    assert error["code"] == "decided_on_appeal"
    assert "Greeting" in error["message"]
    ann_evaluation.refresh_from_db()
    assert ann_evaluation.score == 77.78
    assert ann_evaluation.revisions.count() == 2


def test_a_rejected_criterion_is_locked_too_and_for_a_supervisor_as_well(
    cast, world, ann_evaluation, api
):
    decided(cast, world, ann_evaluation)
    for user in (world.quincy, cast.sam, cast.quinn):
        response = revise(api, user, ann_evaluation, world.crit["correct_answer"], 0)
        assert response.status_code == 400
        assert response.json()["error"]["code"] == "decided_on_appeal"
    with pytest.raises(DomainError, match="decided on appeal"):
        services.evaluation_revise(
            evaluation=ann_evaluation,
            actor=cast.sam,
            changes={str(world.crit["greeting"].pk): {"points": 0, "comment": "no"}},
            reason="Correction",
        )
    assert ann_evaluation.revisions.count() == 2


def test_other_criteria_can_still_be_revised_and_the_agent_appeals_what_changed(
    cast, world, ann_evaluation, api
):
    decided(cast, world, ann_evaluation)
    response = revise(api, world.quincy, ann_evaluation, world.crit["empathy"], 1)
    assert response.status_code == 201, response.content
    ann_evaluation.refresh_from_db()
    assert ann_evaluation.score < 77.78
    filed = api(cast.ann).post(
        "/api/qa/appeals/",
        {
            "evaluation": ann_evaluation.pk,
            "items": [{"criterion": world.crit["empathy"].pk, "reason": "I was kind."}],
        },
        format="json",
    )
    assert filed.status_code == 201, filed.content
    assert filed.json()["status"] == AppealStatus.SCREENING


@pytest.mark.parametrize("stage", ["screening", "panel"])
def test_nothing_is_revised_while_an_appeal_is_open(cast, world, ann_evaluation, api, stage):
    appeal = at_panel(cast, world, ann_evaluation) if stage == "panel" else None
    if appeal is None:
        services.appeal_file(
            evaluation=ann_evaluation,
            user=cast.ann,
            items=[{"criterion": world.crit["greeting"].pk, "reason": "I greeted."}],
        )
    for user in (world.quincy, cast.sam):
        # The appealed criterion and any other one alike.
        for key in ("greeting", "empathy"):
            assert revise(api, user, ann_evaluation, world.crit[key], 1).status_code == 403
    with pytest.raises(Conflict, match="under appeal"):
        services.evaluation_revise(
            evaluation=ann_evaluation,
            actor=cast.sam,
            changes={str(world.crit["empathy"].pk): {"points": 3, "comment": ""}},
            reason="Correction",
        )
    assert ann_evaluation.revisions.count() == 1


def test_a_returned_appeal_leaves_the_score_revisable(cast, world, ann_evaluation, api):
    appeal = services.appeal_file(
        evaluation=ann_evaluation,
        user=cast.ann,
        items=[{"criterion": world.crit["greeting"].pk, "reason": "I greeted."}],
    )
    services.appeal_screen(appeal=appeal, actor=cast.tina, accept=False, reason="Not deducted.")
    assert revise(api, world.quincy, ann_evaluation, world.crit["greeting"], 2).status_code == 201


def test_a_revision_after_the_window_opens_a_window_for_what_it_changed(
    cast, world, ann_evaluation, api
):
    long_ago = timezone.now() - timedelta(days=30)
    Evaluation.objects.filter(pk=ann_evaluation.pk).update(released_at=long_ago)
    ScoreRevision.objects.filter(evaluation=ann_evaluation).update(created_at=long_ago)
    ann_evaluation.refresh_from_db()
    assert revise(api, world.quincy, ann_evaluation, world.crit["empathy"], 0).status_code == 201
    ann_evaluation.refresh_from_db()
    window = QaSettings.load().appeal_window_days
    assert services.appeal_deadline(ann_evaluation) > timezone.now() + timedelta(days=window - 1)

    unchanged = api(cast.ann).post(
        "/api/qa/appeals/",
        {
            "evaluation": ann_evaluation.pk,
            "items": [{"criterion": world.crit["greeting"].pk, "reason": "I greeted."}],
        },
        format="json",
    )
    assert unchanged.status_code == 400
    error = unchanged.json()["error"]
    assert error["code"] == "appeal_window_closed" and "Greeting" in error["message"]
    changed = api(cast.ann).post(
        "/api/qa/appeals/",
        {
            "evaluation": ann_evaluation.pk,
            "items": [{"criterion": world.crit["empathy"].pk, "reason": "I was kind."}],
        },
        format="json",
    )
    assert changed.status_code == 201, changed.content


def test_the_revise_form_is_offered_only_when_a_revision_is_allowed(
    cast, world, ann_evaluation, client
):
    client.force_login(world.quincy)
    url = f"/qa/evaluations/{ann_evaluation.pk}/"
    assert b'data-testid="revise-form"' in client.get(url).content
    appeal = at_panel(cast, world, ann_evaluation)
    assert b'data-testid="revise-form"' not in client.get(url).content
    posted = client.post(
        url,
        {
            "action": "revise",
            f"points_{world.crit['greeting'].pk}": "0",
            "reason": "Second listen",
        },
    )
    assert posted.status_code == 403
    assert Appeal.objects.get(pk=appeal.pk).status == AppealStatus.PANEL
    assert ann_evaluation.revisions.count() == 1


@pytest.mark.django_db(transaction=True)
def test_a_revision_racing_an_appeal_never_changes_the_appealed_points(cast, world, ann_evaluation):
    """Either the appeal is filed first (the revision is refused), or the revision comes first
    (the appeal names the revised points): never an appeal of points that are gone."""
    assert connection.vendor == "postgresql"
    barrier = threading.Barrier(2)
    outcomes: dict[str, str] = {}

    def run(name, action):
        try:
            fresh = Evaluation.objects.get(pk=ann_evaluation.pk)
            barrier.wait(timeout=10)
            action(fresh)
            outcomes[name] = "done"
        except DomainError as error:
            outcomes[name] = error.code
        finally:
            connection.close()

    answer = str(world.crit["correct_answer"].pk)
    threads = [
        threading.Thread(
            target=run,
            args=(
                "appeal",
                lambda e: services.appeal_file(
                    evaluation=e,
                    user=cast.ann,
                    items=[{"criterion": int(answer), "reason": "The answer was right."}],
                ),
            ),
        ),
        threading.Thread(
            target=run,
            args=(
                "revise",
                lambda e: services.evaluation_revise(
                    evaluation=e,
                    actor=world.quincy,
                    changes={answer: {"points": 1, "comment": "The fee was wrong too."}},
                    reason="Second listen",
                ),
            ),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    appeal = Appeal.objects.get()
    current = Evaluation.objects.get(pk=ann_evaluation.pk).current_revision()
    item = appeal.items.get()
    assert outcomes["appeal"] == "done"
    assert item.points_before == current.answers[answer]["points"]
    assert outcomes["revise"] in ("done", "conflict")
    assert (outcomes["revise"] == "done") == (current.number == 2)
