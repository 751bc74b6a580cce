"""Appeals: file, panel, screen, explain, opinions, decision, reminders; the appeal window."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any

from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from agents.access import agent_of, has_role
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from callfloor.numbers import format_score
from callfloor.zone import site_zone
from metrics.alerts import events as alert_events
from qa.models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealItem,
    AppealStatus,
    Decision,
    Evaluation,
    Opinion,
    PanelMember,
    PanelOpinion,
    QaSettings,
    Seat,
    decision_for,
)
from qa.moments.services import appeal_item_cite, clean_citations
from qa.services.common import User, notify_people
from qa.services.evaluations import evaluation_revise


def appeal_link(appeal: Appeal) -> str:
    return reverse("qa-appeal", kwargs={"appeal_id": appeal.pk})


def appeal_windows(evaluation: Evaluation) -> dict[int, datetime]:
    """When each criterion's points were last set: at release, or by a later revision.

    A criterion's appeal window runs from then, so a revision after the first window can
    still be appealed (a revision applying an appeal decision opens nothing: the criteria it
    changes are decided).
    """
    since: dict[int, datetime] = {}
    previous: dict = {}
    for revision in sorted(evaluation.revisions.all(), key=lambda r: r.number):
        for cid, answer in revision.answers.items():
            if revision.number == 1:
                since[int(cid)] = evaluation.released_at
            elif revision.appeal_id is None and answer.get("points") != previous.get(cid, {}).get(
                "points"
            ):
                since[int(cid)] = revision.created_at
        previous = revision.answers
    return since


def appeal_deadline(evaluation: Evaluation, window_days: int | None = None) -> datetime:
    """The end of the last open appeal window of any criterion."""
    days = QaSettings.load().appeal_window_days if window_days is None else window_days
    start = max(appeal_windows(evaluation).values(), default=evaluation.released_at)
    return max(start, evaluation.released_at) + timedelta(days=days)


def appealable_criteria(evaluation: Evaluation, *, now: datetime | None = None) -> set[int]:
    """The criteria the agent can appeal now: deducted, not decided on an earlier appeal, and
    within their appeal window. Empty while an appeal is open or before release."""
    if not evaluation.is_released or evaluation.has_open_appeal():
        return set()
    revision = evaluation.current_revision()
    if revision is None:
        return set()
    now = now or timezone.now()
    days = timedelta(days=QaSettings.load().appeal_window_days)
    decided = evaluation.criteria_decided_on_appeal()
    windows = appeal_windows(evaluation)
    result = set()
    for criterion in evaluation.scorecard_version.criteria():
        points = revision.answers.get(str(criterion.pk), {}).get("points")
        if points is None or points >= criterion.max_points or criterion.pk in decided:
            continue
        if criterion.pk in windows and now <= windows[criterion.pk] + days:
            result.add(criterion.pk)
    return result


@transaction.atomic
def appeal_file(*, evaluation: Evaluation, user: User, items: Sequence[dict]) -> Appeal:
    """The agent appeals deducted criteria of a released evaluation, with a reason for each."""
    own = agent_of(user)
    if own is None or own.pk != evaluation.agent_id:
        raise DomainError(
            _("Only the evaluated agent can appeal."), status_code=403, code="forbidden"
        )
    # Locked like a revision: the appealed points are the current ones, not those of a
    # revision committed meanwhile.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_released:
        raise DomainError(_("This evaluation is not released."), field="evaluation")
    now = timezone.now()
    deadline = appeal_deadline(evaluation)
    if now > deadline:
        local = timezone.localtime(deadline, site_zone())
        raise DomainError(
            _(
                "The appeal window closed on %(local)s (%(load)s days after the evaluation "
                "was released); this evaluation can no longer be appealed."
            )
            % {
                "local": format(local, "%Y-%m-%d %H:%M"),
                "load": QaSettings.load().appeal_window_days,
            },
            field="evaluation",
            code="appeal_window_closed",
        )
    if not items:
        raise DomainError(_("Choose at least one deducted criterion to appeal."), field="items")
    revision = evaluation.current_revision()
    criteria = {c.pk: c for c in evaluation.scorecard_version.criteria()}
    decided = evaluation.criteria_decided_on_appeal()
    windows = appeal_windows(evaluation)
    config = QaSettings.load()
    rows = []
    citations = []
    seen = set()
    for index, item in enumerate(items):
        cid = int(item.get("criterion") or 0)
        reason = (item.get("reason") or "").strip()
        criterion = criteria.get(cid)
        if criterion is None:
            raise DomainError(
                _("This criterion is not on the evaluation."), field=f"items[{index}].criterion"
            )
        if cid in seen:
            raise DomainError(
                _("%(title)s is listed twice.") % {"title": repr(criterion.title)},
                field=f"items[{index}].criterion",
            )
        seen.add(cid)
        points = revision.answers[str(cid)]["points"]
        if points is None or points >= criterion.max_points:
            raise DomainError(
                _("%(title)s had no deduction to appeal.") % {"title": repr(criterion.title)},
                field=f"items[{index}].criterion",
            )
        if cid in decided:
            raise DomainError(
                _("%(title)s was decided on appeal already.") % {"title": repr(criterion.title)},
                field=f"items[{index}].criterion",
            )
        if now > windows[cid] + timedelta(days=config.appeal_window_days):
            raise DomainError(
                _(
                    "The appeal window for %(title)s has closed; after the first window "
                    "only what a later revision changed can be appealed."
                )
                % {"title": repr(criterion.title)},
                field=f"items[{index}].criterion",
                code="appeal_window_closed",
            )
        if not reason:
            raise DomainError(
                _("Give a reason for appealing %(title)s.") % {"title": repr(criterion.title)},
                field=f"items[{index}].reason",
            )
        rows.append((criterion, points, reason))
        citations.append(
            clean_citations(
                item.get("moments") or [], call=evaluation.call, field=f"items[{index}].moments"
            )
        )
    try:
        with transaction.atomic():
            appeal = Appeal.objects.create(
                evaluation=evaluation,
                agent=own,
                due_at=timezone.now() + timedelta(days=config.screening_days),
                score_before=evaluation.score,
            )
    except IntegrityError:
        raise DomainError(
            _("This evaluation has an open appeal already."), field="evaluation", code="appeal_open"
        ) from None
    created = AppealItem.objects.bulk_create(
        AppealItem(appeal=appeal, criterion=c, points_before=p, reason=r) for c, p, r in rows
    )
    for appeal_item, cited in zip(created, citations, strict=True):
        appeal_item_cite(item=appeal_item, actor=user, moments=cited)
    audit_record(
        actor=user,
        action="appeal.filed",
        target=appeal,
        data={"evaluation": evaluation.pk, "criteria": [c.pk for c, _points, _reason in rows]},
    )
    lead = own.team.lead if own.team else None
    screeners = [lead] if lead else User.objects.filter(groups__name=Role.SUPERVISOR)
    notify_people(
        recipients=screeners,
        kind="qa.appeal",
        text=lambda: (
            _("%(display_name)s appealed evaluation #%(evaluation_pk)s: please screen it.")
            % {"display_name": own.display_name, "evaluation_pk": evaluation.pk}
        ),
        link=appeal_link(appeal),
    )
    notify_people(
        recipients=[user],
        kind="qa.appeal",
        text=lambda: (
            _("Your appeal #%(appeal_pk)s was filed and waits for your team lead.")
            % {"appeal_pk": appeal.pk}
        ),
        link=appeal_link(appeal),
    )
    return appeal


def _eligible(appeal: Appeal, role: str):
    excluded = {appeal.evaluation.evaluator_id, appeal.agent.user_id}
    return (
        User.objects.filter(groups__name=role, is_active=True)
        .exclude(pk__in=excluded)
        .distinct()
        .order_by("username")
    )


def panel_propose(*, appeal: Appeal, screener=None) -> dict[str, Any]:
    """A panel with no conflicts: the fewest open seats first; the screener as team lead."""
    from django.db.models import Count, Q

    panel: dict[str, Any] = {}
    for seat, role in (
        (Seat.SUPERVISOR, Role.SUPERVISOR),
        (Seat.TEAM_LEAD, Role.TEAM_LEAD),
        (Seat.QA_ANALYST, Role.QA_ANALYST),
    ):
        candidates = _eligible(appeal, role).annotate(
            load=Count(
                "qa_panel_seats", filter=Q(qa_panel_seats__appeal__status=AppealStatus.PANEL)
            )
        )
        chosen = None
        if seat == Seat.TEAM_LEAD and screener is not None:
            chosen = candidates.filter(pk=screener.pk).first()
        if chosen is None:
            chosen = (
                candidates.exclude(pk__in=[u.pk for u in panel.values()])
                .order_by("load", "username")
                .first()
            )
        if chosen is None:
            raise DomainError(
                _(
                    "Nobody can take the %(seat)s seat: the evaluator and the agent never "
                    "sit on the panel."
                )
                % {"seat": Seat(seat).label},
                field=f"panel.{seat}",
            )
        panel[seat] = chosen
    return panel


def panel_check(*, appeal: Appeal, panel: dict[str, Any]) -> None:
    """Refuse a panel with a missing seat, a wrong role, a repeated person or a conflict."""
    roles = {
        Seat.SUPERVISOR: Role.SUPERVISOR,
        Seat.TEAM_LEAD: Role.TEAM_LEAD,
        Seat.QA_ANALYST: Role.QA_ANALYST,
    }
    seen = set()
    for seat, role in roles.items():
        person = panel.get(seat)
        if person is None:
            raise DomainError(_("Every seat of the panel needs a person."), field=f"panel.{seat}")
        if person.pk == appeal.evaluation.evaluator_id:
            raise DomainError(
                _("The evaluator of this evaluation cannot sit on its panel."),
                field=f"panel.{seat}",
                code="recused",
            )
        if person.pk == appeal.agent.user_id:
            raise DomainError(
                _("The appealing agent cannot sit on the panel."),
                field=f"panel.{seat}",
                code="recused",
            )
        if not has_role(person, role):
            raise DomainError(
                _("%(username)s is not a %(role)s.")
                % {"username": person.get_username(), "role": Role(role).label.lower()},
                field=f"panel.{seat}",
            )
        if person.pk in seen:
            raise DomainError(_("One person cannot take two seats."), field=f"panel.{seat}")
        seen.add(person.pk)


@transaction.atomic
def appeal_screen(
    *,
    appeal: Appeal,
    actor: User,
    accept: bool,
    reason: str = "",
    panel: dict[str, Any] | None = None,
) -> Appeal:
    """The agent's team lead accepts the appeal for the panel or returns it with a reason."""
    reason = reason.strip()
    now = timezone.now()
    if accept:
        chosen = panel or panel_propose(appeal=appeal, screener=actor)
        panel_check(appeal=appeal, panel=chosen)
        config = QaSettings.load()
        changed = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.SCREENING).update(
            status=AppealStatus.PANEL,
            screened_by=actor,
            screened_at=now,
            reminded_at=None,
            due_at=now + timedelta(days=config.panel_days),
        )
    else:
        if not reason:
            raise DomainError(_("Say why the appeal is returned."), field="reason")
        changed = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.SCREENING).update(
            status=AppealStatus.RETURNED,
            screened_by=actor,
            screened_at=now,
            return_reason=reason,
            due_at=None,
        )
    if not changed:
        raise Conflict(_("This appeal was screened already."))
    appeal.refresh_from_db()
    if accept:
        PanelMember.objects.bulk_create(
            PanelMember(appeal=appeal, seat=seat, user=user) for seat, user in chosen.items()
        )
        audit_record(
            actor=actor,
            action="appeal.accepted",
            target=appeal,
            data={"panel": {seat: user.get_username() for seat, user in chosen.items()}},
        )
        notify_people(
            recipients=chosen.values(),
            kind="qa.panel",
            text=lambda: (
                _("You sit on the review panel of appeal #%(appeal_pk)s.")
                % {"appeal_pk": appeal.pk}
            ),
            link=appeal_link(appeal),
        )
        notify_people(
            recipients=[appeal.evaluation.evaluator],
            kind="qa.panel",
            text=lambda: (
                _(
                    "Appeal #%(appeal_pk)s against your evaluation goes to a panel; you "
                    "may add an explanation."
                )
                % {"appeal_pk": appeal.pk}
            ),
            link=appeal_link(appeal),
        )

        def text():
            return _(
                "Your appeal #%(number)s was accepted by your team lead and goes to a "
                "three-person panel."
            ) % {"number": appeal.pk}
    else:
        audit_record(actor=actor, action="appeal.returned", target=appeal, data={"reason": reason})

        def text():
            return _("Your appeal #%(number)s was returned by your team lead: %(reason)s") % {
                "number": appeal.pk,
                "reason": reason,
            }

    notify_people(
        recipients=[appeal.agent.user], kind="qa.appeal", text=text, link=appeal_link(appeal)
    )
    return appeal


