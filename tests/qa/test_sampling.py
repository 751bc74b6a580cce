"""Sample selection, without a database: deterministic, seed-driven, recomputable."""

from datetime import date, datetime, time

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa import sampling
from qa.sampling import Candidate, Rule

RULE = Rule(
    method="random",
    calls_per_agent=2,
    period_start=date(2026, 11, 23),
    period_end=date(2026, 11, 29),
    min_talk_s=60,
    queues=frozenset({"billing"}),
)


def calls():
    rows = []
    for agent in ("1", "2"):
        for day in range(23, 30):
            for hour in (9, 11, 12, 14):
                rows.append(
                    Candidate(
                        key=f"c-{agent}-{day}-{hour}",
                        agent=agent,
                        started=datetime(2026, 11, day, hour, 5),
                        talk_s=30 if hour == 9 else 120,
                        queue="billing",
                    )
                )
    rows.append(Candidate("other-queue", "1", datetime(2026, 11, 24, 12), 500, "cards"))
    rows.append(Candidate("too-early", "1", datetime(2026, 11, 22, 12), 500, "billing"))
    return rows


def test_the_same_seed_picks_the_same_calls_whatever_the_input_order():
    forward = sampling.select(RULE, "seed-a", calls())
    backward = sampling.select(RULE, "seed-a", list(reversed(calls())))
    assert forward == backward
    assert {agent: len(keys) for agent, keys in forward.items()} == {"1": 2, "2": 2}


def test_another_seed_picks_other_calls():
    assert sampling.select(RULE, "seed-a", calls()) != sampling.select(RULE, "seed-b", calls())


def test_only_eligible_calls_are_picked():
    ranking = sampling.rank(RULE, "seed-a", calls())
    everything = {k for keys in ranking.values() for k in keys}
    assert "other-queue" not in everything and "too-early" not in everything
    assert not any(k.endswith("-9") for k in everything)  # 30 s talk is under the minimum
    assert len(ranking["1"]) == 7 * 3


def test_the_nth_call_after_a_time_is_picked_per_day():
    rule = Rule(
        method="nth_after",
        calls_per_agent=0,
        period_start=date(2026, 11, 23),
        period_end=date(2026, 11, 25),
        nth=2,
        after=time(11, 0),
        queues=frozenset({"billing"}),
    )
    picks = sampling.select(rule, "s", calls())
    # Calls after 11:00 each day: 11:05, 12:05, 14:05 → the second is 12:05.
    assert sorted(picks["1"]) == ["c-1-23-12", "c-1-24-12", "c-1-25-12"]


def test_replacements_follow_the_ranking():
    ranking = sampling.rank(RULE, "seed-a", calls())["1"]
    picks = ranking[:2]
    assert sampling.apply_replacements(ranking, picks, [picks[0]]) == [ranking[2], ranking[1]]
    with pytest.raises(ValueError):
        sampling.apply_replacements(ranking, picks, ["not-picked"])


def test_hashes_are_sha256():
    assert sampling.seed_hash("abc") == (
        "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"
    )
    assert sampling.definition_hash(RULE) != sampling.definition_hash(
        Rule(**{**RULE.__dict__, "min_talk_s": 61})
    )


def test_the_rule_reads_as_a_sentence():
    text = sampling.describe(RULE, "Billing")
    assert "2 random calls" in text and "at least 60 s" in text and "Billing" in text


candidate = st.builds(
    Candidate,
    key=st.text(alphabet="abcdef0123456789", min_size=4, max_size=8),
    agent=st.sampled_from(["1", "2", "3"]),
    started=st.datetimes(min_value=datetime(2026, 11, 22), max_value=datetime(2026, 12, 1)),
    talk_s=st.floats(min_value=0, max_value=600),
    queue=st.sampled_from(["billing", "cards"]),
)


@given(
    st.lists(candidate, max_size=40, unique_by=lambda c: c.key), st.text(min_size=1), st.randoms()
)
def test_selection_is_a_pure_function_of_rule_seed_and_calls(calls, seed, rng):
    shuffled = list(calls)
    rng.shuffle(shuffled)
    picks = sampling.select(RULE, seed, calls)
    assert picks == sampling.select(RULE, seed, shuffled)
    by_key = {c.key: c for c in calls}
    for agent, keys in picks.items():
        eligible = [c for c in calls if c.agent == agent and sampling.is_eligible(RULE, c)]
        assert len(keys) == min(RULE.calls_per_agent, len(eligible))
        assert all(by_key[k].agent == agent and sampling.is_eligible(RULE, by_key[k]) for k in keys)
