"""Shift-swap pages: propose, accept, decline, cancel, approve, refuse."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.access import agent_of, role_required
from agents.roles import Role
from callfloor.errors import DomainError
from scheduling import access, selectors, services
from scheduling.models import (
    Shift,
    SwapStatus,
)
from scheduling.views.common import LEADS, SWAP_ROLES, flash_error, own_agent, render_page


def _swap_for(request, swap_id: int):
    swap = selectors.swaps_visible_to(request.user).filter(pk=swap_id).first()
    if swap is None:
        raise Http404
    return swap


@role_required(*SWAP_ROLES)
def swaps(request):
    return render_page(
        request, "scheduling/swaps.html", {"swaps": selectors.swaps_visible_to(request.user)[:200]}
    )


@role_required(Role.AGENT)
@require_POST
def swap_propose(request):
    agent = own_agent(request)
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
        flash_error(request, exc)
        return redirect("my-schedule")
    return redirect("swap-detail", swap_id=swap.pk)


@role_required(*SWAP_ROLES)
def swap_detail(request, swap_id: int):
    swap = _swap_for(request, swap_id)
    agent = agent_of(request.user)
    return render_page(
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
        flash_error(request, exc)
    return redirect("swap-detail", swap_id=swap.pk)


@role_required(Role.AGENT)
@require_POST
def swap_accept(request, swap_id: int):
    agent = own_agent(request)
    return _swap_action(request, swap_id, lambda s: services.swap_accept(swap=s, agent=agent))


@role_required(Role.AGENT)
@require_POST
def swap_decline(request, swap_id: int):
    agent = own_agent(request)
    return _swap_action(request, swap_id, lambda s: services.swap_decline(swap=s, agent=agent))


@role_required(Role.AGENT)
@require_POST
def swap_cancel(request, swap_id: int):
    agent = own_agent(request)
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