@transaction.atomic
def appeal_explain(*, appeal: Appeal, actor: User, text: str) -> Appeal:
    """The evaluator explains the deductions to the panel (once, while the panel sits)."""
    text = text.strip()
    if not text:
        raise DomainError(_("Write the explanation."), field="text")
    if appeal.evaluation.evaluator_id != actor.pk:
        raise DomainError(
            _("Only the evaluator explains their evaluation."), status_code=403, code="forbidden"
        )
    changed = Appeal.objects.filter(
        pk=appeal.pk, status=AppealStatus.PANEL, explained_at__isnull=True
    ).update(explanation=text, explained_at=timezone.now())
    if not changed:
        raise Conflict(_("The explanation was given already, or the panel has decided."))
    audit_record(actor=actor, action="appeal.explained", target=appeal)
    appeal.refresh_from_db()
    notify_people(
        recipients=[appeal.agent.user, *[m.user for m in appeal.panel.all()]],
        kind="qa.appeal",
        text=lambda: (
            _("The evaluator explained the deductions of appeal #%(appeal_pk)s.")
            % {"appeal_pk": appeal.pk}
        ),
        link=appeal_link(appeal),
    )
    return appeal


def _points_label(points: int | None, maximum: int) -> str:
    return f"{points} / {maximum}" if points is not None else "–"


