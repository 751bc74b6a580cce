"""The floor snapshot: what the tiles, the grid and the alerts hold, and what it costs."""

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.board import actions as floor_actions
from metrics.board.delta import filter_snapshot
from metrics.board.snapshot import floor_snapshot, viewer_for
from tests.metrics.board.conftest import event, ingest

pytestmark = pytest.mark.django_db


def _busy_morning(source, calls: int, *, start: datetime):
    """`calls` answered and ended calls of Ann in `billing`, one a minute from `start`."""
    events = [event("agent_login", at=start - timedelta(minutes=1), member="PJSIP/2004")]
    for n in range(calls):
        at = start + timedelta(minutes=n)
        call = f"m{n}"
        events += [
            event("call_queued", at=at, call_id=call, queue="billing", caller=f"+32{n}"),
            event(
                "call_answered",
                at=at + timedelta(seconds=5),
                call_id=call,
                queue="billing",
                member="PJSIP/2004",
                wait_s=5,
                ring_s=2,
            ),
            event(
                "call_ended",
                at=at + timedelta(seconds=40),
                call_id=call,
                queue="billing",
                member="PJSIP/2004",
                talk_s=35,
            ),
        ]
    ingest(source, events)


def test_tiles_and_rows_hold_todays_figures_and_timestamps(cast, source):
    now = datetime.now(UTC)
    ingest(
        source.source,
        [
            event("agent_login", ago=300, member="PJSIP/2004"),
            event("agent_login", ago=300, member="PJSIP/2005"),
            event("call_queued", ago=120, call_id="c1", queue="billing", caller="+3221"),
            event(
                "call_answered",
                ago=110,
                call_id="c1",
                queue="billing",
                member="PJSIP/2004",
                wait_s=10,
                ring_s=3,
            ),
            event("call_queued", ago=45, call_id="c2", queue="billing", caller="+3222"),
            event("agent_status", ago=30, member="PJSIP/2005", status="not_ready", reason="Break"),
        ],
    )
    snap = floor_snapshot(site="main", now=now)
    (tile,) = snap["queues"].values()
    assert (tile["name"], tile["offered"], tile["answered"], tile["waiting"]) == (
        "billing",
        2,
        1,
        1,
    )
    assert tile["longest_waiting_since"] == pytest.approx(now.timestamp() - 45, abs=1)
    assert tile["waiting_calls"][0]["caller"] == "+3222"
    assert tile["sl_variant"] == "offered" and tile["sl_target"] == 0.8
    # c2 waits 45 s > T = 20 s: already a miss, so SL = 1 in time of 2 known.
    assert tile["service_level"] == 0.5
    assert tile["staffed"] == 2 and tile["on_call"] == 1 and tile["not_ready"] == 1
    assert len(tile["trend"]) >= 1
    ann = snap["agents"][f"a{cast.ann_agent.pk}"]
    assert (ann["name"], ann["team"], ann["activity"], ann["queue"], ann["call_id"]) == (
        "Ann Agent",
        "Billing",
        "on_call",
        "billing",
        "c1",
    )
    assert ann["since"] == pytest.approx(now.timestamp() - 110, abs=1)
    bob = snap["agents"][f"a{cast.bob_agent.pk}"]
    assert (bob["status"], bob["reason"]) == ("not_ready", "Break")
    assert snap["summary"]["floor"]["staffed"] == 2
    kinds = {a["kind"] for a in snap["alerts"].values()}
    assert {"queue_sl", "queue_wait"} <= kinds


def test_the_cost_of_a_snapshot_does_not_grow_with_the_day(cast, source):
    # Yesterday's morning, seen from its 02:00: the calls are in the past whatever the hour
    # the test runs (today's 00:05 is still to come just after midnight).
    start = (datetime.now(UTC) - timedelta(days=1)).replace(
        hour=0, minute=5, second=0, microsecond=0
    )
    now = start + timedelta(hours=2)
    _busy_morning(source.source, 5, start=start)
    floor_snapshot(site="main", now=now)  # the interval's forecast ("required now") is cached
    with CaptureQueriesContext(connection) as few:
        floor_snapshot(site="main", now=now)
    _busy_morning(source.source, 60, start=start + timedelta(minutes=10))
    # The repeat-call counters catch up with the calls written since the last push (what the
    # push before this one would have done); then the snapshot reads counters only.
    from metrics.repeat_calls import repeat_calls_catch_up

    assert repeat_calls_catch_up() >= 60
    with CaptureQueriesContext(connection) as many:
        snap = floor_snapshot(site="main", now=now)
    assert snap["agents"][f"a{cast.ann_agent.pk}"]["handled"] == 65
    assert len(many.captured_queries) == len(few.captured_queries)


