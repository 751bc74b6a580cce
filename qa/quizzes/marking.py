"""Marking a test paper: plain functions over plain data (no Django).

A question is right when the set of chosen indexes equals the set of right ones (a multiple
choice question with one right choice missing or one wrong choice added is wrong: no partial
marks). The score is the share of right answers, 0–100 with two decimals.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_HALF_UP, Decimal

SINGLE, MULTIPLE, TRUE_FALSE = "single", "multiple", "true_false"


def key_problem(kind: str, choices: Sequence[str], correct: Iterable[int]) -> str | None:
    """Why a question's choices and key cannot be marked (None when they can)."""
    right = list(correct)
    if kind == TRUE_FALSE and len(choices) != 2:
        return "true_false_two_choices"
    if len(choices) < 2:
        return "too_few_choices"
    if any(not str(choice).strip() for choice in choices):
        return "empty_choice"
    if not right or len(set(right)) != len(right):
        return "no_correct"
    if any(not isinstance(i, int) or not 0 <= i < len(choices) for i in right):
        return "correct_out_of_range"
    if kind in (SINGLE, TRUE_FALSE) and len(right) != 1:
        return "one_correct"
    return None


def is_right(correct: Iterable[int], given: Iterable[int]) -> bool:
    return set(correct) == set(given)


def score(right: int, total: int) -> Decimal:
    if total == 0:
        return Decimal("0.00")
    return (Decimal(100) * right / total).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def mark(
    key: Mapping[int, Iterable[int]], answers: Mapping[int, Iterable[int]]
) -> tuple[int, int, Decimal]:
    """(right answers, questions, score) of `answers` against `key` (both by question id);
    a question not answered is wrong."""
    right = sum(1 for qid, correct in key.items() if is_right(correct, answers.get(qid, ())))
    return right, len(key), score(right, len(key))
