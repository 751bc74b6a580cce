"""Attendance sheets as CSV or XLSX tables."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callfloor import exports
from callfloor.zone import site_zone

DAY_HEADER = [
    gettext_lazy("Agent"),
    gettext_lazy("Employee"),
    gettext_lazy("Shift start"),
    gettext_lazy("Shift end"),
    gettext_lazy("First login"),
    gettext_lazy("Last logout"),
    gettext_lazy("Attendance"),
    gettext_lazy("Late (min)"),
    gettext_lazy("Early leave (min)"),
    gettext_lazy("Worked (min)"),
    gettext_lazy("Scheduled (min)"),
    gettext_lazy("Adherence"),
]
MONTH_HEADER = [
    gettext_lazy("Agent"),
    gettext_lazy("Employee"),
    gettext_lazy("Scheduled days"),
    gettext_lazy("Present"),
    gettext_lazy("On time"),
    gettext_lazy("Late"),
    gettext_lazy("Late (min)"),
    gettext_lazy("Early leave"),
    gettext_lazy("Early leave (min)"),
    gettext_lazy("Absent"),
    gettext_lazy("Leave days"),
    gettext_lazy("Worked (min)"),
    gettext_lazy("Scheduled (min)"),
]


def _t(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment, site_zone()):%Y-%m-%d %H:%M}" if moment else ""


def day_table(sheet: dict) -> list[list]:
    rows = [[str(h) for h in DAY_HEADER]]
    for row in sheet["rows"]:
        rec, shift, adh = row["attendance"], row["shift"], row["adherence"]
        rows.append(
            [
                row["agent"].display_name,
                row["agent"].employee_number,
                _t(shift.start if shift else None),
                _t(shift.end if shift else None),
                _t(rec.first_login),
                _t(rec.last_logout),
                rec.label,
                rec.late_min,
                rec.early_leave_min,
                round(rec.worked_min),
                round(rec.scheduled_min),
                round(adh.ratio, 4) if adh and adh.ratio is not None else "",
            ]
        )
    tot = sheet["totals"]
    rows.append(
        [
            _("Total"),
            "",
            "",
            "",
            "",
            "",
            _("%(present)s present, %(absent)s absent")
            % {"present": tot["present"], "absent": tot["absent"]},
            tot["late_min"],
            tot["early_leave_min"],
            round(tot["worked_min"]),
            round(tot["scheduled_min"]),
            "",
        ]
    )
    return rows


def _month_line(name: str, number: str, t: dict) -> list:
    return [
        name,
        number,
        t["scheduled"],
        t["present"],
        t["on_time"],
        t["late"],
        t["late_min"],
        t["early_leave"],
        t["early_leave_min"],
        t["absent"],
        t["leave"],
        round(t["worked_min"]),
        round(t["scheduled_min"]),
    ]


def month_table(sheet: dict) -> list[list]:
    rows = [[str(h) for h in MONTH_HEADER]]
    rows += [
        _month_line(r["agent"].display_name, r["agent"].employee_number, r["totals"])
        for r in sheet["rows"]
    ]
    rows.append(_month_line(_("Total"), "", sheet["totals"]))
    return rows


def to_csv(rows: list[list]) -> bytes:
    return exports.csv_bytes(rows)


def to_xlsx(rows: list[list], title: str, *, about: list[tuple] = ()) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = "".join(" " if ch in "[]:*?/\\" else ch for ch in str(title))[:31]
    exports.xlsx_rows(sheet, rows)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    if about:
        exports.about_sheet(book, about)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
