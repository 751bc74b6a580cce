"""The agent and team reports show coaching and training beside QA scores, and the agent
report's XLSX export has them."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from qa.coaching import services as coaching
from qa.models import CoachingAction
from qa.services import local_today
from scheduling.training import services as training
from scheduling.training.models import TrainingCourse

pytestmark = pytest.mark.django_db

COLUMNS = {
    "coaching_sessions": "Coaching sessions",
    "coaching_actions_done": "Coaching actions done",
    "coaching_actions_not_done": "Coaching actions not done",
    "coaching_actions_overdue": "Coaching actions overdue",
    "training_attended": "Training sessions attended",
    "training_absent": "Training sessions missed",
    "training_overdue": "Training overdue",
}


@pytest.fixture
def development(cast, world, ann_evaluation):
    """Ann: two coaching sessions this week (actions: one done, one not done, one overdue); one
    training session attended, one missed, one assigned training overdue. Bob: one missed."""
    today = local_today()
    first = coaching.coaching_create(
        coach=cast.tina,
        evaluation=ann_evaluation,
        topic="Greeting",
        actions=[
            {"text": "Name the company", "due_on": today},
            {"text": "Use the script", "due_on": today},
        ],
    )
    done, not_done = first.actions.all()
    coaching.coaching_follow_up(
        session=first,
        actor=cast.tina,
        outcomes={
            done.pk: {"outcome": "done"},
            not_done.pk: {"outcome": "not_done", "note": "No call of that kind."},
        },
    )
    second = coaching.coaching_create(
        coach=cast.quinn,
        agent=cast.ann_agent,
        topic="Hold time",
        actions=[{"text": "Hold under a minute", "due_on": today}],
    )
    CoachingAction.objects.filter(session=second).update(due_on=today - timedelta(days=1))
    # Bob's session last month counts in no report of this week.
    old = coaching.coaching_create(
        coach=cast.tom,
        agent=cast.bob_agent,
        topic="Old",
        actions=[{"text": "x", "due_on": today}],
    )
    old.held_at = timezone.now() - timedelta(days=40)
    old.save(update_fields=["held_at"])

    now = timezone.now()
    course = training.training_course_create(actor=cast.sam, title="Cards product")
    training.training_invite(actor=cast.sam, course=course, agents=[cast.ann_agent, cast.bob_agent])
    live = training.training_session_add(
        actor=cast.sam,
        course=course,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=50),
        place="Room 3",
    )
    earlier = training.training_session_add(
        actor=cast.sam,
        course=course,
        starts_at=now - timedelta(hours=3),
        ends_at=now - timedelta(hours=2),
        place="Room 3",
    )
    training.training_check_in(session=live, user=cast.ann)
    training.training_mark_attendance(
        actor=cast.sam, session=earlier, agent=cast.ann_agent, present=False
    )
    training.training_mark_attendance(
        actor=cast.sam, session=earlier, agent=cast.bob_agent, present=False
    )
    assigned = training.training_course_create(actor=cast.tina, title="New tariff")
    training.training_assign(actor=cast.tina, course=assigned, team=cast.billing, due_by=today)
    TrainingCourse.objects.filter(pk=assigned.pk).update(due_by=today - timedelta(days=1))


def _week():
    today = local_today()
    return reports.ReportRange(today - timedelta(days=6), today)


def test_the_agent_report_counts_coaching_and_training(cast, development):
    report = agent_reports.agent_report(agent=cast.ann_agent, span=_week())
    keys = [c.key for c in report.columns]
    assert set(COLUMNS) <= set(keys) and "qa_average" in keys
    total = report.rows[-1]
    assert {k: total[k] for k in COLUMNS} == {
        "coaching_sessions": 2,
        "coaching_actions_done": 1,
        "coaching_actions_not_done": 1,
        "coaching_actions_overdue": 1,
        "training_attended": 1,
        "training_absent": 1,
        "training_overdue": 1,
    }

    sheet = load_workbook(io.BytesIO(report_exports.as_xlsx(report))).active
    titles = [c.value for c in sheet[1]]
    for key, title in COLUMNS.items():
        cell = sheet.cell(row=sheet.max_row, column=titles.index(title) + 1)
        assert cell.value == total[key], title


def test_the_team_report_sums_its_agents(cast, development):
    report = agent_reports.team_report(team=cast.billing, span=_week())
    total = report.rows[-1]
    assert total["coaching_sessions"] == 2 and total["training_attended"] == 1
    cards = agent_reports.team_report(team=cast.cards, span=_week())
    assert cards.rows[-1]["coaching_sessions"] == 0  # bob's session was last month
    assert cards.rows[-1]["training_absent"] == 1
