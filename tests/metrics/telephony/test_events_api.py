"""POST /api/telephony/events: token-only ingestion with per-item results."""

import pytest

from metrics.board.signals import floor_changed
from metrics.models import AgentDay, AgentState, CallEvent, QueueCall, QueueInterval

pytestmark = pytest.mark.django_db(transaction=True)


def call_events(prefix="e", call="c1", queue="billing", member="PJSIP/2004"):
    return [
        {
            "id": f"{prefix}1",
            "type": "call_queued",
            "at": "2026-03-02T09:00:00Z",
            "call_id": call,
            "queue": queue,
            "caller": "+3225550101",
        },
        {
            "id": f"{prefix}2",
            "type": "call_answered",
            "at": "2026-03-02T09:00:12Z",
            "call_id": call,
            "queue": queue,
            "member": member,
            "wait_s": 12,
            "ring_s": 3,
        },
        {
            "id": f"{prefix}3",
            "type": "call_ended",
            "at": "2026-03-02T09:04:12Z",
            "call_id": call,
            "queue": queue,
            "member": member,
            "talk_s": 240,
        },
    ]


def test_it_accepts_a_batch_and_builds_the_call(cast, post_events):
    received = []

    def listener(sender, site, **kwargs):
        received.append(site)

    floor_changed.connect(listener)
    try:
        response = post_events(call_events())
    finally:
        floor_changed.disconnect(listener)
    assert response.status_code == 200, response.content
    assert response.json()["accepted"] == 3
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 3
    call = QueueCall.objects.get()
    assert (call.outcome, call.wait_s, call.talk_s, call.ring_s) == ("answered", 12, 240, 3)
    assert call.agent == cast.ann_agent
    assert call.queue.name == "billing"
    assert received == ["main"]
    rollup = QueueInterval.objects.get()
    assert (rollup.offered, rollup.answered, rollup.a_in) == (1, 1, 1)
    assert AgentState.objects.filter(member="PJSIP/2004").exists()


def test_the_same_events_twice_count_once(cast, post_events):
    post_events(call_events())
    response = post_events(call_events())
    body = response.json()
    assert (body["accepted"], body["duplicates"]) == (0, 3)
    assert {r["reason"] for r in body["results"]} == {"already received"}
    assert CallEvent.objects.count() == 3
    assert QueueInterval.objects.get().offered == 1
    assert AgentDay.objects.get(member="PJSIP/2004").answered == 1


def test_one_bad_item_loses_nothing_else(db, post_events):
    events = call_events()
    events.insert(
        1,
        {
            "id": "bad1",
            "type": "call_abandoned",
            "at": "2026-03-02T09:00:05Z",
            "call_id": "c9",
            "queue": "billing",
            "wait_s": -3,
        },
    )
    events.insert(2, {"id": "bad2", "type": "call_teleported", "at": "2026-03-02T09:00:05Z"})
    events.insert(
        3,
        {
            "id": "bad3",
            "type": "call_abandoned",
            "at": "2026-03-02T09:00:05Z",
            "call_id": "c9",
            "queue": "billing",
            "wait_s": "",
        },
    )
    events.insert(
        4,
        {
            "id": "bad4",
            "type": "call_queued",
            "at": "yesterday",
            "call_id": "c9",
            "queue": "billing",
        },
    )
    response = post_events(events)
    assert response.status_code == 200
    body = response.json()
    assert (body["accepted"], body["rejected"]) == (3, 4)
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert "wait_s" in reasons["bad1"] and "greater than or equal to 0" in reasons["bad1"]
    assert "type" in reasons["bad2"]
    assert "wait_s" in reasons["bad3"]
    assert "at" in reasons["bad4"]
    assert QueueCall.objects.get().outcome == "answered"


def test_a_malformed_batch_is_a_400_naming_the_field(db, post_events):
    response = post_events(None, body={"events": "not a list"})
    assert response.status_code == 400
    assert "events" in response.json()["error"]["fields"]
    response = post_events(None, body={"events": [1, 2]})
    assert response.status_code == 400
    assert response.json()["error"]["fields"]


