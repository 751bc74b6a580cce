"""Quality pages: server-rendered, forms posting to the same services as the API."""

from __future__ import annotations

import json
from collections.abc import Callable

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import agent_of, has_role, is_staff_role, role_required
from agents.models import Agent
from agents.roles import STAFF_ROLES, Role
from callfloor.errors import DomainError
from callfloor.history import describe
from callfloor.page_errors import FormErrors, render_again
from callfloor.zone import site_zone
from metrics.board.snapshot import my_floor_context
from metrics.models import QueueCall
from qa import access, calibration, scoring, selectors, services
from qa.forms import CalibrationForm, RuleForm
from qa.models import (
    Appeal,
    AppealItem,
    AppealStatus,
    CalibrationStatus,
    Decision,
    Evaluation,
    GreatCall,
    PickStatus,
    QaSettings,
    RuleStatus,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
    Seat,
    VersionStatus,
    decision_for,
)
from qa.moments import player
from qa.moments.clock import clocks_to_ms, highlight_from
from qa.rotation import selectors as rotation_selectors

PANEL_ROLES = (Role.TEAM_LEAD, Role.QA_ANALYST, Role.SUPERVISOR)
CALIBRATION_ROLES = (Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)


def _render(request, template: str, context: dict):
    """Render (times show in the site's zone: `SiteTimeZoneMiddleware`)."""
    return render(request, template, context)


def _attempt(request, action: Callable[[], object], success: str) -> bool:
    """Run a service; a refused business rule becomes an error message on the page."""
    try:
        action()
    except DomainError as error:
        messages.error(request, error.message)
        return False
    messages.success(request, success)
    return True


def _form_attempt(form, action: Callable[[], object]) -> bool:
    """Run a service on a valid page form; each field a refusal names gets its reasons beside it
    (kept on `form.created` when it succeeds)."""
    try:
        form.created = action()
    except DomainError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        for field, reasons in (error.fields or {None: [error.message]}).items():
            for reason in reasons:
                form.add_error(field if field in form.fields else None, reason)
        return False
    return True


def _answers_from(post, version: ScorecardVersion) -> dict:
    answers = {}
    for criterion in version.criteria():
        raw = post.get(f"points_{criterion.pk}")
        if raw is None or raw == "":
            continue
        points = None if raw == "na" else int(raw)
        answers[str(criterion.pk)] = {
            "points": points,
            "comment": post.get(f"comment_{criterion.pk}", ""),
        }
    return answers


# --- agent pages ----------------------------------------------------------------------------------


@role_required(Role.AGENT)
def my_quality(request):
    agent = agent_of(request.user)
    evaluations = (
        Evaluation.objects.filter(agent=agent, status="released")
        .select_related("scorecard_version__scorecard", "evaluator")
        .prefetch_related("revisions")
        if agent
        else []
    )
    rows = []
    for evaluation in evaluations:
        current = evaluation.current_revision()
        rows.append(
            {
                "evaluation": evaluation,
                "revision": current,
                "needs_ack": current is not None and current.acknowledged_at is None,
            }
        )
    appeals = (
        Appeal.objects.filter(agent=agent)
        .select_related("evaluation")
        .prefetch_related("items__criterion")
        if agent
        else []
    )
    return _render(
        request,
        "qa/my_quality.html",
        {
            **my_floor_context(),  # the floor strip: urgent broadcasts reach every agent's screen
            "agent": agent,
            "rows": rows,
            "appeals": appeals,
            "rules": selectors.rules_for_agent(agent) if agent else [],
            "featured": selectors.library_featured()[:5],
            "my_rotation": rotation_selectors.my_rotation_weeks(
                agent, today=timezone.localtime(timezone.now(), site_zone()).date()
            ),
            "peer_feedback": rotation_selectors.peer_feedback_for(agent)[:10] if agent else [],
            "settings": QaSettings.load(),
            "trend": _sparkline(
                [r["evaluation"].score for r in reversed(rows) if r["evaluation"].score is not None]
            ),
        },
    )


