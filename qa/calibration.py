"""Calibration maths: deviation from the reference, agreement, drift (no Django)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from statistics import median

import krippendorff
import numpy as np

# An evaluator whose recent sessions sit on average this many points away from the reference
# is flagged as drifting.
DRIFT_THRESHOLD = 5.0
DRIFT_WINDOW = 3


def reference_score(scores: Mapping[str, float], reference_by: str | None) -> float | None:
    """The reference scorer's score when they submitted, otherwise the median of all scores."""
    if reference_by is not None and reference_by in scores:
        return scores[reference_by]
    return float(median(scores.values())) if scores else None


def deviations(scores: Mapping[str, float], reference: float | None) -> dict[str, float]:
    if reference is None:
        return {}
    return {who: round(value - reference, 2) for who, value in scores.items()}


def alpha(ratings: Sequence[Sequence[float | None]], level: str = "interval") -> float | None:
    """Krippendorff's alpha over raters × units (None = not rated); None when undefined."""
    if len(ratings) < 2 or not ratings[0]:
        return None
    data = np.array([[np.nan if v is None else float(v) for v in row] for row in ratings])
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    if pairable.sum() == 0:
        return None
    values = data[~np.isnan(data)]
    if len(set(values.tolist())) < 2:
        # Everyone gave the same value everywhere: perfect agreement, which alpha cannot express.
        return 1.0
    try:
        result = krippendorff.alpha(reliability_data=data, level_of_measurement=level)
    except (ValueError, ZeroDivisionError):
        return None
    return None if math.isnan(result) else round(float(result), 3)


def agreement_share(values: Sequence[float]) -> float | None:
    """The share of raters who gave the most common value."""
    if not values:
        return None
    counts: dict[float, int] = {}
    for v in values:
        counts[v] = counts.get(v, 0) + 1
    return round(max(counts.values()) / len(values), 3)


def drift(
    history: Sequence[float], threshold: float = DRIFT_THRESHOLD, window: int = DRIFT_WINDOW
) -> bool:
    """True when the mean deviation of the last `window` sessions exceeds the threshold."""
    recent = list(history)[-window:]
    if len(recent) < window:
        return False
    return abs(sum(recent) / len(recent)) > threshold
