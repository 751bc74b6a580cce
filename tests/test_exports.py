"""Every CSV and XLSX export shows hostile names as text and never fails on a control character."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from openpyxl import load_workbook

from callfloor import exports

FORMULA = '=HYPERLINK("http://x","y")'
HOSTILE = {
    "billing": FORMULA,  # a queue
    "cards": "cards\x07\x1b",  # a queue
    "Ann Agent": ' -2+3+cmd|"/C calc"!A0',  # an agent
    "Bob Agent": "@SUM(1,1)\x1b",  # an agent
    "Billing": "+Billing\x07",  # a team
}
ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
ROOT = Path(__file__).resolve().parent.parent


def test_text_that_would_run_is_neutralised_and_numbers_are_not():
    for text in ("=1+1", "+1+1", "-1+1", "@SUM(A1)", "\t=1", "\r=1", "  =1+1", " \n@x"):
        assert exports.csv_value(text) == "'" + text
    for kept in ("billing", "a=b", "+3225550101", "+32 2 555 0101", "-12.5", "", "'=1"):
        assert exports.csv_value(kept) == kept
    assert exports.csv_value(-5) == -5 and exports.csv_value(-0.25) == -0.25
    assert exports.csv_value(None) is None
    assert exports.csv_value("q\x07\x1b\x00") == "q\ufffd\ufffd\ufffd"
    assert exports.csv_value("=q\x07") == "'=q\ufffd"
    assert exports.csv_value("tab\tand\nline\r") == "tab\tand\nline\r"  # legal in both formats


@pytest.fixture
def hostile(cast):
    """Calls, an abandoned call, a complaint and a shift, then every name made hostile."""
    from agents.models import Agent, Team
    from metrics.models import Queue, QueueCall
    from metrics.telephony.services import source_create
    from qa.complaints import services as complaints
    from qa.complaints.models import Category
    from tests.metrics.reports.report_data import Log
    from tests.scheduling.conftest import make_shift

    day = (timezone.now() - timedelta(days=1)).replace(hour=9, minute=0, second=0, microsecond=0)
    log = Log(day)
    log.answered(queue="billing", ext="2004", wait=10, talk=200, caller="+3225550101")
    log.answered(queue="cards", ext="2005", wait=20, talk=100, caller="0123")
    log.abandoned(queue="cards", wait=40, caller="=cmd /C calc!A0")
    log.ingest(source_create(name="pbx-exports", kind="queue_log_file")[0])
    for call in QueueCall.objects.exclude(agent=None):
        complaints.complaint_create(
            actor=cast.sam,
            customer_name="C",
            customer_contact="c@example.com",
            category=Category.objects.create(name=f"Billing error {call.pk}"),
            description="d",
            severity="normal",
            calls=[call],
        )
    make_shift(cast.ann_agent, day, day + timedelta(hours=8))
    for model, field in ((Queue, "name"), (Agent, "display_name"), (Team, "name")):
        for plain, bad in HOSTILE.items():
            model.objects.filter(**{field: plain}).update(**{field: bad})
    return day.date()


def _requests(cast, day) -> list[tuple[str, dict]]:
    span = {"start": day.isoformat(), "end": day.isoformat()}
    reports = [
        "/reports/queues/",
        "/reports/site/",
        "/reports/abandoned/",
        f"/reports/agents/{cast.ann_agent.pk}/",
        f"/reports/agents/{cast.bob_agent.pk}/",
        f"/reports/teams/{cast.billing.pk}/",
    ]
    out = [(url, {**span, "export": fmt}) for url in reports for fmt in ("csv", "xlsx")]
    out += [
        ("/complaints/reports/export.csv", {"table": "rate_by_queue"}),
        ("/complaints/reports/export.csv", {"table": "rate_by_agent"}),
        ("/complaints/reports/export.xlsx", {}),
    ]
    out += [
        ("/attendance/export/", {"team": cast.billing.pk, "day": day.isoformat(), "format": fmt})
        for fmt in ("csv", "xlsx")
    ]
    month = {"team": cast.billing.pk, "month": f"{day:%Y-%m}"}
    out += [("/attendance/export/", {**month, "format": fmt}) for fmt in ("csv", "xlsx")]
    return out


def _export_url_names(patterns) -> set[str]:
    names: set[str] = set()
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            names |= _export_url_names(pattern.url_patterns)
        elif isinstance(pattern, URLPattern) and pattern.name:
            names.add(pattern.name)
    return {n for n in names if "export" in n or (n.startswith("report-") and n != "reports")}


def test_the_walk_covers_every_export_endpoint(cast):
    walked = {
        "/reports/queues/": "report-queue",
        "/reports/site/": "report-site",
        "/reports/abandoned/": "report-abandoned",
        "/reports/agents/": "report-agent",
        "/reports/teams/": "report-team",
        "/complaints/reports/export.": "complaint-report-export",
        "/attendance/export/": "attendance-export",
    }
    requested = {
        name
        for url, _ in _requests(cast, timezone.localdate())
        for prefix, name in walked.items()
        if url.startswith(prefix)
    }
    assert requested == _export_url_names(get_resolver().url_patterns)


def test_every_spreadsheet_is_written_through_the_shared_cells():
    """No module writes CSV or XLSX cells itself; new exports must use callfloor.exports."""
    writing = re.compile(
        r"csv\.writer|DictWriter|ExcelWriter|\.to_excel\(|\.to_csv\(index|\.cell\([^)]*value=|sheet\.append"
    )
    offenders = [
        str(path.relative_to(ROOT))
        for app in ("agents", "metrics", "qa", "scheduling", "callfloor")
        for path in (ROOT / app).rglob("*.py")
        if path != ROOT / "callfloor" / "exports.py" and writing.search(path.read_text())
    ]
    assert offenders == []


def _texts_of_csv(body: bytes) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(body.decode("utf-8-sig"))) for cell in row]


def test_every_export_shows_hostile_names_as_text(cast, client, hostile):
    client.force_login(cast.sam)
    seen: set[str] = set()
    for url, params in _requests(cast, hostile):
        if url.startswith("/attendance/"):
            client.force_login(cast.tina)
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        if response["Content-Type"].startswith("text/csv"):
            for text in _texts_of_csv(response.content):
                assert not ILLEGAL.search(text), (url, text)
                if text.lstrip().startswith(("=", "+", "-", "@")) and text[:1] != "'":
                    assert re.fullmatch(r"[+-] *\d[\d .]*", text.strip()), (url, text)
                seen.add(text)
        else:
            book = load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                for row in sheet.iter_rows():
                    for cell in row:
                        assert cell.data_type != "f", (url, sheet.title, cell.coordinate)
                        if isinstance(cell.value, str):
                            assert not ILLEGAL.search(cell.value), (url, cell.value)
                            if cell.value.lstrip().startswith(("=", "+", "-", "@")):
                                assert cell.quotePrefix, (url, cell.value)
                            seen.add(cell.value)
    # Each hostile name reached an export (so the checks above had something to check).
    assert "'" + FORMULA in seen and FORMULA in seen
    assert "cards\ufffd\ufffd" in seen
    assert '\' -2+3+cmd|"/C calc"!A0' in seen and ' -2+3+cmd|"/C calc"!A0' in seen
    assert "'@SUM(1,1)\ufffd" in seen and "@SUM(1,1)\ufffd" in seen
    assert "'=cmd /C calc!A0" in seen and "=cmd /C calc!A0" in seen
    assert "Team report: +Billing\ufffd" in seen
