"""The admin shows complaints and live escalations but cannot add, change or delete them."""

import pytest
from django.test import Client

from qa.complaints.models import Complaint, LiveEscalation

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.ada)
    return client


@pytest.fixture
def escalation(cast, floor):
    from qa.complaints import services

    return services.live_escalation_raise(actor=cast.ann, reason="Wants a manager")


@pytest.mark.parametrize("model", ["complaint", "liveescalation"])
def test_cases_are_read_only_in_the_admin(admin_client, new_case, escalation, model):
    row = {"complaint": new_case, "liveescalation": escalation}[model]
    counted = {"complaint": Complaint, "liveescalation": LiveEscalation}[model].objects.count
    base = f"/admin/complaints/{model}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{row.pk}/change/").status_code == 200
    assert admin_client.post(f"{base}add/", {}).status_code == 403
    assert admin_client.post(f"{base}{row.pk}/change/", {}).status_code == 403
    assert admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert counted() == 1


def test_lists_stay_editable(admin_client):
    assert admin_client.get("/admin/complaints/category/add/").status_code == 200
