"""Server-rendered inline SVG charts of the reports (no JavaScript, no CDN)."""

from __future__ import annotations

import math
from html import escape

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

WIDTH, HEIGHT = 900, 260
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 16, 48
COLOURS = {
    "offered": "#1f6feb",
    "answered": "#1a7f37",
    "abandoned": "#cf222e",
    "line": "#1f6feb",
    "target": "#b76e00",
}


def nice_top(value: float) -> float:
    """The smallest 1, 2, 2.5 or 5 × 10^k at or above `value` (round axis labels)."""
    if value <= 0:
        return 1.0
    scale = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * scale >= value:
            return step * scale
    return 10 * scale


def _frame(title: str, body: list[str], legend: list[tuple[str, str]]) -> str:
    keys = "".join(
        # The swatch is a tiny SVG (a fill attribute; the CSP refuses inline style attributes).
        f'<span class="key"><svg class="swatch" width="12" height="12" aria-hidden="true">'
        f'<rect width="12" height="12" fill="{escape(colour)}"/></svg>{escape(name)}</span>'
        for name, colour in legend
    )
    return (
        f'<figure class="chart" data-chart="{escape(title)}"><figcaption>{escape(title)}'
        f'<span class="legend">{keys}</span></figcaption>'
        f'<svg viewBox="0 0 {WIDTH} {HEIGHT}" role="img" aria-label="{escape(title)}">'
        + "".join(body)
        + "</svg></figure>"
    )


def _axes(labels: list[str], top: float, fmt) -> tuple[list[str], callable, callable]:
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM
    n = max(len(labels), 1)
    step = inner_w / n

    def x(i: float) -> float:
        return LEFT + step * (i + 0.5)

    def y(v: float) -> float:
        return TOP + inner_h * (1 - (v / top if top else 0))

    out = [
        f'<line x1="{LEFT}" y1="{TOP + inner_h}" x2="{WIDTH - RIGHT}" y2="{TOP + inner_h}" '
        'stroke="#999"/>'
    ]
    for k in range(5):
        value = top * k / 4
        out.append(
            f'<text x="{LEFT - 6}" y="{y(value) + 4:.1f}" text-anchor="end" '
            f'font-size="11" fill="#5b6475">{escape(fmt(value))}</text>'
        )
        out.append(
            f'<line x1="{LEFT}" y1="{y(value):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(value):.1f}" stroke="#eee"/>'
        )
    every = max(1, n // 12)
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(
                f'<text x="{x(i):.1f}" y="{HEIGHT - BOTTOM + 16}" text-anchor="middle" '
                f'font-size="11" fill="#5b6475">{escape(label[-11:])}</text>'
            )
    return out, x, y


def line_chart(
    title: str,
    labels: list[str],
    values: list[float | None],
    *,
    target: float | None = None,
    ratio: bool = False,
    name: str = "",
) -> str:
    known = [v for v in values if v is not None]
    top = 1.0 if ratio else nice_top(max([*known, target or 0]))
    fmt = (lambda v: f"{v * 100:.0f}%") if ratio else (lambda v: f"{v:.0f}")
    body, x, y = _axes(labels, top, fmt)
    points = [(x(i), y(v), v, labels[i]) for i, v in enumerate(values) if v is not None]
    if len(points) > 1:
        path = " ".join(f"{px:.1f},{py:.1f}" for px, py, _, _ in points)
        body.append(
            f'<polyline points="{path}" fill="none" stroke="{COLOURS["line"]}" stroke-width="2"/>'
        )
    for px, py, v, label in points:
        shown = f"{v * 100:.1f}%" if ratio else f"{v:.1f}"
        body.append(
            f'<circle cx="{px:.1f}" cy="{py:.1f}" r="3" fill="{COLOURS["line"]}">'
            f"<title>{escape(label)}: {shown}</title></circle>"
        )
    legend = [(name or title, COLOURS["line"])]
    if target is not None:
        body.append(
            f'<line x1="{LEFT}" y1="{y(target):.1f}" x2="{WIDTH - RIGHT}" '
            f'y2="{y(target):.1f}" stroke="{COLOURS["target"]}" stroke-dasharray="6 4" '
            'stroke-width="2" data-target="1"/>'
        )
        legend.append((f"target {fmt(target)}", COLOURS["target"]))
    return _frame(title, body, legend)


def bar_chart(title: str, labels: list[str], series: dict[str, list[float]]) -> str:
    top = nice_top(max([v for values in series.values() for v in values] + [1]))
    body, x, y = _axes(labels, top, lambda v: f"{v:.0f}")
    n = max(len(labels), 1)
    group_w = (WIDTH - LEFT - RIGHT) / n * 0.8
    bar_w = group_w / max(len(series), 1)
    for s, (name, values) in enumerate(series.items()):
        colour = COLOURS.get(name, "#888")
        for i, v in enumerate(values):
            left = x(i) - group_w / 2 + s * bar_w
            body.append(
                f'<rect x="{left:.1f}" y="{y(v):.1f}" width="{max(bar_w - 1, 1):.1f}" '
                f'height="{y(0) - y(v):.1f}" fill="{colour}"><title>{escape(labels[i])} '
                f"{escape(name)}: {v:.0f}</title></rect>"
            )
    return _frame(title, body, [(name, COLOURS.get(name, "#888")) for name in series])


DAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


def heatmap(title: str, grid: list[list[float | None]]) -> str:
    cell_w, cell_h, left, top = (WIDTH - 60) / 24, 28, 50, 20
    body = []
    for hour in range(24):
        body.append(
            f'<text x="{left + cell_w * (hour + 0.5):.1f}" y="14" font-size="10" '
            f'text-anchor="middle" fill="#5b6475">{hour:02d}</text>'
        )
    for day, values in enumerate(grid):
        yy = top + day * cell_h
        body.append(
            f'<text x="{left - 6}" y="{yy + 18}" font-size="11" text-anchor="end" '
            f'fill="#5b6475">{DAYS[day]}</text>'
        )
        for hour, rate in enumerate(values):
            if rate is None:
                fill, shown = "#f0f1f4", _("no calls")
            else:
                # White (0 %) to red (50 % or more abandoned).
                heat = min(rate / 0.5, 1.0)
                g = int(255 - 221 * heat)
                fill, shown = (
                    f"rgb(255,{g},{g})",
                    _("%(rate)s%% abandoned") % {"rate": f"{rate * 100:.1f}"},
                )
            body.append(
                f'<rect x="{left + cell_w * hour:.1f}" y="{yy}" width="{cell_w - 2:.1f}" '
                f'height="{cell_h - 2}" fill="{fill}"><title>{DAYS[day]} {hour:02d}:00 '
                f"{escape(shown)}</title></rect>"
            )
    height = top + 7 * cell_h + 8
    return (
        f'<figure class="chart" data-chart="{escape(title)}"><figcaption>{escape(title)}'
        f'</figcaption><svg viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="{escape(title)}">' + "".join(body) + "</svg></figure>"
    )
