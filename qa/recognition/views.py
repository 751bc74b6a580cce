"""The monthly recognition page: most featured calls and peer nominations."""

from __future__ import annotations

from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import agent_of, has_role, role_required
from agents.models import Agent
from agents.roles import Role
from callfloor.errors import DomainError
from qa.recognition import access, selectors, services
from qa.recognition.models import PeerNomination


def _shift(month: date, months: int) -> date:
    index = month.year * 12 + month.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


@role_required(*Role.values)
@require_http_methods(["GET", "POST"])
def recognition(request):
    if request.method == "POST":
        nominee = get_object_or_404(Agent, pk=request.POST.get("nominee") or 0)
        try:
            services.peer_nomination_create(
                user=request.user, nominee=nominee, reason=request.POST.get("reason", "")
            )
        except DomainError as error:
            if error.status_code == 403:
                raise PermissionDenied(error.message) from error
            messages.error(request, error.message)
        else:
            messages.success(request, _("Thank you: your colleague's team lead will confirm it."))
        return redirect("qa-recognition")
    month = selectors.month_from(request.GET.get("month"))
    own = agent_of(request.user)
    nominating = own is not None and has_role(request.user, Role.AGENT)
    return render(
        request,
        "qa/recognition.html",
        {
            "r": selectors.recognition_of_month(month=month, user=request.user),
            "previous": _shift(month, -1),
            "next": _shift(month, 1) if month < services.this_month() else None,
            "nominating": nominating,
            "colleagues": Agent.objects.filter(active=True).exclude(pk=own.pk)
            if nominating
            else [],
            "sees_pending": access.sees_pending(request.user),
        },
    )


@role_required(Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)
@require_POST
def nomination_confirm(request, nomination_id: int):
    nomination = get_object_or_404(PeerNomination, pk=nomination_id)
    if not access.can_confirm(request.user, nomination):
        raise PermissionDenied
    try:
        services.peer_nomination_confirm(actor=request.user, nomination=nomination)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The nomination is confirmed."))
    return redirect(f"{reverse('qa-recognition')}?month={nomination.month:%Y-%m}")