def test_an_oversized_batch_is_a_413(db, post_events):
    events = [
        {
            "id": f"x{i}",
            "type": "call_queued",
            "at": "2026-03-02T09:00:00Z",
            "call_id": f"c{i}",
            "queue": "q",
        }
        for i in range(1001)
    ]
    response = post_events(events)
    assert response.status_code == 413
    assert response.json()["error"]["code"] == "too_large"
    assert CallEvent.objects.count() == 0


def test_a_wrong_token_is_refused_and_changes_nothing(db, post_events):
    response = post_events(call_events(), token="cf_wrong")
    assert response.status_code == 401
    assert CallEvent.objects.count() == 0


def test_the_token_scheme_may_be_token(cast, post_events):
    assert post_events(call_events(), scheme="Token").status_code == 200


def test_the_token_opens_nothing_else(db, pbx):
    from django.urls import reverse
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pbx.token}")
    for name in ("api-me", "api-agent-list", "api-telephony-unmapped-members"):
        assert client.get(reverse(name)).status_code in (401, 403), name
    assert client.get(reverse("floor")).status_code == 302


def test_an_unknown_member_is_listed_then_mapping_it_reattributes_history(cast, post_events, api):
    from agents.services import agent_update

    post_events(call_events(member="SIP/7001"))
    listed = api(cast.ada).get("/api/telephony/unmapped-members/").json()
    assert [m["member"] for m in listed] == ["SIP/7001"]
    assert listed[0]["calls"] == 1
    assert QueueCall.objects.get().agent is None
    agent_update(agent=cast.bob_agent, aliases=["PJSIP/2005", "SIP/7001"], actor=cast.ada)
    assert QueueCall.objects.get().agent == cast.bob_agent
    assert AgentDay.objects.get(member="SIP/7001").agent == cast.bob_agent
    assert api(cast.ada).get("/api/telephony/unmapped-members/").json() == []


def test_the_schema_documents_the_endpoint_with_examples(db, api, cast):
    response = api(cast.ada).get("/api/schema/?format=json")
    operation = response.json()["paths"]["/api/telephony/events"]["post"]
    assert operation["operationId"] == "telephony_events_ingest"
    assert operation["requestBody"]["content"]["application/json"]["examples"]
    assert operation["security"] == [{"sourceToken": []}]


def test_an_agent_created_later_takes_the_history_of_their_alias(cast, post_events):
    from agents.services import agent_create

    post_events(call_events(member="PJSIP/3001"))
    carol = agent_create(
        username="carol",
        display_name="Carol Agent",
        employee_number="E3001",
        team=cast.billing,
        aliases=["PJSIP/3001"],
    )
    assert QueueCall.objects.get().agent == carol
    assert AgentState.objects.filter(member="PJSIP/3001").exclude(agent=carol).count() == 0


def test_an_event_that_matches_nothing_is_stored_and_says_so(db, post_events):
    response = post_events(
        [
            {
                "id": "lone",
                "type": "call_abandoned",
                "at": "2026-03-02T09:00:05Z",
                "call_id": "nope",
                "queue": "q",
                "wait_s": 4,
            }
        ]
    )
    item = response.json()["results"][0]
    assert item["status"] == "accepted"
    assert "matches no open call" in item["reason"]
    assert CallEvent.objects.filter(natural_key="lone").exists()
    assert QueueCall.objects.count() == 0


def test_odd_characters_are_stored_exactly(db, post_events):
    caller = 'tab\there "quote" back\\slash\nnewline'
    events = call_events()
    events[0]["caller"] = caller
    post_events(events)
    assert CallEvent.objects.get(natural_key="e1").data == ["", caller]
    assert QueueCall.objects.get().caller == caller[:100]


def test_a_body_over_one_megabyte_is_a_413(db, pbx):
    from django.urls import reverse
    from rest_framework.test import APIClient

    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pbx.token}")
    padding = "x" * (1024 * 1024)
    response = client.post(
        reverse("api-telephony-events"),
        {
            "events": [
                {
                    "id": "big",
                    "type": "call_queued",
                    "at": "2026-03-02T09:00:00Z",
                    "call_id": "c",
                    "queue": "q",
                    "caller": padding,
                }
            ]
        },
        format="json",
    )
    assert response.status_code == 413
    assert response.json()["error"]["fields"] == {
        "events": ["The batch is larger than 1048576 bytes."]
    }
    assert CallEvent.objects.count() == 0


