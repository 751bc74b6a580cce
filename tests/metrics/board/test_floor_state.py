"""The refresh worker's kept floor (metrics/board/state.py) against fresh snapshots.

Random streams of floor events — telephony events through the real ingestion service (calls
offered, ringing, missed, answered, ended, abandoned, transferred; agents logging in and out,
pausing with reasons, wrapping up), help requests, broadcasts, take-overs, alert
acknowledgements, queues created, renamed or moved away in the admin, a team's lead changed,
a published shift made or removed —
interleaved with pushes, heartbeats, a board's resync request, another
process's push, a cache that loses its data, a worker restart and the periodic comparison with
a fresh floor while marks wait. After every push the floor the worker keeps equals a fresh
`floor_snapshot` at the same `now`, and a board that applied every pushed message (as the
browser does, resyncing on a gap) holds the same floor; the comparison finds no drift.
"""

from __future__ import annotations

import contextlib
import itertools
from datetime import UTC, datetime, timedelta

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, given, note, settings
from hypothesis import strategies as st

from callfloor.errors import DomainError
from metrics.board import delta as floor_delta
from metrics.board import marks, push, tasks
from metrics.board import state as floor_state
from metrics.board.snapshot import floor_snapshot
from tests.metrics.board.conftest import event, ingest

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

MEMBERS = ["PJSIP/2004", "PJSIP/2005", "PJSIP/3001", "PJSIP/3002"]  # ann, bob, two unmapped
QUEUES = ["billing", "cards", "sales"]
REASONS = ["Break", "Lunch", "Training"]
_examples = itertools.count()
_last_event_at: dict[int, datetime] = {}  # per clock: the time of the last event sent

member = st.sampled_from(MEMBERS)
queue = st.sampled_from(QUEUES)
call = st.integers(0, 5)
telephony = st.one_of(
    st.tuples(st.just("login"), member, st.sampled_from(["", *QUEUES])),
    st.tuples(st.just("logout"), member),
    st.tuples(st.just("pause"), member, st.sampled_from(REASONS)),
    st.tuples(st.just("unpause"), member),
    st.tuples(st.just("activity"), member, st.sampled_from(["wrap_up", "idle"])),
    # The caller is drawn apart from the call: a caller who calls again, on any queue, makes
    # a repeat call of the call answered before (counted on that call's queue).
    st.tuples(st.just("offer"), call, queue, st.integers(0, 2)),
    st.tuples(st.just("ringing"), call, queue, member),
    st.tuples(st.just("missed"), call, queue, member),
    st.tuples(st.just("answer"), call, queue, member),
    st.tuples(st.just("end"), call, queue, member),
    st.tuples(st.just("abandon"), call, queue),
    st.tuples(st.just("transfer"), call, queue, member),
)
floor_action = st.one_of(
    st.tuples(st.just("help"), st.sampled_from(["ann", "bob"])),
    st.tuples(st.just("help_take")),
    st.tuples(st.just("broadcast"), st.sampled_from(["normal", "urgent"])),
    st.tuples(st.just("withdraw")),
    st.tuples(st.just("takeover"), st.sampled_from(["ann", "bob"])),
    st.tuples(st.just("takeover_finish")),
    st.tuples(st.just("ack")),
    # A queue created, renamed or moved to another site in the admin (no call names it).
    st.tuples(st.just("queue_admin"), st.sampled_from(["create", "rename", "move"])),
    # Billing's lead leaves or comes back (the leads' headers).
    st.tuples(st.just("team_lead")),
    # A published shift of ann's today is made or removed (the live adherence on the cards,
    # in the alerts and the teams' summaries); followed by a heartbeat, as a schedule change
    # marks no floor and reaches the boards at the heartbeat.
    st.tuples(st.just("shift"), st.sampled_from(["publish", "remove"])),
)
FLOOR_ACTIONS = ("help", "help_take", "broadcast", "withdraw", "takeover", "takeover_finish", "ack")
FLOOR_ACTIONS += ("queue_admin", "team_lead")
control = st.sampled_from(
    [
        ("push",),
        ("push",),
        ("push",),
        ("heartbeat",),
        ("resync",),
        ("gap",),
        ("lost",),
        ("restart",),
    ]
)
streams = st.lists(st.one_of(telephony, telephony, floor_action, control), min_size=5, max_size=40)


