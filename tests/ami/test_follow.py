"""The AMI follower: a scripted morning equals its queue_log (plus hold), reconnects count once."""

from __future__ import annotations

import pytest

from metrics.models import CallEvent, TelephonySource
from metrics.telephony.ami.follower import AmiFollower
from metrics.telephony.ami.models import AmiLink
from metrics.telephony.files import ingest_file
from metrics.telephony.services import sources_advance
from tests.ami.follow import (
    Clock,
    FollowerThread,
    ami_source,
    at,
    floor_clear,
    floor_result,
    wait_until,
)
from tests.ami.server import TRANSCRIPTS, transcript, transcript_parts

pytestmark = pytest.mark.django_db(transaction=True)

MORNING = 1796025600.0  # 2026-11-30 08:00 UTC, the first event of morning.txt
END = at(MORNING + 46 * 60)
# AMI events that make no engine event of their own (they inform the next one, or nothing).
SILENT = {"Hangup", "BlindTransfer", "AttendedTransfer", "QueueCallerLeave"}


def stored(source: TelephonySource) -> int:
    return CallEvent.objects.filter(source=source).count()


def link_state(source: TelephonySource) -> str:
    link = AmiLink.objects.filter(source=source).first()
    return link.state if link else ""


def follow_morning(ami_server) -> tuple[TelephonySource, AmiFollower]:
    """Play morning.txt through the scripted server to a follower, with a drop in the middle:
    the server goes away, the follower retries with back-off, comes back, rebuilds from
    QueueStatus, and gets the last events before the drop a second time."""
    before, after = transcript_parts("morning.txt")
    source = ami_source(ami_server)
    clock = Clock(MORNING)
    follower = AmiFollower(source=source, clock=clock, backoff=(0.2, 0.4, 0.8), flush_s=0.05)
    running = FollowerThread(follower).start()
    try:
        wait_until(lambda: link_state(source) == "connected", what="first connection")
        ami_server.push(*before)
        expected = sum(1 for b in before if b["Event"] not in SILENT)
        wait_until(lambda: stored(source) == expected, what="the events before the drop")

        # Mid-call (call 3 talking, call 4 waiting) the server goes away.
        ami_server.stop_listening()
        ami_server.drop()
        wait_until(lambda: link_state(source) == "down", what="the link shown down")
        wait_until(lambda: len(follower.waits) >= 3, what="three attempts refused")
        clock.ts = MORNING + 13 * 60 + 40
        ami_server.script(
            "QueueStatus",
            message="Queue status will follow",
            events=transcript("morning_queue_status.txt"),
        )
        ami_server.resume()
        wait_until(lambda: ami_server.logins == 2, what="the second login")
        wait_until(lambda: link_state(source) == "connected", what="connected again")

        # The last two events before the drop arrive again (a proxy's replay): counted once.
        ami_server.push(*before[-2:], *after)
        expected += sum(1 for b in after if b["Event"] not in SILENT)
        wait_until(lambda: stored(source) == expected, what="the events after the drop")
    finally:
        running.stop()
    return source, follower


def test_a_morning_over_ami_equals_its_queue_log_plus_hold(ami_server):
    log_source = TelephonySource.objects.create(name="queue-log", kind="queue_log_file")
    ingest_file(source=log_source, path=TRANSCRIPTS / "morning.queue_log")
    sources_advance(now=END, sources=[log_source])
    from_log = floor_result(log_source, now=END)
    floor_clear()

    source, follower = follow_morning(ami_server)
    sources_advance(now=END, sources=[source])
    from_ami = floor_result(source, now=END)

    # The calls: the same, with hold seconds; talk excludes hold, so talk + hold is the log's.
    assert set(from_ami["calls"]) == set(from_log["calls"])
    assert len(from_log["calls"]) == 5
    holds = {}
    for call_id, log_call in from_log["calls"].items():
        ami_call = dict(from_ami["calls"][call_id])
        hold = ami_call.pop("hold_s")
        if log_call["outcome"] == "answered":
            assert ami_call.pop("talk_s") + hold == log_call.pop("talk_s")
        holds[log_call["caller"]] = hold
        assert log_call.pop("hold_s") is None
        assert ami_call == log_call, call_id
    # Call 1: 30 s on the caller's leg; 2: 45 s; 3: 20 s on the agent's leg after the
    # reconnect; 4: none (held 0 s, known); 5 abandoned.
    assert holds == {
        "5550101": 30.0,
        "5550102": 45.0,
        "5550103": 20.0,
        "5550104": 0.0,
        "5550105": None,
    }
    transfers = {c["caller"] for c in from_ami["calls"].values() if c["transferred"]}
    assert transfers == {"5550102", "5550104"}

    # The agents' states: the same, once the ringing and on-hold states that only AMI shows
    # are folded into the idle and on-call states around them.
    assert fold(from_ami["states"]) == fold(from_log["states"])
    activities = {s[3] for s in from_ami["states"]}
    assert {"ringing", "on_hold"} <= activities
    assert not {"ringing", "on_hold"} & {s[3] for s in from_log["states"]}
    assert ("Bob Li", "not_ready", "Lunch") in {s[:3] for s in from_ami["states"]}

    # The rollups and the board's KPIs: the same; hold is its own AHT component.
    assert same_but_hold(from_ami["intervals"], from_log["intervals"])
    assert same_but_hold(from_ami["days"], from_log["days"], flags=False)
    ami_kpis, log_kpis = from_ami["kpis"]["support"], from_log["kpis"]["support"]
    assert ami_kpis["aht_components"] == ["talk", "hold", "acw"]
    assert log_kpis["aht_components"] == ["talk", "acw"]
    assert ami_kpis["aht_s"] == pytest.approx(log_kpis["aht_s"])
    for key in ("aht_components", "avg_talk_s", "aht_s"):
        ami_kpis.pop(key), log_kpis.pop(key)
    assert ami_kpis == log_kpis
    assert log_kpis["answered"] == 4 and log_kpis["abandoned"] == 1

    # The reconnect: back-off grew while the server was away; one session per connection.
    assert follower.waits[:3] == [0.2, 0.4, 0.8]
    assert follower.sessions == 2
    assert len(ami_server.actions_named("QueueStatus")) == 2


