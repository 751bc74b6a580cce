"""The role-swap page: supervisors grant and end swaps; the people of a swap see theirs."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agents.swaps import selectors, services
from agents.swaps.forms import RoleSwapForm
from agents.swaps.models import RoleSwap
from callfloor.errors import DomainError


@login_required
@require_http_methods(["GET", "POST"])
def role_swaps(request):
    manages = selectors.can_manage_role_swaps(request.user)
    status = 200
    form = RoleSwapForm(request.POST or None) if manages else None
    if request.method == "POST":
        if not manages:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.role_swap_grant(actor=request.user, **form.cleaned_data)
            except DomainError as error:
                for field, reasons in (error.fields or {None: [error.message]}).items():
                    for reason in reasons:
                        form.add_error(field if field in form.fields else None, reason)
            else:
                messages.success(request, _("The role swap is granted."))
                return redirect("role-swaps")
        status = 400
    return render(
        request,
        "agents/role_swaps.html",
        {
            "form": form,
            "manages": manages,
            "swaps": selectors.role_swaps_visible_to(request.user)[:200],
        },
        status=status,
    )


@login_required
@require_POST
def role_swap_end(request, swap_id: int):
    if not selectors.can_manage_role_swaps(request.user):
        raise PermissionDenied
    swap = get_object_or_404(RoleSwap, pk=swap_id)
    try:
        services.role_swap_end(swap=swap, actor=request.user)
    except DomainError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The role swap has ended; its rights are withdrawn."))
    return redirect("role-swaps")
