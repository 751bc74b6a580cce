"""Schedule pages: the team's week, CSV import, publishing, an agent's own schedule."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.access import role_required
from agents.roles import Role
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from scheduling import access, selectors, services
from scheduling.models import OPEN_SWAP_STATUSES, Shift, SwapRequest
from scheduling.views.common import LEADS, flash_error, own_agent, render_page


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
    return render_page(
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
            flash_error(request, exc)
        if report is not None and report.ok:
            messages.success(
                request,
                _("Imported %(created)s shift(s); publish the week so that agents see them.")
                % {"created": report.created},
            )
            status = 200
    teams = list(access.managed_teams(request.user))
    return render_page(
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
        flash_error(request, exc)
    return redirect(f"{reverse('schedule')}?team={team.pk}&week={week.isoformat()}")


@role_required(Role.AGENT)
def my_schedule(request):
    agent = own_agent(request)
    now = timezone.now()
    shifts = list(selectors.shifts_of_agent(agent, since=now - timedelta(days=7)))
    colleague_shifts = (
        Shift.objects.filter(published_at__isnull=False, start__gt=now, agent__active=True)
        .exclude(agent=agent)
        .select_related("agent")
        .order_by("start")[:200]
    )
    in_open_swap = set(
        SwapRequest.objects.filter(
            requester_shift__in=shifts, status__in=OPEN_SWAP_STATUSES
        ).values_list("requester_shift_id", flat=True)
    )
    return render_page(
        request,
        "scheduling/my_schedule.html",
        {
            "agent": agent,
            "shifts": shifts,
            "in_open_swap": in_open_swap,
            "now": now,
            "colleague_shifts": colleague_shifts,
            "swaps": selectors.swaps_visible_to(request.user)[:50],
            "leave": selectors.leave_visible_to(request.user).filter(agent=agent)[:20],
        },
    )
