"""Scheduling: every endpoint × every role (and anonymous).

The world: a handover from tina (Billing lead) to tom with sam copied, and one from tom to
tina (so that tina, the matrix's team lead, is the incoming lead of a handover).
"""

import pytest

from tests.permissions import Case, cases_by_role, check_case
from tests.scheduling.conftest import send_handover

PAGE_LEADS = {"anonymous": 302, "agent": 403, "qa_analyst": 403}
API_LEADS = {"anonymous": 403, "agent": 403, "qa_analyst": 403}
PAGE_DENY = {"anonymous": 302}
API_DENY = {"anonymous": 403}

MATRIX = [
    # --- handovers (pages) ---
    Case("handovers", api=False, expect=PAGE_LEADS, default=200),
    Case("handover-open-cases", api=False, expect=PAGE_LEADS, default=200),
    Case("handover-new", api=False, expect={**PAGE_DENY, "team_lead": 200}, default=403),
    Case("handover-new", method="post", api=False, data={},
         expect={**PAGE_DENY, "team_lead": 400}, default=403),
    Case("handover-detail", api=False, kwargs=lambda c: {"handover_id": c.sent.pk},
         expect=PAGE_LEADS, default=200),
    Case("handover-edit", method="post", api=False, kwargs=lambda c: {"handover_id": c.sent.pk},
         data={"summary": "edited"}, expect={**PAGE_DENY, "team_lead": 302}, default=403),
    Case("handover-acknowledge", method="post", api=False,
         kwargs=lambda c: {"handover_id": c.received.pk},
         expect={**PAGE_DENY, "team_lead": 302}, default=403),
    Case("handover-addendum", method="post", api=False,
         kwargs=lambda c: {"handover_id": c.sent.pk}, data={"text": "later"},
         expect={**PAGE_DENY, "team_lead": 302, "supervisor": 302}, default=403),
    Case("handover-case-confirm", method="post", api=False,
         kwargs=lambda c: {"case_id": c.received_high.pk},
         expect={**PAGE_DENY, "team_lead": 302}, default=403),
    Case("handover-case-outcome", method="post", api=False,
         kwargs=lambda c: {"case_id": c.received_high.pk},
         data={"outcome": "resolved", "note": "done"},
         expect={**PAGE_DENY, "team_lead": 302}, default=403),
    # --- handovers (API) ---
    Case("api-handover-list", expect=API_LEADS, default=200),
    Case("api-handover-list", method="post",
         data={"to_lead": "tom", "supervisor": "sam", "shift_date": "2026-11-23",
               "shift_name": "late", "summary": "calm"},
         expect={**API_DENY, "team_lead": 201}, default=403),
    Case("api-handover-open-cases", expect=API_LEADS, default=200),
    Case("api-handover-detail", kwargs=lambda c: {"handover_id": c.sent.pk},
         expect=API_LEADS, default=200),
    Case("api-handover-detail", method="patch", kwargs=lambda c: {"handover_id": c.sent.pk},
         data={"summary": "edited"}, expect={**API_LEADS, "team_lead": 200}, default=403),
    Case("api-handover-acknowledge", method="post",
         kwargs=lambda c: {"handover_id": c.received.pk},
         expect={**API_LEADS, "team_lead": 400}, default=403),
    Case("api-handover-addendum", method="post", kwargs=lambda c: {"handover_id": c.sent.pk},
         data={"text": "later"}, expect={**API_LEADS, "team_lead": 201, "supervisor": 201},
         default=403),
    Case("api-handover-case-confirm", method="post",
         kwargs=lambda c: {"case_id": c.received_high.pk},
         expect={**API_LEADS, "team_lead": 200}, default=403),
    Case("api-handover-case-outcome", method="post",
         kwargs=lambda c: {"case_id": c.received_high.pk},
         data={"outcome": "resolved", "note": "done"},
         expect={**API_LEADS, "team_lead": 409}, default=403),
]


@pytest.fixture
def world(cast):
    cast.sent = send_handover(cast)
    cast.received = send_handover(cast, author=cast.tom, to_lead=cast.tina)
    cast.received_high = cast.received.cases.get(severity="high")
    return cast


@pytest.mark.parametrize(("case", "role"), cases_by_role(MATRIX),
                         ids=lambda v: v.id() if hasattr(v, "id") else v)
def test_permission_matrix(world, case, role):
    check_case(case, world, role)
