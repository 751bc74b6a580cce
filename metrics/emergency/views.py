"""Pages of emergency plans: the library, a plan, its editor, an activation, the drill report."""

from __future__ import annotations

from datetime import datetime

from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agents.access import has_role, role_required
from callfloor.error_pages import error_page
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from metrics.emergency import exports, selectors, services
from metrics.emergency.access import (
    ACTIVATORS,
    FLOOR_ROLES,
    PLAN_EDITORS,
    REPORT_READERS,
    STEP_TICKERS,
    can_read_plan,
    readable_plans,
)
from metrics.emergency.forms import PlanForm, RoleFormSet, StepFormSet
from metrics.emergency.models import Activation, ActivationStatus, EmergencyPlan


def _can(request, roles) -> bool:
    return has_role(request.user, *roles)


@role_required(*FLOOR_ROLES)
def plan_library(request):
    """The plans that concern the reader; for supervisors also what runs and what is due."""
    plans = readable_plans(request.user).prefetch_related("teams")
    context = {"plans": plans, "can_edit": _can(request, PLAN_EDITORS)}
    if _can(request, REPORT_READERS):
        activations = Activation.objects.select_related("plan", "started_by").order_by(
            "-started_at", "-scheduled_for"
        )
        context.update(
            live=activations.filter(status=ActivationStatus.LIVE),
            upcoming=activations.filter(status=ActivationStatus.SCHEDULED).order_by(
                "scheduled_for"
            ),
            recent=activations.filter(status=ActivationStatus.CLOSED)[:20],
        )
    return render(request, "emergency/library.html", context)


def _readable_plan(request, plan_id: int) -> EmergencyPlan:
    plan = get_object_or_404(EmergencyPlan, pk=plan_id)
    if not can_read_plan(request.user, plan):
        raise Http404
    return plan


@role_required(*FLOOR_ROLES)
def plan_detail(request, plan_id: int):
    plan = _readable_plan(request, plan_id)
    steps = list(plan.steps.select_related("agent", "queue"))
    context = {
        "plan": plan,
        "steps": [(step, selectors.step_label(step)) for step in steps],
        "duties": plan.roles.select_related("person"),
        "can_edit": _can(request, PLAN_EDITORS),
        "can_activate": _can(request, ACTIVATORS),
        "now": timezone.localtime(timezone.now(), site_zone()),
    }
    return render(request, "emergency/plan.html", context)


def _formsets(data=None, plan: EmergencyPlan | None = None):
    roles = steps = None
    if plan is not None and data is None:
        roles = [{"duty": r.duty, "role": r.role, "person": r.person_id} for r in plan.roles.all()]
        steps = [
            {"text": s.text, "agent": s.agent_id, "queue": s.queue_id, "move": s.move}
            for s in plan.steps.all()
        ]
    return (
        RoleFormSet(data, prefix="roles", initial=roles),
        StepFormSet(data, prefix="steps", initial=steps),
    )


@role_required(*PLAN_EDITORS)
@require_http_methods(["GET", "POST"])
def plan_edit(request, plan_id: int | None = None):
    """Write a plan of the library (or a new one)."""
    plan = get_object_or_404(EmergencyPlan, pk=plan_id) if plan_id else None
    errors = None
    if request.method == "POST":
        form = PlanForm(request.POST)
        roles, steps = _formsets(request.POST)
        if form.is_valid() and roles.is_valid() and steps.is_valid():
            try:
                saved = services.emergency_plan_save(
                    actor=request.user,
                    plan=plan,
                    **form.cleaned_data,
                    roles=[r for r in roles.cleaned_data if r],
                    steps=[s for s in steps.cleaned_data if s],
                )
            except DomainError as error:
                errors = FormErrors.from_error(error, labels={"steps": _("Checklist")})
            else:
                return redirect("emergency-plan", plan_id=saved.pk)
        else:
            errors = FormErrors.from_form(form)
            for index, row in enumerate([*roles.errors, *steps.errors]):
                for name, reasons in (row or {}).items():
                    errors.fields.setdefault(f"{name}.{index}", []).extend(reasons)
    else:
        initial = {}
        if plan is not None:
            initial = {
                "title": plan.title,
                "trigger": plan.trigger,
                "when": plan.when,
                "broadcast_text": plan.broadcast_text,
                "teams": list(plan.teams.all()),
                "active": plan.active,
            }
        form = PlanForm(initial=initial or None)
        roles, steps = _formsets(plan=plan)
    # Not `roles`: the navigation reads the reader's roles under that name.
    context = {"plan": plan, "form": form, "duty_rows": roles, "step_rows": steps}
    context["form_errors"] = errors
    return render(request, "emergency/plan_edit.html", context, status=400 if errors else 200)


