"""Coaching pages: the list with the open actions, a new session (from an evaluation, an
appeal's outcome, a calibration result or on its own), a session with its acknowledgement and
follow-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import agent_of, has_role, role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from qa import access as qa_access
from qa import selectors as qa_selectors
from qa.coaching import access, selectors, services
from qa.models import (
    ActionOutcome,
    Appeal,
    CoachingSession,
    Criterion,
    Evaluation,
)

EVERY_ROLE = (Role.AGENT, Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)
ACTION_ROWS = 3

LABELS = {
    "agent": gettext_lazy("Agent"),
    "topic": gettext_lazy("Topic"),
    "criteria": gettext_lazy("Evaluation items"),
    "actions": gettext_lazy("Agreed actions"),
    "source": gettext_lazy("Source"),
    "evaluation": gettext_lazy("Evaluation"),
    "appeal": gettext_lazy("Appeal"),
    "calibration": gettext_lazy("Calibration"),
    **{f"actions[{i}]": gettext_lazy("Agreed actions") for i in range(ACTION_ROWS)},
}


def _render(request, template: str, context: dict, status: int = 200):
    return render(request, template, context, status=status)


def _items(evaluation: Evaluation | None, criteria) -> list[dict]:
    """The evaluation items a session refers to, with the points and comment they were given."""
    answers = evaluation.answers if evaluation is not None else {}
    rows = []
    for criterion in criteria:
        answer = answers.get(str(criterion.pk)) or {}
        rows.append(
            {
                "criterion": criterion,
                "points": answer.get("points"),
                "comment": answer.get("comment", ""),
                "deducted": answer.get("points") is not None
                and answer["points"] < criterion.max_points,
            }
        )
    return rows


@role_required(*EVERY_ROLE)
def coaching_list(request):
    user = request.user
    agent = agent_of(user)
    return _render(
        request,
        "qa/coaching/list.html",
        {
            "sessions": selectors.sessions_visible_to(user)[:100],
            "my_actions": selectors.open_actions_for_agent(agent) if agent else [],
            "team_actions": (
                selectors.open_actions_for_lead(user) if has_role(user, Role.TEAM_LEAD) else []
            ),
            "can_coach": access.is_coach(user),
        },
    )


def _source(request, data) -> dict:
    """The evaluation, appeal or calibration a new session comes from (the query's or form's)."""
    user = request.user
    found: dict = {"evaluation": None, "appeal": None, "calibration": None}
    if (raw := data.get("appeal", "")).isdigit():
        appeal = get_object_or_404(Appeal.objects.select_related("evaluation"), pk=raw)
        if not qa_access.can_view_appeal(user, appeal):
            raise PermissionDenied
        found["appeal"] = appeal
    elif (raw := data.get("evaluation", "")).isdigit():
        evaluation = get_object_or_404(Evaluation, pk=raw)
        if not qa_access.can_view_evaluation(user, evaluation):
            raise PermissionDenied
        found["evaluation"] = evaluation
    elif (raw := data.get("calibration", "")).isdigit():
        found["calibration"] = get_object_or_404(
            qa_selectors.calibration_sessions_for(user).select_related("call__agent"), pk=raw
        )
    return found


def _coachable_agents(user):
    agents = Agent.objects.filter(active=True).select_related("team").order_by("display_name")
    return [a for a in agents if access.can_coach(user, a)]


@role_required(*access.COACH_ROLES)
@require_http_methods(["GET", "POST"])
def coaching_new(request):
    data = request.POST if request.method == "POST" else request.GET
    source = _source(request, data)
    evaluation = source["evaluation"] or (source["appeal"].evaluation if source["appeal"] else None)
    version = (
        evaluation.scorecard_version
        if evaluation
        else (source["calibration"].scorecard_version if source["calibration"] else None)
    )
    if request.method == "POST":
        criteria = list(
            Criterion.objects.filter(
                pk__in=[v for v in data.getlist("criteria") if v.isdigit()]
            ).select_related("section")
        )
        agent = Agent.objects.filter(pk=data.get("agent") or 0).first()
        actions = [
            {"text": data.get(f"action_{i}", ""), "due_on": data.get(f"due_{i}") or None}
            for i in range(ACTION_ROWS)
        ]
        try:
            session = services.coaching_create(
                coach=request.user,
                agent=agent,
                topic=data.get("topic", ""),
                notes=data.get("notes", ""),
                criteria=criteria,
                actions=actions,
                **source,
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(exc.message) from exc
            request.form_errors = FormErrors.from_error(exc, labels=LABELS)
            request.form_values = data
            return _new_page(request, source, evaluation, version, data, status=400)
        messages.success(
            request, _("The coaching session is saved; the agent is asked to acknowledge it.")
        )
        return redirect("qa-coaching-session", session_id=session.pk)
    return _new_page(request, source, evaluation, version, data)


def _new_page(request, source, evaluation, version, data, status: int = 200):
    subject = source["appeal"] or evaluation
    if subject is not None and not access.can_coach(request.user, subject.agent):
        raise PermissionDenied
    ticked = set(data.getlist("criteria")) if getattr(request, "form_values", None) else None
    items = []
    if version is not None:
        criteria = list(version.criteria())
        items = _items(evaluation, criteria)
        appealed = (
            {i.criterion_id for i in source["appeal"].items.all()} if source["appeal"] else set()
        )
        for item in items:
            key = str(item["criterion"].pk)
            if ticked is not None:
                item["checked"] = key in ticked
            else:
                item["checked"] = item["deducted"] or item["criterion"].pk in appealed
    fixed_agent = subject.agent if subject is not None else None
    calibration = source["calibration"]
    if calibration is not None and calibration.call_id and calibration.call.agent_id:
        fixed_agent = calibration.call.agent
        if not access.can_coach(request.user, fixed_agent):
            raise PermissionDenied
    return _render(
        request,
        "qa/coaching/new.html",
        {
            **source,
            "source_evaluation": evaluation,
            "fixed_agent": fixed_agent,
            "agents": [] if fixed_agent else _coachable_agents(request.user),
            "items": items,
            "rows": [
                {"i": i, "text": data.get(f"action_{i}", ""), "due": data.get(f"due_{i}", "")}
                for i in range(ACTION_ROWS)
            ],
            "today": timezone.localdate(timezone=site_zone()),
        },
        status=status,
    )


def _session_for(request, session_id: int) -> CoachingSession:
    session = get_object_or_404(
        CoachingSession.objects.select_related("agent__team", "coach", "evaluation", "appeal"),
        pk=session_id,
    )
    if not access.can_view_session(request.user, session):
        raise Http404
    return session


@role_required(*EVERY_ROLE)
def coaching_session(request, session_id: int):
    from agents.models import AuditEntry
    from callfloor.history import history_lines

    session = _session_for(request, session_id)
    evaluation = session.evaluation
    entries = AuditEntry.objects.filter(
        object_type=CoachingSession._meta.label_lower, object_id=str(session.pk)
    ).select_related("actor")
    can_follow_up = access.can_follow_up(request.user, session) and session.followed_up_at is None
    errors = getattr(request, "form_errors", None)
    actions = list(session.actions.all())
    for action in actions:
        action.errors = errors[f"outcomes.{action.pk}"] if errors else []
    return _render(
        request,
        "qa/coaching/session.html",
        {
            "session": session,
            "actions": actions,
            "items": _items(evaluation, session.criteria.select_related("section")),
            "can_acknowledge": access.can_acknowledge(request.user, session)
            and session.acknowledged_at is None,
            "can_follow_up": can_follow_up,
            "outcomes": [
                (ActionOutcome.DONE, ActionOutcome.DONE.label),
                (ActionOutcome.NOT_DONE, ActionOutcome.NOT_DONE.label),
            ],
            "history": history_lines(entries.order_by("at", "id")),
        },
    )


@role_required(Role.AGENT)
@require_POST
def coaching_acknowledge(request, session_id: int):
    session = _session_for(request, session_id)
    try:
        services.coaching_acknowledge(
            session=session, actor=request.user, comment=request.POST.get("comment", "")
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        messages.error(request, exc.message)
    else:
        messages.success(request, _("You acknowledged the coaching session."))
    return redirect("qa-coaching-session", session_id=session.pk)


@role_required(*access.COACH_ROLES)
@require_POST
def coaching_follow_up(request, session_id: int):
    session = _session_for(request, session_id)
    outcomes = {
        action.pk: {
            "outcome": request.POST.get(f"outcome_{action.pk}", ""),
            "note": request.POST.get(f"note_{action.pk}", ""),
        }
        for action in session.actions.all()
    }
    try:
        services.coaching_follow_up(session=session, actor=request.user, outcomes=outcomes)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        return render_again(
            request,
            coaching_session,
            session_id,
            errors=FormErrors.from_error(exc, labels={"outcomes": _("Follow-up")}),
        )
    messages.success(request, _("The follow-up is recorded."))
    return redirect("qa-coaching-session", session_id=session.pk)
