"""Complaint pages: log from a call, my cases, the case queue, escalations and reports."""

from datetime import datetime

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from agents.access import has_role, readable_agents_q, role_required
from agents.roles import Role
from callfloor import exports
from callfloor.error_pages import error_page
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.exports import CSV_TYPE, XLSX_TYPE
from callfloor.history import describe
from callfloor.page_errors import FormErrors
from callfloor.zone import site_zone
from metrics.models import QueueCall
from qa.complaints import access, reports, selectors, services, timers
from qa.complaints.api import parse_period
from qa.complaints.models import (
    CallbackOutcome,
    Category,
    Channel,
    LiveEscalation,
    RootCause,
    Severity,
    Status,
    Tier,
)

ANY_COMPLAINT_ROLE = (*access.LOGGING_ROLES, Role.QA_ANALYST, Role.ADMIN)
ESCALATION_PAGE_ROLES = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)


def _with_timers(cases) -> list:
    calendar, now = selectors.business_calendar(), timezone.now()
    rows = []
    for case in cases:
        state = selectors.complaint_timers(case, calendar=calendar, now=now)
        worst = state.worst
        rows.append(
            {
                "case": case,
                "timers": state,
                "worst": worst,
                "view": _timer_view(worst, selectors.calendar_for(case, calendar), now),
            }
        )
    return rows


def _ticking_until(state: timers.TimerState, calendar, now: datetime) -> str:
    """Until when the browser may tick this timer down (ISO), or "" when it stands still."""
    if state.stopped or state.paused:
        return ""
    if calendar is None:
        return "always"
    until = timers.counting_until(now, calendar)
    return until.replace(microsecond=0).isoformat() if until else ""


def _timer_view(state: timers.TimerState, calendar=None, now: datetime | None = None) -> dict:
    return {
        "state": state,
        "left": timers.format_duration(state.left_s),
        "used": timers.format_duration(state.used_s),
        "budget": timers.format_duration(state.budget_s),
        "percent": min(round(state.share * 100), 100),
        "until": _ticking_until(state, calendar, now or timezone.now()),
    }


@role_required(*ANY_COMPLAINT_ROLE)
@require_GET
def complaint_list(request):
    """Agents: their own cases and recent calls. Leads and supervisors: the case queue."""
    user = request.user
    queue_view = has_role(user, *access.QUEUE_ROLES)
    params = request.GET
    tier = params.get("tier", "")
    cases = selectors.complaint_list(
        user=user,
        status=params.get("status") or None,
        tier=int(tier) if tier.isdigit() else None,
        severity=params.get("severity") or None,
        mine=not queue_view or params.get("mine") == "1",
        # The queue shows open cases unless a status is chosen; agents see all of theirs.
        open_only=queue_view and not params.get("status"),
    )
    return render(
        request,
        "complaints/list.html",
        {
            "rows": _with_timers(cases[:300]),
            "queue_view": queue_view,
            "calls": selectors.calls_to_log_from(user)[:20]
            if has_role(user, *access.LOGGING_ROLES)
            else [],
            "can_log": has_role(user, *access.LOGGING_ROLES),
            "statuses": Status.choices,
            "tiers": Tier.choices,
            "severities": Severity.choices,
            "counts": selectors.status_counts(user=user),
            "filters": params,
        },
    )


# The log form's fields by the labels the page shows (the error summary names them so).
CREATE_LABELS = {
    "call": gettext_lazy("From the call"),
    "calls": gettext_lazy("From the call"),
    "customer_name": gettext_lazy("Customer name"),
    "customer_contact": gettext_lazy("Phone or e-mail"),
    "channel": gettext_lazy("Channel"),
    "category": gettext_lazy("Category"),
    "severity": gettext_lazy("Severity"),
    "description": gettext_lazy("What happened"),
}


def _create_context(request, values, error=None):
    return {
        "calls": selectors.calls_to_log_from(request.user)[:50],
        "categories": Category.objects.filter(active=True),
        "severities": Severity.choices,
        "channels": Channel.choices,
        "values": values,
        "form_errors": FormErrors.from_error(error, labels=CREATE_LABELS) if error else None,
    }


