"""The pure evaluation of alert rules: a scripted floor and a fake clock, no database."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from metrics.alerts.rules import OpenFiring, RuleSpec, evaluate, in_hours

ZONE = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # Monday 10:00 in Shanghai


def floor(*, waiting_since=None, level=0.9, queue_id=1, agents=None, help=None):
    tile = {
        "id": queue_id,
        "name": "Billing",
        "waiting": 1 if waiting_since else 0,
        "longest_waiting_since": waiting_since,
        "service_level": level,
        "sl_target": 0.8,
        "wait_amber_s": 30,
    }
    return {"queues": {f"q{queue_id}": tile}, "agents": agents or {}, "help": help or {}}


class Clock:
    """Runs a rule against a sequence of floors, keeping its open firings like the database."""

    def __init__(self, spec):
        self.spec = spec
        self.open: dict[str, OpenFiring] = {}
        self.notified: dict[str, float] = {}
        self.sent: list[tuple[str, str]] = []

    def tick(self, snapshot, now):
        transitions = evaluate(
            self.spec,
            snapshot,
            now=now,
            zone=ZONE,
            open_firings=self.open,
            last_notified=lambda subjects: {
                s: self.notified[s] for s in subjects if s in self.notified
            },
        )
        for t in transitions:
            if t.state == "raised":
                self.open[t.subject] = OpenFiring(t.subject, now.timestamp(), t.notify)
                if t.notify:
                    self.notified[t.subject] = now.timestamp()
            else:
                del self.open[t.subject]
            if t.notify:
                self.sent.append((t.state, t.subject))
        return transitions


def test_a_long_wait_fires_once_while_it_lasts_and_resolves_when_it_clears():
    clock = Clock(RuleSpec(id=1, kind="queue_wait", threshold=60, cooldown_s=0))
    start = T0.timestamp() - 10
    clock.tick(floor(waiting_since=start), T0)  # 10 s: nothing
    assert clock.sent == []
    for seconds in (61, 70, 120, 300):
        clock.tick(floor(waiting_since=start), T0 + timedelta(seconds=seconds))
    assert clock.sent == [("raised", "queue_wait:q1")]
    clock.tick(floor(), T0 + timedelta(seconds=310))
    assert clock.sent == [("raised", "queue_wait:q1"), ("cleared", "queue_wait:q1")]


def test_a_condition_that_comes_back_within_the_cool_down_stays_quiet():
    clock = Clock(RuleSpec(id=1, kind="queue_sl", cooldown_s=600))
    clock.tick(floor(level=0.7), T0)
    clock.tick(floor(level=0.85), T0 + timedelta(seconds=60))
    clock.tick(floor(level=0.7), T0 + timedelta(seconds=120))  # within 10 min: no message
    clock.tick(floor(level=0.85), T0 + timedelta(seconds=180))  # its clear is quiet too
    assert clock.sent == [("raised", "queue_sl:q1"), ("cleared", "queue_sl:q1")]
    clock.tick(floor(level=0.7), T0 + timedelta(seconds=700))  # after the cool-down: again
    assert clock.sent[-1] == ("raised", "queue_sl:q1")


def test_a_rule_raises_only_within_its_hours_and_days():
    spec = RuleSpec(id=1, kind="queue_sl", start=time(9), end=time(18), days=(1, 2, 3, 4, 5))
    assert in_hours(spec, T0, ZONE)  # Monday 10:00 local
    assert not in_hours(spec, T0 + timedelta(hours=9), ZONE)  # 19:00 local
    assert not in_hours(spec, T0 + timedelta(days=5), ZONE)  # Saturday
    night = RuleSpec(id=2, kind="queue_sl", start=time(22), end=time(6))
    assert in_hours(night, T0 + timedelta(hours=13), ZONE)  # 23:00 local
    assert not in_hours(night, T0, ZONE)
    clock = Clock(spec)
    clock.tick(floor(level=0.5), T0 + timedelta(hours=9))
    assert clock.sent == [] and clock.open == {}
    clock.tick(floor(level=0.5), T0 + timedelta(days=1))  # Tuesday 10:00
    assert clock.sent == [("raised", "queue_sl:q1")]


def test_the_queue_and_team_filters_decide_which_subjects_count():
    other = RuleSpec(id=1, kind="queue_sl", queue_ids=frozenset({2}))
    assert Clock(other).tick(floor(level=0.5), T0) == []
    mine = RuleSpec(id=1, kind="queue_sl", queue_ids=frozenset({1}))
    assert [t.subject for t in Clock(mine).tick(floor(level=0.5), T0)] == ["queue_sl:q1"]

    since = T0.timestamp() - 20 * 60
    agents = {
        "a1": {"key": "a1", "agent_id": 1, "name": "Ann", "team_id": 10, "team": "Billing",
               "status": "not_ready", "reason": "Break", "activity": "idle", "since": since,
               "queue_id": None},
        "a2": {"key": "a2", "agent_id": 2, "name": "Bob", "team_id": 20, "team": "Cards",
               "status": "not_ready", "reason": "Break", "activity": "idle", "since": since,
               "queue_id": None},
    }  # fmt: skip
    team = RuleSpec(id=1, kind="break_overrun", threshold=15, team_ids=frozenset({10}))
    raised = Clock(team).tick(floor(agents=agents), T0)
    assert [t.condition.agent for t in raised] == ["Ann"]
    assert raised[0].condition.figure == 20 * 60
    longer = RuleSpec(id=1, kind="break_overrun", threshold=30)
    assert Clock(longer).tick(floor(agents=agents), T0) == []


def test_a_help_request_fires_after_its_threshold_and_clears_when_taken():
    help_ = {"h5": {"id": 5, "agent": "a1", "agent_id": 1, "name": "Ann", "team_id": 10,
                    "reason_label": "Complaint", "at": T0.timestamp()}}  # fmt: skip
    clock = Clock(RuleSpec(id=1, kind="help", threshold=30))
    clock.tick(floor(help=help_), T0 + timedelta(seconds=10))
    assert clock.sent == []
    clock.tick(floor(help=help_), T0 + timedelta(seconds=31))
    clock.tick(floor(), T0 + timedelta(seconds=40))
    assert clock.sent == [("raised", "help:h5"), ("cleared", "help:h5")]
