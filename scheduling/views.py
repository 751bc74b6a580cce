"""Server-rendered pages; every write goes through a service."""

from __future__ import annotations

from datetime import date, datetime, timedelta

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import agent_of, role_required
from agents.models import Agent
from agents.roles import Role
from callfloor import exports as shared_exports
from callfloor.error_pages import error_page
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from scheduling import access, exports, selectors, services
from scheduling.charts import staffing_charts
from scheduling.models import (
    LEAVE_KINDS,
    BriefingKind,
    HandoverAddendum,
    HandoverCase,
    LeaveRequest,
    LeaveStatus,
    Severity,
    Shift,
    SwapStatus,
)

User = get_user_model()
LEADS = access.LEADS


def _render(request, template: str, context: dict | None = None, status: int = 200):
    """Render with times shown in the site's zone (the database keeps UTC)."""
    with timezone.override(site_zone()):
        return render(request, template, context or {}, status=status)


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
    return _render(
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
            return _render(request, "scheduling/handover_new.html", context, status=400)
        messages.success(
            request,
            _("Handover sent to %(full_name)s.") % {"full_name": handover.to_lead.get_full_name()},
        )
        return redirect("handover-detail", handover_id=handover.pk)
    return _render(request, "scheduling/handover_new.html", context)


@role_required(*LEADS)
def handover_detail(request, handover_id: int):
    handover = _handover_for(request, handover_id)
    user = request.user
    return _render(
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
        services.handover_case_record_outcome(
            case=case,
            actor=request.user,
            outcome=request.POST.get("outcome", ""),
            note=request.POST.get("note", ""),
        )
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
        services.handover_addendum_add(
            handover=handover, actor=request.user, text=request.POST.get("text", "")
        )
    except DomainError as exc:
        _fail(request, exc)
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
        _fail(request, exc)
    return redirect("handover-detail", handover_id=addendum.handover_id)


@role_required(Role.AGENT)
@require_http_methods(["GET", "POST"])
def my_leftover_cases(request):
    """An agent hands an unfinished case to their team lead and follows what became of it."""
    agent = _own_agent(request)
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
            _fail(request, exc)
            status = 400
        else:
            messages.success(request, _("Case handed to your team lead."))
            return redirect("my-leftover-cases")
    cases = selectors.leftover_cases_visible_to(request.user)
    return _render(
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
    return _render(
        request,
        "scheduling/handover_open_cases.html",
        {"cases": selectors.open_cases_visible_to(request.user)},
    )


# --- schedules ------------------------------------------------------------------------------------


def _week_from(request) -> date:
    try:
        day = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        day = timezone.localdate(timezone=site_zone()) + timedelta(days=7)
    return selectors.monday_of(day)


@role_required(*LEADS)
def schedule(request):
    teams = list(access.managed_teams(request.user))
    team_id = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == team_id), teams[0] if teams else None)
    week = _week_from(request)
    return _render(
        request,
        "scheduling/schedule.html",
        {
            "teams": teams,
            "team": team,
            "week": week,
            "prev_week": week - timedelta(days=7),
            "next_week": week + timedelta(days=7),
            "grid": selectors.week_grid(team=team, week_start=week) if team else None,
            "report": None,
        },
    )


@role_required(*LEADS)
@require_POST
def schedule_import(request):
    upload = request.FILES.get("file")
    status = 400
    report = None
    if upload is None:
        messages.error(request, _("Choose a CSV file to import."))
    else:
        try:
            text = upload.read().decode("utf-8-sig")
            report = services.shifts_import_csv(
                text=text, actor=request.user, teams=access.managed_teams(request.user)
            )
        except UnicodeDecodeError:
            messages.error(request, _("The file is not UTF-8 text."))
        except DomainError as exc:
            _fail(request, exc)
        if report is not None and report.ok:
            messages.success(
                request,
                _("Imported %(created)s shift(s); publish the week so that agents see them.")
                % {"created": report.created},
            )
            status = 200
    teams = list(access.managed_teams(request.user))
    return _render(
        request,
        "scheduling/schedule.html",
        {"teams": teams, "team": None, "week": _week_from(request), "grid": None, "report": report},
        status=status,
    )


@role_required(*LEADS)
@require_POST
def schedule_publish(request):
    team = get_object_or_404(access.managed_teams(request.user), pk=request.POST.get("team") or 0)
    try:
        week = date.fromisoformat(request.POST.get("week", ""))
        count = services.week_publish(team=team, week_start=week, actor=request.user)
        messages.success(
            request,
            _("Published %(count)s shift(s) of %(team_name)s.")
            % {"count": count, "team_name": team.name},
        )
    except ValueError:
        messages.error(request, _("Give the week as a date."))
        week = _week_from(request)
    except DomainError as exc:
        _fail(request, exc)
    return redirect(f"{reverse('schedule')}?team={team.pk}&week={week.isoformat()}")


def _own_agent(request):
    agent = agent_of(request.user)
    if agent is None:
        raise PermissionDenied
    return agent


@role_required(Role.AGENT)
def my_schedule(request):
    agent = _own_agent(request)
    now = timezone.now()
    shifts = list(selectors.shifts_of_agent(agent, since=now - timedelta(days=7)))
    colleague_shifts = (
        Shift.objects.filter(published_at__isnull=False, start__gt=now, agent__active=True)
        .exclude(agent=agent)
        .select_related("agent")
        .order_by("start")[:200]
    )
    return _render(
        request,
        "scheduling/my_schedule.html",
        {
            "agent": agent,
            "shifts": shifts,
            "now": now,
            "colleague_shifts": colleague_shifts,
            "swaps": selectors.swaps_visible_to(request.user)[:50],
            "leave": selectors.leave_visible_to(request.user).filter(agent=agent)[:20],
        },
    )


# --- swaps ----------------------------------------------------------------------------------------


SWAP_ROLES = (Role.AGENT, *LEADS)


def _swap_for(request, swap_id: int):
    swap = selectors.swaps_visible_to(request.user).filter(pk=swap_id).first()
    if swap is None:
        raise Http404
    return swap


@role_required(*SWAP_ROLES)
def swaps(request):
    return _render(
        request, "scheduling/swaps.html", {"swaps": selectors.swaps_visible_to(request.user)[:200]}
    )


@role_required(Role.AGENT)
@require_POST
def swap_propose(request):
    agent = _own_agent(request)
    shift = Shift.objects.filter(pk=request.POST.get("shift") or 0, agent=agent).first()
    if shift is None:
        messages.error(request, _("Choose one of your own shifts."))
        return redirect("my-schedule")
    colleague_shift = (
        Shift.objects.filter(
            pk=request.POST.get("colleague_shift") or 0, published_at__isnull=False
        )
        .select_related("agent")
        .first()
    )
    try:
        swap = services.swap_propose(
            requester=agent,
            shift=shift,
            colleague=colleague_shift.agent if colleague_shift else None,
            colleague_shift=colleague_shift,
            note=request.POST.get("note", ""),
        )
    except DomainError as exc:
        _fail(request, exc)
        return redirect("my-schedule")
    return redirect("swap-detail", swap_id=swap.pk)


@role_required(*SWAP_ROLES)
def swap_detail(request, swap_id: int):
    swap = _swap_for(request, swap_id)
    agent = agent_of(request.user)
    return _render(
        request,
        "scheduling/swap_detail.html",
        {
            "swap": swap,
            "checks": services.swap_checks(swap),
            "history": selectors.history_of(swap),
            "is_requester": agent is not None and agent.pk == swap.requester_id,
            "can_accept": agent is not None
            and agent.pk != swap.requester_id
            and (
                swap.status == SwapStatus.OFFERED
                or (swap.status == SwapStatus.PROPOSED and swap.colleague_id == agent.pk)
            ),
            "can_decide": swap.status == SwapStatus.ACCEPTED
            and access.can_decide_for_agent(request.user, swap.requester),
        },
    )


def _swap_action(request, swap_id: int, action) -> object:
    swap = _swap_for(request, swap_id)
    try:
        action(swap)
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        _fail(request, exc)
    return redirect("swap-detail", swap_id=swap.pk)


@role_required(Role.AGENT)
@require_POST
def swap_accept(request, swap_id: int):
    agent = _own_agent(request)
    return _swap_action(request, swap_id, lambda s: services.swap_accept(swap=s, agent=agent))


@role_required(Role.AGENT)
@require_POST
def swap_decline(request, swap_id: int):
    agent = _own_agent(request)
    return _swap_action(request, swap_id, lambda s: services.swap_decline(swap=s, agent=agent))


@role_required(Role.AGENT)
@require_POST
def swap_cancel(request, swap_id: int):
    agent = _own_agent(request)
    return _swap_action(request, swap_id, lambda s: services.swap_cancel(swap=s, agent=agent))


@role_required(*LEADS)
@require_POST
def swap_approve(request, swap_id: int):
    return _swap_action(
        request, swap_id, lambda s: services.swap_approve(swap=s, actor=request.user)
    )


@role_required(*LEADS)
@require_POST
def swap_refuse(request, swap_id: int):
    return _swap_action(
        request,
        swap_id,
        lambda s: services.swap_refuse(
            swap=s, actor=request.user, reason=request.POST.get("reason", "")
        ),
    )


# --- leave ----------------------------------------------------------------------------------------


LEAVE_FILTERS = ("team", "status", "since", "until")


def _leave_filters(request, teams) -> tuple[dict, list[str]]:
    """The Leave page's filters from the query, and the reasons for any left out."""
    query = request.GET
    errors = []
    chosen = {"team": None, "status": "", "since": None, "until": None}
    team_id = query.get("team", "")
    if team_id:
        chosen["team"] = next((t for t in teams if str(t.pk) == team_id), None)
        if chosen["team"] is None:
            errors.append(_("Team: choose one of the teams listed."))
    state = query.get("status", "")
    if state and state not in LeaveStatus.values:
        errors.append(_("State: choose one of the states listed."))
    else:
        chosen["status"] = state
    for name, label in (("since", _("From")), ("until", _("To"))):
        value = query.get(name, "")
        if not value:
            continue
        try:
            chosen[name] = date.fromisoformat(value)
        except ValueError:
            errors.append(
                _("%(field)s: give a date (YYYY-MM-DD), not “%(value)s”.")
                % {"field": label, "value": value[:40]}
            )
    if chosen["since"] and chosen["until"] and chosen["until"] < chosen["since"]:
        errors.append(_("To: the last day is before the first."))
    return chosen, errors


@role_required(*SWAP_ROLES)
def leave(request):
    agent = agent_of(request.user)
    context = {
        "agent": agent,
        "mine": selectors.leave_visible_to(request.user).filter(agent=agent) if agent else [],
        "kinds": LEAVE_KINDS.items(),
    }
    status = 200
    if access.has_lead_role(request.user):
        teams = list(access.readable_teams(request.user).order_by("name"))
        chosen, errors = _leave_filters(request, teams)
        for error in errors:
            messages.error(request, error)
        status = 400 if errors else 200
        context.update(
            teams=teams,
            states=LeaveStatus.choices,
            chosen=chosen,
            groups=selectors.leave_by_team(
                request.user,
                team=chosen["team"],
                status=chosen["status"] or None,
                since=chosen["since"],
                until=chosen["until"],
            ),
            query=request.GET.urlencode(),
        )
    return _render(request, "scheduling/leave.html", context, status=status)


def _back_to_leave(request):
    """Back to the Leave page with the filters the decision was made under."""
    from django.http import QueryDict

    kept = QueryDict(mutable=True)
    previous = QueryDict(request.POST.get("query", ""))
    for name in LEAVE_FILTERS:
        if previous.get(name):
            kept[name] = previous[name]
    return redirect(f"{reverse('leave')}?{kept.urlencode()}" if kept else reverse("leave"))


LEAVE_LABELS = {
    "first_day": gettext_lazy("First day"),
    "last_day": gettext_lazy("Last day"),
    "kind": gettext_lazy("Kind"),
    "reason": gettext_lazy("Reason"),
}


def _date_or_none(raw: str) -> date | None:
    try:
        return date.fromisoformat(raw)
    except ValueError:
        return None


@role_required(Role.AGENT)
@require_POST
def leave_request(request):
    agent = _own_agent(request)
    try:
        services.leave_request(
            agent=agent,
            first_day=_date_or_none(request.POST.get("first_day", "")),
            last_day=_date_or_none(request.POST.get("last_day", "")),
            kind=request.POST.get("kind", "annual"),
            reason=request.POST.get("reason", ""),
        )
    except DomainError as exc:
        if exc.field is None:
            _fail(request, exc)
            return redirect("leave")
        errors = FormErrors.from_error(exc, labels=LEAVE_LABELS)
        return render_again(request, leave, errors=errors)
    messages.success(request, _("Leave requested; your team lead decides."))
    return redirect("leave")


@role_required(*LEADS)
@require_POST
def leave_decide(request, leave_id: int):
    item = selectors.leave_visible_to(request.user).filter(pk=leave_id).first()
    if item is None:
        raise Http404
    try:
        services.leave_decide(
            leave=item,
            actor=request.user,
            approve=request.POST.get("decision") == "approve",
            reason=request.POST.get("reason", ""),
        )
        done = (
            _("Leave of %(name)s approved; they are told.")
            if item.status == LeaveStatus.APPROVED
            else _("Leave of %(name)s refused; they are told.")
        )
        messages.success(request, done % {"name": item.agent.display_name})
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied from exc
        _fail(request, exc)
    return _back_to_leave(request)


@role_required(Role.AGENT)
@require_POST
def leave_cancel(request, leave_id: int):
    agent = _own_agent(request)
    item = get_object_or_404(LeaveRequest, pk=leave_id, agent=agent)
    try:
        services.leave_cancel(leave=item, agent=agent)
    except DomainError as exc:
        _fail(request, exc)
    return redirect("leave")


# --- attendance -----------------------------------------------------------------------------------


def _sheet_request(request):
    """Team, and either a day (?day=) or a month (?month=YYYY-MM) from the query."""
    teams = list(access.readable_teams(request.user))
    team_id = request.GET.get("team", "")
    team = next((t for t in teams if str(t.pk) == team_id), teams[0] if teams else None)
    month = request.GET.get("month", "")
    if month:
        try:
            year, mon = (int(p) for p in month.split("-"))
            date(year, mon, 1)
        except ValueError:
            raise DomainError(_("Give the month as YYYY-MM."), field="month") from None
        return teams, team, None, (year, mon)
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate(timezone=site_zone())
    return teams, team, day, None


@role_required(*LEADS)
def attendance(request):
    try:
        teams, team, day, month = _sheet_request(request)
    except DomainError as exc:
        return error_page(request, exc.message, status=400)
    context = {"teams": teams, "team": team, "day": day, "month": month}
    if team is not None and month:
        context["sheet"] = selectors.attendance_month(team=team, year=month[0], month=month[1])
        context["month_value"] = f"{month[0]:04d}-{month[1]:02d}"
    elif team is not None:
        context["sheet"] = selectors.attendance_day(team=team, day=day)
    return _render(request, "scheduling/attendance.html", context)


@role_required(*LEADS)
def attendance_export(request):
    try:
        _kind, team, day, month = _sheet_request(request)
    except DomainError as exc:
        return error_page(request, exc.message, status=400)
    fmt = request.GET.get("format", "csv")
    if team is None or fmt not in ("csv", "xlsx"):
        return error_page(request, _("Choose a team and a format (csv or xlsx)."), status=400)
    if month:
        rows = exports.month_table(
            selectors.attendance_month(team=team, year=month[0], month=month[1])
        )
        period = f"{month[0]:04d}-{month[1]:02d}"
    else:
        rows = exports.day_table(selectors.attendance_day(team=team, day=day))
        period = day.isoformat()
    zone = str(site_zone())
    about = [(_("Team"), team.name), (_("Period"), period), (_("Time zone"), zone)]
    if fmt == "csv":
        response = HttpResponse(exports.to_csv(rows), content_type=shared_exports.CSV_TYPE)
    else:
        response = HttpResponse(
            exports.to_xlsx(rows, _("Attendance"), about=about),
            content_type=shared_exports.XLSX_TYPE,
        )
    response["Content-Disposition"] = shared_exports.attachment_header(
        shared_exports.file_name(_("Attendance"), team.name, period, zone, ext=fmt),
        fallback=shared_exports.file_name("attendance", team.name, period, zone, ext=fmt),
    )
    return response


# --- staffing -------------------------------------------------------------------------------------


def _staffing_params(request):
    from metrics.models import Queue

    queues = list(Queue.objects.order_by("name"))
    queue_id = request.GET.get("queue", "")
    queue = next((q for q in queues if str(q.pk) == queue_id), queues[0] if queues else None)
    try:
        day = date.fromisoformat(request.GET.get("day", ""))
    except ValueError:
        day = timezone.localdate(timezone=site_zone())
    try:
        shrinkage = float(request.GET.get("shrinkage", "0.3"))
        max_occupancy = float(request.GET.get("max_occupancy", "0.85"))
    except ValueError:
        raise DomainError(_("Shrinkage and occupancy are numbers."), field="shrinkage") from None
    if not 0 <= shrinkage < 1:
        raise DomainError(_("Shrinkage is a share from 0 to below 1."), field="shrinkage")
    if not 0 < max_occupancy <= 1:
        raise DomainError(_("Maximum occupancy is a share above 0 up to 1."), field="max_occupancy")
    return queues, queue, day, shrinkage, max_occupancy


@role_required(*LEADS)
def staffing(request):
    try:
        queues, queue, day, shrinkage, max_occupancy = _staffing_params(request)
    except DomainError as exc:
        return error_page(request, exc.message, status=400)
    context = {
        "queues": queues,
        "queue": queue,
        "day": day,
        "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
    }
    if queue is not None:
        data = selectors.staffing_day(
            queue=queue, day=day, shrinkage=shrinkage, max_occupancy=max_occupancy
        )
        context["data"] = data
        if day == timezone.localdate(timezone=site_zone()):
            context["current"] = selectors.staffing_now(queue=queue)
        context["charts"] = staffing_charts(queue=queue, day=day, rows=data["rows"])
    return _render(request, "scheduling/staffing.html", context)


# --- briefings ------------------------------------------------------------------------------------


def _attendee_groups(user, team_id: str, ticked=()) -> tuple[list, object]:
    """The teams a lead files briefings for, each with its active agents (`ticked` ids checked);
    the chosen team (the query's or the refused form's, else the first) comes first."""
    teams = list(access.managed_teams(user).order_by("name"))
    chosen = next((t for t in teams if str(t.pk) == team_id), teams[0] if teams else None)
    agents: dict[int, list[Agent]] = {}
    for agent in Agent.objects.filter(team__in=teams, active=True).order_by("display_name"):
        agent.checked = str(agent.pk) in ticked
        agents.setdefault(agent.team_id, []).append(agent)
    groups = [{"team": t, "agents": agents.get(t.pk, []), "chosen": t == chosen} for t in teams]
    groups.sort(key=lambda g: not g["chosen"])
    return groups, chosen


@role_required(*SWAP_ROLES)
def briefings(request):
    agent = agent_of(request.user)
    is_lead = access.has_lead_role(request.user)
    # A refused form comes back with its own team and ticks (see render_again).
    sent = request.POST if request.method == "POST" else request.GET
    groups, chosen = (
        _attendee_groups(request.user, sent.get("team", ""), set(sent.getlist("attendees")))
        if is_lead
        else ([], None)
    )
    return _render(
        request,
        "scheduling/briefings.html",
        {
            "mine": selectors.briefings_for_agent(agent) if agent and agent.team_id else [],
            "filed": selectors.briefings_visible_to(request.user)[:50] if is_lead else [],
            "teams": [g["team"] for g in groups],
            "chosen_team": chosen,
            "attendee_groups": groups,
            "kinds": BriefingKind.choices,
            "now": timezone.now(),
        },
    )


BRIEFING_LABELS = {
    "team": gettext_lazy("Team"),
    "kind": gettext_lazy("Kind"),
    "held_at": gettext_lazy("Held at"),
    "agenda": gettext_lazy("Agenda"),
    "minutes": gettext_lazy("Minutes"),
    "attendees": gettext_lazy("Attendees"),
}


@role_required(*LEADS)
@require_POST
def briefing_new(request):
    post = request.POST
    team = access.managed_teams(request.user).filter(pk=post.get("team") or 0).first()
    if team is None:
        raise PermissionDenied
    try:
        held_at = datetime.fromisoformat(post.get("held_at", ""))
    except ValueError:
        held_at = None  # the service names it, with every other problem
    if held_at is not None and timezone.is_naive(held_at):
        held_at = held_at.replace(tzinfo=site_zone())
    attendees = list(
        Agent.objects.filter(pk__in=[v for v in post.getlist("attendees") if v.isdigit()])
    )
    try:
        briefing = services.briefing_create(
            author=request.user,
            team=team,
            kind=post.get("kind", ""),
            held_at=held_at,
            agenda=post.get("agenda", ""),
            minutes=post.get("minutes", ""),
            attendees=attendees,
        )
    except DomainError as exc:
        if exc.status_code == 403:
            raise PermissionDenied(exc.message) from exc
        errors = FormErrors.from_error(exc, labels=BRIEFING_LABELS)
        return render_again(request, briefings, errors=errors)
    return redirect("briefing-detail", briefing_id=briefing.pk)


@role_required(*SWAP_ROLES)
def briefing_detail(request, briefing_id: int):
    briefing = selectors.briefings_visible_to(request.user).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404
    agent = agent_of(request.user)
    attendees = list(briefing.attendees.all())
    return _render(
        request,
        "scheduling/briefing_detail.html",
        {
            "briefing": briefing,
            "attendees": attendees,
            "reads": briefing.reads.select_related("agent"),
            "can_mark": agent is not None
            and agent.team_id == briefing.team_id
            and not briefing.reads.filter(agent=agent).exists(),
            "attended": agent is not None and agent in attendees,
        },
    )


@role_required(Role.AGENT)
@require_POST
def briefing_read(request, briefing_id: int):
    agent = _own_agent(request)
    briefing = selectors.briefings_visible_to(request.user).filter(pk=briefing_id).first()
    if briefing is None:
        raise Http404
    try:
        services.briefing_mark_read(briefing=briefing, agent=agent)
    except DomainError as exc:
        raise PermissionDenied from exc
    return redirect("briefing-detail", briefing_id=briefing.pk)