def test_long_call_break_overrun_and_long_wrap_up_alert(cast, source):
    ingest(
        source.source,
        [
            event("agent_login", ago=3600, member="PJSIP/2004"),
            event("agent_login", ago=3600, member="PJSIP/2005"),
            event("call_queued", ago=700, call_id="long", queue="cards", caller="+1"),
            event(
                "call_answered",
                ago=690,
                call_id="long",
                queue="cards",
                member="PJSIP/2004",
                wait_s=10,
                ring_s=2,
            ),
            event(
                "agent_status", ago=1000, member="PJSIP/2005", status="not_ready", reason="Break"
            ),
        ],
    )
    alerts = floor_snapshot(site="main")["alerts"].values()
    kinds = {a["kind"]: a for a in alerts}
    assert kinds["long_call"]["agent"] == f"a{cast.ann_agent.pk}"
    assert kinds["break_overrun"]["agent"] == f"a{cast.bob_agent.pk}"
    assert kinds["break_overrun"]["team_id"] == cast.cards.pk


def test_an_acknowledged_alert_names_who_saw_it(cast, source):
    ingest(source.source, [event("call_queued", ago=90, call_id="w", queue="billing")])
    key = next(
        k for k, a in floor_snapshot(site="main")["alerts"].items() if a["kind"] == "queue_wait"
    )
    floor_actions.alert_acknowledge(actor=cast.sam, key=key)
    alert = floor_snapshot(site="main")["alerts"][key]
    assert alert["ack"]["by"] == "sam"


def test_help_requests_broadcasts_and_takeovers_show_until_they_end(cast, source):
    ingest(
        source.source,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("call_queued", ago=50, call_id="hard", queue="billing"),
            event(
                "call_answered",
                ago=45,
                call_id="hard",
                queue="billing",
                member="PJSIP/2004",
                wait_s=5,
                ring_s=1,
            ),
        ],
    )
    request = floor_actions.help_request_create(
        user=cast.ann, reason="escalation", note="Customer wants a manager"
    )
    live = floor_actions.broadcast_send(actor=cast.sam, text="Outage", priority="urgent")
    floor_actions.broadcast_send(
        actor=cast.sam, text="Gone soon", expires_at=datetime.now(UTC) + timedelta(seconds=1)
    )
    snap = floor_snapshot(site="main", now=datetime.now(UTC) + timedelta(seconds=5))
    assert [b["text"] for b in snap["broadcasts"].values()] == ["Outage"]
    help_alert = snap["alerts"][f"help:{request.pk}"]
    assert "Ann Agent asks for help: Escalation" in help_alert["text"]
    assert request.call_id == "hard"
    floor_actions.takeover_start(actor=cast.sam, agent=cast.ann_agent, help_request=request)
    floor_actions.broadcast_withdraw(actor=cast.sam, broadcast=live)
    snap = floor_snapshot(site="main", now=datetime.now(UTC) + timedelta(seconds=5))
    assert snap["broadcasts"] == {}
    # The taken request stays for the agent's page, naming who comes; no alert for it.
    assert [(h["status"], h["taken_by"]) for h in snap["help"].values()] == [
        ("taken", "Sam Supervisor")
    ]
    assert snap["agents"][f"a{cast.ann_agent.pk}"]["takeover"]["by"] == "sam"
    request.refresh_from_db()
    assert (request.status, request.taken_by) == ("taken", cast.sam)
    assert not any(a["kind"] == "help" for a in snap["alerts"].values())


def test_a_team_lead_sees_only_their_teams_queues_and_agents(cast, source, team_queues):
    ingest(
        source.source,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("agent_login", ago=60, member="PJSIP/2005"),
            event("call_queued", ago=5, call_id="x", queue="cards"),
        ],
    )
    floor_actions.help_request_create(user=cast.bob, reason="technical")
    snap = floor_snapshot(site="main")
    tina = filter_snapshot(snap, viewer_for(cast.tina))
    assert list(tina["agents"]) == [f"a{cast.ann_agent.pk}"]
    assert len(snap["queues"]) == 2
    assert list(tina["queues"]) == [f"q{team_queues.billing.pk}"]
    assert list(filter_snapshot(snap, viewer_for(cast.tom))["queues"]) == [
        f"q{team_queues.cards.pk}"
    ]
    assert tina["help"] == {}
    ann = filter_snapshot(snap, viewer_for(cast.ann))
    assert list(ann["agents"]) == [f"a{cast.ann_agent.pk}"] and ann["queues"] == {}
    assert viewer_for(cast.quinn) is None


