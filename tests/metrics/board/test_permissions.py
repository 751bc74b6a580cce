"""The wall board's pages and floor actions: every endpoint × every role (and anonymous).

Supervisors and admins act on the whole floor; a team lead (tina, Billing) acts on Billing's
agents only; agents ask for help and see their own strip; QA analysts have no floor. Taking
over a call is for supervisors and team leads only (as for live escalations): an admin sets the
floor up, broadcasts and acknowledges, but takes no call over.
"""

import pytest

from tests.permissions import Case, cases_by_role, check_case


def _broadcast(cast):
    from metrics.board.actions import broadcast_send

    return broadcast_send(actor=cast.sam, text="Use the fallback script")


def _help(user):
    from metrics.board.actions import help_request_create

    return help_request_create(user=user, reason="technical")


def _takeover(cast, agent):
    from metrics.board.actions import takeover_start

    return takeover_start(actor=cast.sam, agent=agent)


FORBIDDEN = 403
MANAGERS = {"anonymous": 403, "agent": 403, "qa_analyst": 403}
TAKERS = {**MANAGERS, "admin": 403}

MATRIX = [
    Case("floor-me", api=False, expect={"anonymous": 302, "agent": 200}, default=FORBIDDEN),
    Case("api-floor-snapshot", expect={"anonymous": 403, "qa_analyst": 403}, default=200),
    Case(
        "api-floor-broadcasts",
        method="post",
        data={"text": "Outage: use the fallback"},
        expect={"supervisor": 201, "admin": 201},
        default=FORBIDDEN,
    ),
    Case(
        "api-floor-broadcast-withdraw",
        method="post",
        data={},
        kwargs=lambda c: {"broadcast_id": _broadcast(c).pk},
        expect={"supervisor": 200, "admin": 200},
        default=FORBIDDEN,
    ),
    Case(
        "api-floor-help-requests",
        method="post",
        data={"reason": "escalation"},
        expect={"agent": 201},
        default=FORBIDDEN,
    ),
    Case(
        "api-floor-help-request-take",
        method="post",
        data={},
        kwargs=lambda c: {"request_id": _help(c.ann).pk},
        expect=MANAGERS,
        default=200,
    ),
    # Bob is in Cards: tina (lead of Billing) may not take his request.
    Case(
        "api-floor-help-request-take",
        method="post",
        data={},
        kwargs=lambda c: {"request_id": _help(c.bob).pk},
        expect={**MANAGERS, "team_lead": 403},
        default=200,
    ),
    Case(
        "api-floor-help-request-cancel",
        method="post",
        data={},
        kwargs=lambda c: {"request_id": _help(c.ann).pk},
        expect={"agent": 200},
        default=FORBIDDEN,
    ),
    # Ann cannot cancel Bob's request: it is not found for her.
    Case(
        "api-floor-help-request-cancel",
        method="post",
        data={},
        kwargs=lambda c: {"request_id": _help(c.bob).pk},
        expect={"agent": 404},
        default=FORBIDDEN,
    ),
    Case(
        "api-floor-takeovers",
        method="post",
        data=lambda c: {"agent": c.ann_agent.pk},
        expect=TAKERS,
        default=201,
    ),
    Case(
        "api-floor-takeovers",
        method="post",
        data=lambda c: {"agent": c.bob_agent.pk},
        expect={**TAKERS, "team_lead": 403},
        default=201,
    ),
    Case(
        "api-floor-takeover-finish",
        method="post",
        data={},
        kwargs=lambda c: {"takeover_id": _takeover(c, c.ann_agent).pk},
        expect=TAKERS,
        default=200,
    ),
    Case(
        "api-floor-takeover-finish",
        method="post",
        data={},
        kwargs=lambda c: {"takeover_id": _takeover(c, c.bob_agent).pk},
        expect={**TAKERS, "team_lead": 403},
        default=200,
    ),
    Case(
        "api-floor-alert-ack",
        method="post",
        data={"key": "queue_sl:1:2026-03-02"},
        expect=MANAGERS,
        default=201,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