@role_required(Role.AGENT)
def peers(request):
    config = QaSettings.load()
    own = agent_of(request.user)
    evaluations = []
    if config.transparency:
        evaluations = (
            selectors.evaluations_visible_to(request.user)
            .exclude(agent=own)
            .select_related("agent")[:200]
        )
    return _render(request, "qa/peers.html", {"settings": config, "evaluations": evaluations})


def _sparkline(values: list[float], width: int = 240, height: int = 40) -> str:
    """An inline SVG polyline of scores 0–100."""
    if len(values) < 2:
        return ""
    step = width / (len(values) - 1)
    points = " ".join(
        f"{i * step:.1f},{height - v / 100 * height:.1f}" for i, v in enumerate(values)
    )
    return (
        f'<svg class="spark" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(_("score trend"))}"><polyline fill="none" stroke="currentColor" '
        f'stroke-width="2" points="{points}"/></svg>'
    )


# --- evaluations ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def evaluation(request, evaluation_id: int):
    item = get_object_or_404(
        Evaluation.objects.select_related(
            "agent__team", "evaluator", "scorecard_version__scorecard", "call__queue"
        ),
        pk=evaluation_id,
    )
    if not access.can_view_evaluation(request.user, item):
        raise Http404
    if request.method == "POST":
        action = request.POST.get("action")
        version = item.scorecard_version
        if action in ("save", "release") and access.can_edit_evaluation(request.user, item):
            answers = _answers_from(request.POST, version)

            def save_and_maybe_release():
                services.evaluation_set_answers(
                    evaluation=item, actor=request.user, answers=answers
                )
                if action == "release":
                    services.evaluation_release(evaluation=item, actor=request.user)

            _attempt(
                request,
                save_and_maybe_release,
                _("Released to the agent.") if action == "release" else _("Draft saved."),
            )
        elif action == "acknowledge" and access.owns_evaluation(request.user, item):
            _attempt(
                request,
                lambda: services.evaluation_acknowledge(evaluation=item, user=request.user),
                _("Acknowledged."),
            )
        elif action == "revise" and access.can_revise_evaluation(request.user, item):
            _attempt(
                request,
                lambda: services.evaluation_revise(
                    evaluation=item,
                    actor=request.user,
                    changes=_answers_from(request.POST, version),
                    reason=request.POST.get("reason", ""),
                ),
                _("Score revised."),
            )
        else:
            raise PermissionDenied(_("You may not do this."))
        return redirect("qa-evaluation", evaluation_id=item.pk)

    services.evaluation_mark_read(evaluation=item, user=request.user)
    current = item.current_revision()
    sheet = selectors.evaluation_sheet(item)
    open_appeal = item.appeals.filter(
        status__in=[AppealStatus.SCREENING, AppealStatus.PANEL]
    ).first()
    owner = access.owns_evaluation(request.user, item)
    deadline = services.appeal_deadline(item) if item.released_at else None
    return _render(
        request,
        "qa/evaluation.html",
        {
            "evaluation": item,
            "sheet": sheet,
            "current": current,
            "revisions": item.revisions.select_related("created_by", "appeal").order_by("-number"),
            "owner": owner,
            "editable": access.can_edit_evaluation(request.user, item),
            "can_revise": access.can_revise_evaluation(request.user, item),
            "show_evaluator": access.shows_evaluator(request.user, item),
            "open_appeal": open_appeal,
            "appeals": item.appeals.all() if owner or is_staff_role(request.user) else [],
            "appeal_deadline": deadline,
            "appeal_window_open": deadline is not None and timezone.now() <= deadline,
            "appealable": services.appealable_criteria(item) if owner else set(),
            "needs_ack": owner and current is not None and current.acknowledged_at is None,
            "formula": scoring.FORMULA,
            "player": player.evaluation_player(user=request.user, evaluation=item),
        },
    )