class Clock:
    """`django.utils.timezone.now` for the whole test: it moves only at heartbeats."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now


class Board:
    """A board: the snapshot it got, then each delta in sequence; the whole floor again
    (`floor_current`, as the socket sends it) when the numbers skip."""

    def __init__(self, *, compact: bool) -> None:
        self.compact = compact  # the pre-encoded text full-floor boards get (patches)
        self.seq, self.floor = None, None

    def receive(self, message: dict) -> None:
        import json

        body = json.loads(message["text"]) if self.compact else message
        if message["type"] == "floor.snapshot":
            self.seq, self.floor = message["seq"], json.loads(json.dumps(body["snapshot"]))
        elif self.seq is not None and message["seq"] == self.seq + 1:
            self.seq = message["seq"]
            self.floor = floor_delta.apply(self.floor, json.loads(json.dumps(body["delta"])))
        else:  # a gap: ask for the whole floor again, as the browser does
            push.floor_resync_requested(site="main")
            current = push.floor_current(site="main")
            self.seq, self.floor = current["seq"], json.loads(json.dumps(current["snapshot"]))


def _json(value):
    import json

    return json.loads(json.dumps(value))


@pytest.fixture
def clock(monkeypatch):
    from django.utils import timezone

    ticking = Clock(datetime.now(UTC).replace(microsecond=0))
    monkeypatch.setattr(timezone, "now", ticking)
    # The refresh is called by the test: a mark only records what changed.
    monkeypatch.setattr(tasks.refresh_floor, "apply_async", lambda *a, **k: None)
    return ticking


def _telephony(step, source, at: datetime, tag: str) -> None:
    kind, *args = step
    if kind in ("login", "logout"):
        fields = {"member": args[0]} | ({"queue": args[1]} if len(args) > 1 and args[1] else {})
        raw = event(f"agent_{kind}", at=at, **fields)
    elif kind == "pause":
        raw = event("agent_status", at=at, member=args[0], status="not_ready", reason=args[1])
    elif kind == "unpause":
        raw = event("agent_status", at=at, member=args[0], status="available")
    elif kind == "activity":
        raw = event("agent_activity", at=at, member=args[0], activity=args[1])
    else:
        call_id, queue_name = f"{tag}c{args[0]}", args[1]
        fields = {"call_id": call_id, "queue": queue_name}
        if kind == "offer":
            raw = event("call_queued", at=at, caller=f"+3210{args[2]}", **fields)
        elif kind == "ringing":
            raw = event("call_ringing", at=at, member=args[2], **fields)
        elif kind == "missed":
            raw = event("ring_missed", at=at, member=args[2], ring_s=15, **fields)
        elif kind == "answer":
            raw = event("call_answered", at=at, member=args[2], wait_s=12, ring_s=3, **fields)
        elif kind == "end":
            raw = event("call_ended", at=at, member=args[2], talk_s=40, **fields)
        elif kind == "abandon":
            raw = event("call_abandoned", at=at, wait_s=30, **fields)
        else:
            raw = event("call_transferred", at=at, member=args[2], target="2999", **fields)
    ingest(source, [raw])


def _shift(step, cast, clock: Clock) -> None:
    from scheduling.models import Shift, ShiftActivity

    if step[1] == "remove":
        Shift.objects.filter(agent=cast.ann_agent).delete()
        return
    start = clock.now.replace(second=0) - timedelta(hours=1)
    shift = Shift.objects.create(
        agent=cast.ann_agent, start=start, end=start + timedelta(hours=4), published_at=start
    )
    ShiftActivity.objects.create(
        shift=shift,
        kind="break",
        start=start + timedelta(minutes=50),
        end=start + timedelta(minutes=65),
    )


def _floor_action(step, cast, tag: str = "") -> None:
    from metrics.board import actions
    from metrics.models import Broadcast, HelpRequest, HelpStatus, Queue, Takeover

    kind, *args = step
    if kind == "team_lead":
        from agents.models import Team

        team = Team.objects.get(pk=cast.billing.pk)
        team.lead = None if team.lead_id else cast.tina
        team.save()
        return
    if kind == "queue_admin":
        made = Queue.objects.filter(name__startswith=f"{tag}admin", site="main").first()
        if args[0] == "create" or made is None:
            Queue.objects.create(name=f"{tag}admin{Queue.objects.count()}", site="main")
        elif args[0] == "rename":
            made.name = f"{made.name[:90]}r"
            made.save()
        else:
            made.site = "elsewhere"
            made.save()
        return
    with contextlib.suppress(DomainError):  # e.g. a second open help request of an agent
        if kind == "help":
            actions.help_request_create(user=getattr(cast, args[0]), reason="technical")
        elif kind == "help_take":
            request = HelpRequest.objects.filter(status=HelpStatus.OPEN).first()
            if request is not None:
                actions.help_request_take(actor=cast.sam, request=request)
        elif kind == "broadcast":
            actions.broadcast_send(actor=cast.sam, text="Storm warning", priority=args[0])
        elif kind == "withdraw":
            standing = Broadcast.objects.filter(withdrawn_at__isnull=True).first()
            if standing is not None:
                actions.broadcast_withdraw(actor=cast.sam, broadcast=standing)
        elif kind == "takeover":
            agent = getattr(cast, f"{args[0]}_agent")
            actions.takeover_start(actor=cast.sam, agent=agent)
        elif kind == "takeover_finish":
            taken = Takeover.objects.filter(finished_at__isnull=True).first()
            if taken is not None:
                actions.takeover_finish(actor=cast.sam, takeover=taken)
        elif kind == "ack":
            floor = push.floor_stored(site="main")
            keys = sorted(floor["snapshot"]["alerts"]) if floor else []
            if keys:
                actions.alert_acknowledge(actor=cast.sam, key=keys[0])


def _differences(kept: dict, fresh: dict) -> list[str]:
    """Per differing entry, its fields that differ (kept → fresh)."""
    found = []
    for name in floor_state.differing_keys(kept, fresh):
        section, key = name.split(":", 1)
        before, after = kept[section].get(key) or {}, fresh[section].get(key) or {}
        fields = {f: (before.get(f), after.get(f)) for f in before.keys() | after.keys()}
        found.append(f"{name}: { ({f: v for f, v in fields.items() if v[0] != v[1]}) }")
    return found


def _pushed(message: dict, boards: list[Board], clock: Clock) -> None:
    kept = floor_state._kept["main"].parts.snapshot
    assert not _differences(kept, floor_snapshot(site="main", now=clock.now))
    assert message["seq"] == floor_state._kept["main"].seq
    for board in boards:
        board.receive(message)
        assert board.seq == message["seq"]
        assert board.floor == _json(kept)


def _checked(clock: Clock) -> None:
    """The periodic comparison, with the marks since the last push still waiting (as when the
    ingestion commits during it): the kept floor the next push takes has not drifted."""
    kept = floor_state._kept.get("main")
    if kept is not None and kept.id == cache.get(push._key("main", "current_id")):
        drifted = floor_state.drift_count.get("main", 0)
        assert floor_state.floor_check(site="main", now=clock.now, parts=kept.parts) is not True
        assert floor_state.drift_count.get("main", 0) == drifted


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[
        HealthCheck.function_scoped_fixture,
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
    ],
)
@given(steps=streams)
def test_the_kept_floor_and_every_board_equal_a_fresh_snapshot(cast, source, clock, steps):
    note(f"steps: {steps}")
    from scheduling.models import Shift

    tag = f"x{next(_examples)}-"
    Shift.objects.all().delete()  # examples share the database
    cache.clear()
    floor_state.kept_drop()
    boards = [Board(compact=False), Board(compact=True)]
    # Examples share the database and the clock: each example's events come after the last
    # example's, as a feed's do (an example's stream is in order; late events are not its
    # subject), and start 30 minutes before the clock.
    at = _last_event_at.get(id(clock), clock.now - timedelta(minutes=30))
    clock.now = max(clock.now, at + timedelta(minutes=30))
    _pushed(push.floor_push(site="main"), boards, clock)
    for step in [*steps, ("push",)]:
        kind = step[0]
        if kind in ("push", "heartbeat"):
            _checked(clock)
            if kind == "heartbeat":
                clock.now += timedelta(seconds=7)
            _pushed(push.floor_push(site="main", heartbeat=kind == "heartbeat"), boards, clock)
        elif kind == "shift":
            _shift(step, cast, clock)
            clock.now += timedelta(seconds=7)
            _pushed(push.floor_push(site="main", heartbeat=True), boards, clock)
        elif kind == "resync":
            push.floor_resync_requested(site="main")
        elif kind == "gap":  # another worker process pushes: it keeps no floor of this one's
            mine = dict(floor_state._kept)
            floor_state.kept_drop()
            _pushed(push.floor_push(site="main"), boards, clock)
            floor_state._kept.clear()
            floor_state._kept.update(mine)
        elif kind == "lost":  # the cache loses its data (a Redis restart)
            cache.clear()
        elif kind == "restart":
            floor_state.kept_drop()
        elif kind in FLOOR_ACTIONS:
            _floor_action(step, cast, tag)
        else:
            at += timedelta(seconds=2)
            _last_event_at[id(clock)] = at
            _telephony(step, source.source, at, tag)


def _lunch(member: str, at: datetime) -> dict:
    """`member` goes on a lunch break at `at`."""
    return event("agent_status", at=at, member=member, status="not_ready", reason="Lunch")


def test_a_telephony_batch_rebuilds_only_what_it_touched(cast, source, clock):
    """One agent's pause: the push reads that agent's rows again, not the floor's, and its
    delta names that agent's row and the summary only."""
    at = clock.now - timedelta(minutes=5)
    for n, name in enumerate(MEMBERS):
        ingest(source.source, [event("agent_login", at=at + timedelta(seconds=n), member=name)])
    push.floor_push(site="main")
    ingest(source.source, [_lunch("PJSIP/2005", at + timedelta(seconds=30))])
    touched = marks.touched_pop(site="main")
    assert touched == {"m:PJSIP/2005", "s:telephony"}
    marks.touched_add(site="main", tokens=touched)
    message = push.floor_push(site="main")
    assert message["type"] == "floor.delta"
    assert set(message["delta"]["set"].get("agents", {})) == {f"a{cast.bob_agent.pk}"}
    assert floor_state._kept["main"].parts.snapshot == floor_snapshot(site="main", now=clock.now)


