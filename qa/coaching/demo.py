"""Demo coaching (run by `seed_quality_demo`): the team lead coached the demo agent on a
released evaluation (one action overdue, acknowledged), and a session on its own followed up."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.utils import timezone

TEXT = {
    "en": {
        "topic": "Greeting with the company name",
        "notes": "We listened to the first ten seconds together.",
        "actions": ["Say the company name in the first sentence", "Re-listen to two greetings"],
        "comment": "Agreed; the line was noisy that day.",
        "own_topic": "Hold time on card blocks",
        "own_actions": ["Block the card before checking the history"],
        "own_note": "Hold under a minute on four calls.",
    },
    "zh-hans": {
        "topic": "开场白报公司名称",
        "notes": "我们一起重听了录音的前十秒。",
        "actions": ["第一句话报出公司名称", "重听两段开场白录音"],
        "comment": "同意，那天线路有杂音。",
        "own_topic": "挂失时的保持时长",
        "own_actions": ["先挂失，再查询交易记录"],
        "own_note": "四通电话保持时长都在一分钟内。",
    },
    "zh-hant": {
        "topic": "開場白報公司名稱",
        "notes": "我們一起重聽了錄音的前十秒。",
        "actions": ["第一句話報出公司名稱", "重聽兩段開場白錄音"],
        "comment": "同意，那天線路有雜音。",
        "own_topic": "掛失時的保持時長",
        "own_actions": ["先掛失，再查詢交易紀錄"],
        "own_note": "四通電話保持時長都在一分鐘內。",
    },
}


def seed_coaching(*, lead, qa, agent, evaluation) -> None:
    from qa.coaching import services
    from qa.services import local_today

    words = TEXT.get(settings.LANGUAGE_CODE, TEXT["en"])
    if evaluation is not None:
        _from_evaluation(lead=lead, agent=agent, evaluation=evaluation, words=words)
    own = services.coaching_create(
        coach=qa,
        agent=agent,
        topic=words["own_topic"],
        actions=[{"text": words["own_actions"][0], "due_on": local_today()}],
    )
    own.held_at = timezone.now() - timedelta(days=6)
    own.save(update_fields=["held_at"])
    services.coaching_acknowledge(session=own, actor=agent.user)
    services.coaching_follow_up(
        session=own,
        actor=qa,
        outcomes={a.pk: {"outcome": "done", "note": words["own_note"]} for a in own.actions.all()},
    )


def _from_evaluation(*, lead, agent, evaluation, words) -> None:
    from qa.coaching import services
    from qa.models import CoachingAction
    from qa.services import local_today

    today = local_today()
    deducted = [
        c
        for c in evaluation.scorecard_version.criteria()
        if (evaluation.answers.get(str(c.pk)) or {}).get("points") not in (None, c.max_points)
    ]
    session = services.coaching_create(
        coach=lead,
        evaluation=evaluation,
        topic=words["topic"],
        notes=words["notes"],
        criteria=deducted,
        actions=[
            {"text": words["actions"][0], "due_on": today + timedelta(days=5)},
            {"text": words["actions"][1], "due_on": today},
        ],
    )
    # The second action fell due two days ago (demo history): it shows as overdue.
    CoachingAction.objects.filter(session=session, position=1).update(
        due_on=today - timedelta(days=2)
    )
    services.coaching_acknowledge(session=session, actor=agent.user, comment=words["comment"])