def test_hold_transfer_wrap_up_and_status_events_shape_the_figures(cast, post_events):
    from datetime import UTC, datetime

    from metrics.models import Queue
    from metrics.selectors import floor_queue_stats
    from metrics.telephony.services import sources_advance

    def ev(ident, kind, at, **more):
        return {"id": ident, "type": kind, "at": f"2026-03-02T09:{at}Z", **more}

    call = {"call_id": "h1", "queue": "billing", "member": "PJSIP/2004"}
    response = post_events(
        [
            ev("1", "call_queued", "00:00", call_id="h1", queue="billing"),
            ev("2", "call_answered", "00:10", wait_s=10, **call),
            ev("3", "hold_started", "01:00", **call),
            ev("4", "hold_ended", "01:30", **call),
            ev("5", "call_ended", "02:10", talk_s=120, **call),
            ev("6", "wrap_up_started", "02:11", member="PJSIP/2004"),
            ev("7", "wrap_up_ended", "02:31", member="PJSIP/2004"),
            ev("8", "call_queued", "03:00", call_id="t1", queue="billing"),
            ev(
                "9",
                "call_answered",
                "03:05",
                wait_s=5,
                call_id="t1",
                queue="billing",
                member="PJSIP/2004",
            ),
            ev(
                "10",
                "call_transferred",
                "04:05",
                talk_s=60,
                target="2000",
                call_id="t1",
                queue="billing",
                member="PJSIP/2004",
            ),
            ev(
                "11",
                "agent_status",
                "05:00",
                member="PJSIP/2004",
                status="not_ready",
                reason="Lunch",
            ),
        ]
    )
    assert response.json()["accepted"] == 11
    first = QueueCall.objects.get(call_id="h1")
    assert (first.talk_s, first.hold_s, first.acw_s) == (120, 30, 20)
    second = QueueCall.objects.get(call_id="t1")
    assert second.transferred and second.hold_s == 0
    sources_advance(now=datetime(2026, 3, 2, 9, 10, tzinfo=UTC))
    queue = Queue.objects.get(name="billing")
    stats = floor_queue_stats(queues=[queue], now=datetime(2026, 3, 2, 9, 10, tzinfo=UTC))
    figures = stats[queue.pk]
    assert figures["aht_components"] == ["talk", "hold", "acw"]
    assert figures["aht_s"] == (120 + 30 + 20 + 60) / 2
    assert figures["transfer_rate"] == 0.5
    state = AgentState.objects.get(member="PJSIP/2004", ended_at__isnull=True)
    assert (state.status, state.reason, state.agent) == ("not_ready", "Lunch", cast.ann_agent)


def _ev(ident, kind, at, **more):
    return {"id": ident, "type": kind, "at": f"2026-03-02T09:{at}Z", **more}


