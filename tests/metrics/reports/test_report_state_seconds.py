"""The team report sums its agents' state seconds as the rows stream from the database.

A floor writes a state row for every status change all day; the team report (asked for every
few seconds by team leads) once loaded every row of its agents' day into memory, so the API
server's memory high-water mark rose with the hour (RELIABILITY.md, "Load").
"""

from __future__ import annotations

import tracemalloc
from datetime import UTC, date, datetime, timedelta

import pytest

from metrics import formulas
from metrics.models import AgentState
from metrics.reports import agents as agent_reports
from metrics.reports import history as reports

DAY = date(2026, 3, 2)
START = datetime(2026, 3, 2, tzinfo=UTC)
END = START + timedelta(days=1)
# A cycle of four 30 s states: available and idle, on a call, a break, lunch.
CYCLE = [
    ("available", "", "idle"),
    ("available", "", "on_call"),
    ("not_ready", "Break", "idle"),
    ("not_ready", "Lunch", "idle"),
]


@pytest.fixture
def source(db):
    from metrics.telephony.services import source_create

    return source_create(name="pbx-states", kind="queue_log_file")[0]


def add_states(source, agent, count: int, *, first: datetime, step: int = 30) -> None:
    AgentState.objects.bulk_create(
        [
            AgentState(
                source=source,
                member="PJSIP/2004",
                agent=agent,
                status=CYCLE[n % 4][0],
                reason=CYCLE[n % 4][1],
                activity=CYCLE[n % 4][2],
                started_at=first + timedelta(seconds=step * n),
                ended_at=first + timedelta(seconds=step * (n + 1)),
            )
            for n in range(count)
        ],
        batch_size=2000,
    )


def test_the_team_report_counts_each_state_inside_the_day(cast, source):
    agent = cast.ann_agent
    # 400 states from 23:50 the day before: the first 20 (10 minutes) are outside the day.
    add_states(source, agent, 400, first=START - timedelta(minutes=10))
    # Still open at the source's last event, 15 minutes after it started.
    opened = START + timedelta(hours=5)
    AgentState.objects.create(
        source=source,
        member="PJSIP/2004",
        agent=agent,
        status="not_ready",
        reason="Training",
        activity="idle",
        started_at=opened,
        ended_at=None,
    )
    source.engine_state = {**(source.engine_state or {}), "clock": (opened.timestamp() + 900)}
    source.save(update_fields=["engine_state"])

    report = agent_reports.team_report(team=cast.billing, span=reports.ReportRange(DAY, DAY))
    ann = next(row for row in report.rows if row.get("agent_id") == agent.pk)
    inside = 380 * 30  # 95 cycles inside the day
    assert ann["login_s"] == pytest.approx(inside + 900)
    assert ann["not_ready_by_reason"] == {
        "Break": pytest.approx(95 * 30),
        "Lunch": pytest.approx(95 * 30),
        "Training": pytest.approx(900),
    }
    busy, idle = 95 * 30, 95 * 30
    assert ann["occupancy"] == pytest.approx(busy / (busy + idle))
    total = report.rows[-1]
    assert total["total"] is True and total["login_s"] == pytest.approx(inside + 900)

    # The same figures as from the state rows themselves (what the agent report reads).
    ids = [agent.pk]
    components = formulas.aht_components(saw_hold=False, saw_acw=False)
    from_rows = agent_reports.agent_row({}, components, agent_reports._state_rows(ids, START, END))
    summed = agent_reports.agent_row({}, components, agent_reports._state_seconds(ids, START, END))
    for key in ("login_s", "not_ready_s", "occupancy"):
        assert summed[key] == pytest.approx(from_rows[key])
    assert summed["not_ready_by_reason"] == pytest.approx(from_rows["not_ready_by_reason"])


def peak_bytes(read, ids) -> int:
    tracemalloc.start()
    try:
        read(ids, START, END)
        return tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()


def test_the_team_reports_memory_does_not_grow_with_the_days_state_rows(cast, source):
    agent = cast.ann_agent
    ids = [agent.pk]
    # Once each before measuring: first calls also build caches that stay (query compilation).
    agent_reports._state_seconds(ids, START, END)
    agent_reports._state_rows(ids, START, END)
    # 7 s states: all 12,000 fall inside the day.
    add_states(source, agent, 4000, first=START, step=7)
    summed_small, rows_small = (
        peak_bytes(agent_reports._state_seconds, ids),
        peak_bytes(agent_reports._state_rows, ids),
    )
    add_states(source, agent, 8000, first=START + timedelta(seconds=7 * 4000), step=7)
    summed_large, rows_large = (
        peak_bytes(agent_reports._state_seconds, ids),
        peak_bytes(agent_reports._state_rows, ids),
    )
    # Three times the rows: every row held at once costs about three times the memory...
    assert rows_large > 2.2 * rows_small
    # ...summed as they stream (a chunk of rows at a time), about the same.
    assert summed_large < 1.25 * summed_small
    assert summed_large < rows_large / 4
