"""The agent grid's time-in-state bands: the server's defaults and a site's own thresholds.

Read by the snapshot (alerts and the bands sent to the boards) and by the board settings that
change a site's thresholds; it depends on neither.
"""

from __future__ import annotations

import copy

from django.conf import settings

from metrics.board.models import FloorSettings

# Time-in-state bands of the agent grid (seconds: amber from, red from). A not-ready reason
# has an allowance: amber from 80 % of it, red (and a "break overrun" alert) past it.
DEFAULT_BANDS = {
    "on_call": [480, 600],
    "on_hold": [60, 180],
    "wrap_up": [90, 120],
    "ringing": [10, 20],
    "not_ready": {
        "Break": 900,
        "Lunch": 3600,
        "Meeting": 3600,
        "Training": 3600,
        "Coaching": 1800,
        "*": 900,
    },
}
AMBER_SHARE = 0.8  # amber from 80 % of a red mark, as for break allowances


def bands() -> dict:
    return getattr(settings, "CALLFLOOR_FLOOR_BANDS", DEFAULT_BANDS)


def break_allowance(reason: str) -> float:
    allowances = bands()["not_ready"]
    return float(allowances.get(reason, allowances.get("*", 900)))


def floor_settings_of(site: str) -> FloorSettings:
    """The site's settings (unsaved defaults when nobody changed them yet)."""
    return FloorSettings.objects.filter(site=site).first() or FloorSettings(site=site)


def site_bands(site: str, found: FloorSettings | None = None) -> dict:
    """The board's time-in-state bands of `site`: the server's, with the site's thresholds."""
    result = copy.deepcopy(bands())
    row = found or floor_settings_of(site)
    if row.long_call_s:
        result["on_call"] = [round(row.long_call_s * AMBER_SHARE), row.long_call_s]
    if row.long_wrap_up_s:
        result["wrap_up"] = [round(row.long_wrap_up_s * AMBER_SHARE), row.long_wrap_up_s]
    if row.break_allowances:
        result["not_ready"] = {**result["not_ready"], **row.break_allowances}
    return result
