"""Scheduling: every endpoint × every role (and anonymous).

The world (on top of `floor`): a swap Ann proposed to Cy, a leave request of Ann, a handover
from tina (Billing lead) to tom with sam copied, and one from tom to
tina (so that tina, the matrix's team lead, is the incoming lead of a handover).
"""

from datetime import timedelta

import pytest

from tests.permissions import Case, cases_by_role, check_case
from tests.scheduling.conftest import send_handover

WEEKS3 = timedelta(weeks=3)
PAGE_LEADS = {"anonymous": 302, "agent": 403, "qa_analyst": 403}
API_LEADS = {"anonymous": 403, "agent": 403, "qa_analyst": 403}
PAGE_DENY = {"anonymous": 302}
API_DENY = {"anonymous": 403}
# The site lets team leads read (not act on) every team's schedules, leave and attendance.
WHOLE_FLOOR = {"CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR": True}

MATRIX = [
    # --- handovers (pages) ---
    Case("handovers", api=False, expect=PAGE_LEADS, default=200),
    Case("handover-open-cases", api=False, expect=PAGE_LEADS, default=200),
    Case("handover-new", api=False, expect={**PAGE_DENY, "team_lead": 200}, default=403),
    Case(
        "handover-new",
        method="post",
        api=False,
        data={},
        expect={**PAGE_DENY, "team_lead": 400},
        default=403,
    ),
    Case(
        "handover-detail",
        api=False,
        kwargs=lambda c: {"handover_id": c.sent.pk},
        expect=PAGE_LEADS,
        default=200,
    ),
    Case(
        "handover-acknowledge",
        method="post",
        api=False,
        kwargs=lambda c: {"handover_id": c.received.pk},
        expect={**PAGE_DENY, "team_lead": 302},
        default=403,
    ),
    Case(
        "handover-addendum",
        method="post",
        api=False,
        kwargs=lambda c: {"handover_id": c.sent.pk},
        data={"text": "later"},
        expect={**PAGE_DENY, "team_lead": 302, "supervisor": 302},
        default=403,
    ),
    Case(
        "handover-case-confirm",
        method="post",
        api=False,
        kwargs=lambda c: {"case_id": c.received_high.pk},
        expect={**PAGE_DENY, "team_lead": 302},
        default=403,
    ),
    Case(
        "handover-case-outcome",
        method="post",
        api=False,
        kwargs=lambda c: {"case_id": c.received_high.pk},
        data={"outcome": "resolved", "note": "done"},
        expect={**PAGE_DENY, "team_lead": 302},
        default=403,
    ),
    Case(
        "handover-addendum-acknowledge",
        method="post",
        api=False,
        kwargs=lambda c: {"addendum_id": c.received_addendum.pk},
        expect={**PAGE_DENY, "team_lead": 302},
        default=403,
    ),
    # --- agents' unfinished cases: an agent hands over their own; their team's lead decides ---
    Case("my-leftover-cases", api=False, expect={**PAGE_DENY, "agent": 200}, default=403),
    Case(
        "my-leftover-cases",
        method="post",
        api=False,
        data={
            "customer_ref": "C-77",
            "pending": "Refund",
            "promised": "A call back",
            "due_at": "2026-12-07T10:00",
        },
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    # --- schedules, swaps, leave (pages) ---
    Case("schedule", api=False, expect=PAGE_LEADS, default=200),
    Case("schedule-import", method="post", api=False, data={}, expect=PAGE_LEADS, default=400),
    Case(
        "schedule-publish",
        method="post",
        api=False,
        data=lambda c: {"team": c.billing.pk, "week": c.week.isoformat()},
        expect=PAGE_LEADS,
        default=302,
    ),
    Case("my-schedule", api=False, expect={**PAGE_DENY, "agent": 200}, default=403),
    Case("swaps", api=False, expect={**PAGE_DENY, "qa_analyst": 403}, default=200),
    Case(
        "swap-propose",
        method="post",
        api=False,
        data=lambda c: {"shift": c.ann_shift.pk, "colleague_shift": c.cy_shift.pk},
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    Case(
        "swap-detail",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect={**PAGE_DENY, "qa_analyst": 403},
        default=200,
    ),
    # Ann proposed it: she may cancel it, not accept or decline it.
    Case(
        "swap-accept",
        method="post",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect=PAGE_DENY,
        default=403,
    ),
    Case(
        "swap-decline",
        method="post",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect=PAGE_DENY,
        default=403,
    ),
    Case(
        "swap-cancel",
        method="post",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    Case(
        "swap-approve",
        method="post",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect=PAGE_LEADS,
        default=302,
    ),
    Case(
        "swap-refuse",
        method="post",
        api=False,
        kwargs=lambda c: {"swap_id": c.swap.pk},
        data={"reason": "no"},
        expect=PAGE_LEADS,
        default=302,
    ),
    Case("leave", api=False, expect={**PAGE_DENY, "qa_analyst": 403}, default=200),
    # The leads' filters: a team lead filtering on another team gets a 400 naming the team,
    # unless the site lets team leads read the whole floor (agents have no filters).
    Case(
        "leave",
        api=False,
        label="filtered on Cards",
        data=lambda c: {"team": c.cards.pk, "status": "requested", "since": "2026-01-01"},
        expect={**PAGE_DENY, "qa_analyst": 403, "team_lead": 400},
        default=200,
    ),
    Case(
        "leave",
        api=False,
        label="filtered on Cards",
        data=lambda c: {"team": c.cards.pk, "status": "requested", "since": "2026-01-01"},
        expect={**PAGE_DENY, "qa_analyst": 403},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "leave-request",
        method="post",
        api=False,
        data={"first_day": "2099-01-01", "last_day": "2099-01-02"},
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    Case(
        "leave-decide",
        method="post",
        api=False,
        kwargs=lambda c: {"leave_id": c.leave.pk},
        data={"decision": "approve"},
        expect=PAGE_LEADS,
        default=302,
    ),
    # Bob's leave (Cards) decided from the page: not tina's to see, or to decide.
    Case(
        "leave-decide",
        method="post",
        api=False,
        label="another team",
        kwargs=lambda c: {"leave_id": c.bob_leave.pk},
        data={"decision": "refuse", "reason": "short-staffed"},
        expect={**PAGE_LEADS, "team_lead": 404},
        default=302,
    ),
    Case(
        "leave-decide",
        method="post",
        api=False,
        label="another team",
        kwargs=lambda c: {"leave_id": c.bob_leave.pk},
        data={"decision": "refuse", "reason": "short-staffed"},
        expect={**PAGE_LEADS, "team_lead": 403},
        default=302,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "leave-cancel",
        method="post",
        api=False,
        kwargs=lambda c: {"leave_id": c.leave.pk},
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    Case("attendance", api=False, expect=PAGE_LEADS, default=200),
    Case("attendance-export", api=False, data={"format": "csv"}, expect=PAGE_LEADS, default=200),
    Case("staffing", api=False, expect=PAGE_LEADS, default=200),
    # --- schedules, swaps, leave, attendance, staffing (API) ---
    Case(
        "api-staffing",
        data=lambda c: {"queue": c.queue.pk, "day": c.day3.isoformat()},
        expect=API_LEADS,
        default=200,
    ),
    Case(
        "api-attendance",
        data=lambda c: {"team": c.billing.pk, "day": c.day3.isoformat()},
        expect=API_LEADS,
        default=200,
    ),
    Case(
        "api-shift-list",
        data=lambda c: {"team": c.billing.pk, "week": c.day3.isoformat()},
        expect={**API_DENY, "qa_analyst": 403},
        default=200,
    ),
    # Cards is tom's team: tina (the matrix's team lead) reads it only when the site allows.
    Case(
        "api-shift-list",
        label="another team",
        data=lambda c: {"team": c.cards.pk, "week": c.day3.isoformat()},
        expect={**API_DENY, "qa_analyst": 403, "team_lead": 400},
        default=200,
    ),
    Case(
        "api-shift-list",
        label="another team",
        data=lambda c: {"team": c.cards.pk, "week": c.day3.isoformat()},
        expect={**API_DENY, "qa_analyst": 403},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-attendance",
        label="another team",
        data=lambda c: {"team": c.cards.pk, "day": c.day3.isoformat()},
        expect={**API_LEADS, "team_lead": 400},
        default=200,
    ),
    Case(
        "api-attendance",
        label="another team",
        data=lambda c: {"team": c.cards.pk, "day": c.day3.isoformat()},
        expect=API_LEADS,
        default=200,
        settings=WHOLE_FLOOR,
    ),
    # Reading is not publishing: Cards' week stays tom's.
    Case(
        "api-week-publish",
        method="post",
        label="another team",
        data=lambda c: {"team": c.cards.pk, "week": c.draft_week.isoformat()},
        expect={**API_LEADS, "team_lead": 400},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-shift-list",
        method="post",
        data=lambda c: {
            "agent": c.ann_agent.pk,
            "start": f"{c.day3 + WEEKS3}T08:00:00Z",
            "end": f"{c.day3 + WEEKS3}T16:00:00Z",
            "activities": [
                {
                    "kind": "lunch",
                    "start": f"{c.day3 + WEEKS3}T12:00:00Z",
                    "end": f"{c.day3 + WEEKS3}T12:30:00Z",
                }
            ],
        },
        expect=API_LEADS,
        default=201,
    ),
    Case(
        "api-shift-import",
        method="post",
        data=lambda c: {
            "csv": "employee_number,date,start,end,activities\n"
            f"E2004,{c.day3 + WEEKS3},08:00,16:00,break 10:00-10:15\n"
        },
        expect=API_LEADS,
        default=201,
    ),
    Case(
        "api-week-publish",
        method="post",
        data=lambda c: {"team": c.billing.pk, "week": c.draft_week.isoformat()},
        expect=API_LEADS,
        default=200,
    ),
    Case("api-swap-list", expect={**API_DENY, "qa_analyst": 403}, default=200),
    # Ann's shift is in an open swap already: allowed through, refused by the rules.
    Case(
        "api-swap-list",
        method="post",
        data=lambda c: {"shift": c.ann_shift.pk, "colleague_shift": c.cy_shift.pk},
        expect={**API_DENY, "agent": 400},
        default=403,
    ),
    Case(
        "api-swap-detail",
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect={**API_DENY, "qa_analyst": 403},
        default=200,
    ),
    Case("api-swap-accept", method="post", kwargs=lambda c: {"swap_id": c.swap.pk}, default=403),
    Case("api-swap-decline", method="post", kwargs=lambda c: {"swap_id": c.swap.pk}, default=403),
    Case(
        "api-swap-cancel",
        method="post",
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect={"agent": 200},
        default=403,
    ),
    # Not accepted yet: the lead is let through and told the state is wrong.
    Case(
        "api-swap-approve",
        method="post",
        kwargs=lambda c: {"swap_id": c.swap.pk},
        expect=API_LEADS,
        default=409,
    ),
    Case(
        "api-swap-refuse",
        method="post",
        kwargs=lambda c: {"swap_id": c.swap.pk},
        data={"reason": "short-staffed"},
        expect=API_LEADS,
        default=409,
    ),
    Case("api-leave-list", expect={**API_DENY, "qa_analyst": 403}, default=200),
    Case(
        "api-leave-list",
        label="filtered",
        data=lambda c: {"team": c.billing.pk, "status": "requested", "since": "2026-01-01"},
        expect={**API_DENY, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "api-leave-list",
        method="post",
        data={"first_day": "2099-01-01", "last_day": "2099-01-02"},
        expect={"agent": 201},
        default=403,
    ),
    Case(
        "api-leave-decide",
        method="post",
        kwargs=lambda c: {"leave_id": c.leave.pk},
        data={"decision": "approve"},
        expect=API_LEADS,
        default=200,
    ),
    # Bob's leave (Cards): hidden from tina, or readable and still not hers to decide.
    Case(
        "api-leave-decide",
        method="post",
        label="another team",
        kwargs=lambda c: {"leave_id": c.bob_leave.pk},
        data={"decision": "approve"},
        expect={**API_LEADS, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-leave-decide",
        method="post",
        label="another team",
        kwargs=lambda c: {"leave_id": c.bob_leave.pk},
        data={"decision": "approve"},
        expect={**API_LEADS, "team_lead": 403},
        default=200,
        settings=WHOLE_FLOOR,
    ),
    Case(
        "api-leave-cancel",
        method="post",
        kwargs=lambda c: {"leave_id": c.leave.pk},
        expect={"agent": 200},
        default=403,
    ),
    # --- briefings ---
    Case("briefings", api=False, expect={**PAGE_DENY, "qa_analyst": 403}, default=200),
    Case(
        "briefing-new",
        method="post",
        api=False,
        data=lambda c: {
            "team": c.billing.pk,
            "kind": "pre",
            "held_at": "2026-11-23T08:00",
            "agenda": "Refund queue",
            "minutes": "Watch refunds.",
        },
        expect=PAGE_LEADS,
        default=302,
    ),
    Case(
        "briefing-detail",
        api=False,
        kwargs=lambda c: {"briefing_id": c.briefing.pk},
        expect={**PAGE_DENY, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "briefing-read",
        method="post",
        api=False,
        kwargs=lambda c: {"briefing_id": c.briefing.pk},
        expect={**PAGE_DENY, "agent": 302},
        default=403,
    ),
    Case("api-briefing-list", expect={**API_DENY, "qa_analyst": 403}, default=200),
    Case(
        "api-briefing-list",
        method="post",
        data=lambda c: {
            "team": c.billing.pk,
            "kind": "post",
            "held_at": "2026-11-23T16:00:00Z",
            "agenda": "Day review",
            "minutes": "Good day.",
            "attendees": [c.ann_agent.pk],
        },
        expect=API_LEADS,
        default=201,
    ),
    Case(
        "api-briefing-read",
        method="post",
        kwargs=lambda c: {"briefing_id": c.briefing.pk},
        expect={"agent": 200},
        default=403,
    ),
    # --- handovers (API) ---
    Case("api-handover-list", expect=API_LEADS, default=200),
    Case(
        "api-handover-list",
        method="post",
        data={
            "to_lead": "tom",
            "supervisor": "sam",
            "shift_date": "2026-11-23",
            "shift_name": "late",
            "summary": "calm",
        },
        expect={**API_DENY, "team_lead": 201},
        default=403,
    ),
    Case("api-handover-open-cases", expect=API_LEADS, default=200),
    Case(
        "api-handover-detail",
        kwargs=lambda c: {"handover_id": c.sent.pk},
        expect=API_LEADS,
        default=200,
    ),
    Case(
        "api-handover-detail",
        method="patch",
        kwargs=lambda c: {"handover_id": c.sent.pk},
        data={"summary": "edited"},
        # A sent handover is fixed: there is no way to rewrite it, for anyone.
        expect={**API_LEADS, "team_lead": 405, "supervisor": 405, "admin": 405},
        default=403,
    ),
    Case(
        "api-handover-acknowledge",
        method="post",
        kwargs=lambda c: {"handover_id": c.received.pk},
        expect={**API_LEADS, "team_lead": 400},
        default=403,
    ),
    Case(
        "api-handover-addendum",
        method="post",
        kwargs=lambda c: {"handover_id": c.sent.pk},
        data={"text": "later"},
        expect={**API_LEADS, "team_lead": 201, "supervisor": 201},
        default=403,
    ),
    Case(
        "api-handover-addendum-acknowledge",
        method="post",
        kwargs=lambda c: {"addendum_id": c.received_addendum.pk},
        # tina is the recipient: the handover is not acknowledged yet, so 409; others 403.
        expect={**API_LEADS, "team_lead": 409},
        default=403,
    ),
    Case(
        "api-leftover-case-list",
        expect={"anonymous": 403, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "api-leftover-case-list",
        method="post",
        data={
            "customer_ref": "C-77",
            "pending": "Refund",
            "promised": "A call back",
            "due_at": "2026-12-07T10:00:00Z",
        },
        expect={"agent": 201},
        default=403,
    ),
    Case(
        "api-leftover-case-detail",
        kwargs=lambda c: {"case_id": c.leftover.pk},
        expect={"anonymous": 403, "qa_analyst": 403},
        default=200,
    ),
    # Bob's case (Cards, led by tom): not ann's, not tina's team.
    Case(
        "api-leftover-case-detail",
        label="another team",
        kwargs=lambda c: {"case_id": c.bob_leftover.pk},
        expect={"anonymous": 403, "qa_analyst": 403, "agent": 404, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-leftover-case-reassign",
        method="post",
        kwargs=lambda c: {"case_id": c.leftover.pk},
        data=lambda c: {"agent": c.cy_agent.pk},
        expect=API_LEADS,
        default=200,
    ),
    Case(
        "api-leftover-case-reassign",
        method="post",
        label="another team",
        kwargs=lambda c: {"case_id": c.bob_leftover.pk},
        data=lambda c: {"agent": c.bob_agent.pk},
        expect={**API_LEADS, "team_lead": 404},
        default=400,
    ),
    Case(
        "api-leftover-case-close",
        method="post",
        kwargs=lambda c: {"case_id": c.leftover.pk},
        data={"note": "Customer called in, done"},
        expect=API_LEADS,
        default=200,
    ),
    Case(
        "api-leftover-case-close",
        method="post",
        label="another team",
        kwargs=lambda c: {"case_id": c.bob_leftover.pk},
        data={"note": "done"},
        expect={**API_LEADS, "team_lead": 404},
        default=200,
    ),
    Case(
        "api-handover-case-confirm",
        method="post",
        kwargs=lambda c: {"case_id": c.received_high.pk},
        expect={**API_LEADS, "team_lead": 200},
        default=403,
    ),
    Case(
        "api-handover-case-outcome",
        method="post",
        kwargs=lambda c: {"case_id": c.received_high.pk},
        data={"outcome": "resolved", "note": "done"},
        expect={**API_LEADS, "team_lead": 409},
        default=403,
    ),
]


@pytest.fixture
def world(floor):
    from datetime import timedelta

    from django.utils import timezone

    from metrics.models import Queue
    from scheduling import selectors, services
    from tests.scheduling.conftest import at, make_shift

    cast = floor
    cast.queue = Queue.objects.get(name="billing")
    draft_day = cast.day3 + timedelta(weeks=1)
    make_shift(cast.ann_agent, at(draft_day, 8), at(draft_day, 16), published=False)
    make_shift(cast.bob_agent, at(draft_day, 8), at(draft_day, 16), published=False)
    cast.draft_week = selectors.monday_of(draft_day)
    cast.briefing = services.briefing_create(
        author=cast.tina,
        team=cast.billing,
        kind="pre",
        held_at=at(cast.day3, 7, 45),
        agenda="Refunds",
        minutes="Refund queue first.",
        attendees=[cast.cy_agent],
    )
    cast.week = selectors.monday_of(cast.day3)
    cast.swap = services.swap_propose(
        requester=cast.ann_agent,
        shift=cast.ann_shift,
        colleague=cast.cy_agent,
        colleague_shift=cast.cy_shift,
    )
    cast.leave = services.leave_request(
        agent=cast.ann_agent,
        first_day=cast.day3 + timedelta(days=7),
        last_day=cast.day3 + timedelta(days=8),
    )
    cast.bob_leave = services.leave_request(
        agent=cast.bob_agent,
        first_day=cast.day3 + timedelta(days=7),
        last_day=cast.day3 + timedelta(days=8),
    )
    cast.sent = send_handover(cast)
    cast.received = send_handover(cast, author=cast.tom, to_lead=cast.tina)
    cast.received_high = cast.received.cases.get(severity="high")
    cast.received_addendum = services.handover_addendum_add(
        handover=cast.received, actor=cast.tom, text="One more thing"
    )
    due = timezone.now() + timedelta(days=1)
    cast.leftover = services.leftover_case_submit(
        agent=cast.ann_agent, customer_ref="C-55", pending="Refund", promised="Call", due_at=due
    )
    cast.bob_leftover = services.leftover_case_submit(
        agent=cast.bob_agent, customer_ref="C-66", pending="Card", promised="Call", due_at=due
    )
    return cast


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(world, case, role):
    check_case(case, world, role)


@pytest.mark.parametrize("whole_floor", [False, True])
def test_a_team_lead_lists_their_teams_leave_and_swaps(world, api, settings, whole_floor):
    """The lists filter too: tina (Billing) lists ann's leave, not bob's (Cards), unless the
    site lets team leads read the whole floor."""
    from scheduling import services

    settings.CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = whole_floor
    bob_swap = services.swap_propose(requester=world.bob_agent, shift=world.bob_shift)
    client = api(world.tina)
    leave = {row["id"] for row in client.get("/api/leave/").json()["results"]}
    swaps = {row["id"] for row in client.get("/api/swaps/").json()["results"]}
    assert world.leave.pk in leave and world.swap.pk in swaps
    assert (world.bob_leave.pk in leave) is whole_floor
    assert (bob_swap.pk in swaps) is whole_floor
    shifts = client.get("/api/shifts/", {"team": world.cards.pk, "week": world.day4.isoformat()})
    assert (shifts.status_code == 200) is whole_floor
    if whole_floor:
        assert [row["agent"] for row in shifts.json()] == [world.bob_agent.pk]


@pytest.mark.parametrize("whole_floor", [False, True])
def test_the_attendance_page_shows_another_team_only_when_the_site_allows(
    world, client, settings, whole_floor
):
    from django.urls import reverse

    settings.CALLFLOOR_TEAM_LEADS_READ_WHOLE_FLOOR = whole_floor
    client.force_login(world.tina)
    page = client.get(reverse("attendance"), {"team": world.cards.pk})
    assert page.status_code == 200
    assert ("Bob Agent" in page.content.decode()) is whole_floor
