"""The floor socket through the real ASGI stack (origin check, session auth) on Redis."""

import asyncio
import random
import threading
from datetime import UTC, datetime

import pytest
from asgiref.sync import sync_to_async
from channels.testing import WebsocketCommunicator

from callfloor.asgi import application
from metrics.board import delta as floor_delta
from metrics.board import push
from metrics.board.snapshot import floor_snapshot, viewer_for
from tests.metrics.board.conftest import event, ingest, session_headers

pytestmark = pytest.mark.django_db(transaction=True)


async def _open(user, *, origin="http://127.0.0.1", path="/ws/floor/"):
    headers = await sync_to_async(session_headers)(user, origin)
    socket = WebsocketCommunicator(application, path, headers=headers)
    connected, _ = await socket.connect(timeout=5)
    return socket, connected


async def test_anonymous_sockets_are_refused(cast):
    socket, connected = await _open(None)
    assert not connected
    await socket.disconnect()


async def test_foreign_origins_are_refused_even_with_a_session(cast):
    socket, connected = await _open(cast.sam, origin="https://evil.example")
    assert not connected
    await socket.disconnect()


async def test_a_qa_analyst_gets_no_floor(cast):
    socket, connected = await _open(cast.quinn)
    assert not connected
    await socket.disconnect()


async def test_a_supervisor_gets_a_snapshot_then_a_resync_on_request(cast, source):
    await sync_to_async(ingest)(
        source.source,
        [
            event("agent_login", ago=30, member="PJSIP/2004"),
            event("agent_login", ago=30, member="PJSIP/2005"),
        ],
    )
    socket, connected = await _open(cast.sam)
    assert connected
    first = await socket.receive_json_from(timeout=5)
    assert first["type"] == "snapshot"
    assert set(first["snapshot"]["agents"]) == {f"a{cast.ann_agent.pk}", f"a{cast.bob_agent.pk}"}
    await socket.send_json_to({"type": "resync"})
    again = await socket.receive_json_from(timeout=5)
    assert again["type"] == "snapshot" and again["seq"] == first["seq"]
    await socket.disconnect()


async def _drain(socket, state, seq):
    """Apply every message waiting on `socket` in order; fail on a gap."""
    while not await socket.receive_nothing(timeout=0.3):
        message = await socket.receive_json_from(timeout=5)
        if message["type"] == "snapshot":
            state, seq = message["snapshot"], message["seq"]
            continue
        assert message["seq"] == seq + 1, "a message was lost"
        state, seq = floor_delta.apply(state, message["delta"]), message["seq"]
    return state, seq


MEMBERS = ["PJSIP/2004", "PJSIP/2005", "PJSIP/2099"]  # Ann (Billing), Bob (Cards), unmapped
QUEUES = ["billing", "cards"]


def _random_batch(rng: random.Random, calls: dict, queues: dict) -> list[dict]:
    batch = []
    for _ in range(rng.randint(1, 4)):
        member = rng.choice(MEMBERS)
        choice = rng.random()
        waiting = [c for c, s in calls.items() if s == "waiting"]
        talking = [c for c, s in calls.items() if s[0] == "talking"]
        if choice < 0.3:
            call = f"r{len(calls)}"
            queue = rng.choice(QUEUES)
            calls[call] = "waiting"
            queues[call] = queue
            batch.append(event("call_queued", call_id=call, queue=queue, caller=call))
        elif choice < 0.5 and waiting:
            call = rng.choice(waiting)
            calls[call] = ("talking", member)
            batch.append(
                event(
                    "call_answered",
                    call_id=call,
                    queue=queues[call],
                    member=member,
                    wait_s=3,
                    ring_s=1,
                )
            )
        elif choice < 0.6 and talking:
            call = rng.choice(talking)
            batch.append(
                event(
                    "call_ended", call_id=call, queue=queues[call], member=calls[call][1], talk_s=20
                )
            )
            calls[call] = "ended"
        elif choice < 0.75:
            batch.append(
                event(
                    "agent_status",
                    member=member,
                    status="not_ready",
                    reason=rng.choice(["Break", "Lunch"]),
                )
            )
        elif choice < 0.9:
            batch.append(event("agent_login", member=member))
        else:
            batch.append(event("agent_status", member=member, status="available"))
    return batch