def _proposal_points(item: AppealItem, entry: dict) -> int:
    """The points a proposal gives an item, from `points` or an older uphold / reject vote."""
    points = entry.get("points")
    if points is None and entry.get("opinion") in (Opinion.UPHOLD, Opinion.REJECT):
        points = (
            item.criterion.max_points if entry["opinion"] == Opinion.UPHOLD else item.points_before
        )
    return points


def _check_points(item: AppealItem, points, field: str) -> int:
    """Points for an appealed item: one of the criterion's allowed values, never fewer than
    the evaluation gave (an appeal cannot lower a score)."""
    allowed = [p for p in item.criterion.allowed_points() if p >= item.points_before]
    try:
        value = int(points)
    except (TypeError, ValueError):
        value = None
    if value not in allowed:
        raise DomainError(
            _("Give %(title)s one of %(allowed)s points.")
            % {
                "title": repr(item.criterion.title),
                "allowed": ", ".join(str(p) for p in allowed),
            },
            field=field,
        )
    return value


@transaction.atomic
def appeal_propose(
    *, appeal: Appeal, actor: User, proposals: Sequence[dict], reasons_required: bool = True
) -> list[PanelOpinion]:
    """A panel member proposes the points they would give each appealed item, with a reason
    (once per member). Each entry: {"item", "points", "reason"}; an older
    {"item", "opinion": "uphold" | "reject", "note"} proposes full points or no change."""
    member = appeal.panel.filter(user=actor).first()
    if member is None:
        raise DomainError(
            _("Only the panel gives opinions on this appeal."), status_code=403, code="forbidden"
        )
    if not Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.PANEL).exists():
        raise Conflict(_("The panel has decided already."))
    items = {i.pk: i for i in appeal.items.select_related("criterion")}
    given = {int(p.get("item") or 0): p for p in proposals}
    rows = []
    for item_id, item in items.items():
        entry = given.pop(item_id, None)
        if entry is None:
            raise DomainError(
                _("Propose the points for %(title)s.") % {"title": repr(item.criterion.title)},
                field=f"proposals.{item_id}.points",
            )
        points = _check_points(
            item, _proposal_points(item, entry), field=f"proposals.{item_id}.points"
        )
        reason = (entry.get("reason") or entry.get("note") or "").strip()
        if reasons_required and not reason:
            raise DomainError(
                _("Give the reason for the points you propose for %(title)s.")
                % {"title": repr(item.criterion.title)},
                field=f"proposals.{item_id}.reason",
            )
        opinion = {
            Decision.UPHELD: Opinion.UPHOLD,
            Decision.PARTLY: Opinion.PARTLY,
            Decision.REJECTED: Opinion.REJECT,
        }[decision_for(points=points, before=item.points_before, maximum=item.criterion.max_points)]
        rows.append(
            PanelOpinion(item=item, member=member, opinion=opinion, points=points, note=reason)
        )
    if given:
        raise DomainError(
            _("An opinion names a criterion that is not appealed."), field="proposals"
        )
    try:
        with transaction.atomic():
            created = PanelOpinion.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict(_("You gave your opinions already.")) from None
    audit_record(
        actor=actor,
        action="appeal.proposed",
        target=appeal,
        data={
            "seat": member.seat,
            "proposals": {
                str(r.item.criterion_id): {
                    "points": r.points,
                    "max_points": r.item.criterion.max_points,
                    "points_before": r.item.points_before,
                    "reason": r.note,
                }
                for r in rows
            },
        },
    )
    notify_people(
        recipients=[appeal.agent.user],
        kind="qa.appeal",
        text=lambda: (
            _("The %(display)s of your appeal #%(appeal_pk)s gave an opinion.")
            % {"display": member.get_seat_display().lower(), "appeal_pk": appeal.pk}
        ),
        link=appeal_link(appeal),
    )
    waiting = PanelMember.objects.filter(appeal=appeal).exclude(opinions__isnull=False)
    if not waiting.exists():
        chair = appeal.panel.filter(seat=Seat.SUPERVISOR).first()
        notify_people(
            recipients=[chair.user],
            kind="qa.panel",
            text=lambda: (
                _("All opinions on appeal #%(appeal_pk)s are in: please decide.")
                % {"appeal_pk": appeal.pk}
            ),
            link=appeal_link(appeal),
        )
    return created