@login_required
@require_POST
def appeal_file(request, evaluation_id: int):
    item = get_object_or_404(Evaluation, pk=evaluation_id)
    if not access.can_view_evaluation(request.user, item):
        raise Http404
    if not access.owns_evaluation(request.user, item):
        raise PermissionDenied(_("Only the evaluated agent can appeal."))
    items = [
        {
            "criterion": int(key.removeprefix("appeal_")),
            "reason": request.POST.get(f"reason_{key.removeprefix('appeal_')}", ""),
        }
        for key in request.POST
        if key.startswith("appeal_")
    ]
    filed: list[Appeal] = []

    def file():
        for entry in items:  # the moments cited against each item, as m:ss times
            field = f"moments_{entry['criterion']}"
            times = clocks_to_ms(request.POST.get(field, ""), field=field)
            entry["moments"] = [{"at_ms": at_ms} for at_ms in times]
        filed.append(services.appeal_file(evaluation=item, user=request.user, items=items))

    if _attempt(request, file, _("Appeal filed: your team lead screens it next.")):
        return redirect("qa-appeal", appeal_id=filed[0].pk)
    return redirect("qa-evaluation", evaluation_id=item.pk)


# --- appeals --------------------------------------------------------------------------------------


HISTORY_LABELS = {
    "appeal.filed": gettext_lazy("Appeal filed"),
    "appeal.moments_cited": gettext_lazy("Moments of the call cited"),
    "appeal.accepted": gettext_lazy("Accepted by the team lead"),
    "appeal.returned": gettext_lazy("Returned by the team lead"),
    "appeal.explained": gettext_lazy("Evaluator explained"),
    "appeal.opinion": gettext_lazy("Panel opinion"),
    "appeal.proposed": gettext_lazy("Points proposed by the panel"),
    "appeal.decided": gettext_lazy("Decided by the senior supervisor"),
    "appeal.reminded": gettext_lazy("Reminder sent"),
    "evaluation.score_revised": gettext_lazy("Score revised"),
    "evaluation.acknowledged": gettext_lazy("Agent acknowledged the score"),
}


DECISION_WORDS = {
    Decision.UPHELD: gettext_lazy("full points: upheld"),
    Decision.PARTLY: gettext_lazy("some points back: partly upheld"),
    Decision.REJECTED: gettext_lazy("no change: rejected"),
}


def _point_choices(item: AppealItem) -> list[tuple[int, str]]:
    """The points an appealed item can get: from what it had to its maximum, each in words."""
    maximum = item.criterion.max_points
    return [
        (
            points,
            f"{points} / {maximum} — "
            + str(
                DECISION_WORDS[
                    decision_for(points=points, before=item.points_before, maximum=maximum)
                ]
            ),
        )
        for points in item.criterion.allowed_points()
        if points >= item.points_before
    ]


def _appeal_history(appeal: Appeal, items: list[AppealItem]) -> list[dict]:
    """The appeal's audit trail in words: each proposal and decision with its points."""
    titles = {str(i.criterion_id): i.criterion.title for i in items}
    history = []
    for entry in selectors.appeal_history(appeal):
        data = entry.data or {}
        label = str(HISTORY_LABELS.get(entry.action) or describe(entry.action, data))
        seat = data.get("seat")
        if seat in Seat.values:
            label = f"{label} ({Seat(seat).label})"
        lines = []
        for cid, proposal in (data.get("proposals") or {}).items():
            line = f"{titles.get(cid, cid)}: {proposal['points']} / {proposal['max_points']}"
            lines.append(f"{line} — {proposal['reason']}" if proposal.get("reason") else line)
        decisions = data.get("decisions") or {}
        for cid, decided in decisions.items():
            if not isinstance(decided, dict):  # decided before points were decided
                lines.append(f"{titles.get(cid, cid)}: {Decision(decided).label}")
                continue
            points = decided["points"]
            lines.append(
                f"{titles.get(cid, cid)}: {points} / {decided['max_points']}, "
                f"{Decision(decided['decision']).label} — {decided['reason']}"
            )
        score = None
        if entry.action == "evaluation.score_revised":
            score = data.get("score")
        elif entry.action == "appeal.decided":
            score = data.get("score_after")
        history.append(
            {
                "at": entry.at,
                "label": label,
                # The decision's own line gives its reasons; a revision it made needs none.
                "reason": ""
                if entry.action == "appeal.decided" or data.get("appeal")
                else data.get("reason"),
                "lines": lines,
                "score": score,
            }
        )
    return history


