"""Training writes: a course, its sessions and materials, invitations (one by one or a whole
team), assignment to a team before a date, the agent's check-in and the lead's or trainer's
attendance mark. Each is one transaction with its audit row."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta
from urllib.parse import urlsplit

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import agent_of, has_role
from agents.models import Agent, Team
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import DomainError, Problems
from callfloor.zone import site_zone
from scheduling.access import can_manage_team
from scheduling.training import access
from scheduling.training.models import (
    AttendanceHow,
    TrainingAttendance,
    TrainingCourse,
    TrainingInvite,
    TrainingKind,
    TrainingMaterial,
    TrainingSession,
)

# An agent checks in from this long before a session starts until it ends.
CHECK_IN_EARLY = timedelta(minutes=15)


def _forbidden(message: str) -> DomainError:
    return DomainError(message, status_code=403, code="forbidden")


def _must_manage(actor, course: TrainingCourse) -> None:
    if not access.can_manage_course(actor, course):
        raise _forbidden(_("You may not change this training course."))


def clean_link(value: str, *, field: str, required: bool, problems: Problems) -> str:
    """A web link: http or https with a host, nothing else (no script or file links)."""
    value = (value or "").strip()
    if not value:
        if required:
            problems.add(field, _("Give the link."))
        return ""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        problems.add(field, _("A link starts with http:// or https:// and names a site."))
    elif len(value) > 500:
        problems.add(field, _("The link is too long."))
    return value


@transaction.atomic
def training_course_create(
    *, actor: User, title: str, kind: str = TrainingKind.OTHER, description: str = ""
) -> TrainingCourse:
    if not access.can_plan(actor):
        raise _forbidden(_("Team leads and supervisors plan training."))
    problems = Problems()
    if not title.strip():
        problems.add("title", _("Give the course a title."))
    if kind not in TrainingKind.values:
        problems.add("kind", _("Choose the kind of training."))
    problems.raise_if_any()
    course = TrainingCourse.objects.create(
        title=title.strip()[:200], kind=kind, description=description.strip(), created_by=actor
    )
    audit_record(actor=actor, action="training.course_created", target=course)
    return course


@transaction.atomic
def training_session_add(
    *,
    actor: User,
    course: TrainingCourse,
    starts_at: datetime | None,
    ends_at: datetime | None,
    place: str = "",
    link: str = "",
    trainer: User | None = None,
) -> TrainingSession:
    _must_manage(actor, course)
    problems = Problems()
    if starts_at is None:
        problems.add("starts_at", _("Give the time the session starts."))
    if ends_at is None:
        problems.add("ends_at", _("Give the time the session ends."))
    elif starts_at is not None and ends_at <= starts_at:
        problems.add("ends_at", _("A session ends after it starts."))
    link = clean_link(link, field="link", required=False, problems=problems)
    if not place.strip() and not link:
        problems.add("place", _("Give the place or the link of the session."))
    problems.raise_if_any()
    session = TrainingSession.objects.create(
        course=course,
        starts_at=starts_at,
        ends_at=ends_at,
        place=place.strip()[:200],
        link=link,
        trainer=trainer,
    )
    audit_record(
        actor=actor,
        action="training.session_added",
        target=course,
        data={"session": session.pk, "starts_at": starts_at.isoformat()},
    )
    return session


@transaction.atomic
def training_material_add(
    *, actor: User, course: TrainingCourse, title: str, url: str
) -> TrainingMaterial:
    _must_manage(actor, course)
    problems = Problems()
    if not title.strip():
        problems.add("title", _("Give the material a title."))
    url = clean_link(url, field="url", required=True, problems=problems)
    problems.raise_if_any()
    material = TrainingMaterial.objects.create(
        course=course, title=title.strip()[:200], url=url, added_by=actor
    )
    audit_record(
        actor=actor,
        action="training.material_added",
        target=course,
        data={"material": material.pk, "title": material.title},
    )
    return material


def _invite(*, actor, course: TrainingCourse, agents: Sequence[Agent]) -> list[Agent]:
    """Invite the agents not invited yet (inviting twice counts once); tell them."""
    already = set(course.invites.values_list("agent_id", flat=True))
    new = [a for a in {a.pk: a for a in agents}.values() if a.pk not in already]
    TrainingInvite.objects.bulk_create(
        [TrainingInvite(course=course, agent=a, invited_by=actor) for a in new],
        ignore_conflicts=True,
    )
    link = reverse("training-course", kwargs={"course_id": course.pk})
    title = course.title
    # Notifications are rows of the same transaction: they exist exactly when the invitation does.
    notify(
        recipients=[a.user for a in new],
        kind="training.invited",
        link=link,
        text=lambda: _("You are invited to the training %(title)s.") % {"title": repr(title)},
    )
    return new


@transaction.atomic
def training_invite(
    *,
    actor: User,
    course: TrainingCourse,
    agents: Sequence[Agent] = (),
    team: Team | None = None,
) -> list[Agent]:
    """Invite agents one by one and/or a whole team's active agents."""
    _must_manage(actor, course)
    chosen = list(agents)
    if team is not None:
        chosen += list(team.agents.filter(active=True).select_related("user"))
    if not chosen:
        raise DomainError(_("Choose the agents or the team to invite."), field="agents")
    if has_role(actor, Role.TEAM_LEAD) and not has_role(actor, *access.MANAGERS):
        strangers = [a.display_name for a in chosen if a.team is None or a.team.lead_id != actor.pk]
        if strangers:
            raise DomainError(
                _("You invite the agents of your own teams: %(names)s are not.")
                % {"names": ", ".join(sorted(strangers))},
                field="agents",
            )
    new = _invite(actor=actor, course=course, agents=chosen)
    audit_record(
        actor=actor,
        action="training.invited",
        target=course,
        data={"agents": [a.pk for a in new], "team": team.pk if team else None},
    )
    return new


