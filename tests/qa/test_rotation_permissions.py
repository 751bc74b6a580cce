"""Reviewer rotation and recognition: every endpoint × every role (and anonymous).

The world (`rotation_world`): Ann (the matrix's agent, Billing) reviews Cleo's call this week;
Tina (the matrix's team lead) leads Billing; Bob is in Cards; Cleo nominated Ann this month.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.permissions import ROLES, Case, check_case

PLANNER_PAGE = {"anonymous": 302, "agent": 403}
PLANNER_API = {"anonymous": 403, "agent": 403}
GOOD = {"listening": 5, "clarity": 4, "solution": 4, "courtesy": 5}


def _later(weeks: int) -> str:
    return (timezone.localdate() + timedelta(weeks=weeks)).isoformat()


MATRIX = [
    Case("qa-rotation", api=False, expect=PLANNER_PAGE, default=200),
    Case(
        "qa-rotation",
        method="post",
        api=False,
        data=lambda w: {"action": "choose", "reviewer": w.cleo_agent.pk, "week_start": _later(2)},
        expect={"agent": 403},
        default=302,
        label="choose a teammate",
    ),
    Case(
        "qa-rotation",
        method="post",
        api=False,
        data=lambda w: {"action": "choose", "reviewer": w.bob_agent.pk, "week_start": _later(2)},
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=302,
        label="choose from another team",
    ),
    Case(
        "qa-peer-review",
        api=False,
        kwargs=lambda w: {"review_id": w.review.pk},
        expect={"anonymous": 302},
        default=200,
    ),
    Case(
        "qa-peer-review",
        method="post",
        api=False,
        kwargs=lambda w: {"review_id": w.review.pk},
        data={**{f"rating_{k}": v for k, v in GOOD.items()}, "comment": "Clear"},
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case("api-qa-rotation-list", expect={"anonymous": 403}, default=200),
    Case(
        "api-qa-rotation-list",
        method="post",
        data=lambda w: {"reviewer": w.cleo_agent.pk, "week_start": _later(3)},
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-qa-rotation-round-robin",
        method="post",
        data=lambda w: {"team": w.billing.pk, "first_week": _later(10), "weeks": 2},
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-qa-rotation-assign",
        method="post",
        kwargs=lambda w: {"week_id": w.week.pk},
        data=lambda w: {"evaluation": w.bob_evaluation.pk},
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-qa-peer-review-detail",
        kwargs=lambda w: {"review_id": w.review.pk},
        expect={"anonymous": 403},
        default=200,
    ),
    Case(
        "api-qa-peer-review-submit",
        method="post",
        kwargs=lambda w: {"review_id": w.review.pk},
        data={"ratings": GOOD, "comment": "Clear"},
        expect={"agent": 200},
        default=403,
    ),
    # --- recognition ---
    Case("qa-recognition", api=False, expect={"anonymous": 302}, default=200),
    Case(
        "qa-recognition",
        method="post",
        api=False,
        data=lambda w: {"nominee": w.cleo_agent.pk, "reason": "Always helps"},
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "qa-nomination-confirm",
        method="post",
        api=False,
        kwargs=lambda w: {"nomination_id": w.nomination.pk},
        expect={"agent": 403, "qa_analyst": 403},
        default=302,
    ),
    Case("api-qa-recognition", expect={"anonymous": 403}, default=200),
    Case(
        "api-qa-nomination-create",
        method="post",
        data=lambda w: {"nominee": w.cleo_agent.pk, "reason": "Always helps"},
        expect={"agent": 201},
        default=403,
    ),
    Case(
        "api-qa-nomination-confirm",
        method="post",
        kwargs=lambda w: {"nomination_id": w.nomination.pk},
        expect={"anonymous": 403, "agent": 403, "qa_analyst": 403},
        default=200,
    ),
]


@pytest.fixture
def matrix_world(cast, rotation_world):
    from qa.recognition import services as recognition

    w = SimpleNamespace(**vars(cast), **vars(rotation_world))
    w.nomination = recognition.peer_nomination_create(
        user=rotation_world.cleo, nominee=cast.ann_agent, reason="Stayed late for a customer"
    )
    return w


@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix(matrix_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, matrix_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)
