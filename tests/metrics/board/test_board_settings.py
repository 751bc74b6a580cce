"""Settings from the board: validated, audited, rollups recomputed, pushed to every board."""

import time
from datetime import UTC, datetime, timedelta

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from agents.models import AuditEntry
from callfloor.asgi import application
from metrics.board import push
from metrics.board.models import FloorSettings
from metrics.board.snapshot import floor_snapshot
from metrics.models import QueueInterval
from tests.metrics.board.conftest import event, ingest, session_headers

URL = "/api/floor/settings/queues/{}/"


def _calls_waiting(source, waits: list[int]):
    """Answered calls of `billing` today, each after the given wait, one a minute (closer
    together in the day's first half hour, so that they stay on today)."""
    now = datetime.now(UTC)
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    # A call takes its wait and 30 s of talk; the first minutes of a day hold too little past.
    needed = timedelta(seconds=sum(wait + 31 for wait in waits) + 2)
    if now - midnight < needed:
        time.sleep((needed - (now - midnight)).total_seconds())
        now = datetime.now(UTC)
    start = max(now - timedelta(minutes=30), midnight + timedelta(seconds=2))
    roomy = start + timedelta(minutes=len(waits)) < now
    events = [event("agent_login", at=start - timedelta(seconds=1), member="PJSIP/2004")]
    at = start
    for n, wait in enumerate(waits):
        if n:
            at += timedelta(minutes=1) if roomy else timedelta(seconds=waits[n - 1] + 31)
        call = dict(call_id=f"w{n}", queue="billing")
        events += [
            event("call_queued", at=at, caller=f"+3250000{n}", **call),
            event(
                "call_answered",
                at=at + timedelta(seconds=wait),
                member="PJSIP/2004",
                wait_s=wait,
                ring_s=1,
                **call,
            ),
            event(
                "call_ended",
                at=at + timedelta(seconds=wait + 30),
                member="PJSIP/2004",
                talk_s=30,
                **call,
            ),
        ]
    ingest(source.source, events)


@pytest.mark.django_db
def test_a_supervisors_change_is_audited_and_recounts_the_service_level(
    cast, source, team_queues, api
):
    _calls_waiting(source, [5, 15, 25, 25])
    queue = team_queues.billing
    tile = floor_snapshot(site="main")["queues"][f"q{queue.pk}"]
    assert tile["service_level"] == 0.5 and tile["threshold_s"] == 20
    rows_before = QueueInterval.objects.filter(queue=queue).count()

    response = api(cast.sam).patch(
        URL.format(queue.pk), {"sl_threshold_s": 30, "sl_target": 0.9}, format="json"
    )
    assert response.status_code == 200, response.content
    assert response.json()["sl_threshold_s"] == 30
    # The day is counted again with the new threshold, as the admin's save does.
    tile = floor_snapshot(site="main")["queues"][f"q{queue.pk}"]
    assert tile["service_level"] == 1.0 and tile["threshold_s"] == 30
    assert tile["sl_target"] == 0.9
    assert QueueInterval.objects.filter(queue=queue).count() == rows_before
    entry = AuditEntry.objects.get(action="queue.settings_changed", object_id=str(queue.pk))
    assert entry.actor == cast.sam
    assert entry.data == {
        "before": {"sl_threshold_s": 20, "sl_target": 0.8},
        "after": {"sl_threshold_s": 30, "sl_target": 0.9},
    }


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"sl_target": 1.5}, "sl_target"),
        ({"sl_target": 1}, "sl_target"),  # 100 %: no number of agents reaches it
        ({"sl_target": 0.5}, "sl_target"),  # under the red mark (0.6)
        ({"sl_threshold_s": 0}, "sl_threshold_s"),
        ({"wait_amber_s": 90}, "wait_amber_s"),  # not shorter than red (60)
        ({"sl_variant": "fastest"}, "sl_variant"),
        ({"short_abandon_s": "soon"}, "short_abandon_s"),
    ],
)
def test_bad_settings_are_refused_with_the_field_and_nothing_changes(
    cast, team_queues, api, body, field
):
    queue = team_queues.billing
    response = api(cast.sam).patch(URL.format(queue.pk), body, format="json")
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"] and error["fields"][field][0]
    queue.refresh_from_db()
    assert (queue.sl_target, queue.sl_threshold_s, queue.wait_amber_s) == (0.8, 20, 30)
    assert not AuditEntry.objects.filter(action="queue.settings_changed").exists()


