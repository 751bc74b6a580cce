"""Agents hand over their own leftover cases: an agent submits an unfinished case to their team
lead from their own page; the lead carries, reassigns or closes each in the next handover."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from scheduling import models, services
from tests.scheduling.conftest import send_handover

pytestmark = pytest.mark.django_db(transaction=False)


def _submit(agent, ref, **extra):
    values = {
        "customer_ref": ref,
        "pending": "Refund not posted",
        "promised": "Call the customer back with the refund date",
        "due_at": timezone.now() + timedelta(hours=20),
    }
    values.update(extra)
    return services.leftover_case_submit(agent=agent, **values)


def _audit(case):
    return list(
        AuditEntry.objects.filter(object_type="scheduling.leftovercase", object_id=str(case.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


def test_an_agent_hands_an_unfinished_case_to_their_team_lead_from_their_own_page(
    floor, client, django_capture_on_commit_callbacks
):
    cast = floor
    client.force_login(cast.ann)
    page = client.get(reverse("my-leftover-cases"))
    assert page.status_code == 200 and 'data-testid="leftover-form"' in page.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("my-leftover-cases"),
            {
                "customer_ref": "Mrs Chen 13800001111",
                "pending": "Double charge on the November bill",
                "promised": "A call back with the refund date",
                "due_at": "2026-12-08T10:00",
                "severity": "high",
                # An agent hands over only their own cases: an agent field is ignored.
                "agent": cast.cy_agent.pk,
            },
        )
    assert response.status_code == 302
    case = models.LeftoverCase.objects.get()
    assert (case.agent, case.team, case.severity) == (cast.ann_agent, cast.billing, "high")
    assert case.promised == "A call back with the refund date"
    local = timezone.localtime(case.due_at, site_zone())
    assert (local.date().isoformat(), local.hour) == ("2026-12-08", 10)
    assert _audit(case) == ["leftover_case.submitted"]
    note = Notification.objects.get(recipient=cast.tina)
    assert "Mrs Chen" in note.text and note.link == reverse("handover-new")
    assert "Mrs Chen" in client.get(reverse("my-leftover-cases")).content.decode()


def test_a_leftover_case_without_a_promise_or_due_time_is_refused_by_field(floor, api):
    client = api(floor.ann)
    response = client.post(
        "/api/leftover-cases/",
        {"customer_ref": "C-9", "pending": "x", "promised": " ", "due_at": "2026-12-08T10:00Z"},
        format="json",
    )
    assert response.status_code == 400
    assert "promised" in response.json()["error"]["fields"]
    response = client.post(
        "/api/leftover-cases/",
        {"customer_ref": "C-9", "pending": "x", "promised": "y"},
        format="json",
    )
    assert response.status_code == 400
    assert "due_at" in response.json()["error"]["fields"]
    assert not models.LeftoverCase.objects.exists()


def test_the_lead_sees_agent_cases_in_the_next_handover_draft_and_carries_reassigns_or_closes_each(
    floor, client
):
    cast = floor
    carried = _submit(cast.ann_agent, "C-CARRY", severity="high")
    given = _submit(cast.ann_agent, "C-GIVE")
    closed = _submit(cast.cy_agent, "C-CLOSE")
    elsewhere = _submit(cast.bob_agent, "C-CARDS")  # Cards: tom's team, not tina's
    client.force_login(cast.tina)
    draft = client.get(reverse("handover-new")).content.decode()
    for case in (carried, given, closed):
        assert f'data-testid="leftover-{case.customer_ref}"' in draft
    assert "C-CARDS" not in draft
    response = client.post(
        reverse("handover-new"),
        {
            "shift_date": "2026-12-06",
            "shift_name": "late",
            "to_lead": cast.tom.pk,
            "supervisor": cast.sam.pk,
            "summary": "Quiet evening.",
            f"leftover-{carried.pk}-decision": "carry",
            f"leftover-{given.pk}-decision": "reassign",
            f"leftover-{given.pk}-agent": cast.cy_agent.pk,
            f"leftover-{given.pk}-note": "Cy is on tomorrow's early shift",
            f"leftover-{closed.pk}-decision": "close",
            f"leftover-{closed.pk}-note": "Customer called in; refund confirmed",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    for case in (carried, given, closed, elsewhere):
        case.refresh_from_db()
    assert carried.status == models.LeftoverStatus.CARRIED
    travelled = models.HandoverCase.objects.get(customer_ref="C-CARRY")
    assert carried.handover_case == travelled
    assert travelled.handover.to_lead == cast.tom
    assert (travelled.source_agent, travelled.severity) == (cast.ann_agent, "high")
    assert travelled.promised == carried.promised and travelled.due_at == carried.due_at
    assert (given.status, given.reassigned_to) == (models.LeftoverStatus.REASSIGNED, cast.cy_agent)
    assert (closed.status, closed.decision_note) == (
        models.LeftoverStatus.CLOSED,
        "Customer called in; refund confirmed",
    )
    assert elsewhere.status == models.LeftoverStatus.SUBMITTED
    assert _audit(carried) == ["leftover_case.submitted", "leftover_case.carried"]
    assert _audit(given) == ["leftover_case.submitted", "leftover_case.reassigned"]
    assert _audit(closed) == ["leftover_case.submitted", "leftover_case.closed"]
    # The next draft has nothing left to decide.
    assert "leftover-C-" not in client.get(reverse("handover-new")).content.decode()
    # Cy sees the case given to him; Ann sees what became of hers.
    client.force_login(cast.cy)
    assert "C-GIVE" in client.get(reverse("my-leftover-cases")).content.decode()


def test_a_case_is_decided_once_and_only_by_the_agents_team_lead(floor):
    cast = floor
    case = _submit(cast.ann_agent, "C-1")
    with pytest.raises(DomainError) as err:
        services.leftover_case_close(case=case, actor=cast.tom, note="not my team")
    assert err.value.status_code == 403
    services.leftover_case_close(case=case, actor=cast.tina, note="Done already")
    with pytest.raises(DomainError) as err:
        send_handover(
            cast, cases=[], leftovers=[{"case": case, "decision": "carry"}], to_lead=cast.tom
        )
    assert err.value.status_code == 409
    with pytest.raises(DomainError):
        services.leftover_case_reassign(
            case=_submit(cast.ann_agent, "C-2"), actor=cast.tina, to_agent=cast.bob_agent
        )


def test_an_agent_sees_only_their_own_cases_and_only_their_teams_lead_sees_them(floor, api):
    cast = floor
    ann_case = _submit(cast.ann_agent, "C-ANN")
    cy_case = _submit(cast.cy_agent, "C-CY")
    bob_case = _submit(cast.bob_agent, "C-BOB")

    def listed(user):
        rows = api(user).get("/api/leftover-cases/").json()["results"]
        return {row["customer_ref"] for row in rows}

    assert listed(cast.ann) == {"C-ANN"}
    assert listed(cast.bob) == {"C-BOB"}
    assert listed(cast.tina) == {"C-ANN", "C-CY"}
    assert listed(cast.tom) == {"C-BOB"}
    assert listed(cast.sam) == {"C-ANN", "C-CY", "C-BOB"}
    assert api(cast.ann).get(f"/api/leftover-cases/{cy_case.pk}/").status_code == 404
    assert api(cast.tom).get(f"/api/leftover-cases/{ann_case.pk}/").status_code == 404
    assert api(cast.quinn).get("/api/leftover-cases/").status_code == 403
    # Leads do not submit: the case must come from the agent who holds it.
    response = api(cast.tina).post(
        "/api/leftover-cases/",
        {"customer_ref": "C", "pending": "x", "promised": "y", "due_at": "2026-12-08T10:00Z"},
        format="json",
    )
    assert response.status_code == 403
    assert bob_case.pk not in {
        row["id"] for row in api(cast.tina).get("/api/leftover-cases/").json()["results"]
    }


def test_the_reassigned_agent_reads_the_due_time_on_the_site_s_clock(
    floor, settings, django_capture_on_commit_callbacks
):
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    due = timezone.now().replace(hour=1, minute=30, second=0, microsecond=0) + timedelta(days=1)
    case = _submit(floor.ann_agent, "C-ZONE", due_at=due)
    with django_capture_on_commit_callbacks(execute=True):
        services.leftover_case_reassign(case=case, actor=floor.tina, to_agent=floor.cy_agent)
    text = Notification.objects.get(
        kind="leftover_case.reassigned", recipient=floor.cy_agent.user
    ).text
    local = timezone.localtime(due, site_zone())
    assert f"(due {local:%Y-%m-%d} 09:30)" in text, text
