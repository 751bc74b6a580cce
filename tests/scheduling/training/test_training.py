"""Training: each transition allowed for the right person, refused for the wrong one, audited
with a sentence; check-in inside its window; training due on the agent's and lead's pages."""

from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from agents.models import AuditEntry
from callfloor.errors import DomainError
from callfloor.history import describe, has_phrase
from callfloor.zone import site_zone
from scheduling.training import selectors, services
from scheduling.training.models import AttendanceHow, TrainingAttendance

pytestmark = pytest.mark.django_db


def _today():
    return timezone.localdate(timezone=site_zone())


def _actions(course):
    return list(
        AuditEntry.objects.filter(object_type="scheduling.trainingcourse", object_id=str(course.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def course(cast):
    return services.training_course_create(
        actor=cast.tina, title="New card product", kind="new_business"
    )


@pytest.fixture
def live_session(cast, course):
    now = timezone.now()
    return services.training_session_add(
        actor=cast.tina,
        course=course,
        starts_at=now - timedelta(minutes=5),
        ends_at=now + timedelta(hours=1),
        place="Room 3",
        trainer=cast.quinn,
    )


def test_leads_plan_courses_and_agents_and_analysts_do_not(cast):
    for user in (cast.ann, cast.quinn):
        with pytest.raises(DomainError) as refused:
            services.training_course_create(actor=user, title="x")
        assert refused.value.status_code == 403
    with pytest.raises(DomainError) as refused:
        services.training_course_create(actor=cast.tina, title=" ", kind="nonsense")
    assert set(refused.value.fields) == {"title", "kind"}
    course = services.training_course_create(actor=cast.sam, title="Refresher")
    assert _actions(course) == ["training.course_created"]
    assert describe("training.course_created") == "Created the training course"


def test_a_session_needs_its_times_and_a_place_or_a_web_link(cast, course):
    now = timezone.now()
    with pytest.raises(DomainError) as refused:
        services.training_session_add(
            actor=cast.tina,
            course=course,
            starts_at=now,
            ends_at=now - timedelta(hours=1),
            link="javascript:alert(1)",
        )
    assert set(refused.value.fields) == {"ends_at", "link"}
    with pytest.raises(DomainError) as refused:
        services.training_session_add(
            actor=cast.tina, course=course, starts_at=now, ends_at=None, place=" "
        )
    assert set(refused.value.fields) == {"ends_at", "place"}
    with pytest.raises(DomainError) as refused:
        services.training_session_add(
            actor=cast.tom, course=course, starts_at=now, ends_at=now, place="x"
        )
    assert refused.value.status_code == 403  # another team's lead, not the course's
    session = services.training_session_add(
        actor=cast.tina,
        course=course,
        starts_at=now,
        ends_at=now + timedelta(hours=1),
        link="https://meet.example.com/cards",
    )
    assert session.link == "https://meet.example.com/cards"
    assert _actions(course) == ["training.course_created", "training.session_added"]


@pytest.mark.parametrize(
    "url", ["javascript:alert(1)", "ftp://files.example.com/x", "data:text/html,hi", "example.com"]
)
def test_material_links_are_http_or_https(cast, course, url):
    with pytest.raises(DomainError) as refused:
        services.training_material_add(actor=cast.tina, course=course, title="Deck", url=url)
    assert set(refused.value.fields) == {"url"}


def test_material_is_added_and_audited(cast, course):
    material = services.training_material_add(
        actor=cast.tina, course=course, title="Deck", url="https://wiki.example.com/deck"
    )
    entry = AuditEntry.objects.get(action="training.material_added")
    assert describe(entry.action, entry.data) == "Added the material Deck"
    assert material.url == "https://wiki.example.com/deck"


def test_invitations_one_by_one_or_a_team_count_once(cast, course):
    with pytest.raises(DomainError) as refused:
        services.training_invite(actor=cast.tina, course=course, agents=[cast.bob_agent])
    assert "agents" in refused.value.fields  # bob is in Cards, not tina's team
    invited = services.training_invite(actor=cast.tina, course=course, team=cast.billing)
    assert invited == [cast.ann_agent]
    assert services.training_invite(actor=cast.tina, course=course, agents=[cast.ann_agent]) == []
    assert course.invites.count() == 1
    assert cast.ann.notifications.filter(kind="training.invited").count() == 1
    entry = AuditEntry.objects.filter(action="training.invited").order_by("id").first()
    assert describe(entry.action, entry.data) == "Invited 1 agent"
    services.training_invite(actor=cast.sam, course=course, agents=[cast.bob_agent])
    assert course.invites.count() == 2


def test_check_in_only_invited_and_inside_the_window(cast, course, live_session):
    with pytest.raises(DomainError) as refused:
        services.training_check_in(session=live_session, user=cast.ann)
    assert refused.value.status_code == 403  # not invited yet
    services.training_invite(actor=cast.tina, course=course, team=cast.billing)
    row = services.training_check_in(session=live_session, user=cast.ann)
    again = services.training_check_in(session=live_session, user=cast.ann)
    assert row.pk == again.pk and row.how == AttendanceHow.CHECK_IN and row.present
    assert AuditEntry.objects.filter(action="training.checked_in").count() == 1  # counts once
    later = services.training_session_add(
        actor=cast.tina,
        course=course,
        starts_at=timezone.now() + timedelta(hours=2),
        ends_at=timezone.now() + timedelta(hours=3),
        place="Room 3",
    )
    with pytest.raises(DomainError) as refused:
        services.training_check_in(session=later, user=cast.ann)
    assert refused.value.fields == {
        "session": ["Check in from 15 minutes before the session starts until it ends."]
    }


def test_the_trainer_or_the_lead_marks_attendance(cast, course, live_session):
    services.training_invite(actor=cast.sam, course=course, agents=[cast.ann_agent, cast.bob_agent])
    with pytest.raises(DomainError) as refused:
        services.training_mark_attendance(
            actor=cast.tom, session=live_session, agent=cast.ann_agent, present=True
        )
    assert refused.value.status_code == 403  # another team's lead
    with pytest.raises(DomainError) as refused:
        services.training_mark_attendance(
            actor=cast.bob, session=live_session, agent=cast.ann_agent, present=True
        )
    assert refused.value.status_code == 403
    services.training_mark_attendance(
        actor=cast.quinn, session=live_session, agent=cast.bob_agent, present=False
    )  # the trainer
    services.training_mark_attendance(
        actor=cast.tina, session=live_session, agent=cast.ann_agent, present=True
    )
    marks = {
        row.agent_id: row.present for row in TrainingAttendance.objects.filter(session=live_session)
    }
    assert marks == {cast.ann_agent.pk: True, cast.bob_agent.pk: False}
    sentences = [
        describe(e.action, e.data)
        for e in AuditEntry.objects.filter(action="training.attendance_marked").order_by("id")
    ]
    assert sentences == ["Marked Bob Agent absent", "Marked Ann Agent present"]


def test_assigned_training_is_due_then_overdue_until_attended(cast, course, live_session):
    with pytest.raises(DomainError) as refused:
        services.training_assign(actor=cast.tina, course=course, team=cast.cards, due_by=_today())
    assert refused.value.status_code == 403
    with pytest.raises(DomainError) as refused:
        services.training_assign(
            actor=cast.tina, course=course, team=cast.billing, due_by=_today() - timedelta(days=1)
        )
    assert "due_by" in refused.value.fields
    services.training_assign(
        actor=cast.tina, course=course, team=cast.billing, due_by=_today() + timedelta(days=3)
    )
    entry = AuditEntry.objects.get(action="training.assigned")
    due = (_today() + timedelta(days=3)).isoformat()
    assert describe(entry.action, entry.data) == f"Assigned the training to Billing, due by {due}"
    [row] = selectors.training_due_for_agent(cast.ann_agent)
    assert row.course == course and not row.overdue
    assert [d.agent_name for d in selectors.training_due_for_lead(cast.tina)] == ["Ann Agent"]
    assert selectors.training_due_for_lead(cast.tom) == []

    course.due_by = _today() - timedelta(days=1)
    course.save(update_fields=["due_by"])
    client = Client()
    client.force_login(cast.ann)
    html = client.get("/quality/").content.decode()
    strip = html.split('data-testid="training-due"', 1)[1].split("</section>", 1)[0]
    assert "New card product" in strip and 'data-testid="training-overdue"' in strip
    client.force_login(cast.tina)
    html = client.get("/handovers/").content.decode()
    strip = html.split('data-testid="training-due"', 1)[1].split("</section>", 1)[0]
    assert "Ann Agent" in strip and 'data-testid="training-overdue"' in strip

    services.training_check_in(session=live_session, user=cast.ann)
    assert selectors.training_due_for_agent(cast.ann_agent) == []


def test_every_training_action_has_a_phrase():
    for action in (
        "training.course_created",
        "training.session_added",
        "training.material_added",
        "training.invited",
        "training.assigned",
        "training.checked_in",
        "training.attendance_marked",
    ):
        assert has_phrase(action), action