@login_required
@require_http_methods(["GET", "POST"])
def appeal(request, appeal_id: int):
    item = get_object_or_404(
        Appeal.objects.select_related(
            "agent__team__lead", "evaluation__evaluator", "screened_by", "decided_by"
        ),
        pk=appeal_id,
    )
    if not access.can_view_appeal(request.user, item):
        raise Http404
    seat = access.panel_seat(request.user, item)
    if request.method == "POST":
        action = request.POST.get("action")
        appeal_items = list(item.items.all())
        if action in ("accept", "return") and access.can_screen(request.user, item):
            _attempt(
                request,
                lambda: services.appeal_screen(
                    appeal=item,
                    actor=request.user,
                    accept=action == "accept",
                    reason=request.POST.get("reason", ""),
                ),
                _("Accepted: the panel is notified.") if action == "accept" else _("Returned."),
            )
        elif action == "explain" and access.can_explain(request.user, item):
            _attempt(
                request,
                lambda: services.appeal_explain(
                    appeal=item, actor=request.user, text=request.POST.get("text", "")
                ),
                _("Explanation added."),
            )
        elif action in ("propose", "opinions") and seat is not None:
            _attempt(
                request,
                lambda: services.appeal_propose(
                    appeal=item,
                    actor=request.user,
                    proposals=[
                        {
                            "item": i.pk,
                            "points": request.POST.get(f"points_{i.pk}") or None,
                            "opinion": request.POST.get(f"opinion_{i.pk}"),
                            "reason": request.POST.get(f"reason_{i.pk}")
                            or request.POST.get(f"note_{i.pk}", ""),
                        }
                        for i in appeal_items
                    ],
                    # The older vote form (uphold / reject) had an optional note.
                    reasons_required=action == "propose",
                ),
                _("Proposals recorded."),
            )
        elif action == "decide" and access.can_decide(request.user, item):
            _attempt(
                request,
                lambda: services.appeal_decide(
                    appeal=item,
                    actor=request.user,
                    decisions=[
                        {
                            "item": i.pk,
                            "points": request.POST.get(f"decision_points_{i.pk}") or None,
                            "decision": request.POST.get(f"decision_{i.pk}") or None,
                            "reason": request.POST.get(f"decision_reason_{i.pk}", ""),
                        }
                        for i in appeal_items
                    ],
                ),
                _("Decided."),
            )
        else:
            raise PermissionDenied(_("You may not do this."))
        return redirect("qa-appeal", appeal_id=item.pk)

    items = list(item.items.select_related("criterion").prefetch_related("opinions__member"))
    for appealed in items:
        appealed.point_choices = _point_choices(appealed)
    members = list(item.panel.select_related("user"))
    my_opinions_given = seat is not None and any(
        o.member_id == seat.pk for i in items for o in i.opinions.all()
    )
    all_opinions_in = bool(members) and all(len(i.opinions.all()) >= len(members) for i in items)
    # The agent and the evaluator see the panel's opinions only once the appeal is decided,
    # so nobody is pressed while the panel deliberates.
    show_opinions = (
        item.status == AppealStatus.DECIDED
        or seat is not None
        or has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    )
    history = _appeal_history(item, items)
    proposal = None
    if item.status == AppealStatus.SCREENING and access.can_screen(request.user, item):
        try:
            proposal = services.panel_propose(appeal=item, screener=request.user)
        except DomainError as error:
            proposal = {"error": error.message}
    return _render(
        request,
        "qa/appeal.html",
        {
            "appeal": item,
            "items": items,
            "members": members,
            "seat": seat,
            "can_screen": item.status == AppealStatus.SCREENING
            and access.can_screen(request.user, item),
            "can_explain": item.status == AppealStatus.PANEL
            and access.can_explain(request.user, item)
            and item.explained_at is None,
            "can_opine": item.status == AppealStatus.PANEL
            and seat is not None
            and not my_opinions_given,
            "can_decide": item.status == AppealStatus.PANEL
            and access.can_decide(request.user, item),
            "all_opinions_in": all_opinions_in,
            "show_opinions": show_opinions,
            "history": history,
            "proposal": proposal,
            "seats": dict(Seat.choices),
            "player": player.appeal_player(user=request.user, appeal=item),
        },
    )