def appeal_give_opinions(
    *, appeal: Appeal, actor: User, opinions: Sequence[dict]
) -> list[PanelOpinion]:
    """The older form of a proposal: uphold (full points) or reject (no change) each item."""
    for index, entry in enumerate(opinions):
        if (
            entry.get("opinion") not in (Opinion.UPHOLD, Opinion.REJECT)
            and entry.get("points") is None
        ):
            raise DomainError(
                _("Give an opinion on every appealed criterion."), field=f"opinions.{index}"
            )
    return appeal_propose(appeal=appeal, actor=actor, proposals=opinions, reasons_required=False)


def _decision_points(item: AppealItem, entry: dict):
    """The points a decision gives, from `points` or an older upheld / rejected word."""
    points = entry.get("points")
    if points is None and entry.get("decision") == Decision.UPHELD:
        return item.criterion.max_points
    if points is None and entry.get("decision") == Decision.REJECTED:
        return item.points_before
    return points


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor: User, decisions: Sequence[dict]) -> Appeal:
    """The senior supervisor on the panel decides the points of each appealed item, with a
    reason, having seen the panel's proposals: full points (upheld), some back (partly
    upheld) or none (rejected).

    The items given points back change in a new score revision, scored by the scorecard's
    own formula. Each entry: {"item", "points", "reason"}; an older {"decision": "upheld" |
    "rejected"} without points means full points or no change (points, when given, decide).
    Two deciders racing: the conditional update lets exactly one through.
    """
    chair = appeal.panel.filter(seat=Seat.SUPERVISOR).first()
    if chair is None or chair.user_id != actor.pk:
        raise DomainError(
            _("Only the senior supervisor on the panel decides."), status_code=403, code="forbidden"
        )
    items = {i.pk: i for i in appeal.items.select_related("criterion")}
    members = appeal.panel.count()
    missing = [i for i in items.values() if i.opinions.count() < members]
    if missing:
        raise DomainError(
            _("Wait until every panel member has given an opinion."),
            field="decisions",
            code="opinions_missing",
        )
    given = {int(d.get("item") or 0): d for d in decisions}
    plan = []
    for item_id, item in items.items():
        entry = given.pop(item_id, None)
        if entry is None:
            raise DomainError(
                _("Decide the points for %(title)s.") % {"title": repr(item.criterion.title)},
                field=f"decisions.{item_id}.points",
            )
        reason = (entry.get("reason") or "").strip()
        if not reason:
            raise DomainError(
                _("Give the reason for the decision on %(title)s.")
                % {"title": repr(item.criterion.title)},
                field=f"decisions.{item_id}.reason",
            )
        points = _check_points(
            item, _decision_points(item, entry), field=f"decisions.{item_id}.points"
        )
        decision = decision_for(
            points=points, before=item.points_before, maximum=item.criterion.max_points
        )
        plan.append((item, decision, reason, points))
    if given:
        raise DomainError(
            _("A decision names a criterion that is not appealed."), field="decisions"
        )
    now = timezone.now()
    changed = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.PANEL).update(
        status=AppealStatus.DECIDED, decided_by=actor, decided_at=now, due_at=None
    )
    if not changed:
        raise Conflict(_("This appeal was decided already."))
    for item, decision, reason, points in plan:
        AppealItem.objects.filter(pk=item.pk).update(
            decision=decision,
            decision_reason=reason,
            points_after=None if decision == Decision.REJECTED else points,
        )
    raised = [
        (item, decision, reason, points)
        for item, decision, reason, points in plan
        if decision != Decision.REJECTED
    ]
    appeal.refresh_from_db()
    evaluation = appeal.evaluation
    if raised:
        titles = ", ".join(
            f"{item.criterion.title} ({points}/{item.criterion.max_points})"
            for item, _decision, _reason, points in raised
        )
        revision = evaluation_revise(
            evaluation=evaluation,
            actor=actor,
            appeal=appeal,
            changes={
                str(item.criterion_id): {
                    "points": points,
                    "comment": f"Appeal #{appeal.pk} {decision}: {reason}",
                }
                for item, decision, reason, points in raised
            },
            reason=f"Appeal #{appeal.pk} upheld on {titles}",
        )
        score_after = revision.score
    else:
        score_after = evaluation.score
    Appeal.objects.filter(pk=appeal.pk).update(score_after=score_after)
    appeal.score_after = score_after
    audit_record(
        actor=actor,
        action="appeal.decided",
        target=appeal,
        data={
            "decisions": {
                str(item.criterion_id): {
                    "decision": decision,
                    "points": points,
                    "points_before": item.points_before,
                    "max_points": item.criterion.max_points,
                    "reason": reason,
                }
                for item, decision, reason, points in plan
            },
            "score_before": appeal.score_before,
            "score_after": score_after,
        },
    )
    decided = [
        (item.criterion.title, decision, points, item.criterion.max_points)
        for item, decision, _reason, points in plan
    ]

    def summary() -> str:
        return "; ".join(
            f"{title} {points}/{maximum}: {Decision(decision).label}"
            for title, decision, points, maximum in decided
        )

    notify_people(
        recipients=[appeal.agent.user, evaluation.evaluator],
        kind="qa.appeal",
        text=lambda: (
            _("Appeal #%(appeal_pk)s was decided — %(summary)s. Score %(before)s → %(after)s.")
            % {
                "appeal_pk": appeal.pk,
                "summary": summary(),
                "before": format_score(appeal.score_before),
                "after": format_score(score_after),
            }
        ),
        link=appeal_link(appeal),
    )
    alert_events.appeal_decided(appeal)
    return appeal


