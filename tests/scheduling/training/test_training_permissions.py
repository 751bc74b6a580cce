"""Training pages and API: every endpoint × every role (and anonymous).

The world: tina (Billing's lead) made a course with a session going on now (quinn trains it)
and invited ann; tom (Cards' lead) made one for bob, so tina is "another team's lead" there.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.permissions import ROLES, Case, check_case

PLANNER_PAGE = {"anonymous": 302, "agent": 403, "qa_analyst": 403}
PLANNER_API = {"anonymous": 403, "agent": 403, "qa_analyst": 403}


def _course(name):
    return lambda w: {"course_id": getattr(w, name).pk}


def _session(name):
    return lambda w: {"session_id": getattr(w, name).pk}


def _times(w):
    start = timezone.localtime(timezone.now() + timedelta(days=1)).replace(tzinfo=None)
    return {
        "starts_at": start.isoformat(timespec="minutes"),
        "ends_at": (start + timedelta(hours=1)).isoformat(timespec="minutes"),
        "place": "Room 3",
    }


def _due(w):
    return (timezone.localdate() + timedelta(days=5)).isoformat()


MATERIAL = {"title": "Deck", "url": "https://wiki.example.com/deck"}

MATRIX = [
    Case("training", api=False, expect={"anonymous": 302}, default=200),
    Case(
        "training-new",
        method="post",
        api=False,
        data={"title": "Refresher", "kind": "on_the_job"},
        expect=PLANNER_PAGE,
        default=302,
    ),
    Case(
        "training-course",
        api=False,
        kwargs=_course("billing_course"),
        expect={"anonymous": 302},
        default=200,
    ),
    Case(
        "training-course",
        api=False,
        label="cards",
        kwargs=_course("cards_course"),
        expect={"anonymous": 302, "agent": 404},
        default=200,
    ),
    Case(
        "training-session-add",
        method="post",
        api=False,
        kwargs=_course("billing_course"),
        data=_times,
        expect=PLANNER_PAGE,
        default=302,
    ),
    Case(
        "training-session-add",
        method="post",
        api=False,
        label="cards",
        kwargs=_course("cards_course"),
        data=_times,
        expect={**PLANNER_PAGE, "agent": 403, "team_lead": 403},
        default=302,
    ),
    Case(
        "training-material-add",
        method="post",
        api=False,
        kwargs=_course("billing_course"),
        data=MATERIAL,
        expect=PLANNER_PAGE,
        default=302,
    ),
    Case(
        "training-invite",
        method="post",
        api=False,
        kwargs=_course("billing_course"),
        data=lambda w: {"team": w.billing.pk},
        expect=PLANNER_PAGE,
        default=302,
    ),
    Case(
        "training-assign",
        method="post",
        api=False,
        kwargs=_course("billing_course"),
        data=lambda w: {"team": w.billing.pk, "due_by": _due(w)},
        expect=PLANNER_PAGE,
        default=302,
    ),
    Case(
        "training-assign",
        method="post",
        api=False,
        label="cards",
        kwargs=_course("cards_course"),
        data=lambda w: {"team": w.cards.pk, "due_by": _due(w)},
        expect={**PLANNER_PAGE, "team_lead": 403},
        default=302,
    ),
    Case(
        "training-check-in",
        method="post",
        api=False,
        kwargs=_session("billing_session"),
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "training-check-in",
        method="post",
        api=False,
        label="cards",
        kwargs=_session("cards_session"),
        expect={"anonymous": 302, "agent": 404},
        default=403,
    ),
    Case(
        "training-attendance",
        method="post",
        api=False,
        kwargs=_session("billing_session"),
        data=lambda w: {"agent": w.ann_agent.pk, "present": "yes"},
        expect={"anonymous": 302, "agent": 403},
        default=302,
    ),
    Case(
        "training-attendance",
        method="post",
        api=False,
        label="cards",
        kwargs=_session("cards_session"),
        data=lambda w: {"agent": w.bob_agent.pk, "present": "no"},
        expect={"anonymous": 302, "agent": 404, "team_lead": 403, "qa_analyst": 403},
        default=302,
    ),
    # --- API ---
    Case("api-training-course-list", expect={"anonymous": 403}, default=200),
    Case(
        "api-training-course-list",
        method="post",
        data={"title": "Refresher"},
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-training-course-detail",
        kwargs=_course("billing_course"),
        expect={"anonymous": 403},
        default=200,
    ),
    Case(
        "api-training-course-detail",
        label="cards",
        kwargs=_course("cards_course"),
        expect={"anonymous": 403, "agent": 404},
        default=200,
    ),
    Case(
        "api-training-session-add",
        method="post",
        kwargs=_course("billing_course"),
        data=_times,
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-training-session-add",
        method="post",
        label="cards",
        kwargs=_course("cards_course"),
        data=_times,
        expect={**PLANNER_API, "team_lead": 403},
        default=201,
    ),
    Case(
        "api-training-material-add",
        method="post",
        kwargs=_course("billing_course"),
        data=MATERIAL,
        expect=PLANNER_API,
        default=201,
    ),
    Case(
        "api-training-invite",
        method="post",
        kwargs=_course("billing_course"),
        data=lambda w: {"team": w.billing.pk},
        expect=PLANNER_API,
        default=200,
    ),
    Case(
        "api-training-assign",
        method="post",
        kwargs=_course("billing_course"),
        data=lambda w: {"team": w.billing.pk, "due_by": _due(w)},
        expect=PLANNER_API,
        default=200,
    ),
    Case(
        "api-training-check-in",
        method="post",
        kwargs=_session("billing_session"),
        expect={"agent": 200},
        default=403,
    ),
    Case(
        "api-training-attendance",
        method="post",
        kwargs=_session("billing_session"),
        data=lambda w: {"agent": w.ann_agent.pk, "present": True},
        expect={"anonymous": 403, "agent": 403},
        default=200,
    ),
    Case(
        "api-training-attendance",
        method="post",
        label="cards",
        kwargs=_session("cards_session"),
        data=lambda w: {"agent": w.bob_agent.pk, "present": False},
        expect={"anonymous": 403, "agent": 404, "team_lead": 403, "qa_analyst": 403},
        default=200,
    ),
]


@pytest.fixture
def training_world(cast):
    from scheduling.training import services

    w = SimpleNamespace(**vars(cast))
    now = timezone.now()
    w.billing_course = services.training_course_create(actor=cast.tina, title="Billing")
    w.billing_session = services.training_session_add(
        actor=cast.tina,
        course=w.billing_course,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        place="Room 3",
        trainer=cast.quinn,
    )
    services.training_invite(actor=cast.tina, course=w.billing_course, team=cast.billing)
    w.cards_course = services.training_course_create(actor=cast.tom, title="Cards")
    w.cards_session = services.training_session_add(
        actor=cast.tom,
        course=w.cards_course,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        place="Room 4",
    )
    services.training_invite(actor=cast.tom, course=w.cards_course, team=cast.cards)
    return w


@pytest.mark.parametrize("role", ROLES)
def test_training_permission_matrix(training_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, training_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_training_url():
    from scheduling.training.urls import urlpatterns

    assert {p.name for p in urlpatterns} <= {case.url_name for case in MATRIX}