@role_required(Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)
def screening(request):
    queue = selectors.screening_queue(request.user)
    others = []
    if has_role(request.user, Role.SUPERVISOR, Role.ADMIN):
        others = (
            selectors.appeals_visible_to(request.user)
            .filter(status=AppealStatus.SCREENING)
            .exclude(pk__in=queue.values("pk"))
        )
    return _render(request, "qa/screening.html", {"appeals": queue, "others": others})


@role_required(*PANEL_ROLES)
def panel(request):
    return _render(
        request,
        "qa/panel.html",
        {"appeals": selectors.panel_queue(request.user).prefetch_related("panel__user")},
    )


# --- the analyst's work list ----------------------------------------------------------------------


@role_required(Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)
@require_http_methods(["GET", "POST"])
def worklist(request):
    if request.method == "POST":
        if not has_role(request.user, Role.QA_ANALYST):
            raise PermissionDenied(_("Only QA analysts evaluate calls."))
        action = request.POST.get("action")
        if action == "evaluate":
            pick = get_object_or_404(SampledCall, pk=request.POST.get("pick") or 0)
            created: list[Evaluation] = []
            if _attempt(
                request,
                lambda: created.append(
                    services.evaluation_create(evaluator=request.user, pick=pick)
                ),
                _("Draft evaluation started."),
            ):
                return redirect("qa-evaluation", evaluation_id=created[0].pk)
        elif action == "adhoc":
            version = get_object_or_404(ScorecardVersion, pk=request.POST.get("version") or 0)
            call = QueueCall.objects.filter(pk=request.POST.get("call") or 0).first()
            agent = Agent.objects.filter(pk=request.POST.get("agent") or 0).first()
            created = []
            if _attempt(
                request,
                lambda: created.append(
                    services.evaluation_create(
                        evaluator=request.user,
                        scorecard_version=version,
                        call=call,
                        agent=agent,
                        recording_id=request.POST.get("recording_id", ""),
                    )
                ),
                _("Draft evaluation started (outside the sample: the agent sees that)."),
            ):
                return redirect("qa-evaluation", evaluation_id=created[0].pk)
        return redirect("qa-worklist")
    data = selectors.worklist(request.user)
    return _render(
        request,
        "qa/worklist.html",
        {
            **data,
            "rules_to_draw": [
                r
                for r in SamplingRule.objects.filter(
                    status=RuleStatus.PUBLISHED, drawn_at__isnull=True
                )
                if services.seed_revealed(r)
            ],
            "versions": ScorecardVersion.objects.filter(
                status=VersionStatus.RELEASED
            ).select_related("scorecard"),
            "agents": Agent.objects.filter(active=True),
        },
    )


