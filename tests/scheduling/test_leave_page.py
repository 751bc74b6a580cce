"""The leads' Leave page: the site's (or the team's) requests by team, filtered, and decided."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AuditEntry, Notification
from scheduling import services
from scheduling.models import LeaveStatus

pytestmark = pytest.mark.django_db


@pytest.fixture
def requests(cast):
    """Ann (Billing) asks twice (one approved), Bob (Cards) once."""
    today = timezone.localdate()
    ann_soon = services.leave_request(
        agent=cast.ann_agent,
        first_day=today + timedelta(days=5),
        last_day=today + timedelta(days=6),
        reason="Wedding",
    )
    ann_later = services.leave_request(
        agent=cast.ann_agent,
        first_day=today + timedelta(days=40),
        last_day=today + timedelta(days=41),
    )
    services.leave_decide(leave=ann_later, actor=cast.tina, approve=True)
    bob = services.leave_request(
        agent=cast.bob_agent,
        first_day=today + timedelta(days=5),
        last_day=today + timedelta(days=5),
        kind="personal",
    )
    cast.today, cast.ann_soon, cast.ann_later, cast.bob_leave = today, ann_soon, ann_later, bob
    return cast


def _rows(response, team) -> list[int]:
    """The leave ids listed in the team's section (its rows carry data-testid=leave-<id>)."""
    import re

    html = response.content.decode()
    marker = f'data-testid="leave-team-{team.pk}"'
    if marker not in html:
        return []
    section = html.split(marker, 1)[1].split("</section>", 1)[0]
    return [int(n) for n in re.findall(r'data-testid="leave-(\d+)"', section)]


def test_the_supervisors_leave_page_lists_the_sites_requests_by_team_with_filters(requests, client):
    client.force_login(requests.sam)
    page = client.get(reverse("leave"))
    assert page.status_code == 200
    # Every team's requests under its own heading; the one still to decide first.
    assert _rows(page, requests.billing) == [requests.ann_soon.pk, requests.ann_later.pk]
    assert _rows(page, requests.cards) == [requests.bob_leave.pk]
    assert page.content.decode().count('class="inline leave-decide"') == 2
    # Filters: team, state and a date range.
    cards = client.get(reverse("leave"), {"team": requests.cards.pk})
    assert _rows(cards, requests.cards) == [requests.bob_leave.pk]
    assert _rows(cards, requests.billing) == []
    approved = client.get(reverse("leave"), {"status": "approved"})
    assert _rows(approved, requests.billing) == [requests.ann_later.pk]
    assert _rows(approved, requests.cards) == []
    week = client.get(
        reverse("leave"),
        {"since": requests.today.isoformat(), "until": str(requests.today + timedelta(days=7))},
    )
    assert _rows(week, requests.billing) == [requests.ann_soon.pk]
    assert _rows(week, requests.cards) == [requests.bob_leave.pk]
    none = client.get(reverse("leave"), {"since": "2099-01-01"})
    assert 'data-testid="leave-none"' in none.content.decode()


def test_a_supervisor_decides_leave_on_the_page_with_an_audit_row_and_the_agent_told(
    requests, client, django_capture_on_commit_callbacks
):
    client.force_login(requests.sam)
    decide = reverse("leave-decide", kwargs={"leave_id": requests.bob_leave.pk})
    # Refusing needs a reason: nothing changes without one.
    client.post(decide, {"decision": "refuse", "reason": ""})
    requests.bob_leave.refresh_from_db()
    assert requests.bob_leave.status == LeaveStatus.REQUESTED
    with django_capture_on_commit_callbacks(execute=True):
        answer = client.post(
            decide,
            {
                "decision": "refuse",
                "reason": "Two agents of Cards are off that day",
                "query": f"team={requests.cards.pk}&status=requested&evil=1",
            },
        )
    # Back to the page under the same filters (and nothing else from the form).
    assert answer.status_code == 302
    assert answer["Location"] == f"/leave/?team={requests.cards.pk}&status=requested"
    requests.bob_leave.refresh_from_db()
    assert requests.bob_leave.status == LeaveStatus.REFUSED
    assert requests.bob_leave.decided_by == requests.sam
    assert AuditEntry.objects.filter(
        action="leave.refused", object_id=str(requests.bob_leave.pk), actor=requests.sam
    ).exists()
    told = Notification.objects.get(recipient=requests.bob, kind="leave.refused")
    assert "Two agents of Cards are off that day" in str(told.text)
    page = client.get(answer["Location"])
    assert "Leave of Bob Agent refused; they are told." in page.content.decode()
    assert _rows(page, requests.cards) == []  # decided: no longer "requested"


def test_a_team_lead_sees_and_decides_only_her_teams_leave(requests, client):
    client.force_login(requests.tina)
    page = client.get(reverse("leave"))
    assert _rows(page, requests.billing) == [requests.ann_soon.pk, requests.ann_later.pk]
    assert _rows(page, requests.cards) == []
    assert page.content.decode().count('class="inline leave-decide"') == 1


def test_leave_filters_in_a_wrong_form_answer_400_saying_which(requests, client):
    client.force_login(requests.sam)
    page = client.get(reverse("leave"), {"since": "yesterday", "status": "maybe"})
    assert page.status_code == 400
    text = page.content.decode()
    assert "From: give a date (YYYY-MM-DD), not “yesterday”." in text
    assert "State: choose one of the states listed." in text
    reversed_range = client.get(reverse("leave"), {"since": "2026-12-10", "until": "2026-12-01"})
    assert reversed_range.status_code == 400


def test_the_leave_api_filters_by_team_state_and_days(requests, api):
    client = api(requests.sam)
    ids = lambda **q: {  # noqa: E731
        row["id"] for row in client.get("/api/leave/", q).json()["results"]
    }
    assert ids(team=requests.cards.pk) == {requests.bob_leave.pk}
    assert ids(status="approved") == {requests.ann_later.pk}
    assert ids(until=str(requests.today + timedelta(days=7))) == {
        requests.ann_soon.pk,
        requests.bob_leave.pk,
    }
    bad = client.get("/api/leave/", {"since": "2026-12-10", "until": "2026-12-01"})
    assert bad.status_code == 400 and "until" in bad.json()["error"]["fields"]
    assert isinstance(requests.today, date)
