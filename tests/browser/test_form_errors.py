"""In Chromium: a form with two wrong fields shows both errors, each beside its field, in
English and in Simplified Chinese; an error page is the product's page."""

import pytest
from playwright.sync_api import expect

from qa.complaints.models import Complaint
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _page(browser, locale: str):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, locale=locale)
    context.set_default_timeout(15_000)
    return context, context.new_page()


def _send_with_two_wrong_fields(page, base_url: str) -> None:
    page.goto(f"{base_url}/complaints/new/")
    # A blank name and description pass the browser's own check but not the server's.
    page.fill("input[name=customer_name]", " ")
    page.fill("input[name=customer_contact]", "jane@example.com")
    page.select_option("select[name=category]", index=1)
    page.fill("textarea[name=description]", " ")
    page.locator("form.stacked button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def _assert_beside(page, field: str, tag: str = "input") -> str:
    """The field's error is inside the field's own label, right under the field."""
    label = page.locator(f"label:has({tag}[name={field}])")
    error = label.get_by_test_id(f"field-error-{field}")
    expect(error).to_be_visible()
    box, field_box = error.bounding_box(), label.locator(f"{tag}[name={field}]").bounding_box()
    assert 0 <= box["y"] - (field_box["y"] + field_box["height"]) < 20
    assert abs(box["x"] - field_box["x"]) < 5
    return error.inner_text()


@pytest.mark.parametrize(
    ("locale", "lang", "name_error", "summary_label"),
    [
        ("en-US", "en", "The customer's name is required.", "Customer name"),
        ("zh-CN", "zh-hans", "客户姓名", "客户姓名"),
    ],
)
def test_a_form_with_two_wrong_fields_shows_both_errors_beside_their_fields(
    cast, floor, live_asgi, browser, locale, lang, name_error, summary_label
):
    context, page = _page(browser, locale)
    try:
        browser_login(page, live_asgi.url, "ann")
        _send_with_two_wrong_fields(page, live_asgi.url)
        assert page.locator("html").get_attribute("lang") == lang
        name = _assert_beside(page, "customer_name")
        description = _assert_beside(page, "description", "textarea")
        assert name_error in name
        assert description and description != name
        summary = page.get_by_test_id("error-summary")
        expect(summary).to_contain_text(summary_label)
        expect(summary.locator("li")).to_have_count(2)
        for code in ("customer_name", "description"):
            assert f"{code}:" not in summary.inner_text()
        # What was typed stays, and nothing was stored.
        expect(page.locator("input[name=customer_contact]")).to_have_value("jane@example.com")
        assert not Complaint.objects.exists()
    finally:
        context.close()


def test_a_bad_address_shows_the_product_s_error_page_in_chinese(cast, live_asgi, browser):
    context, page = _page(browser, "zh-CN")
    try:
        browser_login(page, live_asgi.url, "tina")
        response = page.goto(f"{live_asgi.url}/staffing/?shrinkage=abc")
        assert response.status == 400
        expect(page.get_by_test_id("error-page")).to_be_visible()
        expect(page.locator("h1")).to_have_text("无法处理此请求")
        expect(page.locator("header.topbar")).to_be_visible()  # the product's layout
    finally:
        context.close()
