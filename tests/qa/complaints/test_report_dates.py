"""Complaint reports write a day one way per language: the tables and the chart alike."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.utils import formats, translation

from qa.complaints import reports

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _language_back():
    """A Chinese request leaves its language active in this thread: later tests read English."""
    yield
    translation.activate(settings.LANGUAGE_CODE)


def _page(cast, language: str):
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(cast.sam)
    response = client.get("/complaints/reports/")
    assert response.status_code == 200
    return response


def _trend_table_days(html: str) -> list[str]:
    section = re.search(r'data-testid="report-trend_by_week".*?<tbody>(.*?)</tbody>', html, re.S)
    return re.findall(r"<tr><td>([^<]*)</td>", section.group(1))


def _chart_days(html: str) -> list[str]:
    data = re.search(r'<script id="complaint-charts" type="application/json">(.*?)</script>', html)
    assert data, "the weekly chart's data is on the page"
    return json.loads(data.group(1))[0]["labels"]


@pytest.mark.parametrize(
    "language, code", [("en", "en"), ("zh-CN", "zh-hans"), ("zh-TW", "zh-hant")]
)
def test_complaint_reports_write_every_day_in_one_format_per_locale(cast, language, code):
    period = reports.Period.last_weeks()
    first = period.start - timedelta(days=period.start.weekday())
    weeks = [
        first + timedelta(weeks=n)
        for n in range(len(_trend_table_days(_page(cast, "en").content.decode())))
    ]
    with translation.override(code):
        expected = [formats.date_format(week, "DATE_FORMAT") for week in weeks]

    html = _page(cast, language).content.decode()

    assert _trend_table_days(html) == expected
    assert _chart_days(html) == expected  # the chart writes the same days the same way
    assert not re.search(r"\b\d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b", html)
