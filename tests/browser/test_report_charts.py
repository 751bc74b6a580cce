"""In Debian's Chromium: a supervisor hovers a report chart and reads the value, hides a series
from the legend, in English and in Chinese, under the Content-Security-Policy; without scripts
the page still has its table."""

import re

import pytest

from tests.browser.test_csp_pages import WATCH
from tests.browser.test_reports import freepbx_history  # noqa: F401 (the fixture)
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]
REPORT = "/reports/queues/?start=2010-02-21&end=2010-02-22&grain=60&queue={queue}"

# Where, on the page, ECharts draws a data point and a legend entry (the canvas has no DOM).
POINT = """([key, series, index]) => {
  const canvas = document.querySelector(`figure[data-chart="${key}"] .chart-canvas`);
  const chart = echarts.getInstanceByDom(canvas);
  const option = chart.getOption();
  const value = option.series[series].data[index];
  const [x, y] = chart.convertToPixel({seriesIndex: series}, [index, value]);
  const box = canvas.getBoundingClientRect();
  return {x: box.left + x, y: box.top + y, value: value};
}"""
LEGEND = """([key, name]) => {
  const canvas = document.querySelector(`figure[data-chart="${key}"] .chart-canvas`);
  const chart = echarts.getInstanceByDom(canvas);
  const text = chart.getZr().storage.getDisplayList()
    .find((el) => el.style && el.style.text === name);
  const rect = text.getBoundingRect().clone();
  if (text.transform) rect.applyTransform(text.transform);
  const box = canvas.getBoundingClientRect();
  return {x: box.left + rect.x + rect.width / 2, y: box.top + rect.y + rect.height / 2};
}"""
SELECTED = """([key, name]) => {
  const canvas = document.querySelector(`figure[data-chart="${key}"] .chart-canvas`);
  return echarts.getInstanceByDom(canvas).getOption().legend[0].selected[name];
}"""

WORDS = {
    "en": {"answered": "Answered", "offered": "Offered"},
    "zh-hans": {"answered": "接通量", "offered": "呼入量"},
}


def _tooltip(page, key: str) -> str:
    tip = page.locator(f'figure[data-chart="{key}"] .chart-tip')
    tip.wait_for(state="visible")
    return tip.inner_text()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_report_chart_shows_values_on_hover_and_hides_a_series_from_its_legend(
    freepbx_history,  # noqa: F811 (the imported fixture)
    browser,
    language,
):
    from metrics.models import Queue

    queue = Queue.objects.get(name="9000")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.add_cookies(
        [{"name": "callfloor_language", "value": language, "url": freepbx_history.url}]
    )
    page = context.new_page()
    refused = []
    page.on("console", lambda m: refused.append(m.text) if "Content Security" in m.text else None)
    page.on("pageerror", lambda e: refused.append(str(e)))
    page.add_init_script(WATCH)
    words = WORDS[language]
    try:
        browser_login(page, freepbx_history.url, "sam")
        page.goto(freepbx_history.url + REPORT.format(queue=queue.pk))
        assert page.locator("html").get_attribute("lang") == language
        for key in ("service-level", "volumes", "aht", "abandon-heatmap"):
            page.locator(f'figure[data-chart="{key}"][data-ready="1"]').wait_for()

        # Hover the hour with the most calls: the tooltip gives its figures, as the table does.
        rows = page.locator("table.report tbody tr:not(.total)")
        offered = [
            int(rows.nth(i).locator('td[data-col="offered"]').inner_text())
            for i in range(rows.count())
        ]
        busiest = offered.index(max(offered))
        hour = rows.nth(busiest).get_attribute("data-row")
        point = page.evaluate(POINT, ["volumes", 0, busiest])
        assert point["value"] == max(offered)
        page.mouse.move(point["x"], point["y"] - 2)
        tip = _tooltip(page, "volumes")
        assert hour in tip
        answered = rows.nth(busiest).locator('td[data-col="answered"]').inner_text()
        assert re.search(rf"{words['offered']}\s*{max(offered)}\b", tip), tip
        assert re.search(rf"{words['answered']}\s*{answered}\b", tip), tip

        # The service level of that hour, as a percentage in the page's language.
        level = page.evaluate(POINT, ["service-level", 0, busiest])
        page.mouse.move(level["x"], level["y"])
        shown = rows.nth(busiest).locator('td[data-col="service_level"]').inner_text()
        assert shown.replace(" ", "") in _tooltip(page, "service-level").replace(" ", "")

        # A click on "Answered" in the legend hides that series, and the tooltip drops it.
        entry = page.evaluate(LEGEND, ["volumes", words["answered"]])
        page.mouse.click(entry["x"], entry["y"])
        assert page.evaluate(SELECTED, ["volumes", words["answered"]]) is False
        page.mouse.move(point["x"], point["y"] - 2)
        page.mouse.move(point["x"] + 1, point["y"] - 3)
        tip = _tooltip(page, "volumes")
        assert words["offered"] in tip and words["answered"] not in tip

        # The table is inside a card that scrolls it; the page itself is no wider than the window.
        wrap = page.get_by_test_id("report-table-wrap")
        assert wrap.evaluate("(el) => el.scrollWidth > el.clientWidth")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

        assert page.evaluate("window.__violations") == [] and refused == []
    finally:
        context.close()


def test_without_scripts_the_report_keeps_its_table(freepbx_history, browser):  # noqa: F811
    from metrics.models import Queue

    queue = Queue.objects.get(name="9000")
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        browser_login(page, freepbx_history.url, "sam")
        page.goto(freepbx_history.url + REPORT.format(queue=queue.pk))
        total = page.locator('tr.total[data-row="Total"] td[data-col="offered"]')
        assert total.inner_text() == "21"
        assert not page.get_by_test_id("charts").is_visible()
    finally:
        context.close()
