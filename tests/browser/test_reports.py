"""In Debian's Chromium: a supervisor reads a queue report, its chart and its XLSX export."""

import pytest
from openpyxl import load_workbook

from tests.conftest import browser_login, shared_data

pytestmark = [pytest.mark.browser]


@pytest.fixture
def freepbx_history(live_asgi, cast):
    from metrics.queue_log import read_lines
    from metrics.telephony.services import events_ingest, source_create

    source, _ = source_create(name="freepbx", kind="queue_log_file")
    with open(shared_data("asterisk/freepbx-2010-queue_log"), encoding="utf-8") as handle:
        events_ingest(source=source, events=list(read_lines(handle, layout="file", zone="UTC")))
    return live_asgi


def _cell(row, key: str) -> str:
    return row.locator(f'td[data-col="{key}"]').inner_text()


def test_a_supervisor_reads_the_queue_report_and_downloads_the_same_figures(
    freepbx_history, page, tmp_path
):
    from metrics.models import Queue

    queue = Queue.objects.get(name="9000")
    browser_login(page, freepbx_history.url, "sam")
    page.click("text=Reports")
    page.click("text=Queue report")
    page.select_option("select[name=queue]", str(queue.pk))
    page.fill("input[name=start]", "2010-02-21")
    page.fill("input[name=end]", "2010-02-22")
    page.select_option("select[name=grain]", "60")
    page.click("button:has-text('Show')")

    page.locator('figure[data-chart="service-level"][data-ready="1"]').wait_for()
    hours = page.locator("table.report tbody tr:not(.total)")
    drawn = page.evaluate(
        """() => echarts.getInstanceByDom(
            document.querySelector('figure[data-chart="service-level"] .chart-canvas')
        ).getOption().series.map((s) => [s.name, s.data.length])"""
    )
    assert drawn == [["service level", hours.count()], ["target", hours.count()]]  # per hour
    assert hours.count() >= 2
    page.locator('figure[data-chart="abandon-heatmap"][data-ready="1"]').wait_for()
    meta = page.get_by_test_id("report-meta").inner_text()
    assert "time zone UTC" in meta and "answered within 20 s" in meta

    total = page.locator('tr.total[data-row="Total"]')
    shown = {
        key: _cell(total, key)
        for key in ("offered", "answered", "abandoned", "service_level", "asa_s", "aht_s")
    }
    assert shown == {
        "offered": "21",
        "answered": "8",
        "abandoned": "12",
        "service_level": "33.3 %",
        "asa_s": "17.9",
        "aht_s": "6.4",
    }
    hour_offered = sum(int(_cell(hours.nth(i), "offered")) for i in range(hours.count()))
    assert hour_offered == 21

    with page.expect_download() as download:
        page.get_by_test_id("export-xlsx").click()
    name = download.value.suggested_filename
    assert name == "Queue-report-9000_2010-02-21_2010-02-22_UTC.xlsx"
    path = tmp_path / name
    download.value.save_as(path)
    book = load_workbook(path)
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Report"] == "Queue report: 9000" and about["Time zone"] == "UTC"
    sheet = book.active
    titles = [c.value for c in sheet[1]]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    last = dict(zip(titles, rows[-1], strict=True))
    assert last["Period"] == "Total"
    assert last["Offered"] == int(shown["offered"])
    assert last["Answered"] == int(shown["answered"])
    assert last["Abandoned"] == int(shown["abandoned"])
    assert f"{last['Service level'] * 100:.1f} %" == shown["service_level"]
    assert f"{last['ASA (s)']:.1f}" == shown["asa_s"]
    assert f"{last['AHT (s)']:.1f}" == shown["aht_s"]
    assert sum(r[titles.index("Offered")] for r in rows[:-1]) == hour_offered
