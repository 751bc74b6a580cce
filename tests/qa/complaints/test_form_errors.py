"""The complaint forms show every error at once, each beside its field, in words; the API
answers every field's reasons in its JSON shape; a live escalation says its ask once."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from agents.models import Notification
from qa.complaints import services
from qa.complaints.floor import live_escalation_floor_alerts
from qa.complaints.models import Complaint
from tests.qa.complaints.conftest import walk_to_callback

pytestmark = pytest.mark.django_db


def logged_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-testid="field-error-{field}"[^>]*>([^<]*)<', html)


def test_the_complaint_form_shows_every_error_beside_its_field_with_no_code_names(cast, floor):
    response = logged_in(cast.ann).post(
        reverse("complaint-create"),
        {
            "call": "",
            "customer_name": " ",
            "customer_contact": "jane@example.com",
            "channel": "phone",
            "category": "",
            "severity": "normal",
            "description": "",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert not Complaint.objects.exists()
    # Three independent problems, all at once, each beside its own field.
    assert field_errors(html, "customer_name") == ["The customer&#x27;s name is required."]
    assert field_errors(html, "category") == ["Choose a complaint category."]
    assert field_errors(html, "description") == ["A description is required."]
    # The summary names each field by the label the page shows, never by its code name.
    assert "This form has 3 problems" in html
    assert "<strong>Customer name</strong>: The customer&#x27;s name is required." in html
    assert "<strong>Category</strong>: Choose a complaint category." in html
    for code in ("customer_name:", "category:", "description:"):
        assert code not in html
    # What was typed is kept.
    assert 'value="jane@example.com"' in html


def test_the_complaint_form_shows_its_errors_in_chinese(cast, floor):
    response = logged_in(cast.ann, "zh-hans").post(
        reverse("complaint-create"),
        {"customer_name": "", "customer_contact": "", "category": "", "description": "x"},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert len(field_errors(html, "customer_name")) == 1
    assert len(field_errors(html, "customer_contact")) == 1
    assert len(field_errors(html, "category")) == 1
    assert "客户姓名" in html  # the label "Customer name" in the summary
    assert "customer_name:" not in html


def test_the_complaint_api_answers_every_field_at_once_in_its_json_shape(cast, floor, api):
    response = api(cast.ann).post(
        "/api/complaints/",
        {
            "customer_name": "Jane Doe",
            "customer_contact": "jane@example.com",
            "category": floor.retired.pk,  # no longer in use
            "description": "Charged twice.",
            "calls": [floor.bob_call.pk],  # not a call ann took
        },
        format="json",
    )
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == "invalid"
    assert error["fields"] == {
        "category": ["The category 'Fax line' is no longer in use."],
        "calls": ["You can link only calls you took yourself."],
    }
    assert not Complaint.objects.exists()


def test_closing_a_case_shows_both_missing_fields_beside_them(cast, floor, new_case):
    walk_to_callback(new_case, cast.ann)
    new_case.refresh_from_db()
    services.complaint_record_callback(
        complaint=new_case, actor=cast.ann, outcome="satisfied", note="ok"
    )
    response = logged_in(cast.ann).post(
        reverse("complaint-action", args=[new_case.pk, "close"]),
        {"root_cause": "", "corrective_action": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "root_cause") == ["Choose the root cause."]
    assert field_errors(html, "corrective_action") == ["A corrective action is required."]
    assert "<strong>Root cause</strong>" in html and "<strong>Corrective action</strong>" in html


def test_a_live_escalation_says_customer_asks_for_a_supervisor_once(cast, floor):
    live = services.live_escalation_raise(
        actor=cast.ann, call=floor.ann_call, reason="Customer asks for a supervisor"
    )
    note = Notification.objects.filter(kind="live_escalation").first()
    assert note is not None
    assert note.text.lower().count("asks for a supervisor") == 1, note.text
    [alert] = live_escalation_floor_alerts(site=live.site, now=live.raised_at)
    assert alert["text"].lower().count("asks for a supervisor") == 1, alert["text"]
    assert alert["params"]["reason"] == ""
    # The form no longer fills the reason with the ask itself.
    page = logged_in(cast.ann).get(reverse("complaint-list")).content.decode()
    assert 'value="Customer asks for a supervisor"' not in page
    # A reason that adds something is kept, once.
    services.live_escalation_raise(actor=cast.ann, call=floor.ann_call, reason="Wants a refund")
    texts = [a["text"] for a in live_escalation_floor_alerts(site=live.site, now=live.raised_at)]
    assert "Ann Agent (billing): customer asks for a supervisor — Wants a refund" in texts
