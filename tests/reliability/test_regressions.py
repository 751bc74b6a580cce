"""Inputs that once answered 500, found by the fuzzers: each now answers 400 in the error shape."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("body", [{"csv": 7}, {"csv": ["a"]}, {"csv": None}, ["csv"], "csv"])
def test_shift_import_with_csv_that_is_not_text_is_a_400(cast, api, body):
    response = api(cast.tina).post("/api/shifts/import/", body, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {
        "csv": ["Send the CSV as a `file` upload or as `csv` text."]
    }


@pytest.mark.parametrize("url", ["/api/live-escalations/", "/api/complaints/"])
def test_a_query_parameter_with_a_nul_character_is_a_400(cast, api, url):
    response = api(cast.tina).get(url, {"site": "main\x00", "q": "x"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"site": ["Null characters are not allowed."]}


def test_a_page_with_a_nul_character_in_the_query_is_a_400(cast, client):
    client.force_login(cast.sam)
    assert client.get("/", {"q": "\x00"}).status_code == 400
