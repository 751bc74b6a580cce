"""The demo floor's rotation and recognition: this week's reviewer, last week's peer review,
this month's nominations (called by `seed_quality_demo`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from agents import demo
from agents.models import Agent
from metrics.models import Outcome, QueueCall
from metrics.recordings.demo import demo_recordings_seed
from qa import services
from qa.models import CriterionKind
from qa.recognition import services as recognition
from qa.rotation import services as rotation

WORDS = {
    "en": {
        "comment": "You kept calm and summed up the fix at the end. Next time, offer the app.",
        "nominate": "Took my callers when my line failed and never let one wait.",
        "nominate_back": "Explains the new tariff better than our wiki.",
    },
    "zh-hans": {
        "comment": "语气平稳，结尾复述了解决方案。下次可以顺便推荐一下手机App。",
        "nominate": "我的线路故障时主动接了我的来电，没让客户多等一秒。",
        "nominate_back": "讲新资费比我们的知识库还清楚。",
    },
    "zh-hant": {
        "comment": "語氣平穩，結尾複述了解決方案。下次可以順便推薦一下手機App。",
        "nominate": "我的線路故障時主動接了我的來電，沒讓客戶多等一秒。",
        "nominate_back": "講新資費比我們的知識庫還清楚。",
    },
}

GOOD = {"listening": 5, "clarity": 4, "solution": 5, "courtesy": 5}


def seed(*, agent: Agent, lead, evaluator, version, queue, source) -> None:
    """`agent` reviews a teammate's call this week; the teammate reviewed theirs last week."""
    words = WORDS.get(settings.LANGUAGE_CODE, WORDS["en"])
    mate = (
        Agent.objects.filter(team=agent.team, active=True).exclude(pk=agent.pk).order_by("pk")
    ).first()
    if mate is None:
        return
    now = timezone.now()
    call = QueueCall.objects.create(
        source=source,
        call_id="demo-peer-1",
        queue=queue,
        offered_at=now - timedelta(days=2),
        outcome=Outcome.ANSWERED,
        wait_s=12,
        agent=mate,
        answered_at=now - timedelta(days=2) + timedelta(seconds=12),
        talk_s=240,
        ended_at=now - timedelta(days=2) + timedelta(seconds=252),
        recording_id="REC-9100",
    )
    # Its recording too, so that the reviewer hears the call they review.
    demo_recordings_seed(
        source=source, calls=[call], directory=Path(settings.CALLFLOOR_RECORDINGS_DEMO_DIR)
    )
    evaluation = services.evaluation_create(
        evaluator=evaluator, scorecard_version=version, call=call
    )
    # Full marks but one point of a scale item, with the floor's own deduction comment.
    deducted = version.criteria().filter(kind=CriterionKind.SCALE).first()
    answers = {str(c.pk): {"points": c.max_points, "comment": ""} for c in version.criteria()}
    if deducted is not None:
        answers[str(deducted.pk)] = {
            "points": deducted.max_points - 1,
            "comment": demo.text()["deduction_comment"],
        }
    services.evaluation_set_answers(evaluation=evaluation, actor=evaluator, answers=answers)
    services.evaluation_release(evaluation=evaluation, actor=evaluator)

    this_monday = rotation.monday_of(services.local_today())
    # Last week the teammate heard the agent's call and left feedback.
    last_week = rotation.rotation_week_plan(
        actor=lead, reviewer=mate, week_start=this_monday - timedelta(weeks=1), calls=1
    )
    for review in last_week.reviews.all():
        rotation.peer_review_submit(
            actor=mate.user, review=review, ratings=GOOD, comment=words["comment"]
        )
    # This week the agent reviews (the teammate's call), then the team takes turns.
    rotation.rotation_week_plan(actor=lead, reviewer=agent, week_start=this_monday, calls=1)
    rotation.rotation_plan_round_robin(
        actor=lead, team=agent.team, first_week=this_monday + timedelta(weeks=1), weeks=3, calls=0
    )
    # The month's nominations: one confirmed, one waiting for the team lead.
    confirmed = recognition.peer_nomination_create(
        user=agent.user, nominee=mate, reason=words["nominate_back"]
    )
    recognition.peer_nomination_confirm(actor=lead, nomination=confirmed)
    recognition.peer_nomination_create(user=mate.user, nominee=agent, reason=words["nominate"])
