"""People, teams, notifications and the role homes: every endpoint × every role."""

import pytest

from tests.permissions import Case, cases_by_role, check_case

STAFF_OK = {
    "anonymous": 403,
    "agent": 403,
    "team_lead": 200,
    "qa_analyst": 200,
    "supervisor": 200,
    "admin": 200,
}
ADMIN_ONLY_CREATE = {
    "anonymous": 403,
    "agent": 403,
    "team_lead": 403,
    "qa_analyst": 403,
    "supervisor": 403,
    "admin": 201,
}
ANY_USER = {"anonymous": 403}
WHOLE_FLOOR = {"CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR": True}

MATRIX = [
    Case("home", api=False, default=302),
    Case("healthz", api=False, default=200),
    # Anyone may pick a language (the login page has the switch); CSRF still applies.
    Case("set_language", method="post", api=False, data={"language": "zh-hans"}, default=302),
    Case("set_language", api=False, default=405),
    Case("javascript-catalog", api=False, default=200),
    Case("notifications", api=False, expect={"anonymous": 302}, default=200),
    Case("notifications", method="post", api=False, default=302),
    Case(
        "floor", api=False, expect={"anonymous": 302, "agent": 403, "qa_analyst": 403}, default=200
    ),
    Case("my-quality", api=False, expect={"anonymous": 302, "agent": 200}, default=403),
    Case(
        "qa-worklist",
        api=False,
        expect={"anonymous": 302, "agent": 403, "team_lead": 403},
        default=200,
    ),
    Case(
        "handovers",
        api=False,
        expect={"anonymous": 302, "agent": 403, "qa_analyst": 403},
        default=200,
    ),
    Case("api-me", expect=ANY_USER, default=200),
    Case("api-team-list", expect=STAFF_OK),
    Case("api-team-list", method="post", data={"name": "Loans"}, expect=ADMIN_ONLY_CREATE),
    Case("api-team-detail", kwargs=lambda c: {"team_id": c.billing.pk}, expect=STAFF_OK),
    # An agent may list agents: the list then holds only themself (see test_api).
    Case("api-agent-list", expect=ANY_USER, default=200),
    Case(
        "api-agent-list",
        method="post",
        data=lambda c: {
            "username": "zed",
            "display_name": "Zed Agent",
            "employee_number": "E9999",
            "team": c.billing.pk,
            "aliases": ["PJSIP/9999"],
        },
        expect=ADMIN_ONLY_CREATE,
    ),
    # Ann may read her own profile; another agent's is not found for her.
    Case(
        "api-agent-detail",
        kwargs=lambda c: {"agent_id": c.ann_agent.pk},
        expect=ANY_USER,
        default=200,
    ),
    # Bob is in Cards: tina (the matrix's team lead, Billing) does not read him, unless the site
    # lets team leads read the whole floor.
    Case(
        "api-agent-detail",
        kwargs=lambda c: {"agent_id": c.bob_agent.pk},
        expect={"anonymous": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-agent-detail",
        kwargs=lambda c: {"agent_id": c.bob_agent.pk},
        expect={"anonymous": 403, "agent": 404},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-agent-detail",
        method="patch",
        kwargs=lambda c: {"agent_id": c.bob_agent.pk},
        data={"display_name": "Bob B. Agent"},
        expect={"anonymous": 403, "admin": 200},
        default=403,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-agent-detail",
        method="patch",
        kwargs=lambda c: {"agent_id": c.ann_agent.pk},
        data={"display_name": "Ann B. Agent"},
        expect={"anonymous": 403, "admin": 200},
        default=403,
    ),
    Case("api-notification-list", expect=ANY_USER, default=200),
    Case("api-notification-read", method="post", data={}, expect=ANY_USER, default=200),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
