"""What a page's charts show, as data: the browser draws it (static/js/charts.js, ECharts).

A view builds a list of charts with `chart` / `heatmap`, names every title, series and label in
the reader's language, and hands the list to its template, which writes it with `json_script`
(JSON in a non-executable script element, never HTML). `static/js/charts.js` draws each one
with the vendored Apache ECharts: values on hover, zoom, a legend that hides a series. The page's
table holds the same figures, so a page without scripts loses nothing.

Units tell the browser how to write a value: `count` (a whole number), `ratio` (0–1, shown as a
percentage), `seconds` (one decimal), `number` (as it is).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

UNITS = ("count", "ratio", "seconds", "number")
KINDS = ("line", "bar")
# What a series means for the floor, so that the browser colours it the same on every chart.
TONES = ("", "good", "bad")


def _number(value) -> float | int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    return round(float(value), 4)


def series(*, key: str, name, values: Iterable, kind: str = "line", tone: str = "") -> dict:
    """One series: `values` line up with the chart's labels (None where there is no figure);
    `tone` "good" (green) or "bad" (red) for figures such as answered or abandoned calls."""
    if kind not in KINDS:
        raise ValueError(f"a series is a line or a bar, not {kind!r}")
    if tone not in TONES:
        raise ValueError(f"unknown tone {tone!r}")
    return {
        "key": key,
        "name": str(name),
        "kind": kind,
        "tone": tone,
        "values": [_number(v) for v in values],
    }


def chart(
    *,
    key: str,
    title,
    labels: Sequence,
    series: Sequence[dict],
    unit: str = "count",
    target: float | None = None,
    target_name=None,
) -> dict:
    """Lines and bars over shared category labels; `target` draws a dashed level line."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    spec = {
        "type": "series",
        "key": key,
        "title": str(title),
        "unit": unit,
        "labels": [str(label) for label in labels],
        "series": list(series),
    }
    if target is not None:
        spec["target"] = {"name": str(target_name or ""), "value": _number(target)}
    return spec


def heatmap(
    *,
    key: str,
    title,
    columns: Sequence,
    rows: Sequence,
    cells: Sequence[Sequence],
    unit: str = "ratio",
    high: float = 1.0,
    value_name="",
) -> dict:
    """A grid of `rows` × `columns` (cells[row][column], None where there is no figure),
    coloured from 0 to `high` (and above)."""
    if unit not in UNITS:
        raise ValueError(f"unknown unit {unit!r}")
    return {
        "type": "heatmap",
        "key": key,
        "title": str(title),
        "unit": unit,
        "columns": [str(c) for c in columns],
        "rows": [str(r) for r in rows],
        "cells": [[_number(v) for v in row] for row in cells],
        "high": high,
        "value_name": str(value_name),
    }
