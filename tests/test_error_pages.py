"""Every error page is the product's page, in its layout and the reader's language; the API keeps
its JSON error shape; the answers given before LocaleMiddleware speak the reader's language."""

import json

import pytest
from django.core.exceptions import PermissionDenied
from django.db import OperationalError, connection
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from callfloor.middleware import DatabaseUnavailableMiddleware

pytestmark = pytest.mark.django_db


def logged_in(user, language: str = "en") -> Client:
    client = Client(headers={"accept-language": language})
    client.force_login(user)
    return client


def assert_product_page(response, status: int) -> str:
    html = response.content.decode()
    assert response.status_code == status
    assert response["Content-Type"].startswith("text/html")
    assert html.startswith("<!doctype html>")
    assert 'href="/static/css/callfloor.css"' in html or "callfloor.css" in html
    assert 'data-testid="error-page"' in html
    return html


def test_a_bad_staffing_filter_answers_the_product_s_400_page_with_its_reason(cast):
    response = logged_in(cast.tina).get(reverse("staffing"), {"shrinkage": "abc"})
    html = assert_product_page(response, 400)
    assert "Shrinkage and occupancy are numbers." in html
    assert 'class="topbar"' in html  # the product's layout, with its navigation


def test_the_400_page_speaks_the_reader_s_language(cast):
    response = logged_in(cast.tina, "zh-hans").get(reverse("staffing"), {"shrinkage": "abc"})
    html = assert_product_page(response, 400)
    assert '<html lang="zh-hans">' in html
    assert "Shrinkage and occupancy are numbers." not in html
    assert "无法处理此请求" in html


def test_a_bad_attendance_month_answers_the_product_s_400_page(cast):
    response = logged_in(cast.tina).get(reverse("attendance"), {"month": "2026-13"})
    html = assert_product_page(response, 400)
    assert "Give the month as YYYY-MM." in html


def test_an_unknown_page_is_the_product_s_404_and_an_unknown_api_path_is_json(cast):
    html = assert_product_page(logged_in(cast.tina).get("/no-such-page/"), 404)
    assert "Page not found" in html
    response = logged_in(cast.tina).get("/api/no-such-thing/")
    assert response.status_code == 404
    assert response.json() == {"error": {"code": "not_found", "message": "Not found."}}


def test_a_forbidden_page_is_the_product_s_403_with_its_reason(cast):
    html = assert_product_page(logged_in(cast.ann).post(reverse("qa-sampling"), {}), 403)
    assert "Only QA analysts define sampling rules." in html


def test_the_api_keeps_its_json_error_shape(cast, api):
    response = api(cast.ann).get(reverse("api-handover-list"))
    assert response.status_code == 403
    assert set(response.json()["error"]) >= {"code", "message"}


def test_the_500_page_needs_no_database_and_no_request_context(rf: RequestFactory):
    from callfloor import error_pages

    request = rf.get("/somewhere/")
    with CaptureQueriesContext(connection) as queries:
        response = error_pages.server_error(request)
    assert len(queries) == 0
    html = assert_product_page(response, 500)
    assert "Something went wrong on our side" in html
    api = error_pages.server_error(rf.get("/api/things/"))
    assert api.status_code == 500 and api["Content-Type"] == "application/json"


def test_a_view_that_raises_answers_the_product_s_500_page(cast, settings):
    from django.urls import path

    from callfloor import urls

    def boom(request):
        raise RuntimeError("boom")

    settings.ROOT_URLCONF = type(
        "urls",
        (),
        {"urlpatterns": [path("boom/", boom), *urls.urlpatterns], "handler500": urls.handler500},
    )
    client = Client(raise_request_exception=False)
    assert_product_page(client.get("/boom/"), 500)


def test_a_csrf_failure_is_the_product_s_403(cast):
    client = Client(enforce_csrf_checks=True, headers={"accept-language": "en"})
    client.force_login(cast.ann)
    html = assert_product_page(client.post(reverse("leave-request"), {}), 403)
    assert "security check failed" in html


def test_the_database_unavailable_answer_speaks_the_reader_s_language(rf):
    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    page = rf.get("/floor/", headers={"accept-language": "zh-CN,zh;q=0.9"})
    response = middleware.process_exception(page, OperationalError("gone"))
    html = assert_product_page(response, 503)
    assert "数据库暂时不可用" in html and "The database is unavailable" not in html
    api = rf.post("/api/telephony/events/", HTTP_ACCEPT_LANGUAGE="en")
    api.COOKIES["callfloor_language"] = "zh-hant"  # the language cookie wins
    body = json.loads(middleware.process_exception(api, OperationalError("gone")).content)
    assert body["error"]["code"] == "unavailable"
    assert "資料庫暫時無法使用" in body["error"]["message"]


def test_the_body_too_large_answer_speaks_the_reader_s_language(rf):
    from django.core.exceptions import RequestDataTooBig

    middleware = DatabaseUnavailableMiddleware(lambda request: None)
    api = rf.post("/api/telephony/events/", headers={"accept-language": "zh-hans"})
    response = middleware.process_exception(api, RequestDataTooBig("big"))
    assert response.status_code == 413
    assert "请求内容超过" in json.loads(response.content)["error"]["message"]


def test_a_null_character_in_a_page_s_query_is_the_product_s_400_page_in_chinese(cast):
    html = assert_product_page(
        logged_in(cast.tina, "zh-hans").get(reverse("staffing"), {"q": "a\x00b"}), 400
    )
    assert "不允许包含空字符" in html


def test_permission_denied_without_a_reason_shows_the_page_s_own_words(rf, cast):
    from callfloor import error_pages

    request = rf.get("/x/")
    request.user = cast.ann
    html = assert_product_page(error_pages.permission_denied(request, PermissionDenied()), 403)
    assert "Your role does not allow this page or action." in html
