"""The score formula, without a database."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qa.scoring import Answer, CriterionSpec, ScoringError, SectionSpec, score

CARD = [
    SectionSpec(1, weight=2, criteria=[CriterionSpec(11, 5), CriterionSpec(12, 5)]),
    SectionSpec(
        2, weight=1, criteria=[CriterionSpec(21, 1, critical="section"), CriterionSpec(22, 3)]
    ),
    SectionSpec(
        3, weight=1, criteria=[CriterionSpec(31, 1, critical="evaluation", allow_na=False)]
    ),
]


def answers(**points):
    base = {11: 5, 12: 5, 21: 1, 22: 3, 31: 1}
    base.update({int(k[1:]): v for k, v in points.items()})
    return {cid: Answer(p) for cid, p in base.items()}


def test_full_marks_score_100():
    assert score(CARD, answers()).score == 100.0


def test_sections_are_weighted():
    # Section 1 earns 5/10 with weight 2; sections 2 and 3 are full: (2*.5 + 1 + 1) / 4.
    assert score(CARD, answers(c12=0)).score == 75.0


def test_na_leaves_the_denominator():
    # 22 is N/A: section 2 is 1/1 — the same as full marks.
    assert score(CARD, answers(c22=None)).score == 100.0
    # Section 1 all N/A: it leaves with its weight; the others are full.
    result = score(CARD, answers(c11=None, c12=None))
    assert result.score == 100.0
    assert result.sections[0].score is None


def test_a_failed_section_critical_zeroes_only_its_section():
    result = score(CARD, answers(c21=0))
    assert result.sections[1].score == 0
    assert result.score == 75.0  # (2*1 + 0 + 1) / 4
    assert result.failed_critical == [21]
    assert not result.failed_evaluation


def test_a_failed_evaluation_critical_zeroes_everything():
    result = score(CARD, answers(c31=0))
    assert result.score == 0.0
    assert result.failed_evaluation


def test_points_out_of_range_and_forbidden_na_are_refused():
    with pytest.raises(ScoringError) as error:
        score(CARD, answers(c11=6))
    assert error.value.criterion == 11
    with pytest.raises(ScoringError):
        score(CARD, answers(c31=None))
    missing = answers()
    del missing[22]
    with pytest.raises(ScoringError):
        score(CARD, missing)


@given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=2, max_size=2))
def test_the_score_stays_between_0_and_100(points):
    card = [SectionSpec(1, 1, [CriterionSpec(1, 5), CriterionSpec(2, 5)])]
    result = score(card, {1: Answer(points[0]), 2: Answer(points[1])})
    if points == [None, None]:
        assert result.score is None
    else:
        assert 0 <= result.score <= 100
