"""Floor actions over the API: bad input names the field, races are conflicts, all audited."""

from datetime import UTC, datetime, timedelta

import pytest

from agents.models import AuditEntry
from metrics.models import Broadcast, HelpRequest

pytestmark = pytest.mark.django_db


def test_a_broadcast_needs_text_a_known_priority_and_a_future_expiry(cast, api):
    client = api(cast.sam)
    response = client.post(
        "/api/floor/broadcasts/", {"text": "", "priority": "loud"}, format="json"
    )
    assert response.status_code == 400
    assert {"text", "priority"} <= set(response.json()["error"]["fields"])
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    response = client.post(
        "/api/floor/broadcasts/", {"text": "Hi", "expires_at": past}, format="json"
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["fields"]
    assert not Broadcast.objects.exists()


def test_a_broadcast_is_stored_and_audited(cast, api):
    response = api(cast.sam).post(
        "/api/floor/broadcasts/",
        {"text": "System outage: use the fallback script", "priority": "urgent"},
        format="json",
    )
    assert response.status_code == 201
    broadcast = Broadcast.objects.get(pk=response.json()["id"])
    assert (broadcast.priority, broadcast.created_by) == ("urgent", cast.sam)
    entry = AuditEntry.objects.get(action="broadcast.sent")
    assert entry.actor == cast.sam and entry.object_id == str(broadcast.pk)
    again = api(cast.sam).post(f"/api/floor/broadcasts/{broadcast.pk}/withdraw/")
    assert again.status_code == 200
    twice = api(cast.ada).post(f"/api/floor/broadcasts/{broadcast.pk}/withdraw/")
    assert twice.status_code == 409


def test_a_help_request_needs_a_known_reason_and_only_one_is_open(cast, api):
    client = api(cast.ann)
    bad = client.post("/api/floor/help-requests/", {"reason": "bored"}, format="json")
    assert bad.status_code == 400 and "reason" in bad.json()["error"]["fields"]
    first = client.post("/api/floor/help-requests/", {"reason": "technical"}, format="json")
    assert first.status_code == 201
    second = client.post("/api/floor/help-requests/", {"reason": "other"}, format="json")
    assert second.status_code == 409


def test_two_supervisors_taking_one_request_make_one_winner(cast, api):
    request_id = (
        api(cast.ann)
        .post("/api/floor/help-requests/", {"reason": "escalation"}, format="json")
        .json()["id"]
    )
    first = api(cast.sam).post(f"/api/floor/help-requests/{request_id}/take/")
    second = api(cast.tina).post(f"/api/floor/help-requests/{request_id}/take/")
    assert (first.status_code, second.status_code) == (200, 409)
    request = HelpRequest.objects.get(pk=request_id)
    assert (request.status, request.taken_by) == ("taken", cast.sam)
    actions = list(
        AuditEntry.objects.filter(
            object_id=str(request_id), object_type="metrics.helprequest"
        ).values_list("action", flat=True)
    )
    assert sorted(actions) == ["help_request.created", "help_request.taken"]


def test_an_alert_is_acknowledged_once(cast, api):
    first = api(cast.sam).post(
        "/api/floor/alerts/ack/", {"key": "queue_sl:1:2026-03-02"}, format="json"
    )
    second = api(cast.ada).post(
        "/api/floor/alerts/ack/", {"key": "queue_sl:1:2026-03-02"}, format="json"
    )
    assert (first.status_code, second.status_code) == (201, 409)
    missing = api(cast.sam).post("/api/floor/alerts/ack/", {"key": ""}, format="json")
    assert missing.status_code == 400 and "key" in missing.json()["error"]["fields"]
    assert AuditEntry.objects.filter(action="alert.acknowledged").count() == 1


def test_the_snapshot_api_gives_each_role_their_part_of_the_floor(cast, api):
    api(cast.bob).post("/api/floor/help-requests/", {"reason": "technical"}, format="json")
    sam = api(cast.sam).get("/api/floor/snapshot/").json()
    tina = api(cast.tina).get("/api/floor/snapshot/").json()
    bob = api(cast.bob).get("/api/floor/snapshot/").json()
    assert len(sam["snapshot"]["help"]) == 1 and tina["snapshot"]["help"] == {}
    assert len(bob["snapshot"]["help"]) == 1 and bob["snapshot"]["queues"] == {}


def test_the_snapshot_api_gives_a_team_lead_the_queues_their_team_works(
    cast, api, source, team_queues
):
    from tests.metrics.board.conftest import event, ingest

    ingest(
        source.source,
        [
            event("call_queued", ago=5, call_id="s1", queue="billing"),
            event("call_queued", ago=5, call_id="s2", queue="cards"),
        ],
    )
    sam = api(cast.sam).get("/api/floor/snapshot/").json()["snapshot"]
    tina = api(cast.tina).get("/api/floor/snapshot/").json()["snapshot"]
    billing = f"q{team_queues.billing.pk}"
    assert set(sam["queues"]) == {billing, f"q{team_queues.cards.pk}"}
    assert set(tina["queues"]) == {billing} and tina["queues"][billing]["waiting"] == 1


def test_a_team_leads_board_offers_only_their_queues_in_the_queue_filter(cast, team_queues):
    from django.test import Client

    client = Client()
    client.force_login(cast.tina)
    config = client.get("/floor/").context["config"]
    assert [q["name"] for q in config["queues"]] == ["billing"]
    client.force_login(cast.sam)
    assert [q["name"] for q in client.get("/floor/").context["config"]["queues"]] == [
        "billing",
        "cards",
    ]
