"""How a score reads, wherever a person reads it: pages, messages, API display text, exports."""

from __future__ import annotations

import math

from django.utils.formats import number_format

NO_SCORE = "–"


def format_score(value: float | None, *, localize: bool = True) -> str:
    """A 0–100 score with two decimals ("100.00" beside "88.89"), "–" when there is none.

    `localize` uses the active language's decimal mark (a page, a message); an export writes
    the plain form a spreadsheet reads in any locale.
    """
    if value is None or value == "":
        return NO_SCORE
    return number_format(round(float(value), 2), decimal_pos=2, use_l10n=localize)


def percent_under(level: float, target: float) -> str:
    """A share (0–1) as a percentage number, whole ("79"), or to a tenth cut rather than
    rounded ("79.6") when whole it would read as `target` or more while under it: an alert
    must not say "80 % under the 80 % target". (The board's script does the same.)"""
    if level < target and round(level * 100) >= round(target * 100):
        return f"{math.floor(level * 1000) / 10:.1f}"
    return f"{level * 100:.0f}"
