"""Telephony and floor endpoints: every endpoint × every role (and anonymous).

The ingest endpoint takes only a source token: no session user, whatever the role, gets in.
"""

import pytest

from tests.permissions import Case, cases_by_role, check_case

MATRIX = [
    Case("api-telephony-events", method="post", data={"events": []}, default=401),
    Case(
        "api-telephony-unmapped-members",
        expect={"anonymous": 403, "agent": 403, "team_lead": 403, "qa_analyst": 403},
        default=200,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
