"""The agent sources (adherence, the phone controls) read the floor's own rows, not copies:
none of them may change a row (`snapshot.agent_source_results`)."""

import copy

import pytest

from metrics.board import snapshot
from tests.metrics.board.test_adherence import _morning, _schedule, t

pytestmark = pytest.mark.django_db


def test_no_agent_source_changes_the_rows_it_reads(cast, source):
    _schedule(cast.ann_agent)
    _morning(source.source)
    parts = snapshot.floor_parts(site="main", now=t(10, 6))
    card = f"a{cast.ann_agent.pk}"
    before = copy.deepcopy(parts.core)
    results = snapshot.agent_source_results(
        site="main", now=t(10, 6), core=parts.core, sources=snapshot.agent_sources()
    )
    assert len(results) == len(snapshot.agent_sources()) >= 2
    # The sources did read the rows: Ann is out of adherence past the threshold.
    assert any(a["kind"] == "adherence" for r in results for a in r.get("alerts", []))
    assert parts.core == before
    assert set(parts.core[card]) == set(before[card])
    assert not set(parts.core[card]) & set(snapshot.AGENT_EXTRAS)