def test_call_ringing_shows_the_agent_ringing_and_times_the_answer(cast, post_events):
    from datetime import UTC, datetime

    from metrics.models import Queue
    from metrics.selectors import floor_agent_stats

    call = {"call_id": "r1", "queue": "billing", "member": "PJSIP/2004"}
    response = post_events(
        [
            _ev("1", "agent_login", "00:00", member="PJSIP/2004"),
            _ev("2", "call_queued", "00:10", call_id="r1", queue="billing", caller="+3225550101"),
            _ev("3", "call_ringing", "00:12", **call),
        ]
    )
    assert response.json()["accepted"] == 3, response.json()
    ringing = AgentState.objects.get(member="PJSIP/2004", ended_at__isnull=True)
    assert (ringing.activity, ringing.call_id, ringing.queue.name) == ("ringing", "r1", "billing")
    assert ringing.started_at == datetime(2026, 3, 2, 9, 0, 12, tzinfo=UTC)

    # Answered 20 s after the ring started, with no ring time given: 20 s of ring time,
    # over the queue's three-rings cutoff (15 s).
    post_events([_ev("4", "call_answered", "00:32", **call)])
    state = AgentState.objects.get(member="PJSIP/2004", ended_at__isnull=True)
    assert (state.activity, state.call_id) == ("on_call", "r1")
    assert QueueCall.objects.get(call_id="r1").ring_s == 20
    closed = AgentState.objects.get(member="PJSIP/2004", activity="ringing")
    assert closed.ended_at == datetime(2026, 3, 2, 9, 0, 32, tzinfo=UTC)
    queue = Queue.objects.get(name="billing")
    row = QueueInterval.objects.get(queue=queue)
    assert (row.ring_known_n, row.ring_fast_n) == (1, 0)
    figures = floor_agent_stats(now=datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert figures[f"agent:{cast.ann_agent.pk}"]["answered_within_3_rings"] == 0.0


def test_a_missed_ring_without_a_ring_time_is_timed_from_its_start(cast, post_events):
    call = {"call_id": "m1", "queue": "billing", "member": "PJSIP/2004"}
    other = {"call_id": "m1", "queue": "billing", "member": "PJSIP/2005"}
    post_events(
        [
            _ev("1", "agent_login", "00:00", member="PJSIP/2004"),
            _ev("2", "agent_login", "00:00", member="PJSIP/2005"),
            _ev("3", "call_queued", "00:10", call_id="m1", queue="billing"),
            _ev("4", "call_ringing", "00:11", **call),
            _ev("5", "ring_missed", "00:26", **call),
            _ev("6", "call_ringing", "00:26", **other),
        ]
    )
    day = AgentDay.objects.get(member="PJSIP/2004")
    # Measured from the ring start (15 s): a missed ring, not an unreachable phone.
    assert (day.missed_rings, day.unreachable_rings) == (1, 0)
    ann = AgentState.objects.get(member="PJSIP/2004", ended_at__isnull=True)
    bob = AgentState.objects.get(member="PJSIP/2005", ended_at__isnull=True)
    assert (ann.activity, bob.activity) == ("idle", "ringing")
    # The caller hangs up while Bob's phone rings: Bob is idle again.
    post_events([_ev("7", "call_abandoned", "00:30", call_id="m1", queue="billing")])
    bob = AgentState.objects.get(member="PJSIP/2005", ended_at__isnull=True)
    assert (bob.activity, bob.call_id) == ("idle", "")


def test_ringing_everyone_ends_for_the_others_when_one_answers(cast, post_events):
    ring = {"call_id": "a1", "queue": "billing"}
    post_events(
        [
            _ev("1", "call_queued", "00:00", **ring),
            _ev("2", "call_ringing", "00:01", member="PJSIP/2004", **ring),
            _ev("3", "call_ringing", "00:01", member="PJSIP/2005", **ring),
            _ev("4", "call_answered", "00:04", member="PJSIP/2005", ring_s=3, **ring),
        ]
    )
    states = dict(
        AgentState.objects.filter(ended_at__isnull=True).values_list("member", "activity")
    )
    assert states == {"PJSIP/2004": "idle", "PJSIP/2005": "on_call"}
    assert QueueCall.objects.get(call_id="a1").ring_s == 3  # a given ring time wins


def test_call_ringing_needs_a_call_a_queue_and_a_member(db, post_events):
    response = post_events(
        [
            _ev("1", "call_ringing", "00:00", call_id="x", queue="billing"),
            _ev("2", "call_ringing", "00:00", member="PJSIP/2004"),
        ]
    )
    reasons = [r["reason"] for r in response.json()["results"]]
    assert reasons == ["call_ringing needs member", "call_ringing needs call_id and queue"]


def test_the_schema_documents_call_ringing_with_an_example(db, api, cast):
    operation = (
        api(cast.ada)
        .get("/api/schema/?format=json")
        .json()["paths"]["/api/telephony/events"]["post"]
    )
    assert "call_ringing" in operation["description"]
    examples = operation["requestBody"]["content"]["application/json"]["examples"]
    kinds = [e["type"] for example in examples.values() for e in example["value"]["events"]]
    assert "call_ringing" in kinds


def test_a_queues_three_rings_cutoff_decides_which_answers_were_fast(cast, post_events):
    from datetime import UTC, datetime

    from metrics.models import Queue
    from metrics.selectors import floor_agent_stats

    Queue.objects.create(name="billing", ring_fast_s=25)
    Queue.objects.create(name="cards")  # the default: 15 s

    def answered(ident, queue, member):
        call = {"call_id": f"f{ident}", "queue": queue, "member": member}
        return [
            _ev(f"{ident}q", "call_queued", "00:00", call_id=f"f{ident}", queue=queue),
            _ev(f"{ident}a", "call_answered", "00:30", wait_s=30, ring_s=20, **call),
        ]

    post_events(answered("1", "billing", "PJSIP/2004") + answered("2", "cards", "PJSIP/2004"))
    rows = {
        r.queue.name: (r.ring_known_n, r.ring_fast_n)
        for r in QueueInterval.objects.select_related("queue")
    }
    assert rows == {"billing": (1, 1), "cards": (1, 0)}
    figures = floor_agent_stats(now=datetime(2026, 3, 2, 10, tzinfo=UTC))
    assert figures[f"agent:{cast.ann_agent.pk}"]["answered_within_3_rings"] == 0.5


def test_a_long_running_server_keeps_a_bounded_cache_of_time_texts(cast, post_events, monkeypatch):
    """Fractional event times rarely repeat; the API process must not keep every one."""
    from metrics.telephony import store as services

    monkeypatch.setattr(services, "TIME_TEXTS_MAX", 8)
    services._TIME_TEXTS.clear()
    sizes = []
    for n in range(12):
        events = call_events(prefix=f"t{n}-", call=f"t{n}")
        for i, event in enumerate(events):
            event["at"] = event["at"].replace("Z", f".{n:02d}{i}123Z")
        response = post_events(events)
        assert response.status_code == 200, response.content
        assert response.json()["accepted"] == 3
        sizes.append(len(services._TIME_TEXTS))
    # Each batch adds its own few times; the cache is emptied once it passes the bound.
    assert max(sizes) <= 8 + 10
    assert QueueCall.objects.filter(outcome="answered").count() == 12
    assert len(set(sizes)) > 1  # the cache was in use


def test_control_characters_are_rejected_per_event(db, pbx):
    # A queue named with BEL/ESC made every spreadsheet export of it fail; NUL was the only
    # control character refused. A lone surrogate (valid JSON, not UTF-8) was a 500.
    import json

    from django.urls import reverse
    from rest_framework.test import APIClient

    events = call_events()
    events.append({**call_events("q")[0], "call_id": "c2", "queue": "billing\x07"})
    events.append({**call_events("m")[1], "call_id": "c1", "member": "PJSIP/\x1b[2J"})
    events.append({**call_events("r")[0], "call_id": "c3", "caller": "+32\x7f"})
    events.append({**call_events("s")[0], "call_id": "c4\ud800"})
    events.append({**call_events("t")[0], "id": "t\udc00", "call_id": "c5"})
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {pbx.token}")
    response = client.post(
        reverse("api-telephony-events"),
        json.dumps({"events": events}),  # ASCII: the surrogates as \u escapes
        content_type="application/json",
    )
    assert response.status_code == 200
    body = response.json()
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert reasons == {
        "q1": "queue name holds the control character '\\x07'",
        "m2": "member name holds the control character '\\x1b'",
        "r1": "data field 2 holds the control character '\\x7f'",
        "s1": "call_id: Surrogate characters are not allowed: U+D800.",
        # The id is sent back with its surrogate shown as "?" (it was a 500).
        "t?": "id: Surrogate characters are not allowed: U+DC00.",
    }
    assert body["accepted"] == 3
    assert list(QueueCall.objects.values_list("call_id", "outcome")) == [("c1", "answered")]
    assert not CallEvent.objects.filter(natural_key__in=reasons).exists()


def test_over_long_names_are_rejected_like_in_a_file(db, post_events):
    first, second = "A" * 200 + "-1", "A" * 200 + "-2"
    events = call_events()
    events.append({**call_events("x")[1], "member": first})
    events.append({**call_events("y")[1], "member": second})
    events.append({**call_events("z")[0], "call_id": "c2", "queue": "q" * 101})
    body = post_events(events).json()
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert set(reasons) == {"x2", "y2", "z1"}
    assert "member" in reasons["x2"] and "200" in reasons["x2"]
    assert "queue" in reasons["z1"] and "100" in reasons["z1"]
    assert body["accepted"] == 3
    assert not AgentDay.objects.filter(member__startswith="AAAA").exists()


def test_events_at_impossible_or_stale_times_are_rejected_per_event(db, post_events, settings):
    from datetime import UTC, datetime, timedelta

    settings.CALLFLOOR_EVENT_MAX_AGE_DAYS = 7
    now = datetime.now(UTC)

    def queued(ident, at, call):
        return {**call_events(ident)[0], "at": at, "call_id": call}

    events = [
        queued("ancient", "0001-01-01T00:00:00Z", "c1"),
        queued("future", "9999-12-31T23:59:59Z", "c2"),
        queued("stale", (now - timedelta(days=8)).isoformat(), "c3"),
        queued("ahead", (now + timedelta(minutes=10)).isoformat(), "c4"),
        queued("recent", (now - timedelta(hours=1)).isoformat(), "c5"),
        queued("skewed", (now + timedelta(minutes=2)).isoformat(), "c6"),
    ]
    body = post_events(events).json()
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert set(reasons) == {"ancient1", "future1", "stale1", "ahead1"}
    assert all("outside the accepted window" in reason for reason in reasons.values())
    assert "time 0001-01-01T00:00:00+00:00" in reasons["ancient1"]
    assert sorted(QueueCall.objects.values_list("call_id", flat=True)) == ["c5", "c6"]


def test_a_source_feeds_only_queues_of_its_site_and_its_own_queues(db, pbx, post_events):
    from metrics.models import Queue

    north = Queue.objects.create(name="north-billing", site="north")
    north.aliases.create(name="9100")
    events = [
        {**call_events("a")[0], "queue": "north-billing"},
        {**call_events("b")[0], "call_id": "c2", "queue": "9100"},
        {**call_events("c")[0], "call_id": "c3", "queue": "fresh"},
        {
            "id": "d1",
            "type": "agent_login",
            "at": "2026-03-02T09:00:00Z",
            "member": "PJSIP/2004",
            "queue": "north-billing",
        },
    ]
    body = post_events(events).json()
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert reasons == {
        "a1": "queue 'north-billing' belongs to another site",
        "b1": "queue '9100' belongs to another site",
        "d1": "queue 'north-billing' belongs to another site",
    }
    assert not QueueCall.objects.filter(queue=north).exists()
    assert not AgentState.objects.filter(queue=north).exists()
    # A queue a source names first is made in the source's site.
    assert Queue.objects.get(name="fresh").site == "main"
    # A source bound to its queues feeds those only (and makes no new one).
    pbx.source.queues.set([Queue.objects.get(name="fresh")])
    body = post_events(
        [
            {**call_events("e")[0], "call_id": "c5", "queue": "fresh"},
            {**call_events("f")[0], "call_id": "c6", "queue": "other"},
        ]
    ).json()
    assert [r["status"] for r in body["results"]] == ["accepted", "rejected"]
    assert body["results"][1]["reason"] == "queue 'other' is not one of this source's queues"
    assert not Queue.objects.filter(name="other").exists()


def test_durations_too_large_for_any_call_are_rejected(db, post_events):
    # Two waits of 1e308 s summed to an infinite rollup.
    events = call_events() + call_events("z", call="c2")
    events[4]["wait_s"] = 1e308
    events[5]["talk_s"] = 2e9
    body = post_events(events).json()
    reasons = {r["id"]: r["reason"] for r in body["results"] if r["status"] == "rejected"}
    assert reasons == {
        "z2": "CONNECT holdtime is larger than 1e+09: '1e+308'",
        "z3": "COMPLETEAGENT calltime is larger than 1e+09: '2000000000.0'",
    }
    assert max(QueueInterval.objects.values_list("answered_wait_sum", flat=True)) == 12