# --- scorecards -----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def scorecards(request):
    if request.method == "POST":
        if not access.is_qa_manager(request.user):
            raise PermissionDenied(_("Only QA analysts build scorecards."))
        try:
            sections = json.loads(request.POST.get("sections") or "[]")
        except json.JSONDecodeError as error:
            messages.error(
                request, _("The sections are not valid JSON: %(error)s") % {"error": error}
            )
            return redirect("qa-scorecards")
        created = []
        if _attempt(
            request,
            lambda: created.append(
                services.scorecard_create(
                    name=request.POST.get("name", "").strip(),
                    actor=request.user,
                    sections=sections if isinstance(sections, list) else [],
                )
            ),
            _("Draft scorecard created."),
        ):
            return redirect("qa-scorecard", version_id=created[0].versions.get().pk)
        return redirect("qa-scorecards")
    versions = ScorecardVersion.objects.select_related("scorecard")
    if not access.is_qa_manager(request.user):
        versions = versions.filter(status=VersionStatus.RELEASED)
    return _render(
        request,
        "qa/scorecards.html",
        {"versions": versions, "example": json.dumps(EXAMPLE_SECTIONS, indent=1)},
    )


EXAMPLE_SECTIONS = [
    {
        "title": "Opening",
        "weight": 1,
        "criteria": [
            {"title": "Greeting", "max_points": 2, "guidance": "Company name and own name."},
            {"title": "Identification", "max_points": 2, "critical": "section"},
        ],
    },
    {
        "title": "Resolution",
        "weight": 2,
        "criteria": [
            {"title": "Correct answer", "kind": "scale", "max_points": 5},
            {
                "title": "Compliance notice",
                "max_points": 1,
                "critical": "evaluation",
                "allow_na": False,
            },
        ],
    },
]


@login_required
@require_http_methods(["GET", "POST"])
def scorecard(request, version_id: int):
    version = get_object_or_404(ScorecardVersion.objects.select_related("scorecard"), pk=version_id)
    if not version.is_released and not access.is_qa_manager(request.user):
        raise Http404
    if request.method == "POST":
        if not access.is_qa_manager(request.user):
            raise PermissionDenied(_("Only QA analysts manage scorecards."))
        action = request.POST.get("action")
        if action == "release":
            _attempt(
                request,
                lambda: services.scorecard_version_release(version=version, actor=request.user),
                _("Released: this version is now fixed."),
            )
        elif action == "copy":
            created = []
            if _attempt(
                request,
                lambda: created.append(
                    services.scorecard_version_copy(version=version, actor=request.user)
                ),
                _("New draft version."),
            ):
                return redirect("qa-scorecard", version_id=created[0].pk)
        return redirect("qa-scorecard", version_id=version.pk)
    return _render(
        request,
        "qa/scorecard.html",
        {
            "manager": access.is_qa_manager(request.user),
            "version": version,
            "sections": version.sections.prefetch_related("criteria"),
            "formula": scoring.FORMULA,
            "total_weight": sum(s.weight for s in version.sections.all()),
        },
    )


