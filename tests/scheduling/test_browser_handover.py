"""A handover from tina (outgoing) to tom (incoming) in real Chromium, supervisor sam copied."""

import re

import pytest
from playwright.sync_api import expect

from scheduling.models import Handover, HandoverStatus
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser, live_asgi, username):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live_asgi.url, username)
    return page


def test_a_handover_with_two_cases_is_acknowledged_worked_and_locked(cast, live_asgi, browser):
    # The outgoing lead writes the handover with two open cases.
    tina = _as(browser, live_asgi, "tina")
    tina.goto(f"{live_asgi.url}/handovers/")
    tina.get_by_test_id("new-handover").click()
    tina.fill("input[name=shift_name]", "early")
    tina.select_option("select[name=to_lead]", label="Tom Lead (tom)")
    tina.select_option("select[name=supervisor]", label="Sam Supervisor (sam)")
    tina.fill("textarea[name=summary]", "Heavy billing traffic until 11:00.")
    tina.fill("input[name=case-0-customer_ref]", "C-1001")
    tina.select_option("select[name=case-0-severity]", "high")
    tina.select_option("select[name=case-0-source_agent]", label="Ann Agent")
    tina.fill("textarea[name=case-0-pending]", "Refund not posted")
    tina.fill("input[name=case-0-next_action]", "Call the bank back")
    tina.fill("input[name=case-0-owner]", "Tom")
    tina.fill("input[name=case-1-customer_ref]", "C-1002")
    tina.fill("textarea[name=case-1-pending]", "Address change unconfirmed")
    tina.fill("input[name=case-1-next_action]", "Confirm by e-mail")
    tina.fill("input[name=case-1-owner]", "Tom")
    tina.get_by_role("button", name="Send the handover").click()
    expect(tina.get_by_test_id("handover-status")).to_contain_text("awaiting acknowledgement")
    handover = Handover.objects.get()
    assert handover.to_lead == cast.tom and handover.supervisor == cast.sam
    assert handover.cases.get(customer_ref="C-1001").source_agent == cast.ann_agent

    # The incoming lead finds it, cannot acknowledge before confirming the high case.
    tom = _as(browser, live_asgi, "tom")
    expect(tom.get_by_test_id("inbox")).to_contain_text("1")
    tom.goto(f"{live_asgi.url}/handovers/")
    tom.get_by_test_id("to-me").get_by_role("link", name=re.compile("early")).click()
    tom.get_by_test_id("acknowledge").click()
    expect(tom.locator(".messages")).to_contain_text("Confirm each high-severity case first")
    tom.get_by_test_id("confirm-C-1001").click()
    expect(tom.get_by_test_id("case-C-1001").get_by_test_id("confirmed")).to_be_visible()
    tom.get_by_test_id("acknowledge").click()
    expect(tom.get_by_test_id("locked")).to_be_visible()

    # He resolves one case and marks the other not resolved.
    form = tom.get_by_test_id("outcome-form-C-1001")
    form.locator("textarea[name=note]").fill("Refund posted; customer called back")
    form.get_by_role("button", name="Resolved", exact=True).click()
    expect(tom.get_by_test_id("outcome-C-1001")).to_contain_text("Resolved")
    form = tom.get_by_test_id("outcome-form-C-1002")
    form.locator("textarea[name=note]").fill("Customer unreachable; retry after 18:00")
    form.get_by_role("button", name="Not resolved").click()
    expect(tom.get_by_test_id("outcome-C-1002")).to_contain_text("Not resolved")

    # The outgoing lead and the supervisor see both outcomes.
    for page in (tina, _as(browser, live_asgi, "sam")):
        page.goto(f"{live_asgi.url}/handovers/{handover.pk}/")
        expect(page.get_by_test_id("outcome-C-1001")).to_contain_text(
            "Resolved — Refund posted; customer called back"
        )
        expect(page.get_by_test_id("outcome-C-1002")).to_contain_text(
            "Not resolved — Customer unreachable; retry after 18:00"
        )
        page.get_by_test_id("inbox").click()
        expect(page.locator("ul.notifications")).to_contain_text("C-1001: resolved")
        expect(page.locator("ul.notifications")).to_contain_text("C-1002: not resolved")
        page.goto(f"{live_asgi.url}/handovers/{handover.pk}/")

    # The sent record cannot be rewritten: no form, and a forged edit finds no such page.
    expect(tina.get_by_test_id("edit-form")).to_have_count(0)
    token = tina.locator("meta[name=csrf-token]").get_attribute("content")
    forged = tina.request.post(
        f"{live_asgi.url}/handovers/{handover.pk}/edit/",
        form={"summary": "Rewritten afterwards", "csrfmiddlewaretoken": token},
    )
    assert forged.status == 404
    tina.reload()
    expect(tina.get_by_test_id("summary")).to_have_text("Heavy billing traffic until 11:00.")
    handover.refresh_from_db()
    assert handover.summary == "Heavy billing traffic until 11:00."
    assert handover.status == HandoverStatus.CLOSED
    # Additions are appended and marked as such.
    tina.get_by_test_id("addendum-form").locator("textarea").fill("Bank confirmed at 15:00.")
    tina.get_by_test_id("addendum-form").get_by_role("button", name="Append").click()
    expect(tina.get_by_test_id("addendum")).to_contain_text("added later")
    expect(tina.get_by_test_id("addendum")).to_contain_text("not acknowledged yet")
    expect(tina.get_by_test_id("history")).to_contain_text("Acknowledged the handover")
    expect(tina.get_by_test_id("history")).not_to_contain_text("handover.acknowledged")