def test_the_state_is_rebuilt_from_queue_status_on_connect(ami_server):
    """Members logged in and paused before the follower started, and a waiting caller,
    come from the QueueStatus answer alone."""
    source = ami_source(ami_server)
    ami_server.script(
        "QueueStatus", message="Queue status will follow", events=transcript("queue_status.txt")
    )
    clock = Clock(1796542300.0)
    running = FollowerThread(AmiFollower(source=source, clock=clock, flush_s=0.05)).start()
    try:
        wait_until(lambda: link_state(source) == "connected", what="connected")
        wait_until(lambda: stored(source) == 4, what="the rebuilt state")
    finally:
        running.stop()
    # A second connection with the same answer changes nothing.
    running = FollowerThread(AmiFollower(source=source, clock=clock, flush_s=0.05)).start()
    try:
        wait_until(lambda: ami_server.logins == 2, what="the second login")
        wait_until(lambda: link_state(source) == "connected", what="connected again")
    finally:
        running.stop()
    assert stored(source) == 4
    states = floor_result(source, now=at(clock.ts))
    current = {s[0]: s[1:3] for s in states["states"] if s[6] is None}
    assert current == {"Alice Chen": ("available", ""), "Bob Li": ("not_ready", "Lunch")}
    waiting = states["calls"]["1796542290.42"]
    assert waiting["outcome"] == "waiting"
    assert waiting["offered_at"] == at(clock.ts - 9)


def test_a_refused_login_shows_on_the_link_and_is_tried_again(ami_server):
    source = ami_source(ami_server)
    ami_server.secret = "changed-on-the-pbx"
    follower = AmiFollower(source=source, backoff=(0.1, 0.2), flush_s=0.05)
    running = FollowerThread(follower).start()
    try:
        wait_until(lambda: ami_server.failed_logins >= 2, what="two refused logins")
    finally:
        running.stop()
    link = AmiLink.objects.get(source=source)
    assert link.state == "down"
    assert link.failures >= 2 or link.message == "follower stopped"
    assert follower.waits[:2] == [0.1, 0.2]


def fold(states: list[tuple]) -> list[tuple]:
    """Agent states with ringing as idle and on-hold as on-call, neighbours merged."""
    folded: list[list] = []
    for member, status, reason, activity, call_id, start, end in states:
        if activity == "ringing":
            activity, call_id = "idle", ""
        elif activity == "on_hold":
            activity = "on_call"
        row = [member, status, reason, activity, call_id, start, end]
        last = folded[-1] if folded else None
        if last and last[:5] == row[:5] and last[6] == start:
            last[6] = end
        else:
            folded.append(row)
    return [tuple(r) for r in folded if r[5] != r[6]]


def same_but_hold(ami_rows: dict, log_rows: dict, *, flags: bool = True) -> bool:
    assert set(ami_rows) == set(log_rows)
    for key, log_row in log_rows.items():
        ami_row = dict(ami_rows[key])
        assert ami_row.pop("talk_sum") + ami_row.pop("hold_sum") == pytest.approx(
            log_row.pop("talk_sum")
        ), key
        # An AMI source knows hold for every call; a queue_log never does. (The agent days
        # keep no flags: the agent reports read the queues' rollups for them.)
        assert ami_row.pop("hold_known") == flags, key
        assert not log_row.pop("hold_known")
        log_row.pop("hold_sum")
        assert ami_row == log_row, key
    return True


def test_fold_merges_the_ringing_state_into_idle():
    t = [at(MORNING + s) for s in range(4)]
    states = [
        ("A", "available", "", "idle", "", t[0], t[1]),
        ("A", "available", "", "ringing", "c1", t[1], t[2]),
        ("A", "available", "", "idle", "", t[2], t[3]),
    ]
    assert fold(states) == [("A", "available", "", "idle", "", t[0], t[3])]
