"""Marking a paper: plain functions, no database."""

from decimal import Decimal

from qa.quizzes import marking


def test_a_multiple_choice_answer_is_right_only_with_every_right_choice_and_no_other():
    assert marking.is_right([0, 2], [2, 0])
    assert not marking.is_right([0, 2], [0])
    assert not marking.is_right([0, 2], [0, 1, 2])


def test_an_unanswered_question_is_wrong_and_the_score_is_the_share_right():
    key = {1: [0], 2: [0, 2], 3: [1]}
    assert marking.mark(key, {1: [0], 2: [0, 2]}) == (2, 3, Decimal("66.67"))
    assert marking.mark(key, {}) == (0, 3, Decimal("0.00"))
    assert marking.mark({}, {}) == (0, 0, Decimal("0.00"))


def test_a_key_that_cannot_be_marked_is_named():
    assert marking.key_problem("single", ["a", "b"], [0, 1]) == "one_correct"
    assert marking.key_problem("single", ["a"], [0]) == "too_few_choices"
    assert marking.key_problem("true_false", ["a", "b", "c"], [0]) == "true_false_two_choices"
    assert marking.key_problem("multiple", ["a", "b"], [2]) == "correct_out_of_range"
    assert marking.key_problem("multiple", ["a", ""], [0]) == "empty_choice"
    assert marking.key_problem("multiple", ["a", "b"], []) == "no_correct"
    assert marking.key_problem("multiple", ["a", "b", "c"], [0, 2]) is None
