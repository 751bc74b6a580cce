"""Training pages: the list (with what is due and the sessions to check in to), a course with
its sessions, materials, invitations and attendance, and the forms that change them."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from agents.access import agent_of, has_role, role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from scheduling import access as scheduling_access
from scheduling.training import access, selectors, services
from scheduling.training.models import (
    TrainingAttendance,
    TrainingCourse,
    TrainingKind,
    TrainingSession,
)
from scheduling.views.common import render_page

User = get_user_model()
EVERY_ROLE = (Role.AGENT, Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)

LABELS = {
    "title": gettext_lazy("Title"),
    "kind": gettext_lazy("Kind"),
    "starts_at": gettext_lazy("Starts at"),
    "ends_at": gettext_lazy("Ends at"),
    "place": gettext_lazy("Place"),
    "link": gettext_lazy("Link"),
    "url": gettext_lazy("Link"),
    "agents": gettext_lazy("Agents"),
    "team": gettext_lazy("Team"),
    "due_by": gettext_lazy("Due by"),
    "session": gettext_lazy("Training session"),
    "agent": gettext_lazy("Agent"),
}


def _local(raw: str) -> datetime | None:
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return value.replace(tzinfo=site_zone()) if timezone.is_naive(value) else value


def _day(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@role_required(*EVERY_ROLE)
def training(request):
    user = request.user
    agent = agent_of(user)
    now = timezone.now()
    upcoming = list(selectors.upcoming_sessions_for(agent)[:20]) if agent else []
    checked = set()
    if agent:
        checked = set(
            agent.training_attendance.filter(session__in=upcoming).values_list(
                "session_id", flat=True
            )
        )
    for session in upcoming:
        session.can_check_in = (
            session.starts_at - services.CHECK_IN_EARLY <= now <= session.ends_at
            and session.pk not in checked
        )
        session.checked_in = session.pk in checked
    return render_page(
        request,
        "scheduling/training/list.html",
        {
            "courses": selectors.courses_visible_to(user)[:100],
            "upcoming": upcoming,
            "my_due": selectors.training_due_for_agent(agent) if agent else [],
            "team_due": (
                selectors.training_due_for_lead(user) if has_role(user, Role.TEAM_LEAD) else []
            ),
            "can_plan": access.can_plan(user),
            "kinds": TrainingKind.choices,
        },
    )


@role_required(*access.PLANNERS)
@require_POST
def training_new(request):
    post = request.POST
    try:
        course = services.training_course_create(
            actor=request.user,
            title=post.get("title", ""),
            kind=post.get("kind", ""),
            description=post.get("description", ""),
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        return render_again(request, training, errors=FormErrors.from_error(exc, labels=LABELS))
    return redirect("training-course", course_id=course.pk)


def _course_for(request, course_id: int) -> TrainingCourse:
    course = get_object_or_404(TrainingCourse.objects.select_related("team"), pk=course_id)
    if not access.can_view_course(request.user, course):
        raise Http404
    return course


@role_required(*EVERY_ROLE)
def training_course(request, course_id: int):
    from agents.models import AuditEntry
    from callfloor.history import history_lines

    user = request.user
    course = _course_for(request, course_id)
    invites = list(selectors.visible_invites(user, course))
    sessions = list(course.sessions.select_related("trainer"))
    marks = {
        (row.session_id, row.agent_id): row
        for row in TrainingAttendance.objects.filter(session__course=course)
    }
    agent = agent_of(user)
    now = timezone.now()
    for session in sessions:
        session.rows = [
            {
                "agent": invite.agent,
                "mark": marks.get((session.pk, invite.agent_id)),
                "can_mark": access.can_mark(user, session, invite.agent),
            }
            for invite in invites
        ]
        session.can_check_in = (
            agent is not None
            and any(i.agent_id == agent.pk for i in invites)
            and session.starts_at - services.CHECK_IN_EARLY <= now <= session.ends_at
            and (session.pk, agent.pk) not in marks
        )
    manage = access.can_manage_course(user, course)
    entries = AuditEntry.objects.filter(
        object_type=TrainingCourse._meta.label_lower, object_id=str(course.pk)
    ).select_related("actor")
    return render_page(
        request,
        "scheduling/training/course.html",
        {
            "course": course,
            "sessions": sessions,
            "materials": course.materials.all(),
            "invites": invites,
            "can_manage": manage,
            "teams": scheduling_access.managed_teams(user).order_by("name") if manage else [],
            "agents": (
                Agent.objects.filter(active=True, team__in=scheduling_access.managed_teams(user))
                .select_related("team")
                .order_by("display_name")
                if manage
                else []
            ),
            "trainers": (
                User.objects.filter(is_active=True, groups__name__in=list(access.PLANNERS))
                .distinct()
                .order_by("username")
                if manage
                else []
            ),
            "history": history_lines(entries.order_by("at", "id")) if manage else [],
        },
    )


def _attempt(request, course: TrainingCourse, action, success: str):
    try:
        action()
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        return render_again(
            request,
            training_course,
            course.pk,
            errors=FormErrors.from_error(exc, labels=LABELS),
        )
    messages.success(request, success)
    return redirect("training-course", course_id=course.pk)


@role_required(*access.PLANNERS)
@require_POST
def training_session_add(request, course_id: int):
    course = _course_for(request, course_id)
    post = request.POST
    trainer = User.objects.filter(pk=post.get("trainer") or 0).first()
    return _attempt(
        request,
        course,
        lambda: services.training_session_add(
            actor=request.user,
            course=course,
            starts_at=_local(post.get("starts_at", "")),
            ends_at=_local(post.get("ends_at", "")),
            place=post.get("place", ""),
            link=post.get("link", ""),
            trainer=trainer,
        ),
        _("The session is added."),
    )


@role_required(*access.PLANNERS)
@require_POST
def training_material_add(request, course_id: int):
    course = _course_for(request, course_id)
    post = request.POST
    return _attempt(
        request,
        course,
        lambda: services.training_material_add(
            actor=request.user, course=course, title=post.get("title", ""), url=post.get("url", "")
        ),
        _("The material is added."),
    )


@role_required(*access.PLANNERS)
@require_POST
def training_invite(request, course_id: int):
    course = _course_for(request, course_id)
    post = request.POST
    agents = list(
        Agent.objects.filter(
            pk__in=[v for v in post.getlist("agents") if v.isdigit()]
        ).select_related("team", "user")
    )
    team = scheduling_access.managed_teams(request.user).filter(pk=post.get("team") or 0).first()
    return _attempt(
        request,
        course,
        lambda: services.training_invite(
            actor=request.user, course=course, agents=agents, team=team
        ),
        _("The agents are invited."),
    )


@role_required(*access.PLANNERS)
@require_POST
def training_assign(request, course_id: int):
    course = _course_for(request, course_id)
    post = request.POST
    team = scheduling_access.managed_teams(request.user).filter(pk=post.get("team") or 0).first()
    if team is None:
        raise PermissionDenied
    return _attempt(
        request,
        course,
        lambda: services.training_assign(
            actor=request.user, course=course, team=team, due_by=_day(post.get("due_by", ""))
        ),
        _("The training is assigned to the team."),
    )


def _session_for(request, session_id: int) -> TrainingSession:
    session = get_object_or_404(TrainingSession.objects.select_related("course"), pk=session_id)
    if not access.can_view_course(request.user, session.course):
        raise Http404
    return session


@role_required(Role.AGENT)
@require_POST
def training_check_in(request, session_id: int):
    session = _session_for(request, session_id)
    try:
        services.training_check_in(session=session, user=request.user)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You are checked in."))
    return redirect("training-course", course_id=session.course_id)


@role_required(*EVERY_ROLE)
@require_POST
def training_attendance(request, session_id: int):
    session = _session_for(request, session_id)
    agent = Agent.objects.filter(pk=request.POST.get("agent") or 0).first()
    if agent is None:
        raise Http404
    return _attempt(
        request,
        session.course,
        lambda: services.training_mark_attendance(
            actor=request.user,
            session=session,
            agent=agent,
            present=request.POST.get("present") == "yes",
        ),
        _("Attendance is recorded."),
    )
