"""The staffing page's charts, as data for the browser (`callfloor.charts`)."""

from __future__ import annotations

from datetime import date

from django.utils.formats import date_format
from django.utils.translation import gettext as _

from callfloor import charts


def staffing_charts(*, queue, day: date, rows: list[dict]) -> list[dict]:
    """Agents per interval (required with and without shrinkage, scheduled, logged in) and
    calls per interval (forecast against actual)."""
    labels = [r["label"] for r in rows]
    # The day as the page's heading writes it.
    names = {"queue": queue.name, "day": date_format(day, _("D d M Y"))}

    def values(key):
        return [r[key] for r in rows]

    return [
        charts.chart(
            key="staffing-agents",
            title=_("Agents per interval, %(queue)s, %(day)s") % names,
            labels=labels,
            series=[
                charts.series(
                    key="required_scheduled",
                    name=_("required (with shrinkage)"),
                    kind="bar",
                    values=values("required_scheduled"),
                ),
                charts.series(
                    key="required", name=_("required on the phones"), values=values("required")
                ),
                charts.series(key="scheduled", name=_("scheduled"), values=values("scheduled")),
                charts.series(key="logged_in", name=_("logged in"), values=values("logged_in")),
            ],
        ),
        charts.chart(
            key="staffing-calls",
            title=_("Calls per interval, %(queue)s, %(day)s") % names,
            labels=labels,
            unit="number",
            series=[
                charts.series(
                    key="forecast", name=_("forecast calls"), kind="bar", values=values("forecast")
                ),
                charts.series(key="actual", name=_("actual calls"), values=values("actual")),
            ],
        ),
    ]
