"""Snapshots, deltas and viewers as plain data: apply(diff) is exact and filtering commutes."""

from hypothesis import given
from hypothesis import strategies as st

from metrics.board.delta import SECTIONS, Viewer, apply, diff, filter_delta, filter_snapshot

entry = st.fixed_dictionaries(
    {
        "team_id": st.sampled_from([None, 1, 2]),
        "agent": st.sampled_from([None, "a1", "a2", "a3"]),
        "value": st.integers(0, 3),
        "id": st.sampled_from([None, 1, 2]),
        "queue_id": st.sampled_from([None, 1, 2]),
    }
)
section = st.dictionaries(st.sampled_from(["k1", "k2", "k3", "k4"]), entry, max_size=4)
snapshot = st.fixed_dictionaries({name: section for name in SECTIONS})
viewers = st.sampled_from(
    [
        Viewer(everything=True),
        Viewer(queues=True, teams=frozenset({1}), agent_key="a3"),
        Viewer(queues=True, teams=frozenset({2}), queue_ids=frozenset({1})),
        Viewer(queues=True, teams=frozenset({2}), queue_ids=frozenset()),
        Viewer(agent_key="a1"),
        Viewer(),
    ]
)


@given(snapshot, snapshot)
def test_applying_the_diff_gives_the_new_snapshot(old, new):
    assert apply(old, diff(old, new)) == new


@given(snapshot, snapshot, viewers)
def test_a_filtered_delta_on_a_filtered_snapshot_is_the_filtered_new_snapshot(old, new, viewer):
    delta = filter_delta(diff(old, new), viewer)
    assert apply(filter_snapshot(old, viewer), delta) == filter_snapshot(new, viewer)


@given(snapshot, snapshot)
def test_applying_the_compact_diff_gives_the_new_snapshot(old, new):
    assert apply(old, diff(old, new, fields=True)) == new


def test_the_compact_diff_sends_only_the_fields_that_changed():
    tile = {"key": "q1", "waiting": 3, "trend": [[1, 0.8], [2, 0.9]], "available": 4}
    old = {"queues": {"q1": tile}, "agents": {"a1": {"team_id": 1, "status": "available"}}}
    new = {
        "queues": {"q1": {**tile, "available": 5}},
        "agents": {"a1": {"team_id": 1, "status": "not_ready", "reason": "Break"}},
    }
    assert diff(old, new, fields=True) == {
        "set": {"agents": {"a1": new["agents"]["a1"]}},  # a field came: the whole entry
        "remove": {},
        "patch": {"queues": {"q1": {"available": 5}}},
    }
    assert diff(old, new)["set"]["queues"] == {"q1": new["queues"]["q1"]}
    assert diff(new, new, fields=True) == {"set": {}, "remove": {}}


def test_an_unchanged_floor_gives_an_empty_delta():
    floor = {"queues": {"q1": {"waiting": 2}}, "agents": {"a1": {"status": "available"}}}
    assert diff(floor, floor) == {"set": {}, "remove": {}}


def test_an_agent_sees_only_their_own_entries_and_the_broadcasts():
    floor = {
        "queues": {"q1": {"key": "q1"}},
        "agents": {"a1": {"agent": "a1", "team_id": 1}, "a2": {"agent": "a2", "team_id": 1}},
        "alerts": {"x": {"agent": None, "queue_id": 1}, "y": {"agent": "a2", "team_id": 1}},
        "broadcasts": {"b1": {"text": "hello"}},
        "help": {"h1": {"agent": "a1", "team_id": 1}, "h2": {"agent": "a2", "team_id": 1}},
    }
    seen = filter_snapshot(floor, Viewer(agent_key="a1"))
    assert seen["queues"] == {} and seen["alerts"] == {} and seen["summary"] == {}
    assert list(seen["agents"]) == ["a1"] and list(seen["help"]) == ["h1"]
    assert list(seen["broadcasts"]) == ["b1"]


def test_an_entry_leaving_a_team_leads_sight_becomes_a_removal():
    lead = Viewer(queues=True, teams=frozenset({1}))
    old = {"agents": {"a1": {"agent": "a1", "team_id": 1}}}
    new = {"agents": {"a1": {"agent": "a1", "team_id": 2}}}
    assert filter_delta(diff(old, new), lead) == {"set": {}, "remove": {"agents": ["a1"]}}


def test_a_team_lead_scoped_to_queues_sees_those_tiles_and_their_alerts_only():
    lead = Viewer(queues=True, teams=frozenset({1}), queue_ids=frozenset({7}))
    floor = {
        "queues": {"q7": {"id": 7}, "q8": {"id": 8}},
        "alerts": {
            "sl7": {"agent": None, "queue_id": 7},
            "sl8": {"agent": None, "queue_id": 8},
            "other": {"agent": None},
        },
        "summary": {"floor": {"staffed": 3}},
    }
    seen = filter_snapshot(floor, lead)
    assert list(seen["queues"]) == ["q7"]
    assert sorted(seen["alerts"]) == ["other", "sl7"]
    assert seen["summary"] == floor["summary"]
    # A tile that leaves the lead's queues is removed, never sent.
    delta = filter_delta(diff({"queues": {"q7": {"id": 7}}}, {"queues": {"q7": {"id": 8}}}), lead)
    assert delta == {"set": {}, "remove": {"queues": ["q7"]}}