@role_required(*access.LOGGING_ROLES)
@require_http_methods(["GET", "POST"])
def complaint_create(request):
    if request.method == "GET":
        values = {
            "call": request.GET.get("call", ""),
            "severity": Severity.NORMAL,
            "channel": Channel.PHONE,
        }
        return render(request, "complaints/create.html", _create_context(request, values))
    values = request.POST
    problems = Problems()
    calls = []
    if values.get("call"):
        try:
            calls = [QueueCall.objects.select_related("queue", "agent").get(pk=int(values["call"]))]
        except (ValueError, QueueCall.DoesNotExist):
            problems.add("call", _("That call does not exist."))
    try:
        # A problem of the form's own (an unknown call) undoes what the service stored.
        with transaction.atomic():
            with problems.capture():
                complaint = services.complaint_create(
                    actor=request.user,
                    customer_name=values.get("customer_name", ""),
                    customer_contact=values.get("customer_contact", ""),
                    channel=values.get("channel", Channel.PHONE),
                    category=values.get("category", ""),
                    severity=values.get("severity", ""),
                    description=values.get("description", ""),
                    calls=calls,
                )
            problems.raise_if_any()
    except DomainError as error:
        return render(
            request,
            "complaints/create.html",
            _create_context(request, values, error),
            status=error.status_code,
        )
    messages.success(
        request, _("Complaint %(reference)s logged.") % {"reference": complaint.reference}
    )
    return redirect("complaint-detail", complaint_id=complaint.pk)


HISTORY = {
    "complaint.created": gettext_lazy("logged"),
    "complaint.acknowledged": pgettext_lazy("complaint history", "acknowledged"),
    "complaint.investigating": gettext_lazy("investigation started"),
    "complaint.resolution_proposed": gettext_lazy("resolution proposed"),
    "complaint.awaiting_callback": gettext_lazy("call-back scheduled"),
    "complaint.callback_recorded": gettext_lazy("call-back recorded"),
    "complaint.closed": pgettext_lazy("complaint history", "closed"),
    "complaint.reopened": pgettext_lazy("complaint history", "reopened"),
    "complaint.paused": gettext_lazy("waiting on the customer"),
    "complaint.resumed": gettext_lazy("timers running again"),
    "complaint.note_added": gettext_lazy("note added"),
    "complaint.forwarded": gettext_lazy("forwarded"),
    "complaint.escalated": gettext_lazy("escalated"),
    "complaint.ack_breached": gettext_lazy("time to acknowledge breached"),
    "complaint.resolve_breached": gettext_lazy("time to resolve breached"),
}


def _history(complaint) -> list[dict]:
    rows = []
    for entry in selectors.complaint_history(complaint):
        data = entry.data or {}
        detail = data.get("reason") or ""
        if entry.action == "complaint.callback_recorded":
            detail = CallbackOutcome(data["outcome"]).label
        elif entry.action == "complaint.forwarded":
            detail = _("to %(department)s") % {"department": data.get("department", "")}
        elif entry.action == "complaint.escalated":
            detail = _("to %(owner)s — %(reason)s") % {
                "owner": data.get("to_owner"),
                "reason": data.get("reason", ""),
            }
        rows.append(
            {
                "at": entry.at,
                "actor": entry.actor,
                "detail": detail,
                "label": HISTORY.get(entry.action) or describe(entry.action, data),
            }
        )
    return rows


# Each action's form fields by the labels the page shows; keyed as the template names the form.
ACTION_LABELS = {
    "propose": {"resolution": gettext_lazy("Proposed resolution")},
    "await_callback": {"callback_at": gettext_lazy("Call the customer back at")},
    "callback": {"outcome": gettext_lazy("Call-back outcome"), "note": gettext_lazy("Note")},
    "close": {
        "root_cause": gettext_lazy("Root cause"),
        "corrective_action": gettext_lazy("Corrective action"),
    },
    "reopen": {"reason": gettext_lazy("Reason to reopen")},
    "pause": {"reason": gettext_lazy("Waiting for")},
    "note": {"text": gettext_lazy("Add a note")},
    "forward": {"department": gettext_lazy("Department"), "note": gettext_lazy("Note")},
    "escalate": {"reason": gettext_lazy("Reason to escalate")},
}


