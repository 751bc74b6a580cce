"""Report pages: a form for the range, the charts, the table and the CSV / XLSX exports.

They read inside `reading_reports()`: from the replica when one is configured.
"""

from __future__ import annotations

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callfloor import exports
from callfloor.db import reading_reports
from callfloor.errors import DomainError
from metrics.reports import access as report_access
from metrics.reports import agents as agent_reports
from metrics.reports import charts as report_charts
from metrics.reports import exports as report_exports
from metrics.reports import history
from metrics.reports import selectors as report_selectors

EXPORTS = {"csv": (exports.CSV_TYPE, "csv"), "xlsx": (exports.XLSX_TYPE, "xlsx")}


def _guard(request, allowed) -> HttpResponse | None:
    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not allowed(request.user):
        raise PermissionDenied
    return None


def _span(request, **opening) -> history.ReportRange:
    return history.ReportRange.parse(
        start=request.GET.get("start"),
        end=request.GET.get("end"),
        grain=request.GET.get("grain"),
        **opening,
    )


def _queue_span(request) -> history.ReportRange:
    """The queue report opens on today by the queues' interval (a day is one point a day)."""
    queues = report_selectors.report_queues(queue_param=request.GET.get("queue"))
    return _span(request, opening_days=1, opening_grain=history.interval_grain(queues))


def _export(report: history.Report, kind: str) -> HttpResponse:
    content_type, ext = EXPORTS[kind]
    body = report_exports.as_xlsx(report) if kind == "xlsx" else report_exports.as_csv(report)
    name, ascii_name = report.file_name(ext)
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = exports.attachment_header(name, fallback=ascii_name)
    return response


def _cells(report: history.Report, highlight: set[str]) -> list[dict]:
    rows = []
    for row in report.rows:
        rows.append(
            {
                "label": row["label"],
                "group": row["group"],
                "total": row["total"],
                "cells": [
                    {
                        "key": c.key,
                        "text": report_exports.display(row.get(c.key), c.kind),
                        "highlight": c.key in highlight,
                    }
                    for c in report.columns
                ],
                "reasons": row.get("not_ready_by_reason") or {},
                "components": [
                    str(AHT_COMPONENTS.get(part, part)) for part in row.get("aht_components") or []
                ],
            }
        )
    return rows


# What the handle time of a source is made of, as the report page names it.
AHT_COMPONENTS = {
    "talk": gettext_lazy("talk"),
    "hold": gettext_lazy("hold"),
    "acw": gettext_lazy("wrap-up"),
}


def _page(request, *, kind: str, build, title: str, heat=None):
    choices = report_selectors.report_choices(user=request.user)
    context = {
        "kind": kind,
        "title": title,
        "choices": choices,
        "params": request.GET,
        "grains": list(history.GRAINS) if kind == "queue" else ["day", "week", "month"],
        "errors": {},
    }
    try:
        report = build()
    except DomainError as error:
        context["errors"] = {error.field or "form": error.message}
        return render(request, "reports/report.html", context, status=400)
    export = request.GET.get("export")
    if export:
        if export not in EXPORTS:
            context["errors"] = {"export": _("Export as csv or xlsx.")}
            return render(request, "reports/report.html", context, status=400)
        return _export(report, export)
    context.update(
        report=report,
        rows=_cells(report, report.highlighted()),
        charts=report_charts.report_charts(report, heat() if heat else None),
        query=request.GET.urlencode(),
    )
    return render(request, "reports/report.html", context)


@reading_reports()
def index(request):
    if denied := _guard(request, report_access.can_see_some_report):
        return denied
    return render(
        request,
        "reports/index.html",
        {
            "choices": report_selectors.report_choices(user=request.user),
            "everything": report_access.can_see_all_reports(request.user),
        },
    )


@reading_reports()
def queue_report(request):
    if denied := _guard(request, report_access.can_see_all_reports):
        return denied

    def build():
        return history.queue_report(
            queues=report_selectors.report_queues(queue_param=request.GET.get("queue")),
            span=_queue_span(request),
        )

    def heat():
        return history.abandon_heatmap(
            queues=report_selectors.report_queues(queue_param=request.GET.get("queue")),
            span=_queue_span(request),
        )

    return _page(request, kind="queue", build=build, title=_("Queue report"), heat=heat)


@reading_reports()
def site_report(request):
    if denied := _guard(request, report_access.can_see_all_reports):
        return denied
    return _page(
        request,
        kind="site",
        title=_("Site summary"),
        build=lambda: agent_reports.site_report(span=_span(request)),
    )


@reading_reports()
def abandoned_report(request):
    if denied := _guard(request, report_access.can_see_all_reports):
        return denied

    def build():
        return history.abandoned_report(
            queues=report_selectors.report_queues(queue_param=request.GET.get("queue")),
            span=_span(request),
        )

    return _page(request, kind="abandoned", title=_("Abandoned calls"), build=build)


@reading_reports()
def agent_report(request, agent_id: int):
    if denied := _guard(request, report_access.can_see_some_report):
        return denied
    agent = report_selectors.report_agent(user=request.user, agent_id=agent_id)
    return _page(
        request,
        kind="agent",
        title=_("Agent report: %(name)s") % {"name": agent.display_name},
        build=lambda: agent_reports.agent_report(agent=agent, span=_span(request)),
    )


@reading_reports()
def team_report(request, team_id: int):
    if denied := _guard(request, report_access.can_see_some_report):
        return denied
    team = report_selectors.report_team(user=request.user, team_id=team_id)
    return _page(
        request,
        kind="team",
        title=_("Team report: %(name)s") % {"name": team.name},
        build=lambda: agent_reports.team_report(team=team, span=_span(request)),
    )
