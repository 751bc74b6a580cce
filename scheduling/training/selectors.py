"""Training reads: the courses a person sees, the training due on the agent's and the team
lead's pages, and the figures of the agent and team reports."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.db.models import Count, Exists, OuterRef
from django.utils import timezone

from agents.access import agent_of, has_role, teams_led_by
from agents.roles import STAFF_ROLES
from callfloor.zone import site_zone
from scheduling.training.models import (
    TrainingAttendance,
    TrainingCourse,
    TrainingInvite,
    TrainingSession,
)


def courses_visible_to(user):
    courses = TrainingCourse.objects.select_related("team", "created_by").annotate(
        invited=Count("invites", distinct=True), session_count=Count("sessions", distinct=True)
    )
    if has_role(user, *STAFF_ROLES):
        return courses
    own = agent_of(user)
    if own is None:
        return courses.none()
    return courses.filter(invites__agent=own)


def upcoming_sessions_for(agent):
    """The sessions of the courses `agent` is invited to that have not ended, soonest first."""
    return (
        TrainingSession.objects.filter(course__invites__agent=agent, ends_at__gte=timezone.now())
        .select_related("course", "trainer")
        .order_by("starts_at")
    )


@dataclass(frozen=True)
class Due:
    course: TrainingCourse
    agent_name: str
    due_by: date
    overdue: bool


def _due(invites) -> list[Due]:
    attended = TrainingAttendance.objects.filter(
        session__course=OuterRef("course"), agent=OuterRef("agent"), present=True
    )
    today = timezone.localdate(timezone=site_zone())
    rows = (
        invites.filter(course__due_by__isnull=False)
        .annotate(done=Exists(attended))
        .filter(done=False)
        .select_related("course", "agent")
        .order_by("course__due_by", "agent__display_name")
    )
    return [
        Due(
            course=i.course,
            agent_name=i.agent.display_name,
            due_by=i.course.due_by,
            overdue=i.course.due_by < today,
        )
        for i in rows[:100]
    ]


def training_due_for_agent(agent) -> list[Due]:
    """Assigned training `agent` has not attended yet (overdue after its date)."""
    if agent is None:
        return []
    return _due(TrainingInvite.objects.filter(agent=agent))


def training_due_for_lead(user) -> list[Due]:
    """The same for the agents of the teams `user` leads."""
    return _due(TrainingInvite.objects.filter(agent__team__in=teams_led_by(user)))


def _empty() -> dict:
    return {"training_attended": 0, "training_absent": 0, "training_overdue": 0}


def agent_report_training(*, agents, start, end) -> dict:
    """The report's training columns per agent (and under None, for all `agents`): sessions
    starting in [start, end) attended and marked absent, and assigned training whose date fell
    in the range (before today) that the agent had not attended."""
    agent_ids = [a.pk for a in agents]
    figures: dict = {pk: _empty() for pk in agent_ids}
    figures[None] = _empty()

    def add(agent_id, key, n=1):
        figures[agent_id][key] += n
        figures[None][key] += n

    rows = (
        TrainingAttendance.objects.filter(
            agent_id__in=agent_ids, session__starts_at__gte=start, session__starts_at__lt=end
        )
        .values("agent", "present")
        .annotate(n=Count("id"))
    )
    for row in rows:
        add(row["agent"], "training_attended" if row["present"] else "training_absent", row["n"])
    zone = site_zone()
    last = min(end.astimezone(zone).date(), timezone.localdate(timezone=zone))
    attended = TrainingAttendance.objects.filter(
        session__course=OuterRef("course"),
        agent=OuterRef("agent"),
        present=True,
    )
    overdue = (
        TrainingInvite.objects.filter(
            agent_id__in=agent_ids,
            course__due_by__gte=start.astimezone(zone).date(),
            course__due_by__lt=last,
        )
        .annotate(done=Exists(attended))
        .filter(done=False)
    )
    for agent_id in overdue.values_list("agent", flat=True):
        add(agent_id, "training_overdue")
    return figures


def visible_invites(user, course):
    """The course's invitations whose agents `user` reads (an agent: their own)."""
    from agents.access import readable_agents_q

    invites = course.invites.select_related("agent__team")
    readable = readable_agents_q(user, prefix="agent__")
    return invites if readable is None else invites.filter(readable)


__all__ = [
    "Due",
    "agent_report_training",
    "courses_visible_to",
    "training_due_for_agent",
    "training_due_for_lead",
    "upcoming_sessions_for",
    "visible_invites",
]
