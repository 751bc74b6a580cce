"""Server-rendered pages; every write goes through a service."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from scheduling import access, selectors, services
from scheduling.models import HandoverCase, Severity

User = get_user_model()
LEADS = access.LEADS


def _fail(request, exc: DomainError) -> None:
    messages.error(request, exc.message)


def _handover_for(request, handover_id: int):
    handover = selectors.handover_visible_to(request.user).filter(pk=handover_id).first()
    if handover is None:
        raise Http404
    return handover


# --- handovers ------------------------------------------------------------------------------------


@role_required(*LEADS)
def handovers(request):
    lists = selectors.handover_lists_for(request.user)
    return render(request, "scheduling/handovers.html", {
        "lists": lists, "open_cases": selectors.open_cases_visible_to(request.user)[:10],
        "can_write": Role.TEAM_LEAD in access.roles_of_user(request.user),
    })


def _cases_from_post(post) -> list[dict]:
    """Case rows named `case-<n>-<field>`; wholly empty rows are skipped."""
    fields = ("customer_ref", "pending", "severity", "next_action", "owner", "source_agent")
    indices = sorted({int(key.split("-")[1]) for key in post if key.startswith("case-")
                      and key.split("-")[1].isdigit()})
    cases = []
    for index in indices:
        row = {name: post.get(f"case-{index}-{name}", "").strip() for name in fields}
        if not any(row[name] for name in ("customer_ref", "pending", "next_action", "owner")):
            continue
        agent_id = row.pop("source_agent")
        row["source_agent"] = (Agent.objects.filter(pk=agent_id).first()
                               if agent_id.isdigit() else None)
        cases.append(row)
    return cases


@role_required(Role.TEAM_LEAD)
@require_http_methods(["GET", "POST"])
def handover_new(request):
    context = {
        "leads": selectors.team_leads().exclude(pk=request.user.pk),
        "supervisors": selectors.supervisors(),
        "agents": Agent.objects.filter(active=True).order_by("display_name"),
        "carryable": selectors.carryable_cases_for(request.user),
        "severities": Severity.choices,
        "today": timezone.localdate(),
        "form": request.POST,
        "case_rows": range(2),
    }
    if request.method == "POST":
        post = request.POST
        try:
            shift_date = date.fromisoformat(post.get("shift_date", ""))
        except ValueError:
            messages.error(request, "Give the shift's date.")
            return render(request, "scheduling/handover_new.html", context, status=400)
        cases = _cases_from_post(post)
        context["case_rows"] = range(max(2, len(cases)))
        try:
            handover = services.handover_create(
                author=request.user,
                to_lead=User.objects.filter(pk=post.get("to_lead") or 0).first(),
                supervisor=User.objects.filter(pk=post.get("supervisor") or 0).first(),
                shift_date=shift_date, shift_name=post.get("shift_name", ""),
                summary=post.get("summary", ""), incidents=post.get("incidents", ""),
                notes=post.get("notes", ""), cases=cases,
                carry_case_ids=[int(v) for v in post.getlist("carry") if v.isdigit()],
            )
        except DomainError as exc:
            _fail(request, exc)
            return render(request, "scheduling/handover_new.html", context, status=400)
        messages.success(request, f"Handover sent to {handover.to_lead.get_full_name()}.")
        return redirect("handover-detail", handover_id=handover.pk)
    return render(request, "scheduling/handover_new.html", context)


@role_required(*LEADS)
def handover_detail(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    user = request.user
    return render(request, "scheduling/handover_detail.html", {
        "handover": handover,
        "cases": handover.cases.select_related("source_agent", "outcome_by", "carried_from"),
        "addenda": handover.addenda.select_related("author"),
        "history": selectors.handover_history(handover),
        "is_author": access.can_edit_handover(user, handover),
        "is_receiver": access.can_receive_handover(user, handover),
        "can_append": access.can_append_to_handover(user, handover),
    })


@role_required(*LEADS)
@require_POST
def handover_edit(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    if not access.can_edit_handover(request.user, handover):
        raise PermissionDenied
    try:
        services.handover_update(handover=handover, actor=request.user,
                                 summary=request.POST.get("summary"),
                                 incidents=request.POST.get("incidents"),
                                 notes=request.POST.get("notes"))
        messages.success(request, "Handover updated.")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("handover-detail", handover_id=handover.pk)


@role_required(*LEADS)
@require_POST
def handover_acknowledge(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    if not access.can_receive_handover(request.user, handover):
        raise PermissionDenied
    try:
        services.handover_acknowledge(handover=handover, actor=request.user)
        messages.success(request, "Handover acknowledged; it is locked now.")
    except DomainError as exc:
        _fail(request, exc)
    return redirect("handover-detail", handover_id=handover.pk)


def _case_for(request, case_id: int) -> HandoverCase:
    case = get_object_or_404(HandoverCase.objects.select_related("handover"), pk=case_id)
    if not access.can_see_handover(request.user, case.handover):
        raise Http404
    if not access.can_receive_handover(request.user, case.handover):
        raise PermissionDenied
    return case


@role_required(*LEADS)
@require_POST
def handover_case_confirm(request, case_id: int):
    case = _case_for(request, case_id)
    try:
        services.handover_case_confirm(case=case, actor=request.user)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("handover-detail", handover_id=case.handover_id)


@role_required(*LEADS)
@require_POST
def handover_case_outcome(request, case_id: int):
    case = _case_for(request, case_id)
    try:
        services.handover_case_record_outcome(case=case, actor=request.user,
                                              outcome=request.POST.get("outcome", ""),
                                              note=request.POST.get("note", ""))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("handover-detail", handover_id=case.handover_id)


@role_required(*LEADS)
@require_POST
def handover_addendum(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    if not access.can_append_to_handover(request.user, handover):
        raise PermissionDenied
    try:
        services.handover_addendum_add(handover=handover, actor=request.user,
                                       text=request.POST.get("text", ""))
    except DomainError as exc:
        _fail(request, exc)
    return redirect("handover-detail", handover_id=handover.pk)


@role_required(*LEADS)
def handover_open_cases(request):
    return render(request, "scheduling/handover_open_cases.html",
                  {"cases": selectors.open_cases_visible_to(request.user)})
