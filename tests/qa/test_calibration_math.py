"""Calibration maths, without a database."""

from qa import calibration


def test_reference_is_the_named_scorer_else_the_median():
    scores = {"a": 80.0, "b": 90.0, "c": 70.0}
    assert calibration.reference_score(scores, "b") == 90.0
    assert calibration.reference_score(scores, None) == 80.0
    assert calibration.deviations(scores, 80.0) == {"a": 0.0, "b": 10.0, "c": -10.0}


def test_alpha_is_high_for_agreeing_raters_and_low_for_random_ones():
    agree = [[1, 2, 3, 4, 5], [1, 2, 3, 4, 5], [1, 2, 3, 4, 4]]
    disagree = [[1, 5, 2, 4, 3], [5, 1, 4, 2, 3], [3, 3, 1, 5, 2]]
    assert calibration.alpha(agree) > 0.9
    assert calibration.alpha(disagree) < 0.2
    assert calibration.alpha([[1, 1], [1, 1]]) == 1.0
    assert calibration.alpha([[1, None], [None, 2]]) is None


def test_drift_needs_a_sustained_deviation():
    assert not calibration.drift([8, 9])
    assert calibration.drift([0, 7, 8, 9])
    assert not calibration.drift([9, -9, 1])
