"""How a score reads, wherever a person reads it: pages, messages, API display text, exports."""

from __future__ import annotations

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