def test_a_kept_floor_that_drifts_is_found_logged_and_replaced(cast, source, clock, caplog):
    """A change written without a mark (here: an agent's name edited in the admin) leaves the
    kept floor behind; the periodic comparison finds it, says which entries differed, counts
    it, and the next push rebuilds the floor and shows it."""
    from django.test import override_settings

    ingest(source.source, [event("agent_login", at=clock.now, member="PJSIP/2004")])
    push.floor_push(site="main")
    cast.ann_agent.display_name = "Ann Renamed"
    cast.ann_agent.save()
    key = f"a{cast.ann_agent.pk}"
    drifted = floor_state.drift_count.get("main", 0)
    with override_settings(CALLFLOOR_FLOOR_CHECK_S=0):
        message = push.floor_push(site="main", heartbeat=True)
    assert floor_state.drift_count["main"] == drifted + 1
    assert f"agents:{key}" in caplog.text
    assert key not in message["delta"]["set"].get("agents", {})  # found after it was sent
    assert marks.touched_peek(site="main") == {marks.FULL}
    message = push.floor_push(site="main")
    assert message["delta"]["set"]["agents"][key]["name"] == "Ann Renamed"
    assert floor_state.drift_count["main"] == drifted + 1


def test_a_change_committed_while_the_floor_is_checked_is_not_drift(cast, source, clock, caplog):
    """The ingestion does not wait for the check: an event committed after the push read the
    floor (its mark waits for the next push) is in the fresh snapshot but not yet in the kept
    floor. The check reads the fresh floor and the marks that wait at one database snapshot,
    so that is not drift; nothing is logged or counted, and the next push shows the event."""
    import threading

    from django.db import connections
    from django.test import override_settings

    at = clock.now - timedelta(minutes=5)
    ingest(source.source, [event("agent_login", at=at, member="PJSIP/2004")])
    push.floor_push(site="main")
    real = floor_state.snap.floor_parts
    written = []

    def written_meanwhile(**kwargs):
        if not written:

            def write():
                try:
                    ingest(source.source, [_lunch("PJSIP/2004", at + timedelta(seconds=30))])
                finally:
                    connections.close_all()

            writer = threading.Thread(target=write)
            writer.start()
            writer.join()
            written.append(True)
        return real(**kwargs)

    drifted = floor_state.drift_count.get("main", 0)
    floor_state.snap.floor_parts = written_meanwhile
    try:
        with override_settings(CALLFLOOR_FLOOR_CHECK_S=0):
            push.floor_push(site="main", heartbeat=True)
    finally:
        floor_state.snap.floor_parts = real
    assert written, "the check did not read a fresh floor"
    assert floor_state.drift_count.get("main", 0) == drifted
    assert "differed from a fresh snapshot" not in caplog.text
    key = f"a{cast.ann_agent.pk}"
    message = push.floor_push(site="main")
    assert message["delta"]["set"]["agents"][key]["reason"] == "Lunch"
    assert floor_state._kept["main"].parts.snapshot == floor_snapshot(site="main", now=clock.now)


