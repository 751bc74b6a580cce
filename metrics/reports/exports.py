"""A report as CSV, XLSX or plain text (one column definition for all of them)."""

from __future__ import annotations

import io

from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from callfloor import exports
from callfloor.numbers import format_score
from metrics.reports.history import Report

XLSX_TYPE = exports.XLSX_TYPE
NUMBER_FORMATS = {
    "count": "0",
    "ratio": "0.0%",
    "seconds": "0.0",
    "score": "0.00",
    "duration": "[h]:mm:ss",
}


def _headers(report: Report) -> list[str]:
    return [
        _("Group"),
        _("Period") if report.kind in ("queue", "agent") else _("Row"),
        *[str(c.label) for c in report.columns],
    ]


def _values(report: Report, row: dict) -> list:
    return [row.get("group", ""), row.get("label", ""), *[row.get(c.key) for c in report.columns]]


def display(value, kind: str) -> str:
    """How a figure reads on the page and in the e-mail ("–" where undefined)."""
    if value is None or value == "":
        return "–"
    if kind == "ratio":
        return f"{value * 100:.1f} %"
    if kind == "seconds":
        return f"{value:.1f}"
    if kind == "duration":
        whole = round(value)
        return f"{whole // 3600}:{whole % 3600 // 60:02d}:{whole % 60:02d}"
    if kind == "score":
        return format_score(value)
    if kind == "count":
        return str(int(value))
    return str(value)


def as_csv(report: Report) -> bytes:
    """The column headers, then plain numbers (ratios as fractions, seconds as seconds), empty
    where undefined. What the file covers is in its name (`Report.file_name`)."""
    lines = [_headers(report)]
    kinds = ["text", "text", *[c.kind for c in report.columns]]
    for row in report.rows:
        values = _values(report, row)
        lines.append([_csv_figure(v, kind) for v, kind in zip(values, kinds, strict=True)])
    return exports.csv_bytes(lines)


def _csv_figure(value, kind: str):
    if value is None:
        return ""
    if kind == "score":  # as every page writes a score, in the form any spreadsheet reads
        return format_score(value, localize=False)
    return round(value, 4) if isinstance(value, float) else value


def as_xlsx(report: Report) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.title = report.kind.capitalize()
    head = 1
    bold = Font(bold=True)
    marked = {
        index for index, c in enumerate(report.columns, start=3) if c.key in report.highlighted()
    }
    for col, title in enumerate(_headers(report), start=1):
        cell = exports.xlsx_cell(sheet, row=head, column=col, value=title)
        cell.font = bold
        cell.fill = PatternFill("solid", fgColor="FFF3A8" if col in marked else "DDE3ED")
    kinds = ["text", "text", *[c.kind for c in report.columns]]
    for offset, row in enumerate(report.rows, start=1):
        for col, (value, kind) in enumerate(zip(_values(report, row), kinds, strict=True), start=1):
            if kind == "duration" and value is not None:
                value = value / 86400  # a spreadsheet duration is a fraction of a day
            cell = exports.xlsx_cell(sheet, row=head + offset, column=col, value=value)
            if kind in NUMBER_FORMATS:
                cell.number_format = NUMBER_FORMATS[kind]
            if row.get("total"):
                cell.font = bold
    for col in range(1, len(kinds) + 1):
        sheet.column_dimensions[get_column_letter(col)].width = 18 if col > 2 else 22
    sheet.freeze_panes = sheet.cell(row=head + 1, column=3)
    exports.about_sheet(book, report.about())
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def as_text(report: Report) -> str:
    lines = [*report.header_lines(), ""]
    for row in report.rows:
        lines.append(f"{row.get('group', '')} · {row.get('label', '')}")
        for column in report.columns:
            lines.append(f"  {column.label}: {display(row.get(column.key), column.kind)}")
        lines.append("")
    return "\n".join(lines)