_REMINDER_STEPS = {
    "screening": pgettext_lazy("appeal step", "screening"),
    "opinions": pgettext_lazy("appeal step", "opinions"),
    "decision": pgettext_lazy("appeal step", "decision"),
}


def _reminder_text(*, number: int, step: str, overdue: bool) -> str:
    """The reminder in the language active for its recipient."""
    values = {"number": number, "step": _REMINDER_STEPS[step]}
    if overdue:
        return _("Appeal #%(number)s (%(step)s) is overdue.") % values
    return _("Appeal #%(number)s (%(step)s) is due within a day.") % values


def appeal_send_reminders(*, now: datetime | None = None) -> int:
    """Remind whoever holds an overdue or nearly due appeal (at most once a day per appeal)."""
    now = now or timezone.now()
    soon = now + timedelta(hours=24)
    sent = 0
    due = (
        Appeal.objects.filter(status__in=OPEN_APPEAL_STATUSES, due_at__lte=soon)
        .exclude(reminded_at__gt=now - timedelta(hours=24))
        .select_related("agent__team__lead")
    )
    for appeal in due:
        if appeal.status == AppealStatus.SCREENING:
            lead = appeal.agent.team.lead if appeal.agent.team else None
            people = [lead] if lead else list(User.objects.filter(groups__name=Role.SUPERVISOR))
            step = "screening"
        else:
            waiting = [m for m in appeal.panel.select_related("user") if not m.opinions.exists()]
            people = [m.user for m in waiting] or [
                m.user for m in appeal.panel.filter(seat=Seat.SUPERVISOR)
            ]
            step = "opinions" if waiting else "decision"
        overdue = appeal.due_at <= now
        with transaction.atomic():
            if not Appeal.objects.filter(pk=appeal.pk, reminded_at=appeal.reminded_at).update(
                reminded_at=now
            ):
                continue
            notify(
                recipients=people,
                kind="qa.reminder",
                link=appeal_link(appeal),
                text=partial(_reminder_text, number=appeal.pk, step=step, overdue=overdue),
            )
            audit_record(
                actor=None,
                action="appeal.reminded",
                target=appeal,
                data={"step": step, "to": [p.get_username() for p in people if p]},
            )
        sent += 1
    return sent


@transaction.atomic
def qa_settings_update(*, actor: User, **changes) -> QaSettings:
    config = QaSettings.load()
    if "appeal_window_days" in changes and not 1 <= changes["appeal_window_days"] <= 90:
        raise DomainError(_("The appeal window is 1 to 90 days."), field="appeal_window_days")
    for key, value in changes.items():
        setattr(config, key, value)
    config.save(update_fields=list(changes) or None)
    audit_record(
        actor=actor, action="qa.settings", target=config, data={k: v for k, v in changes.items()}
    )
    return config
