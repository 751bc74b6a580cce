"""CSV and XLSX cells that a spreadsheet shows as text and a workbook always accepts.

Every export (reports, complaint reports, attendance sheets) writes its cells through
`spreadsheet_text`, so text that came from outside (a queue or member name a PBX sent, a caller
id, a name an admin typed) can neither run as a formula when the file is opened (OWASP's
CSV-injection guidance: a cell starting with = + - @ tab or carriage return, also after leading
spaces) nor stop the export with a character openpyxl refuses (the C0 control characters other
than tab, line feed and carriage return). Numbers are never touched: a negative figure stays a
number.

Headers and labels may be lazy translations: they are written in the language active for the
request. A CSV starts with a UTF-8 byte-order mark, so that Excel on a Chinese Windows (which
otherwise assumes the local ANSI code page) reads 中文 correctly, and its first row is the column
header row (no comment lines, which spreadsheet imports take for data): what the file covers
(range, time zone) is in its name (`attachment_header`), and a workbook has it on an "About"
sheet (`about_sheet`) with the time it was generated.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Iterable, Sequence
from urllib.parse import quote

from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Font
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from callfloor.zone import site_zone

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_TYPE = "text/csv; charset=utf-8"

FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Written in place of a character a workbook cannot hold, so the reader sees something was there.
REPLACEMENT = "\ufffd"
# A signed number such as a phone number (+32 2 555 0101) or -12.5 is no formula; it stays as is.
_SIGNED_NUMBER = re.compile(r"[+-] *\d[\d ]*(\.\d+)?")


def spreadsheet_text(text: str) -> tuple[str, bool]:
    """`text` with unstorable characters replaced, and whether a spreadsheet would run it."""
    clean = ILLEGAL_CHARACTERS_RE.sub(REPLACEMENT, text)
    stripped = clean.lstrip()
    formula = clean.startswith(FORMULA_START) or stripped.startswith(FORMULA_START)
    return clean, formula and not _SIGNED_NUMBER.fullmatch(stripped)


def _plain(value):
    """A lazy translation (a header, a label) as the text of the active language."""
    return str(value) if isinstance(value, Promise) else value


def csv_value(value):
    """A CSV cell: text that would run as a formula gets a leading apostrophe."""
    value = _plain(value)
    if not isinstance(value, str):
        return value
    text, formula = spreadsheet_text(value)
    return "'" + text if formula else text


def csv_bytes(rows: Iterable[Sequence]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    for row in rows:
        writer.writerow([csv_value(value) for value in row])
    return out.getvalue().encode("utf-8-sig")


def xlsx_cell(sheet: Worksheet, *, row: int, column: int, value) -> Cell:
    """Write one cell: text is stored as text (quote-prefixed when it looks like a formula)."""
    value = _plain(value)
    if not isinstance(value, str):
        return sheet.cell(row=row, column=column, value=value)
    text, formula = spreadsheet_text(value)
    cell = sheet.cell(row=row, column=column, value=text)
    cell.data_type = "s"  # openpyxl would otherwise store "=…" as a formula
    if formula:
        cell.quotePrefix = True  # shown and edited as text, as if typed with a leading '
    return cell


def xlsx_rows(sheet: Worksheet, rows: Iterable[Sequence], *, first_row: int = 1) -> int:
    """Write `rows` from `first_row` on; the number of the last row written."""
    number = first_row - 1
    for number, values in enumerate(rows, start=first_row):
        for column, value in enumerate(values, start=1):
            xlsx_cell(sheet, row=number, column=column, value=value)
    return number


# --- file names and the "About" sheet -----------------------------------------------------------

# Characters no file system or browser keeps in a name (and the quote of the header itself).
_UNSAFE_NAME = re.compile(r'[\x00-\x1f\x7f/\\:*?"<>|;,\s]+')


def name_part(text) -> str:
    """One part of a download's name: the text with separators and unsafe characters as '-'."""
    return _UNSAFE_NAME.sub("-", str(_plain(text))).strip("-.") or "-"


def _ascii(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    plain = re.sub(r"[^A-Za-z0-9._-]+", "-", folded)
    return re.sub(r"([-_])[-_]+", r"\1", plain).strip("-._")


def file_name(*parts, ext: str) -> str:
    """`part_part_….ext`, each part made safe (the zone Asia/Shanghai → Asia-Shanghai)."""
    return "_".join(name_part(part) for part in parts if part not in (None, "")) + f".{ext}"


def attachment_header(name: str, *, fallback: str | None = None) -> str:
    """A Content-Disposition header for a download: an ASCII `filename` for old clients and the
    exact name (Chinese included) as RFC 5987 / RFC 6266 `filename*`."""
    plain = _ascii(fallback or name)
    ext = name.rsplit(".", 1)[-1] if "." in name else ""
    if not plain or plain == ext or plain.startswith("."):
        plain = f"export.{ext}" if ext else "export"
    return f"attachment; filename=\"{plain}\"; filename*=UTF-8''{quote(name, safe='')}"


def generated_at() -> str:
    """Now in the site's zone, as an export states when it was made."""
    return f"{timezone.localtime(timezone.now(), site_zone()):%Y-%m-%d %H:%M:%S %Z}"


def about_sheet(book: Workbook, lines: Iterable[tuple]) -> Worksheet:
    """Add the workbook's "About" sheet (last): a label and a value per line, then when the file
    was generated."""
    title = "".join(" " if ch in "[]:*?/\\" else ch for ch in pgettext("workbook sheet", "About"))
    sheet = book.create_sheet(title=title[:31])
    rows = [*lines, (_("Generated at"), generated_at())]
    xlsx_rows(sheet, rows)
    for row in range(1, len(rows) + 1):
        sheet.cell(row=row, column=1).font = Font(bold=True)
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 60
    return sheet