def test_a_repeat_call_on_another_queue_moves_the_first_queues_tile(cast, source, clock):
    """A caller answered on billing calls again on cards: the push reads cards (its call) and
    billing, whose repeat-call rate the repeat moved, again (the telephony marks only
    cards)."""
    at = clock.now - timedelta(minutes=20)
    calls = [
        event("agent_login", at=at, member="PJSIP/2004"),
        event("call_queued", at=at + timedelta(seconds=5), call_id="r1", queue="billing",
              caller="+3220000001"),
        event("call_answered", at=at + timedelta(seconds=9), call_id="r1", queue="billing",
              member="PJSIP/2004", wait_s=4, ring_s=2),
        event("call_ended", at=at + timedelta(seconds=60), call_id="r1", queue="billing",
              member="PJSIP/2004", talk_s=51),
        # Cards exists before the push (a queue the telephony names first rebuilds the floor).
        event("call_queued", at=at + timedelta(seconds=70), call_id="r0", queue="cards",
              caller="+3220000002"),
        event("call_abandoned", at=at + timedelta(seconds=90), call_id="r0", queue="cards",
              wait_s=20),
    ]  # fmt: skip
    ingest(source.source, calls)
    first = push.floor_push(site="main")
    billing = next(k for k, t in floor_state._kept["main"].parts.tiles.items()
                   if t["name"] == "billing")  # fmt: skip
    assert first_tile(first, billing)["repeat_call_rate"] == 0.0
    again = event("call_queued", at=at + timedelta(minutes=5), call_id="r2", queue="cards",
                  caller="+3220000001")  # fmt: skip
    ingest(source.source, [again])
    assert marks.FULL not in marks.touched_peek(site="main")
    message = push.floor_push(site="main")
    assert message["delta"]["set"]["queues"][billing]["repeat_call_rate"] == 1.0
    assert floor_state._kept["main"].parts.snapshot == floor_snapshot(site="main", now=clock.now)


