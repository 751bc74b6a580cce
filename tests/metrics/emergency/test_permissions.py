"""Emergency plans: every page and API × every role (and anonymous).

Supervisors and admins keep the library, start plans, schedule and run drills, close and keep
attendance; team leads tick steps and write notes; everyone on the floor reads the plans that
concern them (the site-wide plan; the Cards plan only its team, tom, and the readers of every
plan). The drill report is for supervisors, team leads and admins.
"""

from datetime import timedelta

import pytest

from tests.metrics.emergency.conftest import make_plan
from tests.permissions import Case, cases_by_role, check_case

ANON_PAGE = {"anonymous": 302}
EDITORS_PAGE = {**ANON_PAGE, "supervisor": 200, "admin": 200}
EDITORS_API = {"supervisor": 201, "admin": 201}


def _site_plan(cast):
    return make_plan(cast, title="Site plan")


def _cards_plan(cast):
    return make_plan(cast, title="Cards plan", teams=[cast.cards], roles=[])


def _live(cast, plan=None):
    from metrics.emergency.services import activation_start

    return activation_start(actor=cast.sam, plan=plan or _site_plan(cast))


def _scheduled(cast):
    from django.utils import timezone

    from metrics.emergency.services import drill_schedule

    return drill_schedule(
        actor=cast.sam, plan=_site_plan(cast), scheduled_for=timezone.now() + timedelta(days=1)
    )


def _live_drill(cast):
    from metrics.emergency.services import activation_start

    return activation_start(actor=cast.sam, plan=_site_plan(cast), drill=True)


def _step_kwargs(cast):
    activation = _live(cast)
    return {"activation_id": activation.pk, "step_id": activation.steps.first().pk}


PLAN_POST = {
    "title": "Power cut",
    "trigger": "power_cut",
    "broadcast_text": "Power cut: stay at your desk",
    "active": "on",
    "roles-TOTAL_FORMS": "1",
    "roles-INITIAL_FORMS": "0",
    "roles-0-duty": "Calls the building manager",
    "roles-0-role": "supervisor",
    "steps-TOTAL_FORMS": "1",
    "steps-INITIAL_FORMS": "0",
    "steps-0-text": "Switch the PBX to the generator line",
}

MATRIX = [
    Case("emergency-plans", api=False, expect=ANON_PAGE, default=200),
    Case("emergency-plan-new", api=False, expect=EDITORS_PAGE, default=403),
    Case(
        "emergency-plan-new",
        method="post",
        api=False,
        data=PLAN_POST,
        expect={**ANON_PAGE, "supervisor": 302, "admin": 302},
        default=403,
    ),
    Case(
        "emergency-plan",
        api=False,
        kwargs=lambda c: {"plan_id": _site_plan(c).pk},
        expect=ANON_PAGE,
        default=200,
        label="site-wide",
    ),
    Case(
        "emergency-plan",
        api=False,
        kwargs=lambda c: {"plan_id": _cards_plan(c).pk},
        expect={**ANON_PAGE, "agent": 404, "team_lead": 404},
        default=200,
        label="another team's",
    ),
    Case(
        "emergency-plan-edit",
        api=False,
        kwargs=lambda c: {"plan_id": _site_plan(c).pk},
        expect=EDITORS_PAGE,
        default=403,
    ),
    Case(
        "emergency-drill-schedule",
        method="post",
        api=False,
        kwargs=lambda c: {"plan_id": _site_plan(c).pk},
        data={"scheduled_for": "2099-01-05T10:00"},
        expect={**ANON_PAGE, "supervisor": 302, "admin": 302},
        default=403,
    ),
    Case(
        "emergency-activation",
        api=False,
        kwargs=lambda c: {"activation_id": _live(c).pk},
        expect=ANON_PAGE,
        default=200,
        label="site-wide",
    ),
    Case(
        "emergency-activation",
        api=False,
        kwargs=lambda c: {"activation_id": _live(c, _cards_plan(c)).pk},
        expect={**ANON_PAGE, "agent": 404},
        default=200,
        label="another team's",
    ),
    Case(
        "emergency-activation",
        method="post",
        api=False,
        kwargs=lambda c: {"activation_id": _live(c).pk},
        data={"action": "note", "text": "IT called back"},
        expect={**ANON_PAGE, "agent": 403, "qa_analyst": 403},
        default=302,
        label="note",
    ),
    Case(
        "emergency-activation",
        method="post",
        api=False,
        kwargs=lambda c: {"activation_id": _live(c).pk},
        data={"action": "close", "note": "Over in ten minutes"},
        expect={**ANON_PAGE, "supervisor": 302, "admin": 302},
        default=403,
        label="close",
    ),
    Case(
        "emergency-drill-report",
        api=False,
        expect={**ANON_PAGE, "agent": 403, "qa_analyst": 403},
        default=200,
    ),
    Case("api-emergency-plans", expect={"anonymous": 403}, default=200),
    Case(
        "api-emergency-start",
        method="post",
        kwargs=lambda c: {"plan_id": _site_plan(c).pk},
        data={"drill": True},
        expect=EDITORS_API,
        default=403,
    ),
    Case(
        "api-emergency-drill-schedule",
        method="post",
        kwargs=lambda c: {"plan_id": _site_plan(c).pk},
        data={"scheduled_for": "2099-01-05T10:00:00Z"},
        expect=EDITORS_API,
        default=403,
    ),
    Case(
        "api-emergency-drill-start",
        method="post",
        kwargs=lambda c: {"activation_id": _scheduled(c).pk},
        data={},
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
    Case(
        "api-emergency-step",
        method="post",
        kwargs=_step_kwargs,
        data={"done": True},
        expect={"supervisor": 200, "team_lead": 200, "admin": 200},
        default=403,
    ),
    Case(
        "api-emergency-note",
        method="post",
        kwargs=lambda c: {"activation_id": _live(c).pk},
        data={"text": "Generator on"},
        expect={"supervisor": 201, "team_lead": 201, "admin": 201},
        default=403,
    ),
    Case(
        "api-emergency-close",
        method="post",
        kwargs=lambda c: {"activation_id": _live(c).pk},
        data={"note": "Power back at 10:40"},
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
    Case(
        "api-emergency-attendance",
        method="post",
        kwargs=lambda c: {"activation_id": _live_drill(c).pk},
        data=lambda c: {"person": c.ann.pk},
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
