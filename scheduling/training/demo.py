"""Demo training (run by `seed_scheduling_demo`): new-business training assigned to the first
team, with a session starting soon (to check in to), one tomorrow by link and a material link;
and an on-the-job refresher held yesterday with its attendance."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils import timezone

from callfloor.zone import site_zone

TEXT = {
    "en": {
        "new_title": "New credit card: features and fees",
        "new_description": "What changes for customers from next month, and how to explain it.",
        "room": "Training room 2",
        "material": "Product sheet",
        "refresher": "On-the-job refresher: complaint handling",
    },
    "zh-hans": {
        "new_title": "新信用卡：功能与费用",
        "new_description": "下月起客户有哪些变化，以及如何向客户解释。",
        "room": "二号培训室",
        "material": "产品说明",
        "refresher": "在岗复训：投诉处理",
    },
    "zh-hant": {
        "new_title": "新信用卡：功能與費用",
        "new_description": "下月起客戶有哪些變化，以及如何向客戶說明。",
        "room": "二號培訓室",
        "material": "產品說明",
        "refresher": "在職複訓：投訴處理",
    },
}


def seed_training(teams) -> str:
    from scheduling.training import services
    from scheduling.training.models import TrainingCourse

    words = TEXT.get(settings.LANGUAGE_CODE, TEXT["en"])
    if TrainingCourse.objects.filter(title=words["new_title"]).exists() or not teams:
        return "Training demo data is there already."
    User = get_user_model()
    supervisor = User.objects.filter(username="supervisor").first()
    trainer = User.objects.filter(username="qa").first()
    team = teams[0]
    lead = team.lead or supervisor
    if lead is None:
        return "No team lead or supervisor for the training demo."
    now = timezone.now()
    today = timezone.localdate(timezone=site_zone())
    course = services.training_course_create(
        actor=lead,
        title=words["new_title"],
        kind="new_business",
        description=words["new_description"],
    )
    services.training_session_add(
        actor=lead,
        course=course,
        starts_at=now + timedelta(minutes=10),
        ends_at=now + timedelta(minutes=70),
        place=words["room"],
        trainer=trainer,
    )
    services.training_session_add(
        actor=lead,
        course=course,
        starts_at=now + timedelta(days=1),
        ends_at=now + timedelta(days=1, hours=1),
        link="https://meet.example.com/new-card",
        trainer=trainer,
    )
    services.training_material_add(
        actor=lead, course=course, title=words["material"], url="https://wiki.example.com/new-card"
    )
    services.training_assign(actor=lead, course=course, team=team, due_by=today + timedelta(days=4))

    refresher = services.training_course_create(
        actor=lead, title=words["refresher"], kind="on_the_job"
    )
    agents = list(team.agents.filter(active=True).order_by("pk")[:4])
    services.training_invite(actor=lead, course=refresher, agents=agents)
    held = services.training_session_add(
        actor=lead,
        course=refresher,
        starts_at=now - timedelta(days=1, hours=2),
        ends_at=now - timedelta(days=1, hours=1),
        place=words["room"],
        trainer=lead,
    )
    for index, agent in enumerate(agents):
        services.training_mark_attendance(
            actor=lead, session=held, agent=agent, present=index != len(agents) - 1
        )
    return "Training: new-business course assigned to the first team, a refresher held yesterday."
