"""A shift swap walked through in Simplified Chinese (browser zh-CN, every user's language
zh-hans): the agent proposes, the colleague accepts, the team lead approves."""

import re

import pytest
from playwright.sync_api import expect

from agents.services import user_language_set
from scheduling.models import Shift, SwapRequest, SwapStatus
from tests.conftest import browser_login

pytestmark = pytest.mark.django_db(transaction=True)


def _chinese(browser, live_asgi, user):
    user_language_set(user=user, language="zh-hans")
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    browser_login(page, live_asgi.url, user.username)
    return page


def _rules_read_in_chinese(page):
    rules = page.get_by_test_id("rules")
    expect(rules.locator(".rule-fail")).to_have_count(0)
    expect(rules.locator("[data-rule=notice]")).to_contain_text("距较早班次的提前量")
    expect(rules.locator("[data-rule=notice]")).to_contain_text("小时")
    expect(rules.locator("[data-rule=hours]")).to_contain_text("双方每周工作时长均不超过 48 小时")
    # No decimal hours anywhere ("21.1724 h").
    assert not re.search(r"\d+\.\d+", rules.inner_text())


def test_a_swap_proposed_accepted_and_approved_in_simplified_chinese(floor, live_asgi, browser):
    base = live_asgi.url
    ann = _chinese(browser, live_asgi, floor.ann)
    assert ann.locator("html").get_attribute("lang") == "zh-hans"

    # Ann proposes her shift against Cy's, on her schedule page in Chinese.
    ann.goto(f"{base}/my-schedule/")
    expect(ann.locator("h1")).to_have_text("我的排班")
    row = ann.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")
    row.get_by_label("换班对象").select_option(value=str(floor.cy_shift.pk))
    row.get_by_role("button", name="提出").click()
    expect(ann.get_by_test_id("swap-status")).to_have_text("已向同事提出")
    expect(ann.locator("h1")).to_contain_text("换班申请")
    _rules_read_in_chinese(ann)
    swap = SwapRequest.objects.get()

    # Cy accepts.
    cy = _chinese(browser, live_asgi, floor.cy)
    cy.goto(f"{base}/swaps/{swap.pk}/")
    expect(cy.locator("h1")).to_contain_text("换班申请")
    cy.get_by_role("button", name="接受").click()
    expect(cy.get_by_test_id("swap-status")).to_have_text("已接受，待组长审批")
    _rules_read_in_chinese(cy)

    # Tina, Billing's team lead, approves.
    tina = _chinese(browser, live_asgi, floor.tina)
    tina.goto(f"{base}/swaps/{swap.pk}/")
    expect(tina.get_by_test_id("swap-status")).to_have_text("已接受，待组长审批")
    tina.get_by_role("button", name="批准").click()
    expect(tina.get_by_test_id("swap-status")).to_have_text("已批准")
    expect(tina.locator("nav.subnav")).to_contain_text("请假")

    # The shifts changed hands: each schedule, in Chinese, shows the other's former shift.
    ann.goto(f"{base}/my-schedule/")
    expect(ann.locator("h1")).to_have_text("我的排班")
    expect(ann.get_by_test_id(f"my-shift-{floor.day4:%Y-%m-%d}")).to_be_visible()
    expect(ann.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")).to_have_count(0)
    cy.goto(f"{base}/my-schedule/")
    expect(cy.get_by_test_id(f"my-shift-{floor.day3:%Y-%m-%d}")).to_be_visible()
    expect(cy.get_by_test_id(f"my-shift-{floor.day4:%Y-%m-%d}")).to_have_count(0)
    assert Shift.objects.get(pk=floor.ann_shift.pk).agent == floor.cy_agent
    assert Shift.objects.get(pk=floor.cy_shift.pk).agent == floor.ann_agent
    assert SwapRequest.objects.get(pk=swap.pk).status == SwapStatus.APPROVED