@pytest.mark.django_db
def test_agents_and_team_leads_outside_their_team_are_refused(cast, team_queues, api):
    billing, cards = team_queues.billing, team_queues.cards
    assert api(cast.ann).patch(URL.format(billing.pk), {"sl_threshold_s": 40}).status_code == 403
    # Team leads change nothing until the site allows it, then their own teams' queues only.
    assert api(cast.tina).patch(URL.format(billing.pk), {"sl_threshold_s": 40}).status_code == 403
    allowed = api(cast.sam).patch(
        "/api/floor/settings/site/", {"team_leads_edit_queues": True}, format="json"
    )
    assert allowed.status_code == 200
    assert api(cast.tina).patch(URL.format(cards.pk), {"sl_threshold_s": 40}).status_code == 403
    assert api(cast.tina).patch(URL.format(billing.pk), {"sl_threshold_s": 40}).status_code == 200
    assert api(cast.tina).patch("/api/floor/settings/site/", {"long_call_s": 60}).status_code == 403
    cards.refresh_from_db()
    billing.refresh_from_db()
    assert (cards.sl_threshold_s, billing.sl_threshold_s) == (20, 40)
    panel = api(cast.tina).get("/api/floor/settings/").json()
    assert [(q["name"], q["editable"]) for q in panel["queues"]] == [("billing", True)]
    assert panel["can_edit_site"] is False


@pytest.mark.django_db
def test_the_sites_alert_thresholds_drive_the_alerts_and_are_audited(cast, source, api):
    ingest(
        source.source,
        [
            event("agent_login", ago=400, member="PJSIP/2004"),
            event("call_queued", ago=300, call_id="l1", queue="billing"),
            event(
                "call_answered",
                ago=290,
                call_id="l1",
                queue="billing",
                member="PJSIP/2004",
                wait_s=10,
                ring_s=2,
            ),
        ],
    )
    assert not [
        a for a in floor_snapshot(site="main")["alerts"].values() if a["kind"] == "long_call"
    ]
    response = api(cast.sam).patch(
        "/api/floor/settings/site/",
        {"long_call_s": 120, "break_allowances": {"Break": 600}},
        format="json",
    )
    assert response.status_code == 200, response.content
    snap = floor_snapshot(site="main")
    assert [a["kind"] for a in snap["alerts"].values()] == ["long_call"]
    bands = snap["summary"]["thresholds"]["bands"]
    assert bands["on_call"] == [96, 120] and bands["not_ready"]["Break"] == 600
    entry = AuditEntry.objects.get(action="floor_settings.changed")
    assert entry.data["before"] == {"long_call_s": None, "break_allowances": {}}
    assert entry.data["after"] == {"long_call_s": 120, "break_allowances": {"Break": 600}}
    bad = api(cast.sam).patch("/api/floor/settings/site/", {"long_call_s": 0}, format="json")
    assert bad.status_code == 400 and "long_call_s" in bad.json()["error"]["fields"]
    assert FloorSettings.objects.get(site="main").long_call_s == 120


async def _board(user):
    headers = await sync_to_async(session_headers)(user)
    socket = WebsocketCommunicator(application, "/ws/floor/", headers=headers)
    connected, _ = await socket.connect(timeout=5)
    assert connected
    first = await socket.receive_json_from(timeout=5)
    assert first["type"] == "snapshot"
    return socket, first


@pytest.mark.django_db(transaction=True)
async def test_a_change_reaches_every_open_board_at_once(cast, source, team_queues):
    from metrics.board.floor_settings import queue_settings_update

    await sync_to_async(ingest)(source.source, [event("agent_login", member="PJSIP/2004")])
    await sync_to_async(push.floor_push)(site="main")
    key = f"q{team_queues.billing.pk}"
    boards = [await _board(cast.sam), await _board(cast.tina)]
    for _, first in boards:
        assert first["snapshot"]["queues"][key]["threshold_s"] == 20
    await sync_to_async(queue_settings_update)(
        actor=cast.sam, queue=team_queues.billing, changes={"sl_threshold_s": 45}
    )
    # floor_changed_on_commit marked the floor dirty; the push that follows carries the change.
    await sync_to_async(push.floor_push)(site="main")
    for socket, _ in boards:
        message = await socket.receive_json_from(timeout=5)
        assert message["type"] == "delta"
        tile = {
            **message["delta"].get("set", {}).get("queues", {}).get(key, {}),
            **message["delta"].get("patch", {}).get("queues", {}).get(key, {}),
        }
        assert tile["threshold_s"] == 45
        await socket.disconnect()
