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


def test_a_draft_shift_changed_in_the_admin_is_audited(cast, client, floor):
    from agents.models import AuditEntry
    from tests.admin_forms import admin_form_data

    from .conftest import at, make_shift

    client.force_login(cast.ada)
    draft = make_shift(
        cast.ann_agent,
        at(cast.day4, 8),
        at(cast.day4, 12),
        activities=[("break", at(cast.day4, 10), at(cast.day4, 10, 15))],
        published=False,
    )
    url = f"/admin/scheduling/shift/{draft.pk}/change/"
    response = client.get(url)
    assert response.status_code == 200
    data = admin_form_data(response)
    assert "published_at" not in data  # published by the week's publication only
    data["agent"] = str(cast.bob_agent.pk)
    data["activities-0-DELETE"] = "on"
    data["published_at"] = "2026-01-01 00:00"
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:3000]
    draft.refresh_from_db()
    assert (draft.agent, draft.published_at, draft.activities.count()) == (
        cast.bob_agent,
        None,
        0,
    )
    entry = AuditEntry.objects.get(action="shift.changed", object_id=str(draft.pk))
    assert entry.actor == cast.ada
    assert entry.data["before"]["agent"] == cast.ann_agent.pk
    assert entry.data["after"] == {"agent": cast.bob_agent.pk, "activities": []}
    assert len(entry.data["before"]["activities"]) == 1


def test_a_draft_shift_deleted_in_the_admin_is_audited(cast, client, floor):
    from agents.models import AuditEntry
    from scheduling.models import Shift

    from .conftest import at, make_shift

    client.force_login(cast.ada)
    one = make_shift(cast.ann_agent, at(cast.day4, 8), at(cast.day4, 12), published=False)
    two = make_shift(cast.ann_agent, at(cast.day4, 13), at(cast.day4, 17), published=False)
    base = "/admin/scheduling/shift/"
    assert client.post(f"{base}{one.pk}/delete/", {"post": "yes"}).status_code == 302
    client.post(base, {"action": "delete_selected", "_selected_action": [two.pk], "post": "yes"})
    assert not Shift.objects.filter(pk__in=[one.pk, two.pk]).exists()
    for shift in (one, two):
        entry = AuditEntry.objects.get(action="shift.deleted", object_id=str(shift.pk))
        assert entry.actor == cast.ada
        assert entry.data["start"] == shift.start.isoformat()


def test_a_shift_added_in_the_admin_is_audited(cast, client, floor):
    from agents.models import AuditEntry
    from scheduling.models import Shift

    client.force_login(cast.ada)
    response = client.post(
        "/admin/scheduling/shift/add/",
        {
            "agent": str(cast.ann_agent.pk),
            "start_0": str(cast.day4),
            "start_1": "08:00:00",
            "end_0": str(cast.day4),
            "end_1": "12:00:00",
            "activities-TOTAL_FORMS": "0",
            "activities-INITIAL_FORMS": "0",
            "activities-MIN_NUM_FORMS": "0",
            "activities-MAX_NUM_FORMS": "1000",
        },
    )
    assert response.status_code == 302, response.content[:3000]
    shift = Shift.objects.filter(agent=cast.ann_agent).latest("id")
    assert shift.published_at is None
    entry = AuditEntry.objects.get(action="shift.created", object_id=str(shift.pk))
    assert entry.actor == cast.ada


def test_a_published_shift_is_not_deleted_in_bulk_in_the_admin(cast, client, floor):
    from scheduling.models import Shift

    client.force_login(cast.ada)
    published = cast.ann_shift
    client.post(
        "/admin/scheduling/shift/",
        {"action": "delete_selected", "_selected_action": [published.pk], "post": "yes"},
    )
    assert Shift.objects.filter(pk=published.pk).exists()


def test_a_skill_added_changed_and_removed_in_the_admin_is_audited(cast, client, floor):
    """A skill decides which queues' calls an agent takes: every change of it is audited."""
    from agents.models import AuditEntry
    from metrics.models import Queue
    from scheduling.models import Skill
    from tests.admin_forms import admin_form_data

    client.force_login(cast.ada)
    first, second = Queue.objects.order_by("name")[:2]
    Skill.objects.filter(agent=cast.ann_agent).delete()
    base = "/admin/scheduling/skill/"
    response = client.post(f"{base}add/", {"agent": str(cast.ann_agent.pk), "queue": str(first.pk)})
    assert response.status_code == 302, response.content[:3000]
    skill = Skill.objects.get(agent=cast.ann_agent)
    added = AuditEntry.objects.get(action="skill.added", object_id=str(skill.pk))
    assert (added.actor, added.data) == (
        cast.ada,
        {"agent": cast.ann_agent.pk, "queue": first.name},
    )

    url = f"{base}{skill.pk}/change/"
    data = admin_form_data(client.get(url))
    assert client.post(url, data).status_code == 302  # saved unchanged: no row
    assert not AuditEntry.objects.filter(action="skill.changed").exists()
    data["queue"] = str(second.pk)
    assert client.post(url, data).status_code == 302
    changed = AuditEntry.objects.get(action="skill.changed", object_id=str(skill.pk))
    assert changed.data == {
        "before": {"agent": cast.ann_agent.pk, "queue": first.name},
        "after": {"agent": cast.ann_agent.pk, "queue": second.name},
    }

    other = Skill.objects.create(agent=cast.ann_agent, queue=first)
    assert client.post(f"{base}{skill.pk}/delete/", {"post": "yes"}).status_code == 302
    client.post(base, {"action": "delete_selected", "_selected_action": [other.pk], "post": "yes"})
    assert not Skill.objects.filter(agent=cast.ann_agent).exists()
    removed = AuditEntry.objects.filter(action="skill.removed").order_by("id")
    assert [(row.object_id, row.data["queue"]) for row in removed] == [
        (str(skill.pk), second.name),
        (str(other.pk), first.name),
    ]
    assert {row.actor for row in removed} == {cast.ada}
