"""Attendance and staffing pages: a team's day or month sheet (and its export), the agents a
queue needs."""

from __future__ import annotations

from datetime import date

from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import role_required
from callfloor import exports as shared_exports
from callfloor.error_pages import error_page
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from scheduling import access, exports, selectors
from scheduling.charts import staffing_charts
from scheduling.views.common import LEADS, render_page


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
    return render_page(request, "scheduling/attendance.html", context)


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
        try:
            data = selectors.staffing_day(
                queue=queue, day=day, shrinkage=shrinkage, max_occupancy=max_occupancy
            )
        except DomainError as exc:  # (a target no number of agents reaches)
            context["refused"] = exc.message
            return render_page(request, "scheduling/staffing.html", context, status=400)
        context["data"] = data
        if day == timezone.localdate(timezone=site_zone()):
            context["current"] = selectors.staffing_now(queue=queue)
        context["charts"] = staffing_charts(queue=queue, day=day, rows=data["rows"])
    return render_page(request, "scheduling/staffing.html", context)
