"""Handover pages: the list, filing a handover, its cases and addenda, an agent's leftover
cases."""

from __future__ import annotations

from datetime import date, datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors
from callfloor.zone import site_zone
from scheduling import access, selectors, services
from scheduling.models import (
    HandoverAddendum,
    HandoverCase,
    Severity,
)
from scheduling.views.common import LEADS, User, flash_error, own_agent, render_page


def _handover_for(request, handover_id: int):
    handover = selectors.handover_visible_to(request.user).filter(pk=handover_id).first()
    if handover is None:
        raise Http404
    return handover


@role_required(*LEADS)
def handovers(request):
    lists = selectors.handover_lists_for(request.user)
    return render_page(
        request,
        "scheduling/handovers.html",
        {
            "lists": lists,
            "open_cases": selectors.open_cases_visible_to(request.user)[:10],
            "can_write": Role.TEAM_LEAD in access.roles_of_user(request.user),
            "leftovers_waiting": selectors.leftover_cases_to_decide(request.user).count(),
        },
    )


def _cases_from_post(post) -> list[dict]:
    """Case rows named `case-<n>-<field>`; wholly empty rows are skipped."""
    fields = ("customer_ref", "pending", "severity", "next_action", "owner", "source_agent")
    indices = sorted(
        {
            int(key.split("-")[1])
            for key in post
            if key.startswith("case-") and key.split("-")[1].isdigit()
        }
    )
    cases = []
    for index in indices:
        row = {name: post.get(f"case-{index}-{name}", "").strip() for name in fields}
        if not any(row[name] for name in ("customer_ref", "pending", "next_action", "owner")):
            continue
        agent_id = row.pop("source_agent")
        row["source_agent"] = (
            Agent.objects.filter(pk=agent_id).first() if agent_id.isdigit() else None
        )
        cases.append(row)
    return cases


HANDOVER_LABELS = {
    "shift_date": gettext_lazy("Shift date"),
    "shift_name": gettext_lazy("Shift"),
    "to_lead": gettext_lazy("To the next shift's lead"),
    "supervisor": gettext_lazy("On-duty supervisor (copied)"),
    "summary": gettext_lazy("Summary of the shift"),
}
CASE_LABELS = {
    "customer_ref": gettext_lazy("Customer reference"),
    "severity": gettext_lazy("Severity"),
    "pending": gettext_lazy("What is pending"),
    "next_action": gettext_lazy("Next action"),
    "owner": gettext_lazy("Owner"),
}


def _case_rows(values: list[dict]) -> list[dict]:
    """The form's case rows (two at least): index, what was typed, the prefix of its inputs."""
    values = values + [{} for _ in range(2 - len(values))]
    return [{"index": i, "values": v, "prefix": f"case-{i}-"} for i, v in enumerate(values)]


def _case_values_from_post(post) -> list[dict]:
    """What was typed in each case row (empty rows dropped, as the service sees them), so that a
    refused form shows it again; each row's index is the one the service's problems name."""
    return [
        {
            "customer_ref": case["customer_ref"],
            "severity": case["severity"],
            "pending": case["pending"],
            "next_action": case["next_action"],
            "owner": case["owner"],
            "source_agent": str(case["source_agent"].pk) if case["source_agent"] else "",
        }
        for case in _cases_from_post(post)
    ]


def _handover_errors(exc: DomainError) -> FormErrors:
    """The service names case fields `cases[<i>].<name>`, the page's inputs `case-<i>-<name>`."""
    fields: dict[str, list[str]] = {}
    labels = dict(HANDOVER_LABELS)
    for name, reasons in (exc.fields or {"": [exc.message]}).items():
        if name.startswith("cases["):
            index, _dot, field = name[len("cases[") :].partition("].")
            name = f"case-{index}-{field}"
            number = int(index) + 1 if index.isdigit() else index
            case_label = _("Case %(number)s") % {"number": number}
            field_label = CASE_LABELS.get(field, "")
            labels[name] = f"{case_label} · {field_label}" if field_label else case_label
        fields[name] = reasons
    return FormErrors(fields, labels=labels)


def _leftover_decisions_from_post(post, leftovers) -> list[dict]:
    """`leftover-<id>-decision` (carry / reassign / close), `-agent` and `-note` for each case the
    lead's agents handed over that was on the form."""
    rows = []
    for case in leftovers:
        decision = post.get(f"leftover-{case.pk}-decision")
        if decision is None:
            continue
        agent_id = post.get(f"leftover-{case.pk}-agent", "")
        rows.append(
            {
                "case": case,
                "decision": decision,
                "agent": Agent.objects.filter(pk=agent_id).first() if agent_id.isdigit() else None,
                "note": post.get(f"leftover-{case.pk}-note", ""),
            }
        )
    return rows