async def test_snapshot_plus_deltas_equals_a_fresh_snapshot_for_every_role(
    cast, source, team_queues
):
    sockets = {}
    for name in ["sam", "tina", "ann"]:
        socket, connected = await _open(getattr(cast, name))
        assert connected
        first = await socket.receive_json_from(timeout=5)
        sockets[name] = [socket, first["snapshot"], first["seq"]]
    rng = random.Random(20260302)
    calls: dict = {}
    queues: dict = {}
    for _ in range(25):
        await sync_to_async(ingest)(source.source, _random_batch(rng, calls, queues))
        if rng.random() < 0.6:
            await sync_to_async(push.floor_push)(site="main")
    last = await sync_to_async(push.floor_push)(site="main")
    now = datetime.fromtimestamp(last["now"], UTC)
    fresh = await sync_to_async(floor_snapshot)(site="main", now=now)
    final = {}
    for name, (socket, state, seq) in sockets.items():
        state, seq = await _drain(socket, state, seq)
        assert seq == last["seq"]
        viewer = await sync_to_async(viewer_for)(getattr(cast, name))
        assert state == floor_delta.filter_snapshot(fresh, viewer), name
        final[name] = state
        await socket.disconnect()
    assert len(fresh["agents"]) == 3 and fresh["queues"]
    assert set(final["tina"]["agents"]) == {f"a{cast.ann_agent.pk}"}
    assert set(final["ann"]["agents"]) == {f"a{cast.ann_agent.pk}"}
    assert final["ann"]["queues"] == {} and final["sam"]["queues"] == fresh["queues"]
    # Tina's team works billing only: her board holds that tile and none of cards' alerts.
    billing = f"q{team_queues.billing.pk}"
    assert set(fresh["queues"]) == {billing, f"q{team_queues.cards.pk}"}
    assert final["tina"]["queues"] == {billing: fresh["queues"][billing]}
    assert all(
        a.get("queue_id") in (None, team_queues.billing.pk)
        for a in final["tina"]["alerts"].values()
    )


async def test_a_team_lead_never_receives_another_teams_agent(cast, source):
    socket, connected = await _open(cast.tina)
    assert connected
    first = await socket.receive_json_from(timeout=5)
    await sync_to_async(ingest)(
        source.source,
        [
            event("agent_login", member="PJSIP/2005"),
            event("agent_status", member="PJSIP/2005", status="not_ready", reason="Break"),
            event("agent_login", member="PJSIP/2004"),
        ],
    )
    await sync_to_async(push.floor_push)(site="main")
    seen = []
    while not await socket.receive_nothing(timeout=0.3):
        message = await socket.receive_json_from(timeout=5)
        seen.append(message)
    agents = {k for m in seen for k in m.get("delta", {}).get("set", {}).get("agents", {})}
    agents |= set(first["snapshot"]["agents"])
    assert agents == {f"a{cast.ann_agent.pk}"}
    await socket.disconnect()


async def test_a_live_escalation_reaches_the_supervisor_and_its_team_lead_only(cast, source):
    from qa.complaints import services as complaints

    sockets = {}
    for name in ["sam", "tina", "tom"]:
        socket, connected = await _open(getattr(cast, name))
        assert connected
        first = await socket.receive_json_from(timeout=5)
        sockets[name] = (socket, first["snapshot"], first["seq"])
    # The service sends floor_changed after commit; with eager Celery that pushes at once.
    live = await sync_to_async(complaints.live_escalation_raise)(
        actor=cast.ann, reason="Asks for a supervisor"
    )
    key = f"live_escalation:{live.pk}"
    seen = {}
    for name, (socket, state, seq) in sockets.items():
        state, seq = await _drain(socket, state, seq)
        seen[name] = state
        sockets[name] = (socket, state, seq)
    assert "Ann Agent: customer asks" in seen["sam"]["alerts"][key]["text"]
    assert key in seen["tina"]["alerts"]
    assert key not in seen["tom"]["alerts"]

    await sync_to_async(complaints.live_escalation_take)(live=live, actor=cast.sam)
    for name in ["sam", "tina"]:
        socket, state, seq = sockets[name]
        state, seq = await _drain(socket, state, seq)
        assert key not in state["alerts"]
    for socket, _, _ in sockets.values():
        await socket.disconnect()