def first_tile(message: dict, key: str) -> dict:
    body = message.get("snapshot") or message["delta"]["set"]
    return body["queues"][key]


def test_what_depends_on_the_clock_is_compared_at_the_heartbeat_only(cast, source, clock, caplog):
    """A queue's "required now" is worked out once a minute and read again at the heartbeat:
    between two heartbeats the kept tile shows the last one's figure, by design. The check
    runs at a heartbeat (which reads it again), so a new figure is not drift."""
    from django.test import override_settings

    from metrics.models import Queue
    from scheduling import floor as schedule_floor

    at = clock.now - timedelta(minutes=5)
    ingest(source.source, [event("call_queued", at=at, call_id="n1", queue="billing",
                                 caller="+3230000001")])  # fmt: skip
    push.floor_push(site="main", heartbeat=True)
    billing = Queue.objects.get(name="billing")
    key = f"q{billing.pk}"
    figure = floor_state._kept["main"].parts.tiles[key]["required_now"]
    cache.set(schedule_floor._key(billing, clock.now), (figure or 0) + 7, timeout=60)
    drifted = floor_state.drift_count.get("main", 0)
    with override_settings(CALLFLOOR_FLOOR_CHECK_S=0):
        quiet = push.floor_push(site="main")
        assert floor_state._kept["main"].parts.tiles[key]["required_now"] == figure
        beat = push.floor_push(site="main", heartbeat=True)
    assert floor_state.drift_count.get("main", 0) == drifted
    assert "differed from a fresh snapshot" not in caplog.text
    assert key not in quiet["delta"]["set"].get("queues", {})
    assert beat["delta"]["set"]["queues"][key]["required_now"] == (figure or 0) + 7


