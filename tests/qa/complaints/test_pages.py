"""Complaint pages: bad input is shown with its field, lists filter, forms need CSRF."""

from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from qa.complaints import services
from qa.complaints.models import CallbackOutcome, Complaint, Status
from tests.qa.complaints.conftest import walk_to_callback

pytestmark = pytest.mark.django_db


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def form(floor, **changes):
    return {
        "call": floor.ann_call.pk,
        "customer_name": "Jane Doe",
        "customer_contact": "jane@example.com",
        "channel": "phone",
        "category": floor.billing_errors.pk,
        "severity": "normal",
        "description": "Charged twice.",
        **changes,
    }


def test_an_agent_logs_a_complaint_from_the_form(cast, floor):
    response = logged_in(cast.ann).post(reverse("complaint-create"), form(floor))
    case = Complaint.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("complaint-detail", args=[case.pk])
    assert list(case.calls.all()) == [floor.ann_call]


@pytest.mark.parametrize(
    ("changes", "shown"),
    [
        ({"category": "424242"}, ("category", "Unknown complaint category &#x27;424242&#x27;.")),
        ({"category": ""}, ("category", "Choose a complaint category.")),
        (
            {"customer_contact": " "},
            ("customer_contact", "The customer&#x27;s phone number or e-mail is required."),
        ),
        ({"call": "424242"}, ("call", "That call does not exist.")),
    ],
)
def test_bad_input_in_the_form_is_shown_with_its_field(cast, floor, changes, shown):
    response = logged_in(cast.ann).post(reverse("complaint-create"), form(floor, **changes))
    assert response.status_code == 400
    field, reason = shown
    html = response.content.decode()
    # Beside its field, and never after the field's code name.
    assert f'data-testid="field-error-{field}" data-field="{field}">{reason}</span>' in html
    assert f"{field}: " not in html
    assert not Complaint.objects.exists()
    # What was typed is kept.
    assert 'value="Jane Doe"' in response.content.decode()


def test_a_call_back_time_in_the_past_is_refused_on_the_page(cast, new_case):
    client = logged_in(cast.ann)
    for action in ["acknowledge", "investigate"]:
        client.post(reverse("complaint-action", args=[new_case.pk, action]))
    client.post(
        reverse("complaint-action", args=[new_case.pk, "propose"]), {"resolution": "Refund"}
    )
    past = timezone.localtime(timezone.now() - timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(
        reverse("complaint-action", args=[new_case.pk, "await-callback"]), {"callback_at": past}
    )
    assert response.status_code == 400
    assert ">The call-back time is in the past" in response.content.decode()
    assert "callback_at:" not in response.content.decode()
    response = client.post(
        reverse("complaint-action", args=[new_case.pk, "await-callback"]),
        {"callback_at": "tomorrow-ish"},
    )
    assert (
        'data-testid="field-error-callback_at" data-field="callback_at">'
        "&#x27;tomorrow-ish&#x27; is not a date and time." in response.content.decode()
    )
    new_case.refresh_from_db()
    assert new_case.status == Status.RESOLUTION_PROPOSED


def test_closing_without_a_call_back_is_refused_on_the_page(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    response = logged_in(cast.sam).post(
        reverse("complaint-action", args=[new_case.pk, "close"]),
        {"root_cause": floor.process.pk, "corrective_action": "Fix it"},
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "Record the call-back" in html and "callback:" not in html


def test_the_queue_shows_open_cases_unless_asked_for_closed_ones(cast, floor, new_case):
    closed = services.complaint_create(
        actor=cast.ann,
        customer_name="K",
        customer_contact="k@x.org",
        category=floor.rudeness,
        description="d",
    )
    walk_to_callback(closed, cast.ann)
    services.complaint_record_callback(
        complaint=closed, actor=cast.ann, outcome=CallbackOutcome.SATISFIED
    )
    services.complaint_close(
        complaint=closed, actor=cast.ann, root_cause=floor.process, corrective_action="x"
    )
    sam = logged_in(cast.sam)
    page = sam.get(reverse("complaint-list")).content.decode()
    assert new_case.reference in page and closed.reference not in page
    page = sam.get(reverse("complaint-list"), {"status": "closed"}).content.decode()
    assert closed.reference in page and new_case.reference not in page
    # An agent sees all of her own cases, closed ones too.
    page = logged_in(cast.ann).get(reverse("complaint-list")).content.decode()
    assert new_case.reference in page and closed.reference in page


def test_the_case_page_shows_time_left_and_the_masked_customer(cast, new_case):
    page = logged_in(cast.quinn).get(reverse("complaint-detail", args=[new_case.pk]))
    html = page.content.decode()
    assert "J. D. · +•• •• •••• •958" in html and "Jane Doe" not in html
    assert 'data-testid="actions"' not in html  # QA reads, never acts
    assert "left" in html and 'data-level="green"' in html


def test_every_page_links_to_complaints(cast):
    html = logged_in(cast.ann).get(reverse("my-quality")).content.decode()
    assert f'href="{reverse("complaint-list")}"' in html


def test_case_forms_need_the_csrf_token(cast, new_case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(cast.ann)
    response = client.post(reverse("complaint-action", args=[new_case.pk, "acknowledge"]))
    assert response.status_code == 403
    new_case.refresh_from_db()
    assert new_case.status == Status.NEW


def test_a_supervisor_takes_over_a_live_escalation_and_can_log_it(cast, floor):
    client = logged_in(cast.ann)
    response = client.post(
        reverse("live-escalation-raise"), {"call": floor.ann_call.pk, "reason": "Wants the manager"}
    )
    assert response.status_code == 302
    sam = logged_in(cast.sam)
    html = sam.get(reverse("complaint-escalations")).content.decode()
    assert "Wants the manager" in html and "Take over" in html
    assert f"{reverse('complaint-create')}?call={floor.ann_call.pk}" in html
    from qa.complaints.models import LiveEscalation

    live = LiveEscalation.objects.get()
    sam.post(reverse("live-escalation-action", args=[live.pk, "take"]))
    live.refresh_from_db()
    assert live.status == "taken" and live.taken_by == cast.sam
    response = sam.post(reverse("live-escalation-action", args=[live.pk, "take"]), follow=True)
    assert "taken over already" in response.content.decode()