@role_required(Role.TEAM_LEAD)
@require_http_methods(["GET", "POST"])
def handover_new(request):
    context = {
        "leads": selectors.team_leads().exclude(pk=request.user.pk),
        "supervisors": selectors.supervisors(),
        "agents": Agent.objects.filter(active=True).order_by("display_name"),
        "carryable": selectors.carryable_cases_for(request.user),
        "leftovers": list(selectors.leftover_cases_to_decide(request.user)),
        "team_agents": Agent.objects.filter(
            active=True, team__in=access.managed_teams(request.user)
        ).order_by("display_name"),
        "severities": Severity.choices,
        "today": timezone.localdate(),
        "form": request.POST,
        "case_rows": _case_rows([{}, {}]),
    }
    if request.method == "POST":
        post = request.POST
        try:
            shift_date = date.fromisoformat(post.get("shift_date", ""))
        except ValueError:
            shift_date = None  # the service names it, with every other problem
        cases = _cases_from_post(post)
        context["case_rows"] = _case_rows(_case_values_from_post(post))
        try:
            handover = services.handover_create(
                author=request.user,
                to_lead=User.objects.filter(pk=post.get("to_lead") or 0).first(),
                supervisor=User.objects.filter(pk=post.get("supervisor") or 0).first(),
                shift_date=shift_date,
                shift_name=post.get("shift_name", ""),
                summary=post.get("summary", ""),
                incidents=post.get("incidents", ""),
                notes=post.get("notes", ""),
                cases=cases,
                carry_case_ids=[int(v) for v in post.getlist("carry") if v.isdigit()],
                leftovers=_leftover_decisions_from_post(post, context["leftovers"]),
            )
        except DomainError as exc:
            if exc.status_code == 403:
                raise PermissionDenied(exc.message) from exc
            context["form_errors"] = _handover_errors(exc)
            return render_page(request, "scheduling/handover_new.html", context, status=400)
        messages.success(
            request,
            _("Handover sent to %(full_name)s.") % {"full_name": handover.to_lead.get_full_name()},
        )
        return redirect("handover-detail", handover_id=handover.pk)
    return render_page(request, "scheduling/handover_new.html", context)


@role_required(*LEADS)
def handover_detail(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    user = request.user
    return render_page(
        request,
        "scheduling/handover_detail.html",
        {
            "handover": handover,
            "cases": handover.cases.select_related("source_agent", "outcome_by", "carried_from"),
            "addenda": handover.addenda.select_related("author", "acknowledged_by"),
            "history": selectors.handover_history(handover),
            "is_author": access.can_edit_handover(user, handover),
            "is_receiver": access.can_receive_handover(user, handover),
            "can_append": access.can_append_to_handover(user, handover),
        },
    )


@role_required(*LEADS)
@require_POST
def handover_acknowledge(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    if not access.can_receive_handover(request.user, handover):
        raise PermissionDenied
    try:
        services.handover_acknowledge(
            handover=handover,
            actor=request.user,
            seen_addenda=[int(v) for v in request.POST.getlist("seen_addendum") if v.isdigit()],
        )
        messages.success(request, _("Handover acknowledged, with the additions shown above it."))
    except DomainError as exc:
        flash_error(request, exc)
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
        flash_error(request, exc)
    return redirect("handover-detail", handover_id=case.handover_id)


@role_required(*LEADS)
@require_POST
def handover_case_outcome(request, case_id: int):
    case = _case_for(request, case_id)
    try:
        services.handover_case_record_outcome(
            case=case,
            actor=request.user,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("handover-detail", handover_id=case.handover_id)


@role_required(*LEADS)
@require_POST
def handover_addendum(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    if not access.can_append_to_handover(request.user, handover):
        raise PermissionDenied
    try:
        services.handover_addendum_add(
            handover=handover, actor=request.user, text=request.POST.get("text", "")
        )
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("handover-detail", handover_id=handover.pk)


@role_required(*LEADS)
@require_POST
def handover_addendum_acknowledge(request, addendum_id: int):
    addendum = get_object_or_404(
        HandoverAddendum.objects.select_related("handover", "author"), pk=addendum_id
    )
    if not access.can_see_handover(request.user, addendum.handover):
        raise Http404
    if not access.can_receive_handover(request.user, addendum.handover):
        raise PermissionDenied
    try:
        services.handover_addendum_acknowledge(addendum=addendum, actor=request.user)
        messages.success(request, _("Addition acknowledged."))
    except DomainError as exc:
        flash_error(request, exc)
    return redirect("handover-detail", handover_id=addendum.handover_id)


@role_required(Role.AGENT)
@require_http_methods(["GET", "POST"])
def my_leftover_cases(request):
    """An agent hands an unfinished case to their team lead and follows what became of it."""
    agent = own_agent(request)
    status = 200
    form = {}
    if request.method == "POST":
        form = request.POST
        try:
            due_at = _local_datetime(request.POST.get("due_at", ""))
            services.leftover_case_submit(
                agent=agent,
                customer_ref=request.POST.get("customer_ref", ""),
                pending=request.POST.get("pending", ""),
                promised=request.POST.get("promised", ""),
                due_at=due_at,
                severity=request.POST.get("severity", Severity.MEDIUM),
            )
        except DomainError as exc:
            flash_error(request, exc)
            status = 400
        else:
            messages.success(request, _("Case handed to your team lead."))
            return redirect("my-leftover-cases")
    cases = selectors.leftover_cases_visible_to(request.user)
    return render_page(
        request,
        "scheduling/my_leftover_cases.html",
        {
            "agent": agent,
            "lead": agent.team.lead if agent.team else None,
            "mine": [c for c in cases if c.agent_id == agent.pk],
            "given": [c for c in cases if c.reassigned_to_id == agent.pk],
            "severities": Severity.choices,
            "form": form,
        },
        status=status,
    )


def _local_datetime(value: str) -> datetime | None:
    """A `datetime-local` field's value in the site's zone, or None when empty or malformed."""
    try:
        naive = datetime.fromisoformat(value)
    except ValueError:
        return None
    if timezone.is_aware(naive):
        return naive
    return timezone.make_aware(naive, site_zone())


@role_required(*LEADS)
def handover_open_cases(request):
    return render_page(
        request,
        "scheduling/handover_open_cases.html",
        {"cases": selectors.open_cases_visible_to(request.user)},
    )
