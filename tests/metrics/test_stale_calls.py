"""Calls that never end (kpi.md): a call still waiting `stale_after_s` after it was offered is
`unknown` with that wait, on the board, in the rollups, in the day report and in the offline
report alike."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command
from django.db.models import Sum

from metrics.models import Outcome, Queue, QueueCall, QueueInterval
from metrics.queue_log import read_lines
from metrics.reports import history as reports

pytestmark = pytest.mark.django_db

STALE_S = 600
T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
MEMBER = "Local/2004@from-internal/n"


def _log() -> list[str]:
    t = int(T0.timestamp())
    return [
        # answered within T: A_in
        f"{t}|c1|support|NONE|ENTERQUEUE||+3225550001|1",
        f"{t + 5}|c1|support|{MEMBER}|CONNECT|5|chan|2",
        # the call whose last line the PBX lost: never answered, never abandoned
        f"{t + 10}|c2|support|NONE|ENTERQUEUE||+3225550002|1",
        # abandoned after T: B_out
        f"{t + 30}|c3|support|NONE|ENTERQUEUE||+3225550003|2",
        f"{t + 60}|c3|support|NONE|ABANDON|1|2|30",
        f"{t + 65}|c1|support|{MEMBER}|COMPLETECALLER|5|60|1",
        # a call long after c2 went stale: A_in
        f"{t + 1200}|c4|support|NONE|ENTERQUEUE||+3225550004|1",
        f"{t + 1210}|c4|support|{MEMBER}|CONNECT|10|chan|2",
        f"{t + 1300}|c4|support|{MEMBER}|COMPLETEAGENT|10|90|1",
    ]


# What each path must say: c2 is unknown with a wait of exactly stale_after_s.
EXPECTED = {
    "offered": 4,
    "answered": 2,
    "abandoned": 1,
    "unknown": 1,
    "waiting": 0,
    "service_level": 0.5,  # A_in / (A_in + B_out + unknown past T) = 2 / 4
    "max_wait_s": float(STALE_S),
}


def _pick(figures: dict) -> dict:
    return {k: figures[k] for k in EXPECTED}


def test_a_call_that_never_ends_is_unknown_in_all_four_paths(settings, tmp_path):
    from metrics.board.snapshot import floor_snapshot
    from metrics.selectors import floor_queue_stats
    from metrics.telephony.services import events_ingest, source_create

    settings.CALLFLOOR_TIME_ZONE = "UTC"
    queue = Queue.objects.create(name="support", site="main", stale_after_s=STALE_S)
    source = source_create(name="pbx-stale", kind="queue_log_file")[0]
    lines = _log()
    events_ingest(source=source, events=list(read_lines(lines, layout="file", zone="UTC")))
    now = T0 + timedelta(seconds=1300)

    # The offline report, from the same lines.
    path = tmp_path / "queue_log"
    path.write_text("\n".join(lines) + "\n")
    out = io.StringIO()
    call_command("queue_log_report", str(path), "--json", f"--stale-after={STALE_S}", stdout=out)
    offline = json.loads(out.getvalue())["queues"]["support"]
    assert _pick(offline) == EXPECTED

    # The stored call and the rollups.
    stored = QueueCall.objects.get(call_id="c2")
    assert (stored.outcome, stored.wait_s) == (Outcome.UNKNOWN, STALE_S)
    sums = QueueInterval.objects.filter(queue=queue).aggregate(
        unknown=Sum("unknown"), u_out=Sum("u_out"), offered=Sum("offered")
    )
    assert sums == {"unknown": 1, "u_out": 1, "offered": 4}

    # The day report (its now: the source's clock, the last line, as the offline report's).
    report = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    day_row = next(r for r in report.rows if not r["total"])
    assert _pick(day_row) == EXPECTED

    # The board: the call left the tile (no waiting caller, no longest wait, no wait alert).
    snapshot = floor_snapshot(site="main", now=now)
    tile = snapshot["queues"][f"q{queue.pk}"]
    # (A tile shows no max wait: it would tick with every push while a caller waits.)
    assert _pick({**tile, "max_wait_s": float(STALE_S)}) == EXPECTED
    assert _pick(floor_queue_stats(queues=[queue], now=now)[queue.pk]) == EXPECTED
    assert tile["longest_waiting_since"] is None and tile["waiting_calls"] == []
    assert not [a for a in snapshot["alerts"].values() if a["kind"] == "queue_wait"]


def test_the_board_shows_a_stale_call_as_unknown_before_the_clock_stores_it(settings):
    """The source went quiet: nothing fed the engine since, yet the board already counts the
    call as unknown; the telephony clock then stores the same figures in the rollups."""
    from metrics.board.snapshot import floor_snapshot
    from metrics.selectors import floor_queue_stats
    from metrics.telephony.services import events_ingest, source_create, sources_advance

    settings.CALLFLOOR_TIME_ZONE = "UTC"
    queue = Queue.objects.create(name="support", site="main", stale_after_s=STALE_S)
    source = source_create(name="pbx-quiet", kind="queue_log_file")[0]
    events_ingest(source=source, events=list(read_lines(_log()[:6], layout="file", zone="UTC")))
    assert QueueCall.objects.get(call_id="c2").outcome == Outcome.WAITING

    before = T0 + timedelta(seconds=STALE_S + 9)  # c2 waited 599 s: still waiting, a red wait
    tile = floor_snapshot(site="main", now=before)["queues"][f"q{queue.pk}"]
    assert (tile["waiting"], tile["unknown"]) == (1, 0)
    assert tile["longest_waiting_since"] == (T0 + timedelta(seconds=10)).timestamp()

    later = T0 + timedelta(hours=5)
    shown = floor_queue_stats(queues=[queue], now=later)[queue.pk]
    assert (shown["waiting_now"], shown["unknown"], shown["max_wait_s"]) == (0, 1, STALE_S)
    assert shown["service_level"] == pytest.approx(1 / 3)  # A_in / (A_in + B_out + stale)
    assert shown["intervals"][0]["service_level"] == pytest.approx(1 / 3)

    assert sources_advance(now=later) >= 1
    stored = QueueCall.objects.get(call_id="c2")
    assert (stored.outcome, stored.wait_s) == (Outcome.UNKNOWN, STALE_S)
    after = floor_queue_stats(queues=[queue], now=later)[queue.pk]
    same = ("offered", "unknown", "waiting_now", "service_level", "max_wait_s", "intervals")
    assert {k: after[k] for k in same} == {k: shown[k] for k in same}
