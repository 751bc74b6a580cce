"""Scheduling forms show every error at once beside its field; leave, shift and swap-notice
texts read right."""

import re
from datetime import datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from callfloor.zone import site_zone
from scheduling.models import Briefing, Handover, LeaveRequest
from scheduling.services.common import local_text
from tests.scheduling.conftest import make_shift

pytestmark = pytest.mark.django_db


def logged_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def field_errors(html: str, field: str) -> list[str]:
    return re.findall(rf'data-testid="field-error-{field}"[^>]*>([^<]*)<', html)


def test_the_handover_form_shows_every_error_beside_its_field_and_keeps_the_cases(cast):
    response = logged_in(cast.tina).post(
        reverse("handover-new"),
        {
            "shift_date": "",
            "shift_name": "early",
            "to_lead": str(cast.tom.pk),
            "supervisor": "",
            "summary": "",
            "case-0-customer_ref": "C-1001",
            "case-0-severity": "high",
            "case-0-pending": "Refund not posted",
            "case-0-next_action": "",
            "case-0-owner": "Tom",
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert not Handover.objects.exists()
    assert field_errors(html, "shift_date") == ["Give the shift&#x27;s date."]
    assert field_errors(html, "supervisor") == ["Copy the on-duty supervisor."]
    assert field_errors(html, "summary") == ["Write a summary of the shift."]
    assert field_errors(html, "case-0-next_action") == ["This field is required."]
    assert "This form has 4 problems" in html
    assert "<strong>Shift date</strong>" in html
    assert "<strong>Case 1 · Next action</strong>" in html
    assert "cases[0]" not in html
    # The case typed so far is shown again, not lost.
    assert 'value="C-1001"' in html and "Refund not posted</textarea>" in html


def test_the_leave_form_shows_both_day_errors_beside_their_fields(cast):
    response = logged_in(cast.ann).post(
        reverse("leave-request"), {"first_day": "", "last_day": "", "reason": "wedding"}
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "first_day") == ["Give the first day as a date."]
    assert field_errors(html, "last_day") == ["Give the last day as a date."]
    assert 'value="wedding"' in html
    assert not LeaveRequest.objects.exists()


def test_the_leave_error_says_the_last_day_cannot_be_before_the_first(cast):
    today = timezone.localdate(timezone=site_zone())
    response = logged_in(cast.ann).post(
        reverse("leave-request"),
        {
            "first_day": (today + timedelta(days=10)).isoformat(),
            "last_day": (today + timedelta(days=8)).isoformat(),
        },
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "last_day") == ["The last day cannot be before the first day."]
    assert "comes after the first" not in html


def test_the_briefing_form_shows_every_error_beside_its_field(cast):
    response = logged_in(cast.tina).post(
        reverse("briefing-new"),
        {"team": cast.billing.pk, "kind": "pre", "held_at": "", "agenda": "", "minutes": ""},
    )
    html = response.content.decode()
    assert response.status_code == 400
    assert field_errors(html, "held_at") == ["Give the time the briefing was held."]
    assert field_errors(html, "agenda") == ["Write the agenda."]
    assert field_errors(html, "minutes") == ["Write the minutes."]
    assert not Briefing.objects.exists()


def test_a_shift_s_breaks_are_separated_in_its_text(cast):
    day = timezone.localdate(timezone=site_zone()) + timedelta(days=2)
    zone = site_zone()

    def local(hour, minute=0):
        return datetime(day.year, day.month, day.day, hour, minute, tzinfo=zone)

    make_shift(
        cast.ann_agent,
        local(8),
        local(16),
        activities=[("break", local(9), local(9, 15)), ("lunch", local(12), local(12, 30))],
    )
    html = logged_in(cast.ann).get(reverse("my-schedule")).content.decode()
    text = re.sub(r"<[^>]+>", "", html)
    assert "09:15Lunch" not in text
    assert "Break 09:00–09:15 · Lunch 12:00–12:30" in text


def test_swap_and_briefing_notices_write_days_in_the_reader_s_language():
    moment = datetime(2026, 12, 7, 9, 0, tzinfo=site_zone())
    with translation.override("en"):
        assert local_text(moment) == "Mon 07 Dec 09:00"
    with translation.override("zh-hans"):
        text = local_text(moment)
    assert "Mon" not in text and "Dec" not in text
    assert "12月7日" in text and "09:00" in text
