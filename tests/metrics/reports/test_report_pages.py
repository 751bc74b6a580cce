"""Report pages and exports as a person meets them: the range a report opens on, the charts'
data, and what a downloaded file starts with and is called."""

from __future__ import annotations

import csv
import io
import json
import re
from datetime import datetime, timedelta
from pathlib import Path
from urllib.parse import unquote

import pytest
from django.conf import settings
from django.test import Client
from django.utils import timezone, translation
from openpyxl import load_workbook

from callfloor.zone import site_zone
from metrics.models import Queue
from tests.metrics.reports.report_data import Log, day

REPO = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True)
def _language_back():
    """A Chinese request leaves its language active in this thread: later tests read English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def source(db):
    from metrics.telephony.services import source_create

    return source_create(name="pbx-report-pages", kind="queue_log_file")[0]


@pytest.fixture
def sales_day(cast, source):
    """Calls on 2 March 2026 in the queue "sales" (30-minute intervals): 3 answered, 1 lost."""
    log = Log(day(2026, 3, 2, 9))
    log.answered(queue="sales", ext="2004", wait=5, talk=60, gap=1800)  # 09:00
    log.answered(queue="sales", ext="2004", wait=50, talk=90)  # 09:30, late
    log.abandoned(queue="sales", wait=40, gap=1800)  # 09:40
    log.answered(queue="sales", ext="2005", wait=10, talk=120)  # 10:10
    log.ingest(source)
    queue = Queue.objects.get(name="sales")
    queue.interval_minutes = 30
    queue.save(update_fields=["interval_minutes"])
    return queue


def _chart_data(response, element_id: str) -> list[dict]:
    """The charts a page hands to the browser, read from its JSON data element."""
    found = re.search(
        rf'<script id="{element_id}" type="application/json">(.*?)</script>',
        response.content.decode(),
        re.S,
    )
    assert found, f"no {element_id} data on the page"
    return json.loads(found.group(1))


def test_the_queue_report_opens_on_today_by_interval(cast, client, sales_day):
    client.force_login(cast.sam)
    today = datetime.now(site_zone()).date()

    response = client.get("/reports/queues/", {"queue": sales_day.pk})

    assert response.status_code == 200
    span = response.context["report"].range
    assert (span.start, span.end, span.grain) == (today, today, "30")  # the queue's interval
    html = response.content.decode()
    assert '<option value="30" selected>' in html and '<option value="day" selected>' not in html
    # Asked for, a week by day is still there; a long range without a grain falls back to days.
    week = {"queue": sales_day.pk, "start": "2026-03-01", "end": "2026-03-07"}
    assert client.get("/reports/queues/", week).context["report"].range.grain == "30"
    by_day = client.get("/reports/queues/", {**week, "grain": "day"})
    assert by_day.context["report"].range.grain == "day"
    months = {"queue": sales_day.pk, "start": "2026-01-01", "end": "2026-03-31"}
    months = client.get("/reports/queues/", months)
    assert months.status_code == 200 and months.context["report"].range.grain == "day"
    # The other reports keep their week by day.
    site = client.get("/reports/site/")
    assert (site.context["report"].range.start, site.context["report"].range.grain) == (
        today - timedelta(days=6),
        "day",
    )


def test_every_report_table_sits_in_a_card_that_scrolls_it(cast, client, sales_day):
    client.force_login(cast.sam)
    html = client.get("/reports/queues/", {"queue": sales_day.pk}).content.decode()
    assert re.search(r'<div class="table-wrap card"[^>]*>\s*<table class="report"', html)
    css = (REPO / "static" / "css" / "callfloor.css").read_text()
    rule = re.search(r"\.table-wrap \{([^}]*)\}", css)
    assert rule and "overflow-x:auto" in rule.group(1)


def test_report_charts_are_data_for_the_browser_not_server_drawn_svg(cast, client, sales_day):
    client.force_login(cast.sam)
    response = client.get(
        "/reports/queues/",
        {"queue": sales_day.pk, "start": "2026-03-02", "end": "2026-03-02", "grain": "30"},
    )
    html = response.content.decode()
    assert "<svg" not in html
    assert '<script src="/static/vendor/echarts/echarts.min.js" defer></script>' in html
    charts = {c["key"]: c for c in _chart_data(response, "report-charts")}
    assert set(charts) == {"service-level", "volumes", "aht", "abandon-heatmap"}
    level = charts["service-level"]
    assert level["labels"] == ["2026-03-02 09:00", "2026-03-02 09:30", "2026-03-02 10:00"]
    assert level["unit"] == "ratio" and level["target"] == {"name": "target", "value": 0.8}
    assert level["series"][0]["values"] == [1.0, 0.0, 1.0]  # 5 s; 50 s and a loss; 10 s
    volumes = {s["key"]: s for s in charts["volumes"]["series"]}
    assert [s["name"] for s in volumes.values()] == ["Offered", "Answered", "Abandoned"]
    assert volumes["offered"]["values"] == [1, 2, 1] and volumes["abandoned"]["values"] == [0, 1, 0]
    heat = charts["abandon-heatmap"]
    assert len(heat["rows"]) == 7 and len(heat["columns"]) == 24
    assert heat["cells"][0][9] == 0.3333  # Monday 09:00–10:00: 3 offered, 1 abandoned

    # In Chinese, every name the chart shows is Chinese.
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    chinese.force_login(cast.sam)
    response = chinese.get(
        "/reports/queues/",
        {"queue": sales_day.pk, "start": "2026-03-02", "end": "2026-03-02", "grain": "30"},
    )
    charts = {c["key"]: c for c in _chart_data(response, "report-charts")}
    names = [s["name"] for s in charts["volumes"]["series"]]
    texts = [*names, charts["volumes"]["title"], charts["abandon-heatmap"]["rows"][0]]
    assert all(re.search(r"[\u4e00-\u9fff]", text) for text in texts), texts


def test_a_page_hands_names_to_the_charts_as_json_never_as_html(cast, client, source):
    log = Log(day(2026, 3, 2, 9))
    log.answered(queue="</script><img src=x>", ext="2004", wait=5, talk=60)
    log.ingest(source)
    queue = Queue.objects.get(name="</script><img src=x>")
    client.force_login(cast.sam)
    response = client.get("/staffing/", {"queue": queue.pk, "day": "2026-03-02"})
    assert response.status_code == 200
    assert "</script><img" not in response.content.decode()
    agents, _calls = _chart_data(response, "staffing-charts")
    assert agents["title"].startswith("Agents per interval, </script><img src=x>, ")


def _rows(body: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))


def _names(disposition: str) -> tuple[str, str]:
    plain = re.search(r'filename="([^"]*)"', disposition).group(1)
    exact = re.search(r"filename\*=UTF-8''(\S+)", disposition).group(1)
    return plain, unquote(exact)


def test_a_csv_export_starts_with_its_header_row_and_its_name_gives_range_and_zone(
    cast, client, sales_day, settings
):
    settings.CALLFLOOR_TIME_ZONE = "Asia/Shanghai"
    client.force_login(cast.sam)
    span = {"start": "2026-03-02", "end": "2026-03-02", "grain": "60"}

    response = client.get("/reports/queues/", {**span, "queue": sales_day.pk, "export": "csv"})

    rows = _rows(response.content)
    assert rows[0][:4] == ["Group", "Period", "Offered", "Answered"]  # no comment lines
    assert not any(row and row[0].startswith("#") for row in rows)
    plain, exact = _names(response["Content-Disposition"])
    assert plain == "queue-report_2026-03-02_2026-03-02_Asia-Shanghai.csv"
    assert exact == "Queue-report-sales_2026-03-02_2026-03-02_Asia-Shanghai.csv"

    # A Chinese reader gets a Chinese name (RFC 5987) and an ASCII one for older programs.
    cast.billing.name = "账务一组"
    cast.billing.save(update_fields=["name"])
    chinese = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    chinese.force_login(cast.sam)
    response = chinese.get(f"/reports/teams/{cast.billing.pk}/", {**span, "export": "csv"})
    assert response.status_code == 200
    plain, exact = _names(response["Content-Disposition"])
    assert plain.isascii() and plain == "team-report_2026-03-02_2026-03-02_Asia-Shanghai.csv"
    assert "账务一组" in exact and exact.endswith("_2026-03-02_2026-03-02_Asia-Shanghai.csv")
    assert re.search(r"[\u4e00-\u9fff]", _rows(response.content)[0][0])  # 分组, not "Group"


def test_a_workbook_says_what_it_covers_on_an_about_sheet(cast, client, sales_day):
    client.force_login(cast.sam)
    before = timezone.now().replace(microsecond=0)
    response = client.get(
        "/reports/queues/",
        {"queue": sales_day.pk, "start": "2026-03-02", "end": "2026-03-03", "export": "xlsx"},
    )
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Queue", "About"]
    assert [c.value for c in book["Queue"][1]][:3] == ["Group", "Period", "Offered"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Range"] == "2026-03-02 – 2026-03-03" and about["Time zone"] == "UTC"
    assert about["By"] == "30 min"  # the queue's interval, as the page opens
    made = datetime.strptime(about["Generated at"], "%Y-%m-%d %H:%M:%S UTC")
    assert made.replace(tzinfo=site_zone()) >= before
    plain, _exact = _names(response["Content-Disposition"])
    assert plain == "queue-report_2026-03-02_2026-03-03_UTC.xlsx"

    # The complaint workbook and the attendance sheet do the same.
    response = client.get(
        "/complaints/reports/export.xlsx", {"start": "2026-03-02", "end": "2026-03-03"}
    )
    about = {
        row[0].value: row[1].value
        for row in load_workbook(io.BytesIO(response.content))["About"].iter_rows()
    }
    assert about["Range"] == "2026-03-02 – 2026-03-03" and about["Time zone"] == "UTC"
    assert _names(response["Content-Disposition"])[0] == "complaints_2026-03-02_2026-03-03_UTC.xlsx"