def test_required_now_is_worked_out_for_the_minute_of_now(cast, source, clock):
    """ "Required now" is cached for the minute of the `now` it is read at, not for a minute
    after it was worked out: the next minute's heartbeat works it out again, and a read at the
    same `now` (the check of the kept floor at a heartbeat) finds the same figure."""
    from django.utils import timezone

    from callfloor.zone import site_zone
    from metrics.models import Queue
    from scheduling import floor as schedule_floor
    from scheduling.forecast import bucket

    at = clock.now - timedelta(minutes=5)
    ingest(source.source, [event("call_queued", at=at, call_id="m1", queue="billing",
                                 caller="+3240000001")])  # fmt: skip
    billing = Queue.objects.get(name="billing")
    start = bucket(timezone.localtime(clock.now, site_zone()), billing.interval_minutes)
    clock.now = start.astimezone(UTC) + timedelta(minutes=1, seconds=10)
    key = f"q{billing.pk}"
    cache.set(schedule_floor._key(billing, clock.now), 57, timeout=60)
    push.floor_push(site="main", heartbeat=True)
    assert floor_state._kept["main"].parts.tiles[key]["required_now"] == 57
    clock.now += timedelta(minutes=1)  # the same interval, the next minute
    push.floor_push(site="main", heartbeat=True)
    figure = floor_state._kept["main"].parts.tiles[key]["required_now"]
    assert figure != 57
    assert (
        floor_state.floor_check(site="main", now=clock.now, parts=floor_state._kept["main"].parts)
        is False
    )


def test_the_boards_actions_reach_the_kept_floor_by_their_section(cast, source, clock):
    """A take-over, a help request, a broadcast and an acknowledgement each name their section:
    the push reads that section again (not the floor) and shows it."""
    from metrics.board import actions

    ingest(source.source, [event("agent_login", at=clock.now, member="PJSIP/2004")])
    push.floor_push(site="main")
    key = f"a{cast.ann_agent.pk}"

    def pushed(expected: set[str]) -> dict:
        assert marks.touched_pop(site="main") == expected
        marks.touched_add(site="main", tokens=expected)
        message = push.floor_push(site="main")
        assert floor_state._kept["main"].parts.snapshot == floor_snapshot(
            site="main", now=clock.now
        )
        return message["delta"]

    taken = actions.takeover_start(actor=cast.sam, agent=cast.ann_agent)
    assert pushed({"s:takeovers"})["set"]["agents"][key]["takeover"]["id"] == taken.pk
    request = actions.help_request_create(user=cast.ann, reason="technical")
    assert f"help:{request.pk}" in pushed({"s:help"})["set"]["alerts"]
    actions.broadcast_send(actor=cast.sam, text="Storm warning")
    (sent,) = pushed({"s:broadcasts"})["set"]["broadcasts"].values()
    assert sent["text"] == "Storm warning"
    actions.alert_acknowledge(actor=cast.sam, key=f"help:{request.pk}")
    assert pushed({"s:alerts"})["set"]["alerts"][f"help:{request.pk}"]["ack"]["by"] == "sam"
    actions.takeover_finish(actor=cast.sam, takeover=taken)
    assert pushed({"s:takeovers"})["set"]["agents"][key]["takeover"] is None


