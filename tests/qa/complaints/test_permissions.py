"""Complaints: every page and API endpoint × every role (and anonymous).

Cases are ann's (agent, Billing team led by tina) unless named `bob_case` (Cards team, tom).
Who may act: the owner, any supervisor and the lead of the case's team; QA analysts and
administrators read (masked) but never act.
"""

from datetime import timedelta

import pytest
from django.utils import timezone

from qa.complaints import services
from qa.complaints.models import CallbackOutcome
from tests.permissions import Case, cases_by_role, check_case
from tests.qa.complaints.conftest import walk_to_callback

PAGE_ANY = {"anonymous": 302}
PAGE_LOGGERS = {"anonymous": 302, "qa_analyst": 403, "admin": 403}
PAGE_QUEUE = {"anonymous": 302, "agent": 403}
PAGE_ESCALATIONS = {"anonymous": 302, "agent": 403, "qa_analyst": 403}
PAGE_TAKEOVER = {"anonymous": 302, "agent": 403, "qa_analyst": 403, "admin": 403}
# A page action done: redirect; refused: 403.
PAGE_WORKERS = {
    "anonymous": 302,
    "agent": 302,
    "team_lead": 302,
    "supervisor": 302,
    "qa_analyst": 403,
    "admin": 403,
}

API_ANY = {"anonymous": 403}
API_LOGGERS = {"anonymous": 403, "qa_analyst": 403, "admin": 403}
API_QUEUE = {"anonymous": 403, "agent": 403}
API_TAKEOVER = {"anonymous": 403, "agent": 403, "qa_analyst": 403, "admin": 403}
API_WORKERS = {
    "anonymous": 403,
    "agent": 200,
    "team_lead": 200,
    "supervisor": 200,
    "qa_analyst": 403,
    "admin": 403,
}
API_WORKERS_REFUSED = {**API_WORKERS, "agent": 400, "team_lead": 400, "supervisor": 400}
BOB_CASE = {"anonymous": 403, "agent": 404, "team_lead": 404}


def case_id(name):
    return lambda c: {"complaint_id": getattr(c.cases, name).pk}


def live_id(c):
    return {"live_id": c.cases.live.pk}


def new_complaint(c):
    return {
        "customer_name": "Jo Bloggs",
        "customer_contact": "jo@example.com",
        "category": c.cases.category.pk,
        "description": "Waited an hour.",
        "severity": "high",
    }


def future(c):
    return {"callback_at": (timezone.now() + timedelta(hours=3)).isoformat()}