def _detail_context(request, complaint, error=None, action: str = ""):
    calendar, now = selectors.business_calendar(), timezone.now()
    state = selectors.complaint_timers(complaint, calendar=calendar, now=now)
    case_calendar = selectors.calendar_for(complaint, calendar)
    user = request.user
    can_work = access.can_work(user, complaint) and complaint.is_open
    key = action.replace("-", "_")
    errors = FormErrors.from_error(error, labels=ACTION_LABELS.get(key)) if error else None
    return {
        "case": complaint,
        "customer": access.customer_of(user, complaint),
        "ack": _timer_view(state.acknowledge, case_calendar, now),
        "resolve": _timer_view(state.resolve, case_calendar, now),
        "can_work": can_work,
        "can_close": can_work and complaint.status == Status.AWAITING_CALLBACK,
        "can_reopen": access.can_reopen(user, complaint) and not complaint.is_open,
        "can_note": access.can_add_note(user, complaint),
        "gate": services.callback_gate(complaint)
        if complaint.status == Status.AWAITING_CALLBACK
        else None,
        "calls": complaint.calls.select_related("queue", "agent"),
        "notes": complaint.notes.select_related("author"),
        "callbacks": complaint.callbacks.select_related("by"),
        "escalations": complaint.escalations.select_related("from_owner", "to_owner", "by"),
        "forwardings": complaint.forwardings.select_related("by"),
        "pauses": complaint.pauses.all(),
        "history": _history(complaint),
        "root_causes": RootCause.objects.filter(active=True),
        "outcomes": CallbackOutcome.choices,
        # The refused form's errors, beside its own fields only (several forms share names).
        "form_errors": errors,
        "action_errors": {key: errors} if errors else {},
        "Status": Status,
    }


@role_required(*ANY_COMPLAINT_ROLE)
@require_GET
def complaint_detail(request, complaint_id: int):
    complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
    return render(request, "complaints/detail.html", _detail_context(request, complaint))


def _local_datetime(raw: str, field: str) -> datetime | None:
    if not raw:
        return None
    try:
        value = datetime.fromisoformat(raw)
    except ValueError:
        raise DomainError(
            _("%(raw)s is not a date and time.") % {"raw": repr(raw)}, field=field
        ) from None
    return value if value.tzinfo else value.replace(tzinfo=site_zone())


# action → (who may, service, the service's keyword arguments from the form)
ACTIONS = {
    "acknowledge": (access.can_work, services.complaint_acknowledge, lambda p: {}),
    "investigate": (access.can_work, services.complaint_investigate, lambda p: {}),
    "propose": (
        access.can_work,
        services.complaint_propose_resolution,
        lambda p: {"resolution": p.get("resolution", "")},
    ),
    "await-callback": (
        access.can_work,
        services.complaint_await_callback,
        lambda p: {"callback_at": _local_datetime(p.get("callback_at", ""), "callback_at")},
    ),
    "callback": (
        access.can_work,
        services.complaint_record_callback,
        lambda p: {"outcome": p.get("outcome", ""), "note": p.get("note", "")},
    ),
    "close": (
        access.can_work,
        services.complaint_close,
        lambda p: {
            "root_cause": p.get("root_cause", ""),
            "corrective_action": p.get("corrective_action", ""),
        },
    ),
    "reopen": (
        access.can_reopen,
        services.complaint_reopen,
        lambda p: {"reason": p.get("reason", "")},
    ),
    "pause": (access.can_work, services.complaint_pause, lambda p: {"reason": p.get("reason", "")}),
    "resume": (access.can_work, services.complaint_resume, lambda p: {}),
    "note": (
        access.can_add_note,
        services.complaint_add_note,
        lambda p: {"text": p.get("text", "")},
    ),
    "forward": (
        access.can_work,
        services.complaint_forward,
        lambda p: {"department": p.get("department", ""), "note": p.get("note", "")},
    ),
    "escalate": (
        access.can_work,
        services.complaint_escalate,
        lambda p: {"reason": p.get("reason", "")},
    ),
}
DONE = {
    "acknowledge": gettext_lazy("Acknowledged."),
    "investigate": gettext_lazy("Investigation started."),
    "propose": gettext_lazy("Resolution proposed."),
    "await-callback": gettext_lazy("Call-back scheduled."),
    "callback": gettext_lazy("Call-back recorded."),
    "close": gettext_lazy("Case closed."),
    "reopen": gettext_lazy("Case reopened."),
    "pause": gettext_lazy("Waiting on the customer: timers paused."),
    "resume": gettext_lazy("Timers running again."),
    "note": gettext_lazy("Note added."),
    "forward": gettext_lazy("Forwarding recorded."),
    "escalate": gettext_lazy("Case escalated."),
}


