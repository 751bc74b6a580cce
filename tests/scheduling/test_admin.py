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
