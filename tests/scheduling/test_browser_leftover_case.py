"""An agent's unfinished case travels in real Chromium: Ann hands it to her lead Tina from her
own page; Tina carries it in her handover to Tom; Tom, the next shift's lead, acknowledges the
handover (with a correction Tina appended), works the case and reports it; Ann sees the result."""

import re

import pytest
from playwright.sync_api import expect

from scheduling.models import HandoverCase, LeftoverCase, LeftoverStatus
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def _as(browser, live_asgi, username):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live_asgi.url, username)
    return page


@pytest.mark.parametrize("outcome", ["Resolved", "Not resolved"])
def test_an_agents_leftover_case_travels_to_the_next_lead_who_reports_it(
    cast, live_asgi, browser, outcome
):
    # The agent hands her unfinished case to her team lead from her own page.
    ann = _as(browser, live_asgi, "ann")
    ann.goto(f"{live_asgi.url}/my-schedule/")
    ann.get_by_test_id("my-cases-link").click()
    form = ann.get_by_test_id("leftover-form")
    expect(form).to_contain_text("Tina Lead")
    form.locator("input[name=customer_ref]").fill("Mrs Chen 138-0000-1111")
    form.locator("input[name=due_at]").fill("2026-12-08T10:00")
    form.locator("select[name=severity]").select_option("high")
    form.locator("textarea[name=pending]").fill("Double charge on the November bill")
    form.locator("textarea[name=promised]").fill("Call back with the refund date")
    form.get_by_role("button", name="Hand to my team lead").click()
    row = ann.get_by_test_id("my-leftover-Mrs Chen 138-0000-1111")
    expect(row).to_contain_text("Handed to the team lead, awaiting a decision")

    # Her lead is told, and finds it in the next handover draft.
    tina = _as(browser, live_asgi, "tina")
    expect(tina.get_by_test_id("inbox")).to_contain_text("1")
    tina.goto(f"{live_asgi.url}/handovers/")
    expect(tina.get_by_test_id("leftovers-waiting")).to_contain_text("1 case from your agents")
    tina.get_by_test_id("new-handover").click()
    card = tina.get_by_test_id("leftover-Mrs Chen 138-0000-1111")
    expect(card).to_contain_text("Ann Agent")
    expect(card).to_contain_text("Call back with the refund date")
    card.get_by_label("Carry to the next shift").check()
    tina.fill("input[name=shift_name]", "late")
    tina.select_option("select[name=to_lead]", label="Tom Lead (tom)")
    tina.select_option("select[name=supervisor]", label="Sam Supervisor (sam)")
    tina.fill("textarea[name=summary]", "Billing calm after 15:00.")
    tina.get_by_role("button", name="Send the handover").click()
    case = tina.get_by_test_id("case-Mrs Chen 138-0000-1111")
    expect(case.get_by_test_id("source-agent")).to_have_text("Ann Agent")
    expect(case).to_contain_text("Call back with the refund date")
    expect(case).to_contain_text("2026-12-08 10:00")
    # A correction goes as an addendum, never into the sent text.
    tina.get_by_test_id("addendum-form").locator("textarea").fill(
        "Correction: the customer prefers a call after 14:00."
    )
    tina.get_by_test_id("addendum-form").get_by_role("button", name="Append").click()
    expect(tina.get_by_test_id("addendum")).to_contain_text("not acknowledged yet")
    travelled = HandoverCase.objects.get(customer_ref="Mrs Chen 138-0000-1111")
    assert travelled.source_agent == cast.ann_agent
    assert LeftoverCase.objects.get().status == LeftoverStatus.CARRIED

    # The next shift's lead confirms the high-severity case, acknowledges the handover with the
    # correction, works the case and reports it.
    tom = _as(browser, live_asgi, "tom")
    tom.goto(f"{live_asgi.url}/handovers/")
    tom.get_by_test_id("to-me").get_by_role("link", name=re.compile("late")).click()
    expect(tom.get_by_test_id("addendum")).to_contain_text("customer prefers a call after 14:00")
    expect(tom.get_by_test_id("addendum")).to_contain_text("Tina Lead")
    tom.get_by_test_id("confirm-Mrs Chen 138-0000-1111").click()
    tom.get_by_test_id("acknowledge").click()
    expect(tom.get_by_test_id("locked")).to_be_visible()
    expect(tom.get_by_test_id("addendum-acknowledged")).to_contain_text("Tom Lead")
    form = tom.get_by_test_id("outcome-form-Mrs Chen 138-0000-1111")
    form.locator("textarea[name=note]").fill("Called at 14:30; refund date given")
    form.get_by_role("button", name=outcome, exact=True).click()
    expect(tom.get_by_test_id("outcome-Mrs Chen 138-0000-1111")).to_contain_text(outcome)
    history = tom.get_by_test_id("history")
    expect(history).to_contain_text("Acknowledged the handover and 1 addition sent before it")
    expect(history).not_to_contain_text("handover.")

    # The agent sees where her case went and how it ended.
    ann.reload()
    row = ann.get_by_test_id("my-leftover-Mrs Chen 138-0000-1111")
    expect(row).to_contain_text("Carried into a handover")
    expect(row).to_contain_text(f"Tom Lead: {outcome}")
