"""The drill report of a quarter as a workbook or a CSV (cells through `callfloor.exports`)."""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.workbook import Workbook

from callfloor import exports
from callfloor.history import person
from callfloor.zone import site_zone


def _when(moment) -> str:
    return "" if moment is None else f"{timezone.localtime(moment, site_zone()):%Y-%m-%d %H:%M:%S}"


def _rows(drills: list[dict]) -> list[list]:
    header = [
        _("Drill"),
        _("Plan"),
        _("Started at"),
        _("Closed at"),
        _("Step"),
        _("Step text"),
        _("Done by"),
        _("Done at"),
        _("Time taken (s)"),
        _("Attendance"),
        _("After-action note"),
    ]
    rows = [header]
    for item in drills:
        drill = item["drill"]
        attendance = ", ".join(person(row.person) for row in item["attendance"])
        for time in item["steps"]:
            step = time.step
            rows.append(
                [
                    drill.pk,
                    drill.plan.title,
                    _when(drill.started_at),
                    _when(drill.closed_at),
                    step.position,
                    time.label,
                    person(step.done_by) if step.done_by else "",
                    _when(step.done_at),
                    round(time.seconds) if time.seconds is not None else "",
                    attendance,
                    drill.after_action_note,
                ]
            )
    return rows


def drill_report_file(drills: list[dict], *, year: int, quarter: int, kind: str) -> HttpResponse:
    name = exports.file_name(_("drills"), f"{year}-Q{quarter}", ext=kind)
    rows = _rows(drills)
    if kind == "csv":
        response = HttpResponse(exports.csv_bytes(rows), content_type=exports.CSV_TYPE)
    else:
        book = Workbook()
        sheet = book.active
        sheet.title = _("Drills")[:31]
        exports.xlsx_rows(sheet, rows)
        exports.about_sheet(
            book,
            [
                (_("Report"), _("Emergency drills")),
                (_("Quarter"), f"{year}-Q{quarter}"),
                (_("Time zone"), str(site_zone())),
            ],
        )
        import io

        out = io.BytesIO()
        book.save(out)
        response = HttpResponse(out.getvalue(), content_type=exports.XLSX_TYPE)
    response["Content-Disposition"] = exports.attachment_header(name)
    return response
