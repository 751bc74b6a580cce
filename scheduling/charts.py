"""Small server-side SVG charts (no JavaScript, no CDN)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from html import escape


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float | None]
    kind: str = "line"  # line or bar
    css: str = ""


def chart(
    labels: Sequence[str],
    series: Sequence[Series],
    *,
    title: str,
    width: int = 1100,
    height: int = 260,
) -> str:
    """Bars and lines over shared interval labels, with a y axis and a legend."""
    left, right, top, bottom = 40, 10, 28, 36
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max([v for s in series for v in s.values if v is not None] + [1])
    step = max(1, round(peak / 4))
    top_value = step * (int(peak // step) + 1)
    n = max(1, len(labels))
    slot = plot_w / n

    def x(i: float) -> float:
        return left + slot * i

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    out = [
        f'<svg class="chart" viewBox="0 0 {width} {height}" role="img" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">',
        f"<title>{escape(title)}</title>",
    ]
    for tick in range(0, top_value + 1, step):
        out.append(
            f'<line class="grid" x1="{left}" x2="{width - right}" y1="{y(tick):.1f}" '
            f'y2="{y(tick):.1f}"/><text class="tick" x="{left - 6}" y="{y(tick) + 4:.1f}" '
            f'text-anchor="end">{tick}</text>'
        )
    every = max(1, n // 16)
    for i, label in enumerate(labels):
        if i % every == 0:
            out.append(
                f'<text class="tick" x="{x(i + 0.5):.1f}" y="{height - bottom + 14}" '
                f'text-anchor="middle">{escape(label)}</text>'
            )
    bars = [s for s in series if s.kind == "bar"]
    bar_w = slot * 0.8 / max(1, len(bars))
    for b_index, s in enumerate(bars):
        for i, v in enumerate(s.values):
            if v:
                bx = x(i) + slot * 0.1 + bar_w * b_index
                out.append(
                    f'<rect class="bar {s.css}" x="{bx:.1f}" y="{y(v):.1f}" '
                    f'width="{bar_w:.1f}" height="{y(0) - y(v):.1f}">'
                    f"<title>{escape(labels[i])} {escape(s.name)}: {v:g}</title></rect>"
                )
    for s in series:
        if s.kind != "line":
            continue
        points = " ".join(
            f"{x(i + 0.5):.1f},{y(v):.1f}" for i, v in enumerate(s.values) if v is not None
        )
        if points:
            out.append(f'<polyline class="line {s.css}" fill="none" points="{points}"/>')
    legend_x = left
    for s in series:
        out.append(
            f'<rect class="{"bar" if s.kind == "bar" else "key"} {s.css}" '
            f'x="{legend_x}" y="8" width="12" height="12"/>'
            f'<text x="{legend_x + 16}" y="18">{escape(s.name)}</text>'
        )
        legend_x += 24 + 8 * len(s.name)
    out.append("</svg>")
    return "".join(out)