# --- sampling -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def sampling_rules(request, form: RuleForm | None = None):
    if request.method == "POST" and form is None:
        if not access.is_qa_manager(request.user):
            raise PermissionDenied(_("Only QA analysts define sampling rules."))
        form = RuleForm(request.POST)
        if form.is_valid() and _form_attempt(
            form, lambda: services.sampling_rule_create(actor=request.user, **form.cleaned_data)
        ):
            messages.success(
                request, _("Draft rule saved: check it, then publish it before its period starts.")
            )
            return redirect("qa-sampling-rule", rule_id=form.created.pk)
        return render_again(request, sampling_rules, errors=FormErrors.from_form(form), form=form)
    if access.is_qa_manager(request.user):
        rules = SamplingRule.objects.select_related("team")
    elif is_staff_role(request.user):
        rules = SamplingRule.objects.filter(status=RuleStatus.PUBLISHED).select_related("team")
    else:
        own = agent_of(request.user)
        rules = selectors.rules_for_agent(own) if own else SamplingRule.objects.none()
    return _render(
        request,
        "qa/sampling.html",
        {
            "rules": rules.prefetch_related("queues"),
            "form": (form or RuleForm()) if access.is_qa_manager(request.user) else None,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def sampling_rule(request, rule_id: int):
    rule = get_object_or_404(
        SamplingRule.objects.select_related("team", "scorecard_version"), pk=rule_id
    )
    own = agent_of(request.user)
    manager = access.is_qa_manager(request.user)
    if not manager:
        visible = rule.status == RuleStatus.PUBLISHED and (
            is_staff_role(request.user)
            or (own is not None and (rule.team_id is None or rule.team_id == own.team_id))
        )
        if not visible:
            raise Http404
    if request.method == "POST":
        if not manager:
            raise PermissionDenied(_("Only QA analysts manage sampling rules."))
        action = request.POST.get("action")
        if action == "publish":
            _attempt(
                request,
                lambda: services.sampling_rule_publish(rule=rule, actor=request.user),
                _("Published: the rule and the seed's hash are now public."),
            )
        elif action == "draw":
            _attempt(
                request,
                lambda: services.sampling_rule_draw(rule=rule, actor=request.user),
                _("Sample drawn."),
            )
        elif action == "replace":
            pick = get_object_or_404(SampledCall, pk=request.POST.get("pick") or 0, rule=rule)
            _attempt(
                request,
                lambda: services.sampled_call_replace(
                    pick=pick, actor=request.user, reason=request.POST.get("reason", "")
                ),
                _("Replaced; the agent sees the reason."),
            )
        return redirect("qa-sampling-rule", rule_id=rule.pk)
    revealed = services.seed_revealed(rule)
    agent_scope = None if is_staff_role(request.user) else own
    verification = selectors.rule_verification(rule, agent=agent_scope) if revealed else []
    picks = SampledCall.objects.filter(rule=rule).select_related("agent", "call__queue", "replaces")
    if agent_scope is not None:
        picks = picks.filter(agent=agent_scope)
    from qa import sampling as sampling_math

    return _render(
        request,
        "qa/sampling_rule.html",
        {
            "rule": rule,
            "revealed": revealed,
            "verification": verification,
            "picks": picks,
            "manager": manager,
            "today": services.local_today(),
            "seed_hash_ok": revealed and sampling_math.seed_hash(rule.seed) == rule.seed_hash,
            "definition_hash_ok": rule.definition_hash
            == sampling_math.definition_hash(rule.published_spec(), rule.definition_extra())
            if rule.definition_hash
            else None,
            "canonical": rule.published_spec().canonical() | rule.definition_extra(),
            "picked_status": PickStatus.PICKED,
        },
    )


# --- calibration ----------------------------------------------------------------------------------


@role_required(*CALIBRATION_ROLES)
@require_http_methods(["GET", "POST"])
def calibration_list(request, form: CalibrationForm | None = None):
    if request.method == "POST" and form is None:
        if not access.is_qa_manager(request.user):
            raise PermissionDenied(_("Only QA analysts and supervisors run calibration."))
        form = CalibrationForm(request.POST)
        if form.is_valid() and _form_attempt(
            form, lambda: services.calibration_create(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Session created."))
            return redirect("qa-calibration-session", session_id=form.created.pk)
        return render_again(request, calibration_list, errors=FormErrors.from_form(form), form=form)
    trends = selectors.evaluator_trends() if access.is_qa_manager(request.user) else []
    for row in trends:
        row["spark"] = _deviation_chart(row["deviations"])
    return _render(
        request,
        "qa/calibration.html",
        {
            "sessions": selectors.calibration_sessions_for(request.user),
            "trends": trends,
            "threshold": calibration.DRIFT_THRESHOLD,
            "form": (form or CalibrationForm()) if access.is_qa_manager(request.user) else None,
        },
    )


def _deviation_chart(values: list[float], width: int = 200, height: int = 40) -> str:
    if not values:
        return ""
    scale = max(10.0, *(abs(v) for v in values))
    step = width / max(1, len(values) - 1)
    mid = height / 2
    points = " ".join(f"{i * step:.1f},{mid - v / scale * mid:.1f}" for i, v in enumerate(values))
    return (
        f'<svg class="spark" width="{width}" height="{height}" role="img" '
        f'aria-label="{escape(_("deviation trend"))}">'
        f'<line x1="0" x2="{width}" y1="{mid}" y2="{mid}" '
        f'stroke="#ccc"/><polyline fill="none" stroke="currentColor" stroke-width="2" '
        f'points="{points}"/></svg>'
    )


@role_required(*CALIBRATION_ROLES)
@require_http_methods(["GET", "POST"])
def calibration_session(request, session_id: int):
    session = get_object_or_404(selectors.calibration_sessions_for(request.user), pk=session_id)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "submit":
            _attempt(
                request,
                lambda: services.calibration_submit(
                    session=session,
                    evaluator=request.user,
                    answers=_answers_from(request.POST, session.scorecard_version),
                ),
                _("Scored: the others' scores are now visible to you."),
            )
        elif action == "close" and access.is_qa_manager(request.user):
            _attempt(
                request,
                lambda: services.calibration_close(session=session, actor=request.user),
                _("Session closed."),
            )
        else:
            raise PermissionDenied(_("You may not do this."))
        return redirect("qa-calibration-session", session_id=session.pk)
    visible = selectors.calibration_can_see_scores(session, request.user)
    mine = selectors.calibration_scores_of(session, request.user)
    return _render(
        request,
        "qa/calibration_session.html",
        {
            "session": session,
            "visible": visible,
            "mine": mine,
            "report": selectors.calibration_report(session) if visible else None,
            "can_score": session.status == CalibrationStatus.OPEN
            and mine is None
            and session.participants.filter(pk=request.user.pk).exists(),
            "sections": session.scorecard_version.sections.prefetch_related("criteria"),
            "can_close": session.status == CalibrationStatus.OPEN
            and access.is_qa_manager(request.user),
            "player": player.calibration_player(user=request.user, session=session),
        },
    )


# --- library and statistics -----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def library(request):
    if request.method == "POST":
        agent = Agent.objects.filter(pk=request.POST.get("agent") or 0).first()
        _attempt(
            request,
            lambda: services.great_call_nominate(
                user=request.user,
                agent=agent,
                recording_id=request.POST.get("recording_id", ""),
                reason=request.POST.get("reason", ""),
                anonymous=request.POST.get("anonymous") == "on",
                highlight=highlight_from(request.POST),
            ),
            _("Thank you: the nomination goes to the supervisors."),
        )
        return redirect("qa-library")
    return _render(
        request,
        "qa/library.html",
        {
            "featured": [
                (c, player.great_call_player(user=request.user, nomination=c))
                for c in selectors.library_featured()
            ],
            "nominations": selectors.library_nominations()
            if has_role(request.user, Role.SUPERVISOR)
            else [],
            "agents": Agent.objects.filter(active=True),
        },
    )


@role_required(Role.SUPERVISOR)
@require_POST
def library_feature(request, nomination_id: int):
    nomination = get_object_or_404(GreatCall, pk=nomination_id)
    _attempt(
        request,
        lambda: services.great_call_feature(
            nomination=nomination, actor=request.user, note=request.POST.get("note", "")
        ),
        _("Featured in the library."),
    )
    return redirect("qa-library")


@role_required(*STAFF_ROLES)
def stats(request):
    return _render(request, "qa/stats.html", {"stats": selectors.appeal_stats(user=request.user)})
