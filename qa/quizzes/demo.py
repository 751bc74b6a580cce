"""The demo's monthly tests: a topic with questions, two past tests with results (last month
and this one) and one open now, for the agents of the demo user's team.

The questions are data, as a centre would type them (in the demo's language), not interface
text: they are not translated.
"""

from __future__ import annotations

import random
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from agents.models import Agent
from qa.models import Quiz, QuizQuestion, QuizStatus, QuizTopic
from qa.quizzes import services

TEXT = {
    "en": {
        "topic": "Billing rules",
        "about": "Invoices, refunds and identifying the caller.",
        "past": ["October test: billing rules", "November test: billing rules"],
        "open": "December test: billing rules",
        "questions": [
            (
                "single",
                "When does the monthly invoice go out?",
                ["On the 1st", "On the 15th", "On request"],
                [0],
                "Invoices go out on the 1st of each month.",
            ),
            (
                "multiple",
                "Which two facts identify a caller before any account detail?",
                ["Date of birth", "Postcode", "Favourite colour", "Last payment amount"],
                [0, 3],
                "Two security questions: date of birth and the last payment.",
            ),
            (
                "true_false",
                "A refund over 500 needs a supervisor's approval.",
                [],
                [0],
                "Refunds over 500 go to the supervisor on duty.",
            ),
            (
                "single",
                "A caller disputes a late fee for the first time. What do you do?",
                ["Refuse", "Waive it once and note it", "Transfer to Cards"],
                [1],
                "The first late fee in a year is waived once.",
            ),
            (
                "true_false",
                "You may read the full card number back to the caller.",
                [],
                [1],
                "Only the last four digits.",
            ),
        ],
    },
    "zh-hans": {
        "topic": "账单规则",
        "about": "账单、退款与来电身份核实。",
        "past": ["十月测验：账单规则", "十一月测验：账单规则"],
        "open": "十二月测验：账单规则",
        "questions": [
            (
                "single",
                "月度账单在什么时候发出？",
                ["每月1日", "每月15日", "客户要求时"],
                [0],
                "账单在每月1日发出。",
            ),
            (
                "multiple",
                "在透露任何账户信息前，哪两项用于核实来电者身份？",
                ["出生日期", "邮政编码", "最喜欢的颜色", "最近一次还款金额"],
                [0, 3],
                "两个安全问题：出生日期和最近一次还款。",
            ),
            (
                "true_false",
                "超过500元的退款需要值班主管批准。",
                [],
                [0],
                "超过500元的退款交值班主管审批。",
            ),
            (
                "single",
                "客户首次对滞纳金提出异议，你应该怎么做？",
                ["拒绝", "减免一次并备注", "转信用卡组"],
                [1],
                "一年内首次滞纳金可减免一次。",
            ),
            ("true_false", "可以向客户完整复述银行卡号。", [], [1], "只能复述后四位。"),
        ],
    },
    "zh-hant": {
        "topic": "帳單規則",
        "about": "帳單、退款與來電身分核實。",
        "past": ["十月測驗：帳單規則", "十一月測驗：帳單規則"],
        "open": "十二月測驗：帳單規則",
        "questions": [
            (
                "single",
                "月結帳單在什麼時候寄出？",
                ["每月1日", "每月15日", "客戶要求時"],
                [0],
                "帳單於每月1日寄出。",
            ),
            (
                "multiple",
                "在透露任何帳戶資料前，哪兩項用來核實來電者身分？",
                ["出生日期", "郵遞區號", "最喜歡的顏色", "最近一次繳款金額"],
                [0, 3],
                "兩個安全問題：出生日期與最近一次繳款。",
            ),
            (
                "true_false",
                "超過500元的退款須由值班主管核准。",
                [],
                [0],
                "超過500元的退款交由值班主管核准。",
            ),
            (
                "single",
                "客戶首次對逾期手續費提出異議，你該怎麼做？",
                ["拒絕", "減免一次並備註", "轉信用卡組"],
                [1],
                "一年內首次逾期手續費可減免一次。",
            ),
            ("true_false", "可以向客戶完整覆誦信用卡號。", [], [1], "只能覆誦末四碼。"),
        ],
    },
}


def seed(*, qa, agent: Agent) -> bool:
    """Add the demo tests (once); False when they are there already."""
    words = TEXT.get(settings.LANGUAGE_CODE, TEXT["en"])
    if QuizTopic.objects.filter(name=words["topic"]).exists():
        return False
    topic = services.quiz_topic_create(actor=qa, name=words["topic"], description=words["about"])
    questions: list[QuizQuestion] = [
        services.quiz_question_create(
            actor=qa,
            topic=topic,
            kind=kind,
            text=text,
            choices=choices,
            correct=correct,
            explanation=explanation,
        )
        for kind, text, choices, correct, explanation in words["questions"]
    ]
    team_agents = list(Agent.objects.filter(team=agent.team, active=True))
    rng = random.Random(20)
    now = timezone.now()
    for title, days_ago in zip(words["past"], (35, 5), strict=True):
        closes = now - timedelta(days=days_ago)
        opens = closes - timedelta(days=3)
        quiz = services.quiz_create(
            actor=qa,
            title=title,
            opens_at=opens,
            closes_at=closes,
            time_limit_minutes=15,
            questions=questions,
            attempts_allowed=2,
            teams=[agent.team],
        )
        # Published back then: a test is published before it closes.
        Quiz.objects.filter(pk=quiz.pk).update(status=QuizStatus.PUBLISHED, published_at=opens)
        quiz.refresh_from_db()
        for person in team_agents:
            started = opens + timedelta(hours=rng.randint(1, 60))
            attempt = services.quiz_attempt_start(actor=person.user, quiz=quiz, now=started)
            key = {str(q.pk): q.correct for q in questions}
            # Later tests go a little better: the floor learns.
            skill = 0.55 + (0.25 if days_ago < 30 else 0) + rng.random() * 0.2
            answers = {
                qid: right if rng.random() < skill else [(right[0] + 1) % 2]
                for qid, right in key.items()
            }
            services.quiz_attempt_submit(
                actor=person.user,
                attempt=attempt,
                answers=answers,
                now=started + timedelta(minutes=rng.randint(4, 14)),
            )
    open_quiz = services.quiz_create(
        actor=qa,
        title=words["open"],
        opens_at=now - timedelta(hours=2),
        closes_at=now + timedelta(days=5),
        time_limit_minutes=15,
        questions=questions,
        attempts_allowed=2,
        teams=[agent.team],
    )
    services.quiz_publish(actor=qa, quiz=open_quiz)
    return True
