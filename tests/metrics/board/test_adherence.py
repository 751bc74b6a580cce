"""Live adherence on the wall board from a scripted schedule and state stream (fixed clock).

Ann (Billing) is scheduled 08:00–16:00 with a break 10:00–10:15. Through the events API she
logs in at 07:55, answers a call at 09:58, ends it at 10:09, stays available, and goes not
ready "Break" at 10:10.

- 10:04: scheduled Break, on call → out of adherence since 10:00 for 4 min (< 5): no alert.
- 10:06: 6 min out → the card's row says so and an "adherence" alert stands.
- 10:12: in adherence again; today so far (by hand):
    adherence   = (120 on queue 08–10 + 2 on break 10:10–10:12) / 132 scheduled = 122 / 132
    conformance = (120 + 10 worked on queue 10:00–10:10 during the break) / 120 on queue = 130 / 120
"""

from datetime import UTC, datetime, time, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from metrics.board.delta import diff, filter_delta, filter_snapshot
from metrics.board.snapshot import floor_snapshot, viewer_for
from tests.metrics.board.conftest import event, ingest

pytestmark = pytest.mark.django_db

DAY = (datetime.now(UTC) - timedelta(days=2)).date()


def t(hour: int, minute: int = 0, second: int = 0) -> datetime:
    return datetime.combine(DAY, time(hour, minute, second), tzinfo=UTC)


def _schedule(agent):
    from scheduling import services
    from scheduling.models import Shift

    shift = services.shift_create(
        agent=agent,
        start=t(8),
        end=t(16),
        activities=[services.ActivityInput("break", t(10), t(10, 15))],
    )
    Shift.objects.filter(pk=shift.pk).update(published_at=t(7))
    return shift


def _morning(source):
    member = "PJSIP/2004"
    ingest(
        source,
        [
            event("agent_login", at=t(7, 55), member=member),
            event("call_queued", at=t(9, 58), call_id="c1", queue="billing", caller="+3221"),
            event(
                "call_answered",
                at=t(9, 58, 10),
                call_id="c1",
                queue="billing",
                member=member,
                wait_s=10,
                ring_s=2,
            ),
        ],
    )


def _rest_of_break(source):
    member = "PJSIP/2004"
    ingest(
        source,
        [
            event(
                "call_ended", at=t(10, 9), call_id="c1", queue="billing", member=member, talk_s=530
            ),
            event("agent_status", at=t(10, 10), member=member, status="not_ready", reason="Break"),
        ],
    )


def test_out_of_adherence_past_the_threshold_marks_the_row_and_raises_an_alert(cast, source):
    _schedule(cast.ann_agent)
    _morning(source.source)
    card = f"a{cast.ann_agent.pk}"

    early = floor_snapshot(site="main", now=t(10, 4))
    row = early["agents"][card]
    assert (row["activity"], row["scheduled"], row["in_adherence"]) == ("on_call", "break", False)
    assert row["scheduled_label"] == "Break"
    assert row["out_since"] == t(10).timestamp()
    assert not [a for a in early["alerts"].values() if a["kind"] == "adherence"]

    late = floor_snapshot(site="main", now=t(10, 6))
    (alert,) = [a for a in late["alerts"].values() if a["kind"] == "adherence"]
    assert alert["key"] == f"adherence:{card}:{t(10).timestamp():.0f}"
    assert alert["agent"] == card and alert["team_id"] == cast.ann_agent.team_id
    assert alert["since"] == t(10).timestamp() and alert["severity"] == "amber"
    assert alert["text"] == (
        "Ann Agent is out of adherence: scheduled Break, but On call for over 5 min"
    )
    team = late["summary"][f"team:{cast.ann_agent.team_id}"]
    assert team["team"] == "Billing" and team["out_of_adherence"] == 1

    _rest_of_break(source.source)
    back = floor_snapshot(site="main", now=t(10, 12))
    row = back["agents"][card]
    assert (row["scheduled"], row["in_adherence"], row["out_since"]) == ("break", True, None)
    assert not [a for a in back["alerts"].values() if a["kind"] == "adherence"]
    team = back["summary"][f"team:{cast.ann_agent.team_id}"]
    assert team["adherence"] == round(122 / 132, 4)
    assert team["conformance"] == round(130 / 120, 4)
    assert team["scheduled_min"] == 132 and team["out_of_adherence"] == 0


