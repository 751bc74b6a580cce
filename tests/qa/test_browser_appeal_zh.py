"""In Debian's Chromium, in Simplified Chinese: an appeal the panel re-scores and the senior
supervisor decides in part (4/5 on an item scored 3/5), counted in the agent's report."""

import re

import pytest
from playwright.sync_api import expect

from tests.conftest import browser_login

pytestmark = [pytest.mark.browser]


def as_user(page, live, username):
    page.context.clear_cookies()
    browser_login(page, live.url, username)


@pytest.fixture
def zh_page(browser):
    """A browser asking for Chinese (zh-CN), as a floor in mainland China would."""
    context = browser.new_context(viewport={"width": 1400, "height": 900}, locale="zh-CN")
    context.set_default_timeout(15_000)
    page = context.new_page()
    try:
        yield page
    finally:
        context.close()


def test_an_appeal_decided_in_part_reads_in_chinese_from_filing_to_the_agents_report(
    live_asgi, cast, world, ann_evaluation, zh_page
):
    from agents import services as agent_services

    page = zh_page
    for user in (cast.ann, cast.tina, cast.quinn, cast.sam):
        agent_services.user_language_set(user=user, language="zh-hans")
    answer = world.crit["correct_answer"]  # scored 3 / 5

    # Ann appeals the 3/5 on "Correct answer".
    as_user(page, live_asgi, "ann")
    page.goto(f"{live_asgi.url}/qa/evaluations/{ann_evaluation.pk}/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-hans")
    expect(page.get_by_test_id("score")).to_have_text("61.11")
    page.get_by_test_id(f"appeal-check-{answer.pk}").check()
    page.get_by_test_id(f"appeal-reason-{answer.pk}").fill("报价的费用符合资费表。")
    expect(page.get_by_test_id("file-appeal")).to_have_text("提交申诉")
    page.get_by_test_id("file-appeal").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("等待组长初审")
    appeal_url = page.url
    assert re.search(r"/qa/appeals/\d+/$", appeal_url)

    # Tina, her team lead, accepts it for the panel.
    as_user(page, live_asgi, "tina")
    page.goto(appeal_url)
    page.get_by_test_id("accept").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("三方评审小组审理中")

    # The three panel members each propose points, with a reason.
    for username, points, reason in (
        ("tina", "4", "费用正确，但语气生硬。"),
        ("quinn", "5", "答复完全正确。"),
        ("sam", "3", "未说明费用生效日期。"),
    ):
        as_user(page, live_asgi, username)
        page.goto(appeal_url)
        form = page.get_by_test_id("proposal-form")
        expect(form).to_contain_text("你的建议分数")
        page.get_by_test_id("propose-points-correct-answer").select_option(points)
        page.get_by_test_id("propose-reason-correct-answer").fill(reason)
        page.get_by_test_id("give-proposals").click()
        expect(page.locator(".messages")).to_contain_text("建议分数已记录")

    # Sam, the senior supervisor on the panel, sees the three proposals and decides 4 / 5.
    proposals = page.get_by_test_id("proposals-correct-answer")
    expect(proposals).to_contain_text("组长: 4 / 5 — 费用正确，但语气生硬。")
    expect(proposals).to_contain_text("质检员: 5 / 5 — 答复完全正确。")
    expect(proposals).to_contain_text("上级主管: 3 / 5 — 未说明费用生效日期。")
    choice = page.get_by_test_id("decision-points-correct-answer")
    expect(choice.locator("option[value='4']")).to_have_text("4 / 5 — 退回部分扣分：申诉部分成立")
    choice.select_option("4")
    page.get_by_test_id("decision-reason-correct-answer").fill("费用正确，语气扣一分。")
    page.get_by_test_id("decide").click()
    expect(page.get_by_test_id("appeal-status")).to_have_text("已裁决")
    # 100 × (0.5 + 2 × 7/9) / 3: the scorecard's formula with 4 / 5.
    expect(page.get_by_test_id("score-after")).to_have_text("68.52")

    # Ann reads the outcome and the history: each proposal and the decision.
    as_user(page, live_asgi, "ann")
    page.goto(appeal_url)
    expect(page.get_by_test_id("item-correct-answer")).to_contain_text("申诉部分成立")
    expect(page.get_by_test_id("item-correct-answer")).to_contain_text("3 / 5 → 4")
    history = page.get_by_test_id("history")
    expect(history).to_contain_text("上级主管已裁决")
    expect(history.locator("li", has_text="评审小组建议分数")).to_have_count(3)
    for line in (
        "Correct answer: 4 / 5 — 费用正确，但语气生硬。",
        "Correct answer: 5 / 5 — 答复完全正确。",
        "Correct answer: 3 / 5 — 未说明费用生效日期。",
        "Correct answer: 4 / 5, 申诉部分成立 — 费用正确，语气扣一分。",
    ):
        expect(history).to_contain_text(line)
    page.goto(f"{live_asgi.url}/qa/evaluations/{ann_evaluation.pk}/")
    expect(page.get_by_test_id("score")).to_have_text("68.52")

    # Her report counts the appeal as partly upheld.
    page.goto(f"{live_asgi.url}/reports/agents/{cast.ann_agent.pk}/")
    table = page.get_by_test_id("report-table")
    expect(table.locator("th[data-col='appeals_partly_upheld']")).to_have_text("申诉部分成立数")
    total = table.locator("tr[data-row='合计']")
    expect(total.locator("td[data-col='appeals_filed']")).to_have_text("1")
    expect(total.locator("td[data-col='appeals_partly_upheld']")).to_have_text("1")
    expect(total.locator("td[data-col='appeals_upheld']")).to_have_text("0")
    expect(total.locator("td[data-col='appeals_rejected']")).to_have_text("0")
    evaluator = table.locator("tr[data-group='按评分人统计申诉']")
    expect(evaluator).to_contain_text("Quincy Second")
    expect(evaluator.locator("td[data-col='appeals_partly_upheld']")).to_have_text("1")