@role_required(*ACTIVATORS)
@require_http_methods(["POST"])
def drill_schedule(request, plan_id: int):
    plan = get_object_or_404(EmergencyPlan, pk=plan_id)
    moment = parse_datetime(request.POST.get("scheduled_for", ""))
    try:
        if moment is None:
            raise DomainError(_("Give the date and time of the drill."), field="scheduled_for")
        if timezone.is_naive(moment):
            moment = timezone.make_aware(moment, site_zone())
        services.drill_schedule(actor=request.user, plan=plan, scheduled_for=moment)
    except DomainError as error:
        labels = {"scheduled_for": _("Drill on")}
        return render_again(
            request, plan_detail, plan_id, errors=FormErrors.from_error(error, labels=labels)
        )
    return redirect("emergency-plan", plan_id=plan.pk)


@role_required(*FLOOR_ROLES)
@require_http_methods(["GET", "POST"])
def activation_detail(request, activation_id: int):
    """A started plan: its checklist with who ticked what and when, the time each step took,
    its timeline, the attendance of a drill; notes, attendance and closing."""
    try:
        activation = selectors.activation_detail(activation_id)
    except Activation.DoesNotExist:
        raise Http404 from None
    if not (_can(request, REPORT_READERS) or can_read_plan(request.user, activation.plan)):
        raise Http404
    if request.method == "POST":
        return _activation_post(request, activation)
    return _activation_page(request, activation.pk)


def _activation_page(request, activation_id: int):
    from django.contrib.auth import get_user_model

    activation = selectors.activation_detail(activation_id)
    context = {
        "activation": activation,
        "steps": selectors.step_times(activation),
        "timeline": selectors.activation_timeline(activation),
        "attendance": list(activation.attendance.all()),
        "can_tick": _can(request, STEP_TICKERS),
        "can_close": _can(request, ACTIVATORS),
        "floor_people": get_user_model()
        .objects.filter(is_active=True, groups__name__in=FLOOR_ROLES)
        .distinct()
        .order_by("first_name", "last_name", "username")
        if activation.drill and _can(request, ACTIVATORS)
        else [],
    }
    return render(request, "emergency/activation.html", context)


def _activation_post(request, activation: Activation):
    action = request.POST.get("action", "")
    allowed = {
        "note": STEP_TICKERS,
        "close": ACTIVATORS,
        "attend": ACTIVATORS,
        "cancel": ACTIVATORS,
    }
    if action not in allowed:
        return error_page(request, _("Unknown action."), status=400)
    if not _can(request, allowed[action]):
        raise PermissionDenied
    try:
        if action == "note":
            services.activation_note_add(
                actor=request.user, activation=activation, text=request.POST.get("text", "")
            )
        elif action == "close":
            services.activation_close(
                actor=request.user, activation=activation, note=request.POST.get("note", "")
            )
        elif action == "cancel":
            services.drill_cancel(actor=request.user, activation=activation)
        else:
            from django.contrib.auth import get_user_model

            person = get_object_or_404(get_user_model(), pk=request.POST.get("person") or 0)
            services.drill_attendance_mark(actor=request.user, activation=activation, person=person)
    except DomainError as error:
        labels = {"text": _("Note"), "note": _("After-action note"), "person": _("Person")}
        return render_again(
            request,
            _activation_page,
            activation.pk,
            errors=FormErrors.from_error(error, labels=labels),
            status=error.status_code,
        )
    return redirect("emergency-activation", activation_id=activation.pk)


def _quarter(value: str) -> tuple[int, int]:
    """`2026-Q4` (the current quarter when empty); 400 on anything else."""
    if not value:
        return selectors.current_quarter()
    year, _sep, quarter = value.upper().partition("-Q")
    if not (year.isdigit() and quarter in {"1", "2", "3", "4"} and 2000 <= int(year) <= 2100):
        raise DomainError(_("Name a quarter as 2026-Q4."), field="quarter")
    return int(year), int(quarter)


@role_required(*REPORT_READERS)
def drill_report(request):
    """The drills of a quarter: step times, attendance, notes (`?format=xlsx|csv`)."""
    try:
        year, quarter = _quarter(request.GET.get("quarter", ""))
    except DomainError as error:
        return error_page(request, error.message, status=400)
    drills = [
        {
            "drill": drill,
            "steps": selectors.step_times(drill),
            "attendance": list(drill.attendance.all()),
        }
        for drill in selectors.quarter_drills(year=year, quarter=quarter)
    ]
    kind = request.GET.get("format", "")
    if kind in ("xlsx", "csv"):
        return exports.drill_report_file(drills, year=year, quarter=quarter, kind=kind)
    if kind:
        return error_page(request, _("Choose xlsx or csv."), status=400)
    previous = (year, quarter - 1) if quarter > 1 else (year - 1, 4)
    following = (year, quarter + 1) if quarter < 4 else (year + 1, 1)
    context = {
        "drills": drills,
        "year": year,
        "quarter": quarter,
        "label": f"{year}-Q{quarter}",
        "previous": f"{previous[0]}-Q{previous[1]}",
        "following": f"{following[0]}-Q{following[1]}",
        "generated": datetime.now(site_zone()),
    }
    return render(request, "emergency/drill_report.html", context)
