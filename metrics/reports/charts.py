"""The charts of a report page, as data for the browser (`callfloor.charts`)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from callfloor import charts
from metrics.reports.history import Report

DAYS = [
    gettext_lazy("Mon"),
    gettext_lazy("Tue"),
    gettext_lazy("Wed"),
    gettext_lazy("Thu"),
    gettext_lazy("Fri"),
    gettext_lazy("Sat"),
    gettext_lazy("Sun"),
]


TONES = {"offered": "", "answered": "good", "abandoned": "bad"}


def report_charts(report: Report, heat: list[list[float | None]] | None = None) -> list[dict]:
    """SL against the target, volumes, the AHT trend (of the first group) and the heat map."""
    body = [r for r in report.rows if not r["total"]]
    if report.kind == "queue" and body:
        everything = _("All queues")
        group = everything if any(r["group"] == everything for r in body) else body[0]["group"]
        body = [r for r in body if r["group"] == group]
    labels = [r["label"] for r in body]
    out = []
    if report.kind == "queue" and body:
        out.append(
            charts.chart(
                key="service-level",
                title=_("Service level by period"),
                labels=labels,
                unit="ratio",
                series=[
                    charts.series(
                        key="service_level",
                        name=_("service level"),
                        values=[r["service_level"] for r in body],
                    )
                ],
                target=report.target,
                target_name=_("target"),
            )
        )
        names = {
            "offered": pgettext("count", "Offered"),
            "answered": pgettext("count", "Answered"),
            "abandoned": pgettext("count", "Abandoned"),
        }
        out.append(
            charts.chart(
                key="volumes",
                title=_("Offered, answered and abandoned"),
                labels=labels,
                series=[
                    charts.series(
                        key=key,
                        name=name,
                        kind="bar",
                        tone=TONES[key],
                        values=[r[key] for r in body],
                    )
                    for key, name in names.items()
                ],
            )
        )
    if body and report.kind in ("queue", "agent"):
        out.append(
            charts.chart(
                key="aht",
                title=_("AHT trend (s)"),
                labels=labels,
                unit="seconds",
                series=[
                    charts.series(key="aht_s", name=_("AHT (s)"), values=[r["aht_s"] for r in body])
                ],
            )
        )
    if heat is not None:
        out.append(
            charts.heatmap(
                key="abandon-heatmap",
                title=_("Abandon rate by weekday and hour"),
                columns=[f"{hour:02d}" for hour in range(24)],
                rows=DAYS,
                cells=heat,
                unit="ratio",
                high=0.5,
                value_name=_("abandon rate"),
            )
        )
    return out
