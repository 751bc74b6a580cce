"""Exports in the requester's language: every CSV opens in Excel on a Chinese Windows (UTF-8
byte-order mark) and reads back with pandas; every XLSX has Chinese headers and sheet names."""

import io
import re

import pandas as pd
from django.test import Client
from openpyxl import load_workbook

from tests.test_exports import _requests, hostile  # noqa: F401 (the fixture)

HAN = re.compile(r"[\u4e00-\u9fff]")
BOM = b"\xef\xbb\xbf"


def test_every_export_in_simplified_chinese(cast, hostile):  # noqa: F811 (the imported fixture)
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    checked = {"csv": 0, "xlsx": 0}
    for url, params in _requests(cast, hostile):
        client.force_login(cast.tina if url.startswith("/attendance/") else cast.sam)
        response = client.get(url, params)
        assert response.status_code == 200, (url, params)
        if response["Content-Type"].startswith("text/csv"):
            assert response.content.startswith(BOM), url
            frame = pd.read_csv(io.BytesIO(response.content), encoding="utf-8-sig", comment="#")
            assert not frame.columns[0].startswith("\ufeff"), url
            # The header row is in Chinese (a leading column may be a code such as an ID).
            assert any(HAN.search(str(c)) for c in frame.columns), (url, list(frame.columns))
            # Round trip: what pandas reads is what the file holds, row for row.
            again = pd.read_csv(
                io.StringIO(frame.to_csv(index=False)), dtype=str, keep_default_na=False
            )
            assert len(again) == len(frame) and list(again.columns) == list(frame.columns)
            checked["csv"] += 1
        else:
            book = load_workbook(io.BytesIO(response.content))
            for sheet in book.worksheets:
                texts = [
                    str(cell.value)
                    for row in sheet.iter_rows(max_row=8)
                    for cell in row
                    if isinstance(cell.value, str)
                ]
                assert any(HAN.search(t) for t in texts), (url, sheet.title, texts[:12])
            checked["xlsx"] += 1
    assert checked["csv"] >= 5 and checked["xlsx"] >= 5, checked


def test_complaint_workbook_has_chinese_sheet_names_and_headers(cast, hostile):  # noqa: F811
    client = Client(HTTP_ACCEPT_LANGUAGE="zh-CN")
    client.force_login(cast.sam)
    response = client.get("/complaints/reports/export.xlsx")
    book = load_workbook(io.BytesIO(response.content))
    assert "各队列每千通电话投诉数" in book.sheetnames
    headers = [c.value for c in book["各队列每千通电话投诉数"][1]]
    assert headers == ["队列", "呼叫", "投诉数", "每千通电话"]