@transaction.atomic
def training_assign(
    *, actor: User, course: TrainingCourse, team: Team, due_by: date | None
) -> TrainingCourse:
    """Assign the training to a team, to be attended before `due_by`: the team's agents are
    invited, and the training shows as due on their and their lead's pages until they attend."""
    _must_manage(actor, course)
    if not can_manage_team(actor, team):
        raise _forbidden(_("You assign training to the teams you lead."))
    if due_by is None:
        raise DomainError(_("Give the date the training is due by."), field="due_by")
    if due_by < timezone.localdate(timezone=site_zone()):
        raise DomainError(_("The date the training is due by has passed."), field="due_by")
    TrainingCourse.objects.filter(pk=course.pk).update(team=team, due_by=due_by)
    course.refresh_from_db()
    _invite(actor=actor, course=course, agents=list(team.agents.filter(active=True)))
    audit_record(
        actor=actor,
        action="training.assigned",
        target=course,
        data={"team": team.pk, "team_name": team.name, "due_by": due_by.isoformat()},
    )
    return course


@transaction.atomic
def training_check_in(*, session: TrainingSession, user: User) -> TrainingAttendance:
    """An invited agent checks in from shortly before the session starts until it ends; checking
    in twice counts once."""
    agent = agent_of(user)
    if agent is None or not session.course.invites.filter(agent=agent).exists():
        raise _forbidden(_("Only the invited agents check in."))
    now = timezone.now()
    if not (session.starts_at - CHECK_IN_EARLY <= now <= session.ends_at):
        raise DomainError(
            _("Check in from 15 minutes before the session starts until it ends."),
            field="session",
        )
    row, created = TrainingAttendance.objects.get_or_create(
        session=session,
        agent=agent,
        defaults={"present": True, "how": AttendanceHow.CHECK_IN, "recorded_by": user},
    )
    if created:
        audit_record(
            actor=user,
            action="training.checked_in",
            target=session.course,
            data={"session": session.pk},
        )
    return row


@transaction.atomic
def training_mark_attendance(
    *, actor: User, session: TrainingSession, agent: Agent, present: bool
) -> TrainingAttendance:
    """The trainer or the agent's lead marks an invited agent present or absent."""
    if not access.can_mark(actor, session, agent):
        raise _forbidden(_("The trainer or the agent's team lead marks attendance."))
    if not session.course.invites.filter(agent=agent).exists():
        raise DomainError(_("This agent is not invited to the training."), field="agent")
    row, _created = TrainingAttendance.objects.update_or_create(
        session=session,
        agent=agent,
        defaults={"present": present, "how": AttendanceHow.MARKED, "recorded_by": actor},
    )
    audit_record(
        actor=actor,
        action="training.attendance_marked",
        target=session.course,
        data={
            "session": session.pk,
            "agent": agent.pk,
            "agent_name": agent.display_name,
            "present": present,
        },
    )
    return row
