"""Reports: every page, export and API × every role (and anonymous).

Agents see only their own agent report; team leads their team and its agents; supervisors and
admins everything; QA analysts no report.
"""

import pytest

from tests.permissions import Case, cases_by_role, check_case

ALL_ONLY_PAGE = {"anonymous": 302, "supervisor": 200, "admin": 200}
ALL_ONLY_API = {"supervisor": 200, "admin": 200}
RANGE = {"start": "2026-03-01", "end": "2026-03-07"}


def ann(c):
    return {"agent_id": c.ann_agent.pk}


def bob(c):
    return {"agent_id": c.bob_agent.pk}


def billing(c):
    return {"team_id": c.billing.pk}


def cards(c):
    return {"team_id": c.cards.pk}


MATRIX = [
    Case("reports", api=False, expect={"anonymous": 302, "qa_analyst": 403}, default=200),
    Case("report-queue", api=False, data=RANGE, expect=ALL_ONLY_PAGE, default=403),
    Case(
        "report-queue",
        api=False,
        data={**RANGE, "export": "xlsx"},
        expect=ALL_ONLY_PAGE,
        default=403,
    ),
    Case(
        "report-queue",
        api=False,
        data={**RANGE, "export": "csv"},
        expect=ALL_ONLY_PAGE,
        default=403,
    ),
    Case("report-site", api=False, data=RANGE, expect=ALL_ONLY_PAGE, default=403),
    Case(
        "report-site",
        api=False,
        data={**RANGE, "export": "xlsx"},
        expect=ALL_ONLY_PAGE,
        default=403,
    ),
    Case("report-abandoned", api=False, data=RANGE, expect=ALL_ONLY_PAGE, default=403),
    Case(
        "report-abandoned",
        api=False,
        data={**RANGE, "export": "csv"},
        expect=ALL_ONLY_PAGE,
        default=403,
    ),
    # Ann is an agent of Billing (led by tina); Bob is in Cards.
    Case(
        "report-agent",
        api=False,
        kwargs=ann,
        data=RANGE,
        expect={"anonymous": 302, "agent": 200, "team_lead": 200, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "report-agent",
        api=False,
        kwargs=ann,
        data={**RANGE, "export": "xlsx"},
        expect={"anonymous": 302, "agent": 200, "team_lead": 200, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "report-agent",
        api=False,
        kwargs=bob,
        data=RANGE,
        expect={"anonymous": 302, "agent": 403, "team_lead": 403, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "report-team",
        api=False,
        kwargs=billing,
        data=RANGE,
        expect={"anonymous": 302, "agent": 403, "team_lead": 200, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "report-team",
        api=False,
        kwargs=billing,
        data={**RANGE, "export": "csv"},
        expect={"anonymous": 302, "agent": 403, "team_lead": 200, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "report-team",
        api=False,
        kwargs=cards,
        data=RANGE,
        expect={"anonymous": 302, "agent": 403, "team_lead": 403, "qa_analyst": 403},
        default=200,
    ),
    Case("api-report-queue", data=RANGE, expect=ALL_ONLY_API, default=403),
    Case("api-report-site", data=RANGE, expect=ALL_ONLY_API, default=403),
    Case("api-report-abandoned", data=RANGE, expect=ALL_ONLY_API, default=403),
    Case(
        "api-report-agent",
        kwargs=ann,
        data=RANGE,
        expect={"anonymous": 403, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "api-report-agent",
        kwargs=bob,
        data=RANGE,
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
    Case(
        "api-report-team",
        kwargs=billing,
        data=RANGE,
        expect={"team_lead": 200, "supervisor": 200, "admin": 200},
        default=403,
    ),
    Case(
        "api-report-team",
        kwargs=cards,
        data=RANGE,
        expect={"supervisor": 200, "admin": 200},
        default=403,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_report_permission_matrix(cast, case, role):
    check_case(case, cast, role)


def test_an_agent_sees_only_their_own_report_in_the_index(cast):
    from django.test import Client

    client = Client()
    client.force_login(cast.ann)
    page = client.get("/reports/").content.decode()
    assert f"/reports/agents/{cast.ann_agent.pk}/" in page
    assert f"/reports/agents/{cast.bob_agent.pk}/" not in page
    assert "/reports/queues/" not in page