def test_a_live_escalation_reaches_the_kept_floor_as_an_alert_only(cast, source, clock):
    """Complaints name the alerts section: a live escalation raised, taken and closed is read
    again with the alert sources, not by rebuilding the floor."""
    from qa.complaints import services as complaints

    ingest(source.source, [event("agent_login", at=clock.now, member="PJSIP/2004")])
    push.floor_push(site="main")

    def pushed() -> dict:
        assert marks.touched_pop(site="main") == {"s:alerts"}
        marks.touched_add(site="main", tokens={"s:alerts"})
        message = push.floor_push(site="main")
        assert message["type"] == "floor.delta"
        assert floor_state._kept["main"].parts.snapshot == floor_snapshot(
            site="main", now=clock.now
        )
        return message["delta"]

    live = complaints.live_escalation_raise(actor=cast.sam, reason="Wants a supervisor")
    raised = pushed()
    (key,) = [k for k in raised["set"]["alerts"] if str(live.pk) in k]
    complaints.live_escalation_take(live=live, actor=cast.sam)  # taken: off the panel
    assert key in pushed()["remove"]["alerts"]
    complaints.live_escalation_close(live=live, actor=cast.sam)
    assert "alerts" not in pushed()["set"]


def test_a_queue_edited_in_the_admin_reaches_the_next_push(cast, source, clock):
    """A queue renamed in the admin (no call names it, so no batch marks it) marks the floors
    whole: the next push shows the new name, not the heartbeat after it."""
    from metrics.models import Queue

    ingest(
        source.source,
        [event("call_queued", at=clock.now, call_id="r1", queue="billing", caller="+3221")],
    )
    push.floor_push(site="main")
    queue = Queue.objects.get(name="billing")
    queue.name = "Billing desk"
    queue.save()
    message = push.floor_push(site="main")
    assert message["delta"]["set"]["queues"][f"q{queue.pk}"]["name"] == "Billing desk"
    assert floor_state._kept["main"].parts.snapshot == floor_snapshot(site="main", now=clock.now)


@pytest.mark.parametrize("change", ["agent_login", "agent_logout"])
def test_a_queue_login_or_logoff_of_a_logged_in_agent_reaches_the_next_push(
    cast, source, clock, change
):
    """Ann, logged into billing (and cards for the logoff), logs into cards too or out of
    billing only: her state does not change, but the queues on her card and the queues'
    staffing do; the next push shows them (not only the heartbeat)."""
    at = clock.now - timedelta(minutes=5)
    queues = ["billing"] if change == "agent_login" else ["billing", "cards"]
    for n, name in enumerate(queues):
        login = event("agent_login", at=at + timedelta(seconds=n), member="PJSIP/2004", queue=name)
        ingest(source.source, [login])
    push.floor_push(site="main")
    queue = "cards" if change == "agent_login" else "billing"
    ingest(
        source.source,
        [event(change, at=at + timedelta(seconds=5), member="PJSIP/2004", queue=queue)],
    )
    message = push.floor_push(site="main")
    kept = floor_state._kept["main"].parts.snapshot
    assert not _differences(kept, floor_snapshot(site="main", now=clock.now))
    card = message["delta"]["set"]["agents"][f"a{cast.ann_agent.pk}"]
    assert card["queues"] == (["billing", "cards"] if change == "agent_login" else ["cards"])