MATRIX = [
    # pages
    Case("complaint-list", api=False, expect=PAGE_ANY, default=200),
    Case("complaint-create", api=False, expect=PAGE_LOGGERS, default=200),
    Case(
        "complaint-create",
        method="post",
        api=False,
        data=new_complaint,
        expect=PAGE_LOGGERS,
        default=302,
    ),
    Case("complaint-detail", api=False, kwargs=case_id("new"), expect=PAGE_ANY, default=200),
    Case(
        "complaint-detail",
        api=False,
        kwargs=case_id("bob_case"),
        expect={"anonymous": 302, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "complaint-action",
        method="post",
        api=False,
        kwargs=lambda c: {"complaint_id": c.cases.new.pk, "action": "acknowledge"},
        expect=PAGE_WORKERS,
    ),
    Case(
        "complaint-action",
        method="post",
        api=False,
        data={"text": "Called twice."},
        kwargs=lambda c: {"complaint_id": c.cases.new.pk, "action": "note"},
        expect=PAGE_WORKERS,
    ),
    Case(
        "complaint-action",
        method="post",
        api=False,
        data={"reason": "Loud"},
        kwargs=lambda c: {"complaint_id": c.cases.bob_case.pk, "action": "escalate"},
        expect={**PAGE_WORKERS, "agent": 404, "team_lead": 404},
    ),
    Case(
        "complaint-action",
        method="post",
        api=False,
        kwargs=lambda c: {"complaint_id": c.cases.new.pk, "action": "explode"},
        expect={"anonymous": 302},
        default=404,
    ),
    # Closing without a call-back: refused with the page re-rendered (400) for those who work it.
    Case(
        "complaint-action",
        method="post",
        api=False,
        data=lambda c: {"root_cause": c.cases.root_cause.pk, "corrective_action": "x"},
        kwargs=lambda c: {"complaint_id": c.cases.awaiting.pk, "action": "close"},
        expect={**PAGE_WORKERS, "agent": 400, "team_lead": 400, "supervisor": 400},
    ),
    Case("complaint-escalations", api=False, expect=PAGE_ESCALATIONS, default=200),
    Case("complaint-reports", api=False, expect=PAGE_QUEUE, default=200),
    Case(
        "complaint-report-export", api=False, kwargs={"fmt": "xlsx"}, expect=PAGE_QUEUE, default=200
    ),
    Case(
        "complaint-report-export", api=False, kwargs={"fmt": "csv"}, expect=PAGE_QUEUE, default=200
    ),
    Case(
        "live-escalation-raise",
        method="post",
        api=False,
        data={"reason": "Customer asks for a supervisor"},
        expect=PAGE_LOGGERS,
        default=302,
    ),
    Case(
        "live-escalation-action",
        method="post",
        api=False,
        kwargs=lambda c: {"live_id": c.cases.live.pk, "action": "take"},
        expect=PAGE_TAKEOVER,
        default=302,
    ),
    # API
    Case("api-complaint-list", expect=API_ANY, default=200),
    Case("api-complaint-list", method="post", data=new_complaint, expect=API_LOGGERS, default=201),
    Case("api-complaint-detail", kwargs=case_id("new"), expect=API_ANY, default=200),
    Case("api-complaint-detail", kwargs=case_id("bob_case"), expect=BOB_CASE, default=200),
    Case("api-complaint-history", kwargs=case_id("new"), expect=API_ANY, default=200),
    Case("api-complaint-history", kwargs=case_id("bob_case"), expect=BOB_CASE, default=200),
    Case("api-complaint-acknowledge", method="post", kwargs=case_id("new"), expect=API_WORKERS),
    Case(
        "api-complaint-acknowledge",
        method="post",
        kwargs=case_id("bob_case"),
        expect={**API_WORKERS, "agent": 404, "team_lead": 404},
    ),
    # A new case is not investigated before it is acknowledged.
    Case(
        "api-complaint-investigate",
        method="post",
        kwargs=case_id("new"),
        expect=API_WORKERS_REFUSED,
    ),
    Case(
        "api-complaint-investigate",
        method="post",
        kwargs=case_id("acknowledged"),
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-propose-resolution",
        method="post",
        kwargs=case_id("investigating"),
        data={"resolution": "Refund"},
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-await-callback",
        method="post",
        kwargs=case_id("proposed"),
        data=future,
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-await-callback",
        method="post",
        kwargs=case_id("proposed"),
        data={"callback_at": "2020-01-01T10:00:00Z"},
        expect=API_WORKERS_REFUSED,
    ),
    Case(
        "api-complaint-callback",
        method="post",
        kwargs=case_id("awaiting"),
        data={"outcome": CallbackOutcome.SATISFIED},
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-close",
        method="post",
        kwargs=case_id("satisfied"),
        data=lambda c: {"root_cause": c.cases.root_cause.pk, "corrective_action": "Coach"},
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-close",
        method="post",
        kwargs=case_id("awaiting"),
        data=lambda c: {"root_cause": c.cases.root_cause.pk, "corrective_action": "Coach"},
        expect=API_WORKERS_REFUSED,
    ),
    # Only the owner and supervisors reopen a closed case.
    Case(
        "api-complaint-reopen",
        method="post",
        kwargs=case_id("closed"),
        data={"reason": "Customer called again"},
        expect={**API_WORKERS, "team_lead": 403},
    ),
    Case(
        "api-complaint-pause",
        method="post",
        kwargs=case_id("investigating"),
        data={"reason": "Customer sends the bill"},
        expect=API_WORKERS,
    ),
    Case("api-complaint-resume", method="post", kwargs=case_id("paused"), expect=API_WORKERS),
    Case(
        "api-complaint-note",
        method="post",
        kwargs=case_id("new"),
        data={"text": "Hello"},
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-forward",
        method="post",
        kwargs=case_id("new"),
        data={"department": "Finance"},
        expect=API_WORKERS,
    ),
    Case(
        "api-complaint-escalate",
        method="post",
        kwargs=case_id("new"),
        data={"reason": "Threatens to leave"},
        expect=API_WORKERS,
    ),
    Case("api-complaint-categories", expect=API_ANY, default=200),
    Case("api-complaint-reports", expect=API_QUEUE, default=200),
    Case("api-live-escalation-list", expect=API_TAKEOVER, default=200),
    Case(
        "api-live-escalation-list",
        method="post",
        data={"reason": "Wants a supervisor"},
        expect=API_LOGGERS,
        default=201,
    ),
    Case(
        "api-live-escalation-take", method="post", kwargs=live_id, expect=API_TAKEOVER, default=200
    ),
    Case(
        "api-live-escalation-close",
        method="post",
        kwargs=live_id,
        data={},
        expect=API_TAKEOVER,
        default=200,
    ),
]


@pytest.fixture
def matrix_cast(cast, floor):
    """The cast with one of ann's cases in each state, one of bob's, and a live escalation."""
    from types import SimpleNamespace

    def logged(actor=cast.ann, call=None):
        return services.complaint_create(
            actor=actor,
            customer_name="Jane Doe",
            customer_contact="+44 20 7946 0958",
            category=floor.billing_errors,
            description="Charged twice.",
            calls=[call] if call else [],
        )

    ann, now = cast.ann, timezone.now()
    acknowledged = services.complaint_acknowledge(complaint=logged(), actor=ann)
    investigating = services.complaint_investigate(
        complaint=services.complaint_acknowledge(complaint=logged(), actor=ann), actor=ann
    )
    proposed = services.complaint_investigate(
        complaint=services.complaint_acknowledge(complaint=logged(), actor=ann), actor=ann
    )
    services.complaint_propose_resolution(complaint=proposed, actor=ann, resolution="Refund")
    paused = services.complaint_acknowledge(complaint=logged(), actor=ann)
    services.complaint_pause(complaint=paused, actor=ann, reason="Customer sends the bill")
    awaiting = walk_to_callback(logged(), ann)
    satisfied = walk_to_callback(logged(), ann)
    services.complaint_record_callback(
        complaint=satisfied, actor=ann, outcome=CallbackOutcome.SATISFIED
    )
    closed = walk_to_callback(logged(), ann)
    services.complaint_record_callback(
        complaint=closed, actor=ann, outcome=CallbackOutcome.SATISFIED
    )
    services.complaint_close(
        complaint=closed,
        actor=ann,
        root_cause=floor.process,
        corrective_action="Fix the billing run.",
        now=now,
    )
    cast.cases = SimpleNamespace(
        new=logged(call=floor.ann_call),
        acknowledged=acknowledged,
        investigating=investigating,
        proposed=proposed,
        paused=paused,
        awaiting=awaiting,
        satisfied=satisfied,
        closed=closed,
        bob_case=logged(actor=cast.bob, call=floor.bob_call),
        live=services.live_escalation_raise(
            actor=cast.ann, reason="Asks for a supervisor", call=floor.ann_call
        ),
        category=floor.billing_errors,
        root_cause=floor.process,
    )
    return cast


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(matrix_cast, case, role):
    check_case(case, matrix_cast, role)
