"""Shifts, the CSV import of a week, publishing, swaps and leave."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from scheduling import selectors, services
from scheduling.models import LeaveStatus, Shift, SwapRequest, SwapStatus
from tests.scheduling.conftest import at, make_shift

pytestmark = pytest.mark.django_db

NEXT_MONDAY = date(2026, 11, 30)


def _csv(*rows):
    return "employee_number,date,start,end,activities\n" + "\n".join(rows) + "\n"


def test_a_week_imports_with_activities_and_stays_hidden_until_published(cast):
    text = _csv(
        "E2004,2026-11-30,08:00,16:30,break 10:00-10:15; lunch 12:00-12:30",
        "E2004,2026-12-01,22:00,06:00,",
        "E2004,2026-12-03,09:00,17:00,training 09:00-11:00",
    )
    report = services.shifts_import_csv(text=text, actor=cast.tina, teams=[cast.billing])
    assert report.ok and report.created == 3
    first = Shift.objects.order_by("start").first()
    assert [(a.kind, a.start.hour, a.start.minute) for a in first.activities.all()] == [
        ("break", 10, 0),
        ("lunch", 12, 0),
    ]
    night = Shift.objects.order_by("start")[1]
    assert night.end - night.start == timedelta(hours=8)
    since = at(NEXT_MONDAY, 0) - timedelta(days=1)
    assert list(selectors.shifts_of_agent(cast.ann_agent, since=since)) == []
    with pytest.raises(DomainError):
        services.week_publish(
            team=cast.billing, week_start=NEXT_MONDAY + timedelta(days=1), actor=cast.tina
        )
    assert services.week_publish(team=cast.billing, week_start=NEXT_MONDAY, actor=cast.tina) == 3
    assert len(selectors.shifts_of_agent(cast.ann_agent, since=since)) == 3
    assert AuditEntry.objects.filter(action="schedule.week_published").count() == 1


def test_a_bad_csv_imports_nothing_and_reports_every_row(cast):
    text = _csv(
        "E2004,2026-11-30,08:00,16:00,break 10:00-10:15",
        "E9999,2026-11-30,08:00,16:00,",
        "E2005,2026-11-30,08:00,16:00,",
        "E2004,30/11/2026,08:00,16:00,",
        "E2004,2026-12-01,8am,16:00,",
        "E2004,2026-12-02,08:00,16:00,nap 10:00-10:15",
        "E2004,2026-12-03,08:00,16:00,lunch 17:00-17:30",
        "E2004,2026-11-30,12:00,18:00,",
    )
    report = services.shifts_import_csv(text=text, actor=cast.tina, teams=[cast.billing])
    assert report.created == 0 and Shift.objects.count() == 0
    assert [(e["line"], e["field"]) for e in report.errors] == [
        (3, "employee_number"),
        (4, "employee_number"),
        (5, "date"),
        (6, "start"),
        (7, "activities"),
        (8, "activities"),
        (9, "start"),
    ]
    assert "E9999" in report.errors[0]["message"]
    assert "not in a team you manage" in report.errors[1]["message"]
    assert "line 2" in report.errors[-1]["message"]


def test_the_week_grid_puts_shifts_and_leave_in_their_cells(cast):
    make_shift(cast.ann_agent, at(NEXT_MONDAY, 8), at(NEXT_MONDAY, 16), published=False)
    services.leave_request(
        agent=cast.ann_agent,
        first_day=NEXT_MONDAY + timedelta(days=2),
        last_day=NEXT_MONDAY + timedelta(days=2),
        today=date(2026, 11, 23),
    )
    leave = cast.ann_agent.leave.get()
    services.leave_decide(leave=leave, actor=cast.tina, approve=True, today=date(2026, 11, 23))
    grid = selectors.week_grid(team=cast.billing, week_start=NEXT_MONDAY)
    ann_row = grid["rows"][0]
    assert ann_row["agent"] == cast.ann_agent
    assert len(ann_row["cells"][0]["shifts"]) == 1 and ann_row["cells"][2]["leave"]
    assert grid["unpublished"] == 1


# --- swaps ----------------------------------------------------------------------------------------


def test_a_swap_is_proposed_accepted_and_approved_and_the_shifts_change_hands(
    floor, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        swap = services.swap_propose(
            requester=floor.ann_agent,
            shift=floor.ann_shift,
            colleague=floor.cy_agent,
            colleague_shift=floor.cy_shift,
        )
    assert swap.status == SwapStatus.PROPOSED
    assert Notification.objects.filter(recipient=floor.cy, kind="swap.proposed").exists()
    with pytest.raises(DomainError):
        services.swap_accept(swap=swap, agent=floor.bob_agent)
    services.swap_accept(swap=swap, agent=floor.cy_agent)
    with pytest.raises(DomainError):
        services.swap_approve(swap=swap, actor=floor.tom)  # not Billing's lead
    services.swap_approve(swap=swap, actor=floor.tina)
    assert Shift.objects.get(pk=floor.ann_shift.pk).agent == floor.cy_agent
    assert Shift.objects.get(pk=floor.cy_shift.pk).agent == floor.ann_agent
    with pytest.raises(Conflict):
        services.swap_approve(swap=swap, actor=floor.tina)
    actions = list(
        AuditEntry.objects.filter(object_type="scheduling.swaprequest")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == ["swap.proposed", "swap.accepted", "swap.approved"]


def test_a_swap_that_breaks_a_rule_is_refused_when_proposed_saying_which_rule(floor):
    with pytest.raises(DomainError) as err:
        services.swap_propose(
            requester=floor.ann_agent,
            shift=floor.ann_shift,
            colleague=floor.bob_agent,
            colleague_shift=floor.bob_shift,
        )
    assert err.value.field == "rules" and err.value.code == "rules_not_met"
    assert "Bob Agent does not work billing" in err.value.message
    assert not SwapRequest.objects.exists()


def test_the_colleague_cannot_accept_a_swap_that_breaks_a_rule_and_sees_which(floor):
    swap = services.swap_propose(
        requester=floor.ann_agent,
        shift=floor.ann_shift,
        colleague=floor.cy_agent,
        colleague_shift=floor.cy_shift,
    )
    # Meanwhile Cy was given an evening shift the day before Ann's: too little rest.
    make_shift(
        floor.cy_agent,
        at(floor.day3 - timedelta(days=1), 14),
        at(floor.day3 - timedelta(days=1), 23),
    )
    with pytest.raises(DomainError) as err:
        services.swap_accept(swap=swap, agent=floor.cy_agent)
    assert err.value.field == "rules"
    assert (
        "Cy Agent would rest only 9 h" in err.value.message and "minimum 11 h" in err.value.message
    )
    swap.refresh_from_db()
    assert swap.status == SwapStatus.PROPOSED


def test_an_offered_shift_that_would_take_the_taker_over_the_weekly_hours_is_not_taken(
    floor, settings
):
    swap = services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    # Cy works 8 h on day 4 (the same week unless day 3 is a Sunday) and would take Ann's 8 h.
    same_week = floor.day3.isocalendar()[:2] == floor.day4.isocalendar()[:2]
    settings.CALLFLOOR_MAX_WEEKLY_HOURS = 10 if same_week else 5
    with pytest.raises(DomainError) as err:
        services.swap_accept(swap=swap, agent=floor.cy_agent)
    assert f"Cy Agent would work {16 if same_week else 8} h in the week of" in err.value.message
    assert f"maximum {10 if same_week else 5} h" in err.value.message
    swap.refresh_from_db()
    assert swap.status == SwapStatus.OFFERED and swap.colleague is None


def test_a_rule_broken_after_acceptance_blocks_approval_and_the_lead_refuses(floor):
    swap = services.swap_propose(
        requester=floor.ann_agent,
        shift=floor.ann_shift,
        colleague=floor.cy_agent,
        colleague_shift=floor.cy_shift,
    )
    services.swap_accept(swap=swap, agent=floor.cy_agent)
    make_shift(floor.cy_agent, at(floor.day3, 12), at(floor.day3, 20))
    failed = [c.code for c in services.swap_checks(swap) if not c.ok]
    assert failed == ["rest"]
    with pytest.raises(DomainError) as err:
        services.swap_approve(swap=swap, actor=floor.tina)
    assert err.value.field == "rules" and "overlaps" in err.value.message
    assert Shift.objects.get(pk=floor.ann_shift.pk).agent == floor.ann_agent
    with pytest.raises(DomainError):
        services.swap_refuse(swap=swap, actor=floor.tina, reason=" ")
    services.swap_refuse(swap=swap, actor=floor.tina, reason="Cy works that day now")
    assert swap.status == SwapStatus.REFUSED and swap.decision_reason == "Cy works that day now"


def test_an_offered_shift_is_taken_by_an_eligible_colleague_only(floor):
    swap = services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    assert swap.status == SwapStatus.OFFERED
    with pytest.raises(DomainError):
        services.swap_accept(swap=swap, agent=floor.bob_agent)  # cards only
    services.swap_accept(swap=swap, agent=floor.cy_agent)
    services.swap_approve(swap=swap, actor=floor.sam)
    assert Shift.objects.get(pk=floor.ann_shift.pk).agent == floor.cy_agent


def test_a_shift_in_an_open_swap_cannot_be_offered_twice_and_cancel_closes_it(floor):
    swap = services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    with pytest.raises(DomainError):
        services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    with pytest.raises(DomainError):
        services.swap_cancel(swap=swap, agent=floor.cy_agent)
    services.swap_cancel(swap=swap, agent=floor.ann_agent)
    assert swap.status == SwapStatus.CANCELLED
    with pytest.raises(Conflict):
        services.swap_accept(swap=swap, agent=floor.cy_agent)


def test_open_swaps_expire_once_the_shift_starts(floor):
    swap = services.swap_propose(
        requester=floor.ann_agent,
        shift=floor.ann_shift,
        colleague=floor.cy_agent,
        colleague_shift=floor.cy_shift,
    )
    assert services.swaps_expire() == 0
    later = floor.ann_shift.start + timedelta(minutes=1)
    assert services.swaps_expire(now=later) == 1
    assert services.swaps_expire(now=later) == 0
    swap.refresh_from_db()
    assert swap.status == SwapStatus.EXPIRED


def test_the_notice_rule_blocks_a_late_approval(floor):
    swap = services.swap_propose(
        requester=floor.ann_agent,
        shift=floor.ann_shift,
        colleague=floor.cy_agent,
        colleague_shift=floor.cy_shift,
    )
    services.swap_accept(swap=swap, agent=floor.cy_agent)
    # The lead decides 20 minutes less than a day before Ann's shift.
    late = floor.ann_shift.start - timedelta(hours=23, minutes=40)
    with pytest.raises(DomainError) as err:
        services.swap_approve(swap=swap, actor=floor.tina, now=late)
    assert "23 h 40 min (minimum 24 h)" in err.value.message


def test_a_swap_with_too_little_notice_is_refused_when_proposed(floor, settings):
    settings.CALLFLOOR_SWAP_MIN_NOTICE_HOURS = 24 * 7
    with pytest.raises(DomainError) as err:
        services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    assert err.value.field == "rules" and "minimum 168 h" in err.value.message


# --- leave ----------------------------------------------------------------------------------------


def test_leave_is_asked_before_the_day_and_decided_by_the_team_lead(cast):
    today = timezone.localdate()
    with pytest.raises(DomainError) as err:
        services.leave_request(agent=cast.ann_agent, first_day=today, last_day=today)
    assert err.value.field == "first_day"
    leave = services.leave_request(
        agent=cast.ann_agent,
        first_day=today + timedelta(days=5),
        last_day=today + timedelta(days=6),
        reason="Wedding",
    )
    with pytest.raises(DomainError):
        services.leave_decide(leave=leave, actor=cast.tom, approve=True)
    with pytest.raises(DomainError) as err:
        services.leave_decide(leave=leave, actor=cast.tina, approve=False)
    assert err.value.field == "reason"
    services.leave_decide(leave=leave, actor=cast.tina, approve=True)
    assert leave.status == LeaveStatus.APPROVED
    with pytest.raises(Conflict):
        services.leave_decide(leave=leave, actor=cast.tina, approve=False, reason="late")
    with pytest.raises(DomainError):
        services.leave_request(
            agent=cast.ann_agent,
            first_day=today + timedelta(days=6),
            last_day=today + timedelta(days=7),
        )


def test_my_schedule_offers_no_second_swap_for_a_shift_already_in_an_open_swap(floor, client):
    services.swap_propose(requester=floor.ann_agent, shift=floor.ann_shift)
    client.force_login(floor.ann_agent.user)
    page = client.get("/my-schedule/").content.decode()
    day = timezone.localtime(floor.ann_shift.start).date()
    row = page.split(f'data-testid="my-shift-{day:%Y-%m-%d}"')[1].split("</tr>")[0]
    assert 'name="shift"' not in row  # no "Propose" form the server would refuse
    assert 'data-testid="in-open-swap"' in row
