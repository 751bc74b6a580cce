"""Attendance sheets as CSV or XLSX tables."""

from __future__ import annotations

import io
from datetime import datetime

from django.utils import timezone

from callfloor import exports
from callfloor.zone import site_zone

DAY_HEADER = [
    "Agent",
    "Employee",
    "Shift start",
    "Shift end",
    "First login",
    "Last logout",
    "Attendance",
    "Late (min)",
    "Early leave (min)",
    "Worked (min)",
    "Scheduled (min)",
    "Adherence",
]
MONTH_HEADER = [
    "Agent",
    "Employee",
    "Scheduled days",
    "Present",
    "On time",
    "Late",
    "Late (min)",
    "Early leave",
    "Early leave (min)",
    "Absent",
    "Leave days",
    "Worked (min)",
    "Scheduled (min)",
]


def _t(moment: datetime | None) -> str:
    return f"{timezone.localtime(moment, site_zone()):%Y-%m-%d %H:%M}" if moment else ""


def day_table(sheet: dict) -> list[list]:
    rows = [DAY_HEADER]
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
            "Total",
            "",
            "",
            "",
            "",
            "",
            f"{tot['present']} present, {tot['absent']} absent",
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
    rows = [MONTH_HEADER]
    rows += [
        _month_line(r["agent"].display_name, r["agent"].employee_number, r["totals"])
        for r in sheet["rows"]
    ]
    rows.append(_month_line("Total", "", sheet["totals"]))
    return rows


def to_csv(rows: list[list]) -> bytes:
    return exports.csv_bytes(rows)


def to_xlsx(rows: list[list], title: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    book = Workbook()
    sheet = book.active
    sheet.title = title[:31]
    exports.xlsx_rows(sheet, rows)
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for cell in sheet[sheet.max_row]:
        cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
