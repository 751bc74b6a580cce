"""Coaching pages and API: every endpoint × every role (and anonymous).

The world: tina (Billing's lead) coached ann on her evaluation; tom (Cards' lead) coached bob,
so tina is "another team's lead" for bob's session and quinn (QA) a reader but not its coach.
"""

from datetime import timedelta
from types import SimpleNamespace

import pytest

from tests.permissions import ROLES, Case, check_case
from tests.qa.conftest import released_evaluation

LOGIN = {"anonymous": 302}
COACH_PAGE = {"anonymous": 302, "agent": 403, "admin": 403}
API_ANON = {"anonymous": 403}


def _due(w):
    return (w.today + timedelta(days=3)).isoformat()


def _page_outcomes(session):
    return lambda w: {f"outcome_{a.pk}": "done" for a in getattr(w, session).actions.all()}


def _api_outcomes(session):
    return lambda w: {
        "outcomes": [{"action": a.pk, "outcome": "done"} for a in getattr(w, session).actions.all()]
    }


def _session(name):
    return lambda w: {"session_id": getattr(w, name).pk}


MATRIX = [
    Case("qa-coaching", api=False, expect=LOGIN, default=200),
    Case("qa-coaching-new", api=False, expect=COACH_PAGE, default=200),
    Case(
        "qa-coaching-new",
        api=False,
        label="from bob's evaluation",
        data=lambda w: {"evaluation": w.ev_bob.pk},
        expect={**COACH_PAGE, "team_lead": 403},
        default=200,
    ),
    Case(
        "qa-coaching-new",
        method="post",
        api=False,
        data=lambda w: {
            "evaluation": w.ev.pk,
            "topic": "Greeting",
            "action_0": "Say the company name",
            "due_0": _due(w),
        },
        expect=COACH_PAGE,
        default=302,
    ),
    Case(
        "qa-coaching-new",
        method="post",
        api=False,
        label="bob's evaluation",
        data=lambda w: {
            "evaluation": w.ev_bob.pk,
            "topic": "Greeting",
            "action_0": "Say the company name",
            "due_0": _due(w),
        },
        expect={**COACH_PAGE, "team_lead": 403},
        default=302,
    ),
    Case(
        "qa-coaching-session",
        api=False,
        kwargs=_session("ann_session"),
        expect=LOGIN,
        default=200,
    ),
    Case(
        "qa-coaching-session",
        api=False,
        label="bob's",
        kwargs=_session("bob_session"),
        expect={**LOGIN, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "qa-coaching-session",
        api=False,
        label="bob's, leads read the floor",
        kwargs=_session("bob_session"),
        settings={"CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR": True},
        expect={**LOGIN, "agent": 404},
        default=200,
    ),
    Case(
        "qa-coaching-acknowledge",
        method="post",
        api=False,
        kwargs=_session("ann_session"),
        expect={"anonymous": 302, "agent": 302},
        default=403,
    ),
    Case(
        "qa-coaching-acknowledge",
        method="post",
        api=False,
        label="bob's",
        kwargs=_session("bob_session"),
        expect={"anonymous": 302, "agent": 404},
        default=403,
    ),
    Case(
        "qa-coaching-follow-up",
        method="post",
        api=False,
        kwargs=_session("ann_session"),
        data=_page_outcomes("ann_session"),
        expect={"anonymous": 302, "team_lead": 302, "supervisor": 302},
        default=403,
    ),
    Case(
        "qa-coaching-follow-up",
        method="post",
        api=False,
        label="bob's",
        kwargs=_session("bob_session"),
        data=_page_outcomes("bob_session"),
        expect={"anonymous": 302, "team_lead": 404, "supervisor": 302},
        default=403,
    ),
    # --- API ---
    Case("api-coaching-list", expect=API_ANON, default=200),
    Case(
        "api-coaching-list",
        method="post",
        data=lambda w: {
            "evaluation": w.ev.pk,
            "topic": "Greeting",
            "actions": [{"text": "Say the company name", "due_on": _due(w)}],
        },
        expect={"anonymous": 403, "agent": 403, "admin": 403},
        default=201,
    ),
    Case(
        "api-coaching-list",
        method="post",
        label="bob's evaluation",
        data=lambda w: {
            "evaluation": w.ev_bob.pk,
            "topic": "Greeting",
            "actions": [{"text": "Say the company name", "due_on": _due(w)}],
        },
        expect={"anonymous": 403, "agent": 403, "admin": 403, "team_lead": 403},
        default=201,
    ),
    Case("api-coaching-detail", kwargs=_session("ann_session"), expect=API_ANON, default=200),
    Case(
        "api-coaching-detail",
        label="bob's",
        kwargs=_session("bob_session"),
        expect={**API_ANON, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-coaching-acknowledge",
        method="post",
        kwargs=_session("ann_session"),
        data={"comment": "Will do."},
        expect={"agent": 200},
        default=403,
    ),
    Case(
        "api-coaching-follow-up",
        method="post",
        kwargs=_session("ann_session"),
        data=_api_outcomes("ann_session"),
        expect={"team_lead": 200, "supervisor": 200},
        default=403,
    ),
    Case(
        "api-coaching-follow-up",
        method="post",
        label="bob's",
        kwargs=_session("bob_session"),
        data=_api_outcomes("bob_session"),
        expect={"team_lead": 404, "agent": 404, "supervisor": 200},
        default=403,
    ),
]


@pytest.fixture
def coaching_world(cast, world, ann_evaluation):
    from qa.coaching import services
    from qa.services import local_today

    w = SimpleNamespace(**vars(cast), **vars(world))
    w.today = local_today()
    w.ev = ann_evaluation
    w.ev_bob = released_evaluation(world, cast.bob_agent, call=world.bob_call, greeting=0)
    due = w.today + timedelta(days=7)
    w.ann_session = services.coaching_create(
        coach=cast.tina,
        evaluation=w.ev,
        topic="Greeting",
        actions=[{"text": "Name the company", "due_on": due}],
    )
    w.bob_session = services.coaching_create(
        coach=cast.tom,
        evaluation=w.ev_bob,
        topic="Greeting",
        actions=[{"text": "Name the company", "due_on": due}, {"text": "Smile", "due_on": due}],
    )
    return w


@pytest.mark.parametrize("role", ROLES)
def test_coaching_permission_matrix(coaching_world, role):
    failures = []
    for case in MATRIX:
        try:
            check_case(case, coaching_world, role)
        except AssertionError as error:
            failures.append(str(error).splitlines()[0])
    assert not failures, "\n".join(failures)


def test_the_matrix_covers_every_coaching_url():
    from qa.coaching.urls import urlpatterns

    assert {p.name for p in urlpatterns} <= {case.url_name for case in MATRIX}