def test_a_scoped_team_leads_header_counts_their_team_not_the_floor(cast, source):
    """Ann (Billing) and Bob (Cards) are logged in: the floor's header says two staffed, tina's
    and tom's one each; a team lead who may see the whole floor gets the floor's."""
    from django.contrib.auth.models import Permission

    ingest(
        source.source,
        [
            event("agent_login", ago=60, member="PJSIP/2004"),
            event("agent_login", ago=60, member="PJSIP/2005"),
            event("agent_status", ago=30, member="PJSIP/2005", status="not_ready", reason="Break"),
        ],
    )
    snap = floor_snapshot(site="main")
    assert snap["summary"]["floor"]["staffed"] == 2
    tina = filter_snapshot(snap, viewer_for(cast.tina))["summary"]
    assert sorted(tina) == ["floor", "thresholds"]  # no other team's counts, nor the floor's
    assert (tina["floor"]["staffed"], tina["floor"]["available"]) == (1, 1)
    assert tina["floor"]["not_ready"] == 0
    tom = filter_snapshot(snap, viewer_for(cast.tom))["summary"]["floor"]
    assert (tom["staffed"], tom["available"], tom["not_ready"]) == (1, 0, 1)
    cast.tom.user_permissions.add(Permission.objects.get(codename="see_whole_floor"))
    cast.tom = type(cast.tom).objects.get(pk=cast.tom.pk)
    whole = filter_snapshot(snap, viewer_for(cast.tom))["summary"]["floor"]
    assert whole["staffed"] == 2


def test_an_open_live_escalation_is_an_alert_until_it_is_taken(cast, source):
    from qa.complaints import services as complaints

    live = complaints.live_escalation_raise(actor=cast.ann, reason="Wants a manager")
    other = complaints.live_escalation_raise(actor=cast.bob, reason="Threatens to cancel")
    snap = floor_snapshot(site="main")
    alert = snap["alerts"][f"live_escalation:{live.pk}"]
    assert alert["severity"] == "red"
    assert alert["text"] == "Ann Agent: customer asks for a supervisor — Wants a manager"
    assert (alert["agent"], alert["team_id"]) == (f"a{cast.ann_agent.pk}", cast.billing.pk)
    assert alert["link"] == "/complaints/escalations/"
    assert alert["action"] == f"/api/live-escalations/{live.pk}/take/"
    # Who that API lets take over (an admin does not): the board shows the button to them only.
    assert sorted(alert["action_roles"]) == ["supervisor", "team_lead"]
    assert alert["since"] == pytest.approx(live.raised_at.timestamp(), abs=0.01)
    # Supervisors see both; Tina (Billing) only Ann's; Quinn has no floor.
    keys = {f"live_escalation:{live.pk}", f"live_escalation:{other.pk}"}
    assert keys <= set(filter_snapshot(snap, viewer_for(cast.sam))["alerts"])
    tina = filter_snapshot(snap, viewer_for(cast.tina))["alerts"]
    assert {k for k in tina if k.startswith("live_escalation:")} == {f"live_escalation:{live.pk}"}

    complaints.live_escalation_take(live=live, actor=cast.sam)
    complaints.live_escalation_close(live=other, actor=cast.sam)
    alerts = floor_snapshot(site="main")["alerts"]
    assert not any(a["kind"] == "live_escalation" for a in alerts.values())


def test_live_escalations_keep_the_snapshot_cost_flat(cast, source):
    from qa.complaints import services as complaints

    complaints.live_escalation_raise(actor=cast.ann, reason="One")
    floor_snapshot(site="main")  # the first one also sets up the repeat-call counters' mark
    with CaptureQueriesContext(connection) as few:
        floor_snapshot(site="main")
    for n in range(5):
        complaints.live_escalation_raise(actor=cast.bob, reason=f"More {n}")
    with CaptureQueriesContext(connection) as many:
        snap = floor_snapshot(site="main")
    assert sum(a["kind"] == "live_escalation" for a in snap["alerts"].values()) == 6
    assert len(many.captured_queries) == len(few.captured_queries)


def test_a_tile_shows_todays_csat_once_surveys_are_answered(cast, source):
    from metrics.reports.services import survey_record

    now = datetime.now(UTC)
    events = [event("agent_login", ago=600, member="PJSIP/2004")]
    for n, ago in enumerate([500, 400]):
        events += [
            event("call_queued", ago=ago, call_id=f"s{n}", queue="billing"),
            event(
                "call_answered",
                ago=ago - 5,
                call_id=f"s{n}",
                queue="billing",
                member="PJSIP/2004",
                wait_s=5,
                ring_s=1,
            ),
            event(
                "call_ended",
                ago=ago - 60,
                call_id=f"s{n}",
                queue="billing",
                member="PJSIP/2004",
                talk_s=55,
            ),
        ]
    ingest(source.source, events)
    (tile,) = floor_snapshot(site="main", now=now)["queues"].values()
    assert (tile["survey_n"], tile["csat_top_box"], tile["csat_mean"]) == (0, None, None)
    # Scale 1–5, top box 5 (the default): one 5 and one 3 → 50 % top box, mean 4.
    survey_record(source=source.source, call_id="s0", score=5, answered_at=now)
    survey_record(source=source.source, call_id="s1", score=3, answered_at=now)
    (tile,) = floor_snapshot(site="main", now=now)["queues"].values()
    assert (tile["survey_n"], tile["csat_top_box"], tile["csat_mean"]) == (2, 0.5, 4.0)


