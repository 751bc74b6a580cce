"""The admin lists scheduling records; state machines are read-only there."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "model", ["handover", "swaprequest", "leaverequest", "shift", "skill", "briefing"]
)
def test_the_admin_lists_scheduling_models(cast, client, model):
    client.force_login(cast.ada)
    assert client.get(f"/admin/scheduling/{model}/").status_code == 200


def test_a_handover_cannot_be_added_or_changed_in_the_admin(cast, client, handover):
    client.force_login(cast.ada)
    assert client.get("/admin/scheduling/handover/add/").status_code == 403
    response = client.post(
        f"/admin/scheduling/handover/{handover.pk}/change/", {"summary": "rewritten"}
    )
    assert response.status_code == 403
    handover.refresh_from_db()
    assert handover.summary != "rewritten"


@pytest.fixture
def records(cast, floor, handover):
    from datetime import timedelta

    from scheduling import services

    leave = services.leave_request(
        agent=cast.ann_agent,
        first_day=cast.day3 + timedelta(days=7),
        last_day=cast.day3 + timedelta(days=8),
    )
    swap = services.swap_propose(requester=cast.ann_agent, shift=cast.ann_shift)
    return {"handover": handover, "leaverequest": leave, "swaprequest": swap}


@pytest.mark.parametrize("model", ["handover", "leaverequest", "swaprequest"])
def test_audited_records_cannot_be_deleted_in_the_admin(cast, client, records, model):
    row = records[model]
    client.force_login(cast.ada)
    base = f"/admin/scheduling/{model}/"
    assert client.post(f"{base}add/", {}).status_code == 403
    assert client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    client.post(base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"})
    assert type(row).objects.filter(pk=row.pk).exists()


def test_a_published_shift_is_fixed_in_the_admin_and_a_draft_is_not(cast, client, floor):
    from scheduling.models import Shift

    from .conftest import at, make_shift

    client.force_login(cast.ada)
    published = cast.ann_shift
    base = "/admin/scheduling/shift/"
    assert client.post(f"{base}{published.pk}/change/", {}).status_code == 403
    assert client.post(f"{base}{published.pk}/delete/", {"post": "yes"}).status_code == 403
    assert Shift.objects.filter(pk=published.pk).exists()
    draft = make_shift(cast.ann_agent, at(cast.day4, 8), at(cast.day4, 12), published=False)
    assert client.get(f"{base}{draft.pk}/delete/").status_code == 200
    assert client.post(f"{base}{draft.pk}/delete/", {"post": "yes"}).status_code == 302
    assert not Shift.objects.filter(pk=draft.pk).exists()