def test_a_push_reads_the_acknowledgements_of_new_alerts_only(cast, source, clock):
    """The kept floor keeps the alerts' acknowledgements: a push whose alerts are those of the
    last one does not read them again; a new alert's is read, and an acknowledgement (its
    `alerts` mark) is shown at the next push."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from metrics.board import actions
    from metrics.models import AlertAck

    ingest(source.source, [event("agent_login", at=clock.now, member="PJSIP/2004")])
    push.floor_push(site="main")
    request = actions.help_request_create(user=cast.ann, reason="technical")
    push.floor_push(site="main")
    table = AlertAck._meta.db_table

    def acks_read(events: list[dict]) -> int:
        ingest(source.source, events)
        with CaptureQueriesContext(connection) as queries:
            push.floor_push(site="main")
        assert floor_state._kept["main"].parts.snapshot == floor_snapshot(
            site="main", now=clock.now
        )
        return sum(table in q["sql"] for q in queries.captured_queries)

    # Bob logs in: no alert is new, nothing is read.
    assert acks_read([event("agent_login", at=clock.now, member="PJSIP/2005")]) == 0
    # A caller waits past the threshold: the new alert's acknowledgement is read.
    clock.now -= timedelta(minutes=10)
    waiting = [event("call_queued", at=clock.now, call_id="w1", queue="billing")]
    clock.now += timedelta(minutes=10)
    assert acks_read(waiting) == 1
    assert any(
        k.startswith("queue_wait:") for k in floor_state._kept["main"].parts.snapshot["alerts"]
    )
    actions.alert_acknowledge(actor=cast.sam, key=f"help:{request.pk}")
    message = push.floor_push(site="main")
    assert message["delta"]["set"]["alerts"][f"help:{request.pk}"]["ack"]["by"] == "sam"


def test_the_per_agent_sources_sweep_every_row_only_at_the_checked_heartbeat(
    cast, source, clock, monkeypatch
):
    """The phone controls' fields (a per-agent source) move with their rows' marks: a heartbeat
    runs them on the rows it touched only, and on every row at the heartbeat that compares the
    floor with a fresh one. The kept floor equals a fresh one after each."""
    from django.test import override_settings

    from metrics.board import snapshot as snap
    from metrics.control.board import control_agent_fields

    ingest(
        source.source,
        [
            event("agent_login", at=clock.now, member="PJSIP/2004"),
            event("agent_login", at=clock.now, member="PJSIP/2005"),
        ],
    )
    push.floor_push(site="main")
    push.floor_push(site="main", heartbeat=True)
    runs: list[int] = []
    results = snap.agent_source_results

    def counted(*, site, now, core, sources):
        if sources == [control_agent_fields]:
            runs.append(len(core))
        return results(site=site, now=now, core=core, sources=sources)

    monkeypatch.setattr(snap, "agent_source_results", counted)

    def beat() -> None:
        push.floor_push(site="main", heartbeat=True)
        kept = floor_state._kept["main"].parts.snapshot
        assert kept == floor_snapshot(site="main", now=clock.now)

    with override_settings(CALLFLOOR_FLOOR_CHECK_S=3600):
        beat()
    assert runs == [0]  # nothing touched: no row (every row before)
    with override_settings(CALLFLOOR_FLOOR_CHECK_S=0):
        beat()
    assert runs == [0, 2]  # the checked heartbeat: every row


def test_the_queues_staffing_is_counted_from_every_member_only_at_the_checked_heartbeat(
    cast, source, clock, team_queues, monkeypatch
):
    """A heartbeat moves the queues' staffing by the members it was marked with, as a push
    does; the heartbeat that compares the floor with a fresh one counts every member again.
    The kept floor equals a fresh one after each."""
    from django.test import override_settings

    from metrics.board import snapshot as snap

    def login(member: str) -> None:
        ingest(
            source.source,
            [event("agent_login", at=clock.now, member=member, queue="billing")],
        )

    login("PJSIP/2004")
    push.floor_push(site="main")
    counts: list[int] = []
    staffing = snap._queue_staffing

    def counted(site, queues, index=None, names=None):
        counts.append(len(queues))
        return staffing(site, queues, index, names)

    def beat() -> dict:
        clock.now += timedelta(seconds=5)
        with monkeypatch.context() as patched:
            patched.setattr(snap, "_queue_staffing", counted)
            push.floor_push(site="main", heartbeat=True)
        kept = floor_state._kept["main"].parts.snapshot
        assert not _differences(kept, floor_snapshot(site="main", now=clock.now))
        return kept

    with override_settings(CALLFLOOR_FLOOR_CHECK_S=3600):
        before = beat()["queues"][f"q{team_queues.billing.pk}"]["staffed"]
        login("PJSIP/2005")
        after = beat()["queues"][f"q{team_queues.billing.pk}"]["staffed"]
    assert counts == []  # two heartbeats, no recount: the login moved the staffing
    assert (before, after) == (1, 2)
    with override_settings(CALLFLOOR_FLOOR_CHECK_S=0):
        beat()
    # the checked heartbeat: its own count, then the comparison's fresh floor
    assert counts == [2, 2]