def test_the_adherence_alert_sends_codes_and_figures_for_each_board_to_word(cast, source):
    """Each board words the alert in its own language: the server's text is in the language of
    the process that pushed, so the alert carries the scheduled activity and the agent's state
    as codes, the not-ready reason, the name and the threshold as values."""
    _schedule(cast.ann_agent)
    _morning(source.source)
    card = f"a{cast.ann_agent.pk}"

    (on_call,) = [
        a
        for a in floor_snapshot(site="main", now=t(10, 6))["alerts"].values()
        if a["kind"] == "adherence"
    ]
    assert on_call["params"] == {
        "name": "Ann Agent",
        "scheduled": "break",
        "status": "available",
        "activity": "on_call",
        "reason": "",
        "minutes": 5,
    }
    # The break ends at 10:15 and she stays not ready "Break": out of adherence from 10:15.
    _rest_of_break(source.source)
    snap = floor_snapshot(site="main", now=t(10, 21))
    (not_ready,) = [a for a in snap["alerts"].values() if a["kind"] == "adherence"]
    assert not_ready["key"] == f"adherence:{card}:{t(10, 15).timestamp():.0f}"
    assert not_ready["params"] == {
        "name": "Ann Agent",
        "scheduled": "on_queue",
        "status": "not_ready",
        "activity": "idle",
        "reason": "Break",
        "minutes": 5,
    }
    assert not_ready["text"] == (
        "Ann Agent is out of adherence: scheduled On queue, but Not ready · Break for over 5 min"
    )
    # The same floor read again gives the same alert (the kept floor is compared with a fresh
    # read).
    again = floor_snapshot(site="main", now=t(10, 21))
    assert again["alerts"][not_ready["key"]] == not_ready


def test_the_folded_figures_equal_a_fresh_computation_and_reads_stay_flat(cast, source):
    from django.core.cache import cache

    from metrics.models import Queue
    from scheduling.floor import _fold_key, required_now_tiles

    _schedule(cast.ann_agent)
    _morning(source.source)
    floor_snapshot(site="main", now=t(10, 4))  # folds the morning
    _rest_of_break(source.source)
    # "Required now" is worked out once for each minute of the board's clock: worked out for
    # 10:12 here, so both reads below find it cached and only the adherence reads count.
    required_now_tiles(site="main", queues=list(Queue.objects.filter(site="main")), now=t(10, 12))
    with CaptureQueriesContext(connection) as first:
        folded = floor_snapshot(site="main", now=t(10, 12))
    (_plan, tally) = next(iter(cache.get(_fold_key("main", t(10, 12))).values()))
    assert tally.upto == t(10, 10)  # settled up to the start of her current state
    with CaptureQueriesContext(connection) as second:
        floor_snapshot(site="main", now=t(10, 12, 30))
    assert len(second) == len(first)
    state_reads = [q["sql"] for q in second if 'FROM "metrics_agentstate"' in q["sql"]]
    # The day's states are read from the settled moment on, not from the start of the shift.
    (since_read,) = [sql for sql in state_reads if '"started_at" >=' in sql]
    assert f"\"started_at\" >= '{t(10, 10).isoformat()}'" in since_read
    cache.clear()
    fresh = floor_snapshot(site="main", now=t(10, 12))
    assert fresh["summary"] == folded["summary"]
    assert fresh["agents"] == folded["agents"]


def test_the_threshold_is_a_setting(cast, source, settings):
    settings.CALLFLOOR_ADHERENCE_THRESHOLD_MINUTES = 3
    _schedule(cast.ann_agent)
    _morning(source.source)
    snap = floor_snapshot(site="main", now=t(10, 4))
    (alert,) = [a for a in snap["alerts"].values() if a["kind"] == "adherence"]
    assert alert["text"].endswith("for over 3 min")
    assert alert["params"]["minutes"] == 3


def test_unpublished_or_absent_schedules_leave_the_board_alone(cast, source):
    from scheduling.models import Shift

    _schedule(cast.ann_agent)
    Shift.objects.update(published_at=None)
    _morning(source.source)
    snap = floor_snapshot(site="main", now=t(10, 6))
    row = snap["agents"][f"a{cast.ann_agent.pk}"]
    assert (row["scheduled"], row["in_adherence"], row["out_since"]) == (None, None, None)
    assert not [a for a in snap["alerts"].values() if a["kind"] == "adherence"]
    assert [k for k in snap["summary"] if k.startswith("team:")] == []


def test_supervisors_and_the_teams_lead_see_adherence_the_agent_and_other_leads_do_not(
    cast, source
):
    _schedule(cast.ann_agent)
    _morning(source.source)
    before = floor_snapshot(site="main", now=t(9, 59))
    snap = floor_snapshot(site="main", now=t(10, 6))
    card, team = f"a{cast.ann_agent.pk}", f"team:{cast.ann_agent.team_id}"
    alert_key = f"adherence:{card}:{t(10).timestamp():.0f}"
    delta = diff(before, snap)
    expected = {  # user: (row fields shown, alert shown, team figures shown)
        cast.sam: (True, True, True),
        cast.ada: (True, True, True),
        cast.tina: (True, True, True),
        cast.tom: (None, False, False),
        cast.ann: (False, False, False),
    }
    for user, (fields, sees_alert, sees_team) in expected.items():
        viewer = viewer_for(user)
        mine = filter_snapshot(snap, viewer)
        row = mine["agents"].get(card)
        if fields is None:
            assert row is None, user
        else:
            assert ("in_adherence" in row) is fields, user
            assert ("scheduled" in row and "out_since" in row) is fields, user
        assert (alert_key in mine["alerts"]) is sees_alert, user
        assert (team in mine["summary"]) is sees_team, user
        sent = filter_delta(delta, viewer)
        sent_row = sent["set"].get("agents", {}).get(card)
        if sent_row is not None:
            assert ("in_adherence" in sent_row) is bool(fields), user
        assert (alert_key in sent["set"].get("alerts", {})) is sees_alert, user
