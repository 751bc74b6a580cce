"""Role swaps: granted, started and ended on time, audited, and never granting rights outside
their period — on pages and in the API."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from agents.swaps import services as swaps
from agents.swaps.models import RoleSwap, RoleSwapStatus
from agents.tasks import apply_role_swaps
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe

pytestmark = pytest.mark.django_db


def status_of(client, url):
    return client.get(url).status_code


def _now_swap(cast, **extra):
    now = timezone.now()
    return swaps.role_swap_grant(
        actor=cast.sam,
        agent_as_analyst=cast.ann,
        analyst_as_agent=cast.quinn,
        starts_at=now - timedelta(minutes=1),
        ends_at=now + timedelta(hours=4),
        reason="Learning week",
        **extra,
    )


def test_a_swap_that_has_begun_starts_at_once_and_lends_the_rights_on_pages_and_api(
    cast, client, api
):
    client.force_login(cast.ann)
    assert status_of(client, "/qa/worklist/") == 403
    swap = _now_swap(cast)
    assert swap.status == RoleSwapStatus.ACTIVE
    client.force_login(cast.ann)
    assert status_of(client, "/qa/worklist/") == 200
    assert api(cast.ann).get("/api/qa/calibration/trends/").status_code == 200
    # Quinn, the analyst, has agent rights: their own quality page opens.
    client.force_login(cast.quinn)
    assert status_of(client, "/quality/") == 200
    assert [e.action for e in AuditEntry.objects.filter(object_type="agents.roleswap")] == [
        "role_swap.started",
        "role_swap.granted",
    ]
    entry = AuditEntry.objects.get(action="role_swap.granted")
    assert entry.actor == cast.sam
    assert describe(entry.action, entry.data) == (
        "Granted a role swap: Ann Agent works as a QA analyst; Quinn Analyst works as an agent"
    )
    assert Notification.objects.filter(recipient=cast.ann, kind="agents.swap").exists()
    assert Notification.objects.filter(recipient=cast.quinn, kind="agents.swap").exists()


def test_a_swap_in_the_future_lends_nothing_until_the_schedule_starts_it(cast, client):
    now = timezone.now()
    swap = swaps.role_swap_grant(
        actor=cast.sam,
        agent_as_analyst=cast.ann,
        starts_at=now + timedelta(hours=1),
        ends_at=now + timedelta(hours=5),
    )
    assert swap.status == RoleSwapStatus.SCHEDULED
    client.force_login(cast.ann)
    assert status_of(client, "/qa/worklist/") == 403
    assert apply_role_swaps() == [0, 0]  # not due yet
    RoleSwap.objects.filter(pk=swap.pk).update(starts_at=now - timedelta(seconds=1))
    assert apply_role_swaps() == [1, 0]
    swap.refresh_from_db()
    assert swap.status == RoleSwapStatus.ACTIVE and swap.started_at is not None
    assert AuditEntry.objects.get(action="role_swap.started").actor is None  # the schedule
    client.force_login(cast.ann)
    assert status_of(client, "/qa/worklist/") == 200


def test_an_expired_swap_grants_nothing_even_before_the_task_ends_it(cast, client, api):
    swap = _now_swap(cast)
    # The period is over but the beat task has not run: the swap is still marked active.
    RoleSwap.objects.filter(pk=swap.pk).update(ends_at=timezone.now() - timedelta(seconds=1))
    assert RoleSwap.objects.get(pk=swap.pk).status == RoleSwapStatus.ACTIVE
    client.force_login(cast.ann)
    assert status_of(client, "/qa/worklist/") == 403
    assert api(cast.ann).get("/api/qa/calibration/trends/").status_code == 403
    assert 'data-testid="role-swap-banner"' not in client.get("/quality/").content.decode()
    assert apply_role_swaps() == [0, 1]
    swap.refresh_from_db()
    assert swap.status == RoleSwapStatus.ENDED
    ended = AuditEntry.objects.get(action="role_swap.ended")
    assert ended.actor is None and ended.data["early"] is False
    assert describe(ended.action, ended.data).startswith("The role swap ended: Ann Agent")


def test_a_supervisor_ends_a_swap_early_and_the_rights_go_at_once(cast, api, client):
    swap = _now_swap(cast)
    for user in (cast.ann, cast.tina, cast.quinn):  # Ann holds analyst rights: still refused
        assert api(user).post(f"/api/role-swaps/{swap.pk}/end/").status_code == 403
    response = api(cast.sam).post(f"/api/role-swaps/{swap.pk}/end/")
    assert response.status_code == 200 and response.json()["status"] == "ended"
    assert api(cast.ann).get("/api/qa/calibration/trends/").status_code == 403
    client.force_login(cast.quinn)
    assert status_of(client, "/quality/") == 403
    ended = AuditEntry.objects.get(action="role_swap.ended")
    assert ended.actor == cast.sam and ended.data["early"] is True
    assert api(cast.sam).post(f"/api/role-swaps/{swap.pk}/end/").status_code == 409


def test_a_swap_is_granted_only_by_supervisors_and_to_the_right_people(cast, api):
    now = timezone.now()
    body = {
        "agent_as_analyst": "ann",
        "starts_at": (now + timedelta(days=1)).isoformat(),
        "ends_at": (now + timedelta(days=2)).isoformat(),
    }
    for user in (cast.ann, cast.tina, cast.quinn, None):
        assert api(user).post("/api/role-swaps/", body, format="json").status_code == 403
    assert api(cast.sam).post("/api/role-swaps/", body, format="json").status_code == 201
    # Overlapping the first one: refused.
    assert api(cast.ada).post("/api/role-swaps/", body, format="json").status_code == 409
    wrong = api(cast.sam).post(
        "/api/role-swaps/", {**body, "agent_as_analyst": "tina"}, format="json"
    )
    assert wrong.status_code == 400
    assert "agent_as_analyst" in wrong.json()["error"]["fields"]
    backwards = api(cast.sam).post(
        "/api/role-swaps/",
        {**body, "agent_as_analyst": "bob", "ends_at": now.isoformat()},
        format="json",
    )
    assert backwards.status_code == 400 and "ends_at" in backwards.json()["error"]["fields"]
    with pytest.raises(Conflict):
        swaps.role_swap_grant(
            actor=cast.sam,
            analyst_as_agent=cast.quinn,
            agent_as_analyst=cast.ann,
            starts_at=now + timedelta(hours=30),
            ends_at=now + timedelta(hours=40),
        )
    with pytest.raises(DomainError):
        swaps.role_swap_grant(actor=cast.sam, starts_at=now, ends_at=now + timedelta(hours=1))
    assert AuditEntry.objects.filter(action="role_swap.granted").count() == 1


def test_both_people_see_the_swap_on_their_pages(cast, client):
    _now_swap(cast)
    client.force_login(cast.ann)
    page = client.get("/quality/").content.decode()
    assert 'data-testid="role-swap-banner"' in page and "rights of a QA analyst" in page
    client.force_login(cast.quinn)
    page = client.get("/qa/worklist/").content.decode()
    assert 'data-testid="role-swap-banner"' in page and "rights of an agent" in page
    client.force_login(cast.bob)
    assert 'data-testid="role-swap-banner"' not in client.get("/quality/").content.decode()
    # The role-swap page: Bob has none; Ann sees hers; the supervisor sees every swap.
    assert "Learning week" not in client.get("/role-swaps/").content.decode()
    for user in (cast.ann, cast.sam):
        client.force_login(user)
        assert "Learning week" in client.get("/role-swaps/").content.decode()