def test_a_tile_shows_required_now_from_the_forecast_cached_per_interval(cast, source):
    from callfloor.zone import site_zone
    from metrics.models import Outcome, Queue, QueueCall
    from scheduling.forecast import bucket

    now = datetime.now(UTC)
    ingest(source.source, [event("agent_login", ago=60, member="PJSIP/2004")])
    billing, _ = Queue.objects.get_or_create(name="billing", defaults={"site": "main"})
    start = bucket(now.astimezone(site_zone()), billing.interval_minutes)
    # Two calls in this interval on each of the last four weekdays like today: 2 a week.
    for week in range(1, 5):
        for n in range(2):
            QueueCall.objects.create(
                source=source.source,
                call_id=f"h{week}-{n}",
                queue=billing,
                offered_at=start - timedelta(weeks=week) + timedelta(minutes=n),
                outcome=Outcome.ABANDONED,
                wait_s=30,
            )
    # 2 calls × 180 s (no answered history: the default AHT) over 900 s = 0.4 erlang.
    # One agent: SL = 1 − 0.4·e^(−0.6·20/180) ≈ 0.63 < 0.8; two: P(wait) = 0.1 / 1.5, SL ≈
    # 1 − 0.0667·e^(−1.6·20/180) ≈ 0.94 ≥ 0.8 → two agents.
    assert billing.interval_minutes == 15 and billing.sl_threshold_s == 20
    tile = floor_snapshot(site="main", now=now)["queues"][f"q{billing.pk}"]
    assert (tile["required_now"], tile["staffed"]) == (2, 1)
    # Worked out once per interval: more history now does not change this interval's figure.
    QueueCall.objects.filter(queue=billing, offered_at__lt=start).update(
        offered_at=start - timedelta(days=1)
    )
    tile = floor_snapshot(site="main", now=now)["queues"][f"q{billing.pk}"]
    assert tile["required_now"] == 2
    later = now + timedelta(minutes=billing.interval_minutes)
    tile = floor_snapshot(site="main", now=later)["queues"][f"q{billing.pk}"]
    assert tile["required_now"] == 0


def test_a_taken_help_request_names_its_taker_for_the_agent_then_leaves(cast, source):
    request = floor_actions.help_request_create(user=cast.ann, reason="technical")
    cancelled = floor_actions.help_request_create(user=cast.bob, reason="other")
    floor_actions.help_request_cancel(user=cast.bob, request=cancelled)
    floor_actions.help_request_take(actor=cast.sam, request=request)
    now = datetime.now(UTC)
    snap = floor_snapshot(site="main", now=now)
    assert list(snap["help"]) == [f"h{request.pk}"]
    entry = snap["help"][f"h{request.pk}"]
    assert (entry["status"], entry["taken_by"]) == ("taken", "Sam Supervisor")
    assert entry["taken_at"] is not None
    assert not any(a["kind"] == "help" for a in snap["alerts"].values())
    # Ann's page sees it; another team's lead does not.
    assert list(filter_snapshot(snap, viewer_for(cast.ann))["help"]) == [f"h{request.pk}"]
    assert filter_snapshot(snap, viewer_for(cast.bob))["help"] == {}
    later = floor_snapshot(site="main", now=now + timedelta(minutes=16))
    assert later["help"] == {}


def test_a_service_level_alert_names_its_definition_in_words(cast, source):
    from metrics.models import Queue

    Queue.objects.create(name="billing", site="main", sl_variant="answered_only")
    ingest(
        source.source,
        [
            event("agent_login", ago=600, member="PJSIP/2004"),
            event("call_queued", ago=300, call_id="s1", queue="billing"),
            event("call_answered", ago=200, call_id="s1", queue="billing", member="PJSIP/2004"),
        ],
    )
    alert = next(
        a for a in floor_snapshot(site="main")["alerts"].values() if a["kind"] == "queue_sl"
    )
    assert "of answered calls only" in alert["text"]
    assert "answered_only" not in alert["text"]