async def test_full_floor_sockets_opened_during_pushes_get_every_push_once_in_order(cast, source):
    from metrics.board.consumers import FloorFanout

    await sync_to_async(ingest)(source.source, [event("agent_login", member="PJSIP/2004")])
    stop = threading.Event()

    def pushing():
        rng = random.Random(4)
        calls, queues = {}, {}
        while not stop.is_set():
            ingest(source.source, _random_batch(rng, calls, queues))
            push.floor_push(site="main")

    pusher = threading.Thread(target=pushing)
    pusher.start()
    try:
        sockets = []
        for _ in range(4):  # each connects (and reads its snapshot) while pushes go on
            socket, connected = await _open(cast.sam)
            assert connected
            sockets.append(socket)
        await asyncio.sleep(0.5)
    finally:
        stop.set()
        await sync_to_async(pusher.join, thread_sensitive=False)()
    # One member of the site's group carries the pushes to the four sockets of this process.
    (fanout,) = FloorFanout.running.values()
    assert len(fanout.sockets) == 4
    # A heartbeat: the worker reads again what depends on the clock (tiles whose waiting calls
    # passed a threshold since their queue last changed), so its floor is the fresh one.
    last = await sync_to_async(push.floor_push)(site="main", heartbeat=True)
    fresh = await sync_to_async(floor_snapshot)(
        site="main", now=datetime.fromtimestamp(last["now"], UTC)
    )
    for socket in sockets:
        first = await socket.receive_json_from(timeout=5)
        assert first["type"] == "snapshot"
        state, seq = await _drain(socket, first["snapshot"], first["seq"])
        assert seq == last["seq"]
        assert state == fresh
    for socket in sockets:
        await socket.disconnect()
    assert not FloorFanout.running


async def test_a_team_lead_receives_only_the_queues_their_team_works(cast, source, team_queues):
    """Tiles, waiting lists and queue alerts of cards never reach Billing's lead; the
    supervisor gets both; a lead allowed to see the whole floor gets everything."""
    from django.contrib.auth.models import Permission

    billing, cards = f"q{team_queues.billing.pk}", f"q{team_queues.cards.pk}"
    grant = await sync_to_async(Permission.objects.get)(codename="see_whole_floor")
    await sync_to_async(cast.tom.user_permissions.add)(grant)
    sockets = {}
    for name in ["sam", "tina", "tom"]:
        socket, connected = await _open(getattr(cast, name))
        assert connected
        first = await socket.receive_json_from(timeout=5)
        sockets[name] = (socket, first["snapshot"], first["seq"])
    # Callers waiting long enough for a wait alert in both queues.
    await sync_to_async(ingest)(
        source.source,
        [
            event("call_queued", ago=90, call_id="w1", queue="billing", caller="+3225550101"),
            event("call_queued", ago=90, call_id="w2", queue="cards", caller="+3225550202"),
        ],
    )
    await sync_to_async(push.floor_push)(site="main")
    seen = {}
    for name, (socket, state, seq) in sockets.items():
        seen[name], _ = await _drain(socket, state, seq)
        await socket.disconnect()
    assert set(seen["sam"]["queues"]) == {billing, cards}
    assert set(seen["tom"]["queues"]) == {billing, cards}
    assert set(seen["tina"]["queues"]) == {billing}
    assert [c["caller"] for c in seen["tina"]["queues"][billing]["waiting_calls"]] == [
        "+3225550101"
    ]
    wait_alerts = {
        name: {a["queue_id"] for a in state["alerts"].values() if a["kind"] == "queue_wait"}
        for name, state in seen.items()
    }
    assert wait_alerts == {
        "sam": {team_queues.billing.pk, team_queues.cards.pk},
        "tom": {team_queues.billing.pk, team_queues.cards.pk},
        "tina": {team_queues.billing.pk},
    }
    assert "+3225550202" not in str(seen["tina"])


async def test_a_team_lead_whose_team_works_no_queue_sees_no_tile(cast, source):
    await sync_to_async(ingest)(
        source.source, [event("call_queued", ago=5, call_id="n1", queue="billing")]
    )
    socket, connected = await _open(cast.tina)
    assert connected
    first = await socket.receive_json_from(timeout=5)
    assert first["snapshot"]["queues"] == {}
    await socket.disconnect()