@role_required(*ANY_COMPLAINT_ROLE)
@require_POST
def complaint_action(request, complaint_id: int, action: str):
    if action not in ACTIONS:
        raise Http404
    may, service, arguments = ACTIONS[action]
    complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
    if not may(request.user, complaint):
        raise PermissionDenied
    try:
        service(complaint=complaint, actor=request.user, **arguments(request.POST))
    except DomainError as error:
        complaint = selectors.complaint_get(user=request.user, pk=complaint_id)
        return render(
            request,
            "complaints/detail.html",
            _detail_context(request, complaint, error, action),
            status=error.status_code,
        )
    messages.success(request, DONE[action])
    if not access.can_see(request.user, complaint):
        return redirect("complaint-list")
    return redirect("complaint-detail", complaint_id=complaint.pk)


@role_required(*ESCALATION_PAGE_ROLES)
@require_GET
def complaint_escalations(request):
    return render(
        request,
        "complaints/escalations.html",
        {
            "live": selectors.live_escalations_open(),
            "escalations": selectors.escalations_recent(user=request.user, limit=100),
            "can_take": has_role(request.user, *access.TAKEOVER_ROLES),
            "can_log": has_role(request.user, *access.LOGGING_ROLES),
        },
    )


@role_required(*access.LOGGING_ROLES)
@require_POST
def live_escalation_raise(request):
    call = None
    raw = request.POST.get("call", "")
    try:
        if raw:
            call = get_object_or_404(
                QueueCall.objects.select_related("queue", "agent"),
                pk=int(raw) if raw.isdigit() else -1,
            )
        services.live_escalation_raise(
            actor=request.user, call=call, reason=request.POST.get("reason", "")
        )
    except DomainError as error:
        messages.error(request, error.message)
        return redirect("complaint-list")
    messages.success(request, _("The floor has been asked for a supervisor."))
    return redirect("complaint-list")


@role_required(*access.TAKEOVER_ROLES)
@require_POST
def live_escalation_action(request, live_id: int, action: str):
    live = get_object_or_404(LiveEscalation, pk=live_id)
    try:
        if action == "take":
            services.live_escalation_take(live=live, actor=request.user)
        elif action == "close":
            services.live_escalation_close(live=live, actor=request.user)
        else:
            raise Http404
    except Conflict as error:
        messages.error(request, error.message)
    return redirect("complaint-escalations")


@role_required(*access.QUEUE_ROLES)
@require_GET
def complaint_reports(request):
    try:
        period = parse_period(request.GET)
    except DomainError as error:
        return render(request, "complaints/reports.html", {"error": error}, status=400)
    tables = reports.build(period, agents=readable_agents_q(request.user))
    return render(
        request,
        "complaints/reports.html",
        {
            "period": period,
            "tables": [
                {
                    "name": name,
                    "title": reports.TABLES[name],
                    "columns": list(frame.columns),
                    "rows": reports.page_rows(frame),
                }
                for name, frame in ((n, reports.labelled(f)) for n, f in tables.items())
            ],
            "charts": [reports.trend_chart(tables["trend_by_week"])],
        },
    )


@role_required(*access.QUEUE_ROLES)
@require_GET
def complaint_report_export(request, fmt: str):
    try:
        period = parse_period(request.GET)
    except DomainError as error:
        return error_page(request, error.message, status=400)
    tables = reports.build(period, agents=readable_agents_q(request.user))
    if fmt == "xlsx":
        response = HttpResponse(reports.to_xlsx(tables, period=period), content_type=XLSX_TYPE)
        name, ascii_name = reports.file_name(period, ext="xlsx")
        response["Content-Disposition"] = exports.attachment_header(name, fallback=ascii_name)
        return response
    if fmt == "csv":
        table = request.GET.get("table", "trend_by_week")
        if table not in tables:
            return error_page(
                request,
                _("Unknown report table %(table)s.") % {"table": repr(table)},
                status=400,
            )
        response = HttpResponse(reports.to_csv(tables[table]), content_type=CSV_TYPE)
        name, ascii_name = reports.file_name(period, table=table, ext="csv")
        response["Content-Disposition"] = exports.attachment_header(name, fallback=ascii_name)
        return response
    raise Http404
