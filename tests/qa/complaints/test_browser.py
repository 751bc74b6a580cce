"""In Debian's Chromium: from the angry call to the confirmed fix.

ann logs a complaint from her call; the acknowledge time runs out and the timer check escalates
the case to tina (her team lead); sam, a supervisor, resolves it; the first call-back finds the
customer unhappy (the case reopens), the second finds them satisfied and the case closes.
"""

from datetime import timedelta

import pytest
from django.db.models import F
from django.utils import timezone

from qa.complaints import tasks
from qa.complaints.models import Complaint, Status, Tier
from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def login_as(browser, base_url: str, username: str):
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, base_url, username)
    return page


def schedule_callback(page):
    when = timezone.localtime(timezone.now() + timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    page.fill("input[name=callback_at]", when)
    page.click("text=Schedule call-back")
    page.wait_for_load_state("networkidle")


def resolve(page, text: str):
    page.click("text=Start investigating")
    page.fill("textarea[name=resolution]", text)
    page.click("text=Propose resolution")
    schedule_callback(page)


def test_an_angry_call_is_logged_escalated_resolved_and_confirmed(
    live_asgi, cast, floor, page, browser
):
    base = live_asgi.url
    # ann logs the complaint from her call.
    browser_login(page, base, "ann")
    page.goto(f"{base}/complaints/")
    assert "My complaints" in page.inner_text("h1")
    page.locator(f"tr[data-call='{floor.ann_call.pk}']").get_by_text("Log complaint").click()
    assert page.locator("select[name=call]").input_value() == str(floor.ann_call.pk)
    page.fill("input[name=customer_name]", "Jane Doe")
    page.fill("input[name=customer_contact]", "+44 20 7946 0958")
    page.select_option("select[name=category]", label="Billing error")
    page.select_option("select[name=severity]", "critical")
    page.fill("textarea[name=description]", "Charged twice for March; wants a supervisor.")
    page.click("button:has-text('Log complaint')")
    page.wait_for_load_state("networkidle")
    assert page.get_by_test_id("status").inner_text() == "New"
    assert page.get_by_test_id("tier").inner_text() == "Agent"
    assert page.get_by_test_id("customer").inner_text().startswith("Jane Doe · +44 20 7946 0958")
    assert page.get_by_test_id("timer-acknowledge").get_attribute("data-level") == "green"
    case = Complaint.objects.get()
    assert list(case.calls.all()) == [floor.ann_call]

    # The case was logged an hour ago: the 30-minute acknowledge time ran out.
    hour = timedelta(hours=1)
    Complaint.objects.filter(pk=case.pk).update(
        created_at=F("created_at") - hour,
        resolve_started_at=F("resolve_started_at") - hour,
        ack_due_at=F("ack_due_at") - hour,
        resolve_due_at=F("resolve_due_at") - hour,
    )
    assert tasks.check_timers() == 1
    case.refresh_from_db()
    assert (case.tier, case.owner) == (Tier.TEAM_LEAD, cast.tina)

    # ann now sees the case masked and without actions.
    page.reload()
    assert page.get_by_test_id("tier").inner_text() == "Team lead"
    assert page.get_by_test_id("customer").inner_text().startswith("J. D. · +•• •• •••• •958")
    assert page.get_by_test_id("actions").count() == 0

    # tina is told, and sees the breach in red.
    lead = login_as(browser, base, "tina")
    lead.goto(f"{base}/notifications/")
    assert f"{case.reference} (critical) was escalated to you" in lead.inner_text("main")
    lead.click(f"text={case.reference}")
    lead.wait_for_load_state("networkidle")
    assert lead.get_by_test_id("owner").inner_text() == "Tina Lead"
    assert lead.get_by_test_id("timer-acknowledge").get_attribute("data-level") == "red"
    lead.goto(f"{base}/complaints/escalations/")
    assert "Time to acknowledge breached" in lead.get_by_test_id("case-escalations").inner_text()
    lead.context.close()

    # sam, a supervisor, resolves it from the case queue.
    sup = login_as(browser, base, "sam")
    sup.goto(f"{base}/complaints/")
    assert "Complaint cases" in sup.inner_text("h1")
    sup.click(f"text={case.reference}")
    sup.wait_for_load_state("networkidle")
    sup.click("button:has-text('Acknowledge')")
    resolve(sup, "Refund the second charge.")
    assert sup.get_by_test_id("status").inner_text() == "Awaiting call-back"

    # Closing before the call-back is refused, naming what is missing.
    sup.select_option("[data-testid=close-form] select[name=root_cause]", label="Process gap")
    sup.fill("[data-testid=close-form] textarea[name=corrective_action]", "Fix the billing run.")
    sup.click("text=Close case")
    sup.wait_for_load_state("networkidle")
    summary = sup.get_by_test_id("error-summary").inner_text()
    assert "Record the call-back" in summary and "callback:" not in summary

    # The customer is not satisfied: the case reopens.
    sup.select_option("select[name=outcome]", "not_satisfied")
    sup.fill("[data-testid=callback-form] input[name=note]", "Second charge still there.")
    sup.click("text=Record call-back")
    sup.wait_for_load_state("networkidle")
    assert sup.get_by_test_id("status").inner_text() == "Reopened"
    assert "Not satisfied" in sup.get_by_test_id("callbacks").inner_text()

    # Worked again; this time the customer is satisfied and the case closes.
    resolve(sup, "Refunded by the finance team; confirmation letter sent.")
    sup.select_option("select[name=outcome]", "satisfied")
    sup.click("text=Record call-back")
    sup.wait_for_load_state("networkidle")
    sup.select_option("[data-testid=close-form] select[name=root_cause]", label="Process gap")
    sup.fill(
        "[data-testid=close-form] textarea[name=corrective_action]",
        "Duplicate-charge check added to the billing run.",
    )
    sup.click("text=Close case")
    sup.wait_for_load_state("networkidle")
    assert sup.get_by_test_id("status").inner_text() == "Closed"
    history = sup.get_by_test_id("history").inner_text()
    for step in [
        "logged · ann",
        "time to acknowledge breached · timer check",
        "escalated (to tina — The time to acknowledge ran out.) · timer check",
        "call-back recorded (Not satisfied) · sam",
        "reopened",
        "closed · sam",
    ]:
        assert step in history, step
    sup.context.close()

    case.refresh_from_db()
    assert case.status == Status.CLOSED and case.round == 2
    assert case.root_cause.name == "Process gap"
    assert [c.outcome for c in case.callbacks.all()] == ["not_satisfied", "satisfied"]


def test_a_case_timer_ticks_to_amber_and_red_in_the_browser(live_asgi, cast, floor, page):
    from qa.complaints import services

    case = services.complaint_create(
        actor=cast.ann,
        customer_name="Jane Doe",
        customer_contact="jane@example.com",
        category=floor.billing_errors,
        description="Cut off twice.",
        severity="critical",
    )
    page.clock.install()
    browser_login(page, live_asgi.url, "ann")
    page.goto(f"{live_asgi.url}/complaints/{case.pk}/")
    timer = page.get_by_test_id("timer-acknowledge")
    assert timer.get_attribute("data-level") == "green"
    assert "29 m left" in timer.inner_text() or "30 m left" in timer.inner_text()
    page.clock.fast_forward("25:00")  # 25 of 30 minutes: past 80 %
    assert timer.get_attribute("data-level") == "amber"
    page.clock.fast_forward("06:00")
    assert timer.get_attribute("data-level") == "red"
    assert "breached by 1 m" in timer.inner_text()
    # The case queue ticks the same way.
    page.goto(f"{live_asgi.url}/complaints/")
    cell = page.locator("td.timer-cell").first
    page.clock.fast_forward("31:00")
    assert cell.get_attribute("data-level") == "red"
