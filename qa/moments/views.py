"""The evaluation page's pin form: pin a comment or a deduction to a moment, or unpin one."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from callfloor.errors import DomainError
from qa import access
from qa.models import Evaluation
from qa.moments import services
from qa.moments.clock import clock_to_ms


@login_required
@require_POST
def evaluation_moments(request, evaluation_id: int):
    evaluation = get_object_or_404(Evaluation, pk=evaluation_id)
    if not access.can_view_evaluation(request.user, evaluation):
        raise Http404
    if not access.can_pin_moment(request.user, evaluation):
        raise PermissionDenied(
            _("Only the evaluator pins moments, before the evaluation is released.")
        )
    try:
        if request.POST.get("action") == "unpin":
            moment = get_object_or_404(evaluation.moments, pk=request.POST.get("moment") or 0)
            services.moment_unpin(moment=moment, actor=request.user)
            messages.success(request, _("Moment removed."))
        else:
            criterion = request.POST.get("criterion", "")
            if criterion and not criterion.isdigit():
                raise DomainError(_("Choose an item of the scorecard."), field="criterion")
            services.moment_pin(
                evaluation=evaluation,
                actor=request.user,
                at_ms=clock_to_ms(request.POST.get("at", ""), field="at"),
                note=request.POST.get("note", ""),
                criterion_id=int(criterion) if criterion else None,
            )
            messages.success(request, _("Moment pinned."))
    except DomainError as error:
        messages.error(request, error.message)
    return redirect(
        reverse("qa-evaluation", args=[evaluation.pk]) + f"#player-evaluation-{evaluation.pk}"
    )
