"""The counts and sums of the offline report's calls by group, for the column path
(`columnar`): each call's class (its outcome and the comparisons its counts depend on) and
its times; a group's counts are its calls per class times the class's counts, as
`formulas.contribution` would add them call by call."""

from __future__ import annotations

import numpy as np

from metrics import formulas

# Outcome codes of a call.
WAITING, ANSWERED, ABANDONED, LEFT, UNKNOWN = range(5)

# Each call's class: its outcome and the comparisons its counts depend on. The counts of a
# class are worked out once (`_CLASS_COUNTS`), so a group's counts are its calls per class.
_FLAGS = ("late", "short", "fast", "ring_known", "ended", "transferred")
_CLASSES = 8 << len(_FLAGS)  # (three bits of outcome, then the flags)
_COUNT_FIELDS = tuple(
    f
    for f in formulas.SUM_FIELDS
    if f not in ("answered_wait_sum", "abandon_wait_sum", "talk_sum", "hold_sum", "acw_sum")
)
_AMOUNT_FIELDS = ("answered_wait_sum", "abandon_wait_sum", "talk_sum", "acw_sum")


def call_classes(
    outcome: np.ndarray,
    wait: np.ndarray,
    ring: np.ndarray,
    ended: np.ndarray,
    transferred: np.ndarray,
    *,
    threshold: float,
    short_abandon: float,
    fast_ring: float,
) -> np.ndarray:
    """Each call's class (`_CLASS_COUNTS`): its outcome and one bit per `_FLAGS` name."""
    with np.errstate(invalid="ignore"):
        flags = (
            wait > threshold,
            wait < short_abandon,
            ring <= fast_ring,
            ~np.isnan(ring),
            ended,
            transferred,
        )
    classes = outcome.astype(np.int64)
    for bit, flag in enumerate(flags):
        classes += flag.astype(np.int64) << (bit + 3)
    return classes


def _counts_of_classes() -> np.ndarray:
    """`formulas.contribution`'s counts of each class: a row per class, a column per
    `_COUNT_FIELDS` name."""
    every = np.arange(_CLASSES)
    outcome = every & 7
    late, short, fast, ring_known, ended, transferred = (
        (every >> (bit + 3)) & 1 == 1 for bit in range(len(_FLAGS))
    )
    answered = outcome == ANSWERED
    abandoned = outcome == ABANDONED
    short = abandoned & short
    counted = abandoned & ~short
    left = outcome == LEFT
    unknown = outcome == UNKNOWN
    columns = {
        "offered": outcome <= UNKNOWN,
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "timed_out": left,
        "unknown": unknown,
        "transferred": answered & transferred,
        "a_in": answered & ~late,
        "a_out": answered & late,
        "b_in": counted & ~late,
        "b_out": counted & late,
        "x_in": left & ~late,
        "x_out": left & late,
        "u_out": unknown & late,
        "aht_n": answered & ended,
        "ring_known_n": answered & ring_known,
        "ring_fast_n": answered & fast,
    }
    return np.stack([columns[name] for name in _COUNT_FIELDS], axis=1).astype(np.int64)


def call_amounts(
    outcome: np.ndarray,
    wait: np.ndarray,
    talk: np.ndarray,
    acw: np.ndarray,
    ended: np.ndarray,
    classes: np.ndarray,
) -> np.ndarray:
    """`formulas.contribution`'s sums of every call: a row per `_AMOUNT_FIELDS` name, then
    `max_wait_s` (the wait a call's group takes the largest of); a column per call."""
    answered = outcome == ANSWERED
    short = (classes >> (3 + _FLAGS.index("short"))) & 1 == 1
    counted = (outcome == ABANDONED) & ~short
    aht = answered & ended
    matrix = np.zeros((len(_AMOUNT_FIELDS) + 1, len(outcome)))
    np.copyto(matrix[0], wait, where=answered)
    np.copyto(matrix[1], wait, where=counted)
    np.copyto(matrix[2], talk, where=aht)
    np.copyto(matrix[3], acw, where=aht)
    np.copyto(matrix[4], wait, where=answered | counted | (outcome == LEFT) | (outcome == UNKNOWN))
    return matrix


class Sums:
    """The counts and sums of groups of calls (`groups`: the groups holding a call, ascending).

    Every count and time is a whole number (times are whole seconds), so sums are exact in
    any order and merging groups' sums gives what summing their calls gives."""

    def __init__(self, groups, counts, amounts, peak) -> None:
        self.groups, self.counts, self.amounts, self.peak = groups, counts, amounts, peak

    @classmethod
    def of_calls(cls, group: np.ndarray, size: int, classes: np.ndarray, amounts: np.ndarray):
        """The sums of the calls of each group (`group`: each call's, below `size`)."""
        if not len(group):
            return cls(
                group, np.zeros((0, len(_COUNT_FIELDS)), dtype=np.int64), amounts[:-1], group
            )
        present = np.flatnonzero(np.bincount(group, minlength=size))
        k = len(present)
        if k < size:
            compact = np.zeros(size, dtype=np.int64)
            compact[present] = np.arange(k)
            group = compact[group]
        # (the classes that occur, numbered 0 … c-1: a day has a few dozen of the 512)
        seen = np.flatnonzero(np.bincount(classes, minlength=_CLASSES))
        c = len(seen)
        class_at = np.zeros(_CLASSES, dtype=np.int64)
        class_at[seen] = np.arange(c)
        key = group * c + class_at[classes]
        if k * c <= 2**21:
            per_key = np.bincount(key, minlength=k * c)
            keys = np.flatnonzero(per_key)
            calls = per_key[keys]
        else:
            keys, calls = np.unique(key, return_counts=True)
        rows = keys // c
        firsts = np.flatnonzero(np.concatenate(([True], rows[1:] != rows[:-1])))
        counts = np.add.reduceat(calls[:, None] * _CLASS_COUNTS[seen[keys % c]], firsts, axis=0)
        sums = np.stack([np.bincount(group, weights=row, minlength=k) for row in amounts[:-1]])
        peak = np.zeros(k)
        np.maximum.at(peak, group, amounts[-1])
        return cls(present, counts, sums, peak)

    def merged(self, into: np.ndarray) -> Sums:
        """The sums of the groups `into` gives each of these groups."""
        groups, at = np.unique(into, return_inverse=True)
        k = len(groups)
        counts = np.zeros((k, self.counts.shape[1]), dtype=np.int64)
        np.add.at(counts, at, self.counts)
        sums = np.zeros((k, self.amounts.shape[0]))
        np.add.at(sums, at, self.amounts.T)
        peak = np.zeros(k)
        np.maximum.at(peak, at, self.peak)
        return Sums(groups, counts, sums.T, peak)

    def tallies(self):
        """(group, `Tally`) of each group, by ascending group."""
        for g, whole, parts, peak in zip(
            self.groups.tolist(),
            self.counts.tolist(),
            self.amounts.T.tolist(),
            self.peak.tolist(),
            strict=True,
        ):
            values = dict(zip(_COUNT_FIELDS, whole, strict=True))
            values.update(zip(_AMOUNT_FIELDS, parts, strict=True))
            yield g, formulas.Tally(**values, max_wait_s=peak)


_CLASS_COUNTS = _counts_of_classes()
