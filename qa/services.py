"""Writes for quality: scorecards, sampling, evaluations, appeals, calibration, great calls.

Every state change is one service using a conditional update (0 rows → `Conflict`), writes an
audit row and notifies the people concerned, all in one transaction.
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable, Sequence
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from agents.access import agent_of, has_role
from agents.models import Agent, Team
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from metrics.models import Outcome, Queue, QueueCall
from qa import sampling, scoring
from qa.models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealItem,
    AppealStatus,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
    Criterion,
    CriterionKind,
    Critical,
    Decision,
    Evaluation,
    EvaluationStatus,
    GreatCall,
    NominationStatus,
    Opinion,
    PanelMember,
    PanelOpinion,
    PickStatus,
    QaSettings,
    RuleMethod,
    RuleStatus,
    SampledCall,
    SamplingRule,
    Scorecard,
    ScorecardVersion,
    ScoreRevision,
    Seat,
    Section,
    VersionStatus,
)

User = get_user_model()


def site_zone() -> ZoneInfo:
    return ZoneInfo(settings.CALLFLOOR_TIME_ZONE)


def local_today() -> date:
    return timezone.localdate(timezone=site_zone())


def _notify(*, recipients: Iterable, text: str, link: str = "", kind: str = "") -> None:
    # Notifications are rows: written in the same transaction, they exist exactly when the
    # change they announce does.
    notify(recipients=list(recipients), text=text, link=link, kind=kind)


# --- scorecards -----------------------------------------------------------------------------------


def _build_sections(version: ScorecardVersion, sections: Sequence[dict]) -> None:
    if not sections:
        raise DomainError("A scorecard needs at least one section.", field="sections")
    for s_index, section in enumerate(sections):
        title = (section.get("title") or "").strip()
        if not title:
            raise DomainError("Every section needs a title.", field=f"sections[{s_index}].title")
        weight = float(section.get("weight", 1))
        if weight <= 0:
            raise DomainError(
                "A section's weight must be above 0.", field=f"sections[{s_index}].weight"
            )
        criteria = section.get("criteria") or []
        if not criteria:
            raise DomainError(
                f"The section {title!r} has no criteria.", field=f"sections[{s_index}].criteria"
            )
        row = Section.objects.create(version=version, title=title, weight=weight, position=s_index)
        for c_index, criterion in enumerate(criteria):
            where = f"sections[{s_index}].criteria[{c_index}]"
            c_title = (criterion.get("title") or "").strip()
            if not c_title:
                raise DomainError("Every criterion needs a title.", field=f"{where}.title")
            max_points = int(criterion.get("max_points", 1))
            if not 1 <= max_points <= 100:
                raise DomainError(
                    "Maximum points must be between 1 and 100.", field=f"{where}.max_points"
                )
            kind = criterion.get("kind", CriterionKind.POINTS)
            if kind not in CriterionKind.values:
                raise DomainError(f"Unknown kind {kind!r}.", field=f"{where}.kind")
            critical = criterion.get("critical", Critical.NONE)
            if critical not in Critical.values:
                raise DomainError(
                    f"Unknown critical setting {critical!r}.", field=f"{where}.critical"
                )
            Criterion.objects.create(
                section=row,
                title=c_title,
                guidance=criterion.get("guidance", ""),
                kind=kind,
                max_points=max_points,
                critical=critical,
                allow_na=bool(criterion.get("allow_na", True)),
                position=c_index,
            )


@transaction.atomic
def scorecard_create(*, name: str, actor, sections: Sequence[dict], notes: str = "") -> Scorecard:
    """Create a scorecard with its first (draft) version."""
    if Scorecard.objects.filter(name__iexact=name).exists():
        raise DomainError(f"A scorecard named {name!r} exists already.", field="name")
    card = Scorecard.objects.create(name=name, created_by=actor)
    version = ScorecardVersion.objects.create(scorecard=card, number=1, notes=notes)
    _build_sections(version, sections)
    audit_record(actor=actor, action="scorecard.created", target=version, data={"name": name})
    return card


@transaction.atomic
def scorecard_version_update(
    *, version: ScorecardVersion, actor, sections: Sequence[dict], notes: str | None = None
) -> ScorecardVersion:
    """Replace the structure of a draft version; a released version never changes."""
    locked = ScorecardVersion.objects.select_for_update().get(pk=version.pk)
    if locked.status != VersionStatus.DRAFT:
        raise DomainError(
            "A released scorecard version cannot change; make a new version.",
            field="status",
            code="released",
        )
    locked.sections.all().delete()
    _build_sections(locked, sections)
    if notes is not None:
        locked.notes = notes
        locked.save(update_fields=["notes"])
    audit_record(actor=actor, action="scorecard.updated", target=locked)
    return locked


@transaction.atomic
def scorecard_version_release(*, version: ScorecardVersion, actor) -> ScorecardVersion:
    if not Criterion.objects.filter(section__version=version).exists():
        raise DomainError("A scorecard without criteria cannot be released.", field="sections")
    now = timezone.now()
    changed = ScorecardVersion.objects.filter(pk=version.pk, status=VersionStatus.DRAFT).update(
        status=VersionStatus.RELEASED, released_at=now
    )
    if not changed:
        raise Conflict("This version was released already.")
    audit_record(actor=actor, action="scorecard.released", target=version)
    version.refresh_from_db()
    return version


@transaction.atomic
def scorecard_version_copy(*, version: ScorecardVersion, actor) -> ScorecardVersion:
    """Start the next version as a draft copy of `version`."""
    card = Scorecard.objects.select_for_update().get(pk=version.scorecard_id)
    number = (card.versions.order_by("-number").values_list("number", flat=True).first() or 0) + 1
    new = ScorecardVersion.objects.create(scorecard=card, number=number, notes=version.notes)
    for section in version.sections.prefetch_related("criteria"):
        criteria = list(section.criteria.all())
        section.pk = None
        section.version = new
        section.save()
        for criterion in criteria:
            criterion.pk = None
            criterion.section = section
            criterion.save()
    audit_record(
        actor=actor, action="scorecard.copied", target=new, data={"from_version": version.pk}
    )
    return new


# --- scoring helpers -----------------------------------------------------------------------------


def _clean_answers(version: ScorecardVersion, answers: dict, *, complete: bool) -> dict[str, dict]:
    """Validate {criterion id: {"points", "comment"}} against the version's criteria."""
    criteria = {c.pk: c for c in version.criteria()}
    cleaned: dict[str, dict] = {}
    for raw_id, value in answers.items():
        try:
            cid = int(raw_id)
        except (TypeError, ValueError):
            raise DomainError(f"{raw_id!r} is not a criterion id.", field="answers") from None
        criterion = criteria.get(cid)
        if criterion is None:
            raise DomainError(
                f"Criterion {cid} is not on this scorecard.", field=f"answers.{raw_id}"
            )
        points = value.get("points")
        if points is None:
            if not criterion.allow_na:
                raise DomainError(f"{criterion.title!r} cannot be N/A.", field=f"answers.{cid}")
        elif points not in criterion.allowed_points():
            allowed = ", ".join(str(p) for p in criterion.allowed_points())
            raise DomainError(
                f"{criterion.title!r} takes one of: {allowed} points.", field=f"answers.{cid}"
            )
        cleaned[str(cid)] = {"points": points, "comment": (value.get("comment") or "").strip()}
    if complete:
        for cid, criterion in criteria.items():
            answer = cleaned.get(str(cid))
            if answer is None:
                raise DomainError(f"{criterion.title!r} has no points yet.", field=f"answers.{cid}")
            if (
                answer["points"] is not None
                and answer["points"] < criterion.max_points
                and not answer["comment"]
            ):
                raise DomainError(
                    f"Say why points were deducted for {criterion.title!r}.", field=f"answers.{cid}"
                )
    return cleaned


def compute_score(version: ScorecardVersion, answers: dict) -> scoring.ScoreResult:
    mapped = {int(cid): scoring.Answer(a.get("points")) for cid, a in answers.items()}
    return scoring.score(version.specs(), mapped)


def _add_revision(
    *, evaluation: Evaluation, answers: dict, reason: str, actor, appeal: Appeal | None = None
) -> ScoreRevision:
    result = compute_score(evaluation.scorecard_version, answers)
    previous = evaluation.revisions.order_by("-number").first()
    number = previous.number + 1 if previous else 1
    try:
        with transaction.atomic():
            revision = ScoreRevision.objects.create(
                evaluation=evaluation,
                number=number,
                answers=answers,
                score=result.score,
                result=result.as_dict(),
                reason=reason,
                appeal=appeal,
                created_by=actor,
            )
    except IntegrityError:
        raise Conflict("Someone else revised this evaluation at the same time.") from None
    Evaluation.objects.filter(pk=evaluation.pk).update(score=result.score)
    evaluation.score = result.score
    audit_record(
        actor=actor,
        action="evaluation.score_revised" if previous else "evaluation.released",
        target=evaluation,
        data={
            "revision": number,
            "score": result.score,
            "previous_score": previous.score if previous else None,
            "reason": reason,
            "appeal": appeal.pk if appeal else None,
        },
    )
    return revision


def evaluation_link(evaluation: Evaluation) -> str:
    return reverse("qa-evaluation", kwargs={"evaluation_id": evaluation.pk})


def appeal_link(appeal: Appeal) -> str:
    return reverse("qa-appeal", kwargs={"appeal_id": appeal.pk})


# --- evaluations ----------------------------------------------------------------------------------


@transaction.atomic
def evaluation_create(
    *,
    evaluator,
    scorecard_version: ScorecardVersion | None = None,
    agent: Agent | None = None,
    call: QueueCall | None = None,
    recording_id: str = "",
    pick: SampledCall | None = None,
) -> Evaluation:
    """Start a draft evaluation of a picked call, or of a call/recording named directly."""
    if not has_role(evaluator, Role.QA_ANALYST):
        raise DomainError("Only QA analysts evaluate calls.", status_code=403, code="forbidden")
    if pick is not None:
        if pick.status != PickStatus.PICKED:
            raise DomainError(
                "This call was replaced in the sample; evaluate its replacement.", field="pick"
            )
        if Evaluation.objects.filter(pick=pick).exists():
            raise DomainError("This picked call has an evaluation already.", field="pick")
        scorecard_version = pick.rule.scorecard_version
        agent, call = pick.agent, pick.call
        recording_id = call.recording_id
    if scorecard_version is None or not scorecard_version.is_released:
        raise DomainError("Evaluate with a released scorecard version.", field="scorecard_version")
    if call is not None:
        if call.agent_id is None:
            raise DomainError("This call has no agent.", field="call")
        if agent is not None and agent.pk != call.agent_id:
            raise DomainError("This call was answered by another agent.", field="agent")
        agent = call.agent
        recording_id = recording_id or call.recording_id
    if agent is None:
        raise DomainError("Name the agent whose call this is.", field="agent")
    if call is None and not recording_id:
        raise DomainError("Name a call or a recording id.", field="recording_id")
    if agent.user_id == evaluator.pk:
        raise DomainError("Nobody evaluates their own calls.", field="agent")
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                scorecard_version=scorecard_version,
                agent=agent,
                call=call,
                recording_id=recording_id,
                pick=pick,
                evaluator=evaluator,
            )
    except IntegrityError:
        raise Conflict("This picked call has an evaluation already.") from None
    audit_record(
        actor=evaluator,
        action="evaluation.created",
        target=evaluation,
        data={
            "pick": pick.pk if pick else None,
            "call": call.pk if call else None,
            "recording_id": recording_id,
        },
    )
    return evaluation


@transaction.atomic
def evaluation_set_answers(*, evaluation: Evaluation, actor, answers: dict) -> Evaluation:
    """Save draft answers (merged over the ones saved before)."""
    cleaned = _clean_answers(evaluation.scorecard_version, answers, complete=False)
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != EvaluationStatus.DRAFT:
        raise DomainError(
            "A released evaluation changes only through a score revision.",
            field="status",
            code="released",
        )
    locked.answers = {**locked.answers, **cleaned}
    locked.save(update_fields=["answers"])
    return locked


@transaction.atomic
def evaluation_release(*, evaluation: Evaluation, actor) -> Evaluation:
    """Release a draft to the agent: the first score revision, and a notification."""
    evaluation.refresh_from_db()
    answers = _clean_answers(evaluation.scorecard_version, evaluation.answers, complete=True)
    now = timezone.now()
    changed = Evaluation.objects.filter(pk=evaluation.pk, status=EvaluationStatus.DRAFT).update(
        status=EvaluationStatus.RELEASED, released_at=now
    )
    if not changed:
        raise Conflict("This evaluation was released already.")
    evaluation.refresh_from_db()
    _add_revision(evaluation=evaluation, answers=answers, reason="", actor=actor)
    _notify(
        recipients=[evaluation.agent.user],
        kind="qa.evaluation",
        text=f"A new evaluation of your call was released: score "
        f"{evaluation.score}. Please read and acknowledge it.",
        link=evaluation_link(evaluation),
    )
    return evaluation


def evaluation_mark_read(*, evaluation: Evaluation, user) -> None:
    own = agent_of(user)
    if own is not None and own.pk == evaluation.agent_id and evaluation.first_read_at is None:
        Evaluation.objects.filter(pk=evaluation.pk, first_read_at__isnull=True).update(
            first_read_at=timezone.now()
        )


@transaction.atomic
def evaluation_acknowledge(*, evaluation: Evaluation, user) -> ScoreRevision:
    own = agent_of(user)
    if own is None or own.pk != evaluation.agent_id:
        raise DomainError(
            "Only the evaluated agent acknowledges an evaluation.",
            status_code=403,
            code="forbidden",
        )
    revision = evaluation.current_revision()
    if revision is None:
        raise DomainError("This evaluation is not released yet.", field="status")
    changed = ScoreRevision.objects.filter(pk=revision.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if not changed:
        raise Conflict("You acknowledged this score already.")
    audit_record(
        actor=user,
        action="evaluation.acknowledged",
        target=evaluation,
        data={"revision": revision.number},
    )
    revision.refresh_from_db()
    return revision


@transaction.atomic
def evaluation_revise(
    *, evaluation: Evaluation, actor, changes: dict, reason: str, appeal: Appeal | None = None
) -> ScoreRevision:
    """Change a released score: a new revision that keeps the previous one and the reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why the score changes.", field="reason")
    # The row lock orders this against `appeal_file` and `appeal_decide` on the same evaluation.
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != EvaluationStatus.RELEASED:
        raise DomainError("Only a released evaluation gets score revisions.", field="status")
    if appeal is not None and (
        appeal.evaluation_id != locked.pk or appeal.status != AppealStatus.DECIDED
    ):
        raise DomainError("Only a decided appeal of this evaluation revises it.", field="appeal")
    open_appeals = locked.appeals.filter(status__in=OPEN_APPEAL_STATUSES)
    if appeal is None and open_appeals.exists():
        raise Conflict(
            "This evaluation is under appeal: its score changes only by the panel's decision."
        )
    current = locked.current_revision()
    cleaned = _clean_answers(locked.scorecard_version, changes, complete=False)
    answers = {**current.answers, **cleaned}
    answers = _clean_answers(locked.scorecard_version, answers, complete=True)
    if answers == current.answers:
        raise DomainError("Nothing changes in this revision.", field="answers")
    decided = locked.criteria_decided_on_appeal(besides=appeal)
    for cid in sorted(decided, key=str):
        if answers.get(str(cid)) != current.answers.get(str(cid)):
            title = Criterion.objects.get(pk=cid).title
            raise DomainError(
                f"{title!r} was decided on appeal: its points stand as the panel decided.",
                field=f"answers.{cid}",
                code="decided_on_appeal",
            )
    revision = _add_revision(
        evaluation=locked, answers=answers, reason=reason, actor=actor, appeal=appeal
    )
    _notify(
        recipients=[locked.agent.user],
        kind="qa.evaluation",
        text=f"Your evaluation #{locked.pk} was revised: {current.score} → "
        f"{revision.score} ({reason}). Please acknowledge the new score.",
        link=evaluation_link(locked),
    )
    return revision


# --- appeals --------------------------------------------------------------------------------------


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


@transaction.atomic
def appeal_file(*, evaluation: Evaluation, user, items: Sequence[dict]) -> Appeal:
    """The agent appeals deducted criteria of a released evaluation, with a reason for each."""
    own = agent_of(user)
    if own is None or own.pk != evaluation.agent_id:
        raise DomainError("Only the evaluated agent can appeal.", status_code=403, code="forbidden")
    # Locked like a revision: the appealed points are the current ones, not those of a
    # revision committed meanwhile.
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not evaluation.is_released:
        raise DomainError("This evaluation is not released.", field="evaluation")
    now = timezone.now()
    deadline = appeal_deadline(evaluation)
    if now > deadline:
        local = timezone.localtime(deadline, site_zone())
        raise DomainError(
            f"The appeal window closed on {local:%Y-%m-%d %H:%M} "
            f"({QaSettings.load().appeal_window_days} days after the evaluation was released); "
            f"this evaluation can no longer be appealed.",
            field="evaluation",
            code="appeal_window_closed",
        )
    if not items:
        raise DomainError("Choose at least one deducted criterion to appeal.", field="items")
    revision = evaluation.current_revision()
    criteria = {c.pk: c for c in evaluation.scorecard_version.criteria()}
    decided = evaluation.criteria_decided_on_appeal()
    windows = appeal_windows(evaluation)
    config = QaSettings.load()
    rows = []
    seen = set()
    for index, item in enumerate(items):
        cid = int(item.get("criterion") or 0)
        reason = (item.get("reason") or "").strip()
        criterion = criteria.get(cid)
        if criterion is None:
            raise DomainError(
                "This criterion is not on the evaluation.", field=f"items[{index}].criterion"
            )
        if cid in seen:
            raise DomainError(
                f"{criterion.title!r} is listed twice.", field=f"items[{index}].criterion"
            )
        seen.add(cid)
        points = revision.answers[str(cid)]["points"]
        if points is None or points >= criterion.max_points:
            raise DomainError(
                f"{criterion.title!r} had no deduction to appeal.",
                field=f"items[{index}].criterion",
            )
        if cid in decided:
            raise DomainError(
                f"{criterion.title!r} was decided on appeal already.",
                field=f"items[{index}].criterion",
            )
        if now > windows[cid] + timedelta(days=config.appeal_window_days):
            raise DomainError(
                f"The appeal window for {criterion.title!r} has closed; after the first window "
                f"only what a later revision changed can be appealed.",
                field=f"items[{index}].criterion",
                code="appeal_window_closed",
            )
        if not reason:
            raise DomainError(
                f"Give a reason for appealing {criterion.title!r}.", field=f"items[{index}].reason"
            )
        rows.append((criterion, points, reason))
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
            "This evaluation has an open appeal already.", field="evaluation", code="appeal_open"
        ) from None
    AppealItem.objects.bulk_create(
        AppealItem(appeal=appeal, criterion=c, points_before=p, reason=r) for c, p, r in rows
    )
    audit_record(
        actor=user,
        action="appeal.filed",
        target=appeal,
        data={"evaluation": evaluation.pk, "criteria": [c.pk for c, _, _ in rows]},
    )
    lead = own.team.lead if own.team else None
    screeners = [lead] if lead else User.objects.filter(groups__name=Role.SUPERVISOR)
    _notify(
        recipients=screeners,
        kind="qa.appeal",
        text=f"{own.display_name} appealed evaluation #{evaluation.pk}: please screen it.",
        link=appeal_link(appeal),
    )
    _notify(
        recipients=[user],
        kind="qa.appeal",
        text=f"Your appeal #{appeal.pk} was filed and waits for your team lead.",
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
                f"Nobody can take the {Seat(seat).label} seat: the evaluator and the "
                f"agent never sit on the panel.",
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
            raise DomainError("Every seat of the panel needs a person.", field=f"panel.{seat}")
        if person.pk == appeal.evaluation.evaluator_id:
            raise DomainError(
                "The evaluator of this evaluation cannot sit on its panel.",
                field=f"panel.{seat}",
                code="recused",
            )
        if person.pk == appeal.agent.user_id:
            raise DomainError(
                "The appealing agent cannot sit on the panel.",
                field=f"panel.{seat}",
                code="recused",
            )
        if not has_role(person, role):
            raise DomainError(
                f"{person.get_username()} is not a {Role(role).label.lower()}.",
                field=f"panel.{seat}",
            )
        if person.pk in seen:
            raise DomainError("One person cannot take two seats.", field=f"panel.{seat}")
        seen.add(person.pk)


@transaction.atomic
def appeal_screen(
    *, appeal: Appeal, actor, accept: bool, reason: str = "", panel: dict[str, Any] | None = None
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
            raise DomainError("Say why the appeal is returned.", field="reason")
        changed = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.SCREENING).update(
            status=AppealStatus.RETURNED,
            screened_by=actor,
            screened_at=now,
            return_reason=reason,
            due_at=None,
        )
    if not changed:
        raise Conflict("This appeal was screened already.")
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
        _notify(
            recipients=chosen.values(),
            kind="qa.panel",
            text=f"You sit on the review panel of appeal #{appeal.pk}.",
            link=appeal_link(appeal),
        )
        _notify(
            recipients=[appeal.evaluation.evaluator],
            kind="qa.panel",
            text=f"Appeal #{appeal.pk} against your evaluation goes to a panel; "
            f"you may add an explanation.",
            link=appeal_link(appeal),
        )
        text = (
            f"Your appeal #{appeal.pk} was accepted by your team lead and goes to a "
            f"three-person panel."
        )
    else:
        audit_record(actor=actor, action="appeal.returned", target=appeal, data={"reason": reason})
        text = f"Your appeal #{appeal.pk} was returned by your team lead: {reason}"
    _notify(recipients=[appeal.agent.user], kind="qa.appeal", text=text, link=appeal_link(appeal))
    return appeal


@transaction.atomic
def appeal_explain(*, appeal: Appeal, actor, text: str) -> Appeal:
    """The evaluator explains the deductions to the panel (once, while the panel sits)."""
    text = text.strip()
    if not text:
        raise DomainError("Write the explanation.", field="text")
    if appeal.evaluation.evaluator_id != actor.pk:
        raise DomainError(
            "Only the evaluator explains their evaluation.", status_code=403, code="forbidden"
        )
    changed = Appeal.objects.filter(
        pk=appeal.pk, status=AppealStatus.PANEL, explained_at__isnull=True
    ).update(explanation=text, explained_at=timezone.now())
    if not changed:
        raise Conflict("The explanation was given already, or the panel has decided.")
    audit_record(actor=actor, action="appeal.explained", target=appeal)
    appeal.refresh_from_db()
    _notify(
        recipients=[appeal.agent.user, *[m.user for m in appeal.panel.all()]],
        kind="qa.appeal",
        text=f"The evaluator explained the deductions of appeal #{appeal.pk}.",
        link=appeal_link(appeal),
    )
    return appeal


@transaction.atomic
def appeal_give_opinions(*, appeal: Appeal, actor, opinions: Sequence[dict]) -> list[PanelOpinion]:
    """A panel member's opinion on every appealed criterion (given once)."""
    member = appeal.panel.filter(user=actor).first()
    if member is None:
        raise DomainError(
            "Only the panel gives opinions on this appeal.", status_code=403, code="forbidden"
        )
    if not Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.PANEL).exists():
        raise Conflict("The panel has decided already.")
    items = {i.pk: i for i in appeal.items.all()}
    given = {int(o.get("item") or 0): o for o in opinions}
    rows = []
    for item_id, item in items.items():
        entry = given.pop(item_id, None)
        if entry is None or entry.get("opinion") not in Opinion.values:
            raise DomainError(
                f"Give an opinion on {item.criterion.title!r}.", field=f"opinions.{item_id}"
            )
        rows.append(
            PanelOpinion(
                item=item,
                member=member,
                opinion=entry["opinion"],
                note=(entry.get("note") or "").strip(),
            )
        )
    if given:
        raise DomainError("An opinion names a criterion that is not appealed.", field="opinions")
    try:
        with transaction.atomic():
            created = PanelOpinion.objects.bulk_create(rows)
    except IntegrityError:
        raise Conflict("You gave your opinions already.") from None
    audit_record(
        actor=actor,
        action="appeal.opinion",
        target=appeal,
        data={"seat": member.seat, "opinions": {r.item.criterion_id: r.opinion for r in rows}},
    )
    _notify(
        recipients=[appeal.agent.user],
        kind="qa.appeal",
        text=f"The {member.get_seat_display().lower()} of your appeal "
        f"#{appeal.pk} gave an opinion.",
        link=appeal_link(appeal),
    )
    waiting = PanelMember.objects.filter(appeal=appeal).exclude(opinions__isnull=False)
    if not waiting.exists():
        chair = appeal.panel.filter(seat=Seat.SUPERVISOR).first()
        _notify(
            recipients=[chair.user],
            kind="qa.panel",
            text=f"All opinions on appeal #{appeal.pk} are in: please decide.",
            link=appeal_link(appeal),
        )
    return created


@transaction.atomic
def appeal_decide(*, appeal: Appeal, actor, decisions: Sequence[dict]) -> Appeal:
    """The supervisor on the panel upholds or rejects each criterion, with reasons.

    Upheld criteria get their points back (or the points the decision names) in a new score
    revision. Two deciders racing: the conditional update lets exactly one through.
    """
    chair = appeal.panel.filter(seat=Seat.SUPERVISOR).first()
    if chair is None or chair.user_id != actor.pk:
        raise DomainError(
            "Only the senior supervisor on the panel decides.", status_code=403, code="forbidden"
        )
    items = {i.pk: i for i in appeal.items.select_related("criterion")}
    members = appeal.panel.count()
    missing = [i for i in items.values() if i.opinions.count() < members]
    if missing:
        raise DomainError(
            "Wait until every panel member has given an opinion.",
            field="decisions",
            code="opinions_missing",
        )
    given = {int(d.get("item") or 0): d for d in decisions}
    plan = []
    for item_id, item in items.items():
        entry = given.pop(item_id, None)
        if entry is None or entry.get("decision") not in (Decision.UPHELD, Decision.REJECTED):
            raise DomainError(
                f"Decide {item.criterion.title!r}: upheld or rejected.",
                field=f"decisions.{item_id}",
            )
        reason = (entry.get("reason") or "").strip()
        if not reason:
            raise DomainError(
                f"Give the reason for the decision on {item.criterion.title!r}.",
                field=f"decisions.{item_id}.reason",
            )
        points = None
        if entry["decision"] == Decision.UPHELD:
            points = entry.get("points")
            points = item.criterion.max_points if points is None else int(points)
            if points <= item.points_before or points not in item.criterion.allowed_points():
                raise DomainError(
                    f"An upheld appeal gives {item.criterion.title!r} more points, at most "
                    f"{item.criterion.max_points}.",
                    field=f"decisions.{item_id}.points",
                )
        plan.append((item, entry["decision"], reason, points))
    if given:
        raise DomainError("A decision names a criterion that is not appealed.", field="decisions")
    now = timezone.now()
    changed = Appeal.objects.filter(pk=appeal.pk, status=AppealStatus.PANEL).update(
        status=AppealStatus.DECIDED, decided_by=actor, decided_at=now, due_at=None
    )
    if not changed:
        raise Conflict("This appeal was decided already.")
    for item, decision, reason, points in plan:
        AppealItem.objects.filter(pk=item.pk).update(
            decision=decision, decision_reason=reason, points_after=points
        )
    upheld = [
        (item, reason, points)
        for item, decision, reason, points in plan
        if decision == Decision.UPHELD
    ]
    appeal.refresh_from_db()
    evaluation = appeal.evaluation
    if upheld:
        titles = ", ".join(item.criterion.title for item, _, _ in upheld)
        revision = evaluation_revise(
            evaluation=evaluation,
            actor=actor,
            appeal=appeal,
            changes={
                str(item.criterion_id): {
                    "points": points,
                    "comment": f"Appeal #{appeal.pk} upheld: {reason}",
                }
                for item, reason, points in upheld
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
            "decisions": {item.criterion_id: decision for item, decision, _, _ in plan},
            "score_before": appeal.score_before,
            "score_after": score_after,
        },
    )
    summary = "; ".join(f"{item.criterion.title}: {decision}" for item, decision, _, _ in plan)
    _notify(
        recipients=[appeal.agent.user, evaluation.evaluator],
        kind="qa.appeal",
        text=f"Appeal #{appeal.pk} was decided — {summary}. Score "
        f"{appeal.score_before} → {score_after}.",
        link=appeal_link(appeal),
    )
    return appeal


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
        state = "is overdue" if appeal.due_at <= now else "is due within a day"
        with transaction.atomic():
            if not Appeal.objects.filter(pk=appeal.pk, reminded_at=appeal.reminded_at).update(
                reminded_at=now
            ):
                continue
            notify(
                recipients=people,
                kind="qa.reminder",
                link=appeal_link(appeal),
                text=f"Appeal #{appeal.pk} ({step}) {state}.",
            )
            audit_record(
                actor=None,
                action="appeal.reminded",
                target=appeal,
                data={"step": step, "to": [p.get_username() for p in people if p]},
            )
        sent += 1
    return sent


# --- sampling -------------------------------------------------------------------------------------


RULE_FIELDS = (
    "name",
    "team",
    "scorecard_version",
    "method",
    "calls_per_agent",
    "min_talk_s",
    "nth",
    "after",
    "period_start",
    "period_end",
)


def _check_rule(values: dict) -> None:
    if values["period_end"] < values["period_start"]:
        raise DomainError("The period ends before it starts.", field="period_end")
    if values["period_start"] <= local_today():
        raise DomainError(
            "A rule is announced in advance: its period must start tomorrow or later.",
            field="period_start",
            code="too_late",
        )
    if not values["scorecard_version"].is_released:
        raise DomainError("Sample with a released scorecard version.", field="scorecard_version")
    if values["method"] == RuleMethod.RANDOM and values["calls_per_agent"] < 1:
        raise DomainError("Pick at least one call per agent.", field="calls_per_agent")
    if values["method"] == RuleMethod.NTH_AFTER and values["nth"] < 1:
        raise DomainError("The nth call counts from 1.", field="nth")


@transaction.atomic
def sampling_rule_create(
    *,
    actor,
    name: str,
    scorecard_version: ScorecardVersion,
    period_start: date,
    period_end: date,
    team: Team | None = None,
    queues: Sequence[Queue] = (),
    method: str = RuleMethod.RANDOM,
    calls_per_agent: int = 2,
    min_talk_s: int = 0,
    nth: int = 1,
    after: time | None = None,
    supersedes: SamplingRule | None = None,
) -> SamplingRule:
    """A draft rule with a fresh secret seed; only sha256(seed) is ever shown before the end."""
    values = dict(
        name=name,
        team=team,
        scorecard_version=scorecard_version,
        method=method,
        calls_per_agent=calls_per_agent,
        min_talk_s=min_talk_s,
        nth=nth,
        after=after,
        period_start=period_start,
        period_end=period_end,
    )
    _check_rule(values)
    if supersedes is not None:
        if supersedes.status != RuleStatus.PUBLISHED:
            raise DomainError(
                "Only a published rule is superseded; edit a draft instead.", field="supersedes"
            )
        if hasattr(supersedes, "superseded_by"):
            raise DomainError("That rule is superseded already.", field="supersedes")
        if period_start < supersedes.period_start:
            raise DomainError("A superseding rule applies to a later period.", field="period_start")
    seed = secrets.token_hex(32)
    rule = SamplingRule.objects.create(
        **values,
        seed=seed,
        seed_hash=sampling.seed_hash(seed),
        supersedes=supersedes,
        created_by=actor,
    )
    rule.queues.set(queues)
    audit_record(
        actor=actor,
        action="sampling.created",
        target=rule,
        data={"supersedes": supersedes.pk if supersedes else None},
    )
    return rule


@transaction.atomic
def sampling_rule_update(
    *, rule: SamplingRule, actor, queues: Sequence[Queue] | None = None, **changes
) -> SamplingRule:
    """Edit a draft rule; a published rule never changes."""
    unknown = set(changes) - set(RULE_FIELDS)
    if unknown:
        raise DomainError(f"{sorted(unknown)[0]} cannot be edited.", field=sorted(unknown)[0])
    locked = SamplingRule.objects.select_for_update().get(pk=rule.pk)
    if locked.status != RuleStatus.DRAFT:
        raise DomainError(
            "A published rule cannot change; supersede it for a later period.",
            field="status",
            code="published",
        )
    values = {f: getattr(locked, f) for f in RULE_FIELDS} | changes
    _check_rule(values)
    for key, value in changes.items():
        setattr(locked, key, value)
    # Guarded again at the row: a concurrent publish wins and this edit is refused.
    updated = SamplingRule.objects.filter(pk=locked.pk, status=RuleStatus.DRAFT).update(**changes)
    if not updated:
        raise Conflict("The rule was published meanwhile.")
    if queues is not None:
        locked.queues.set(queues)
    audit_record(
        actor=actor,
        action="sampling.updated",
        target=locked,
        data={k: str(v) for k, v in changes.items()},
    )
    return locked


@transaction.atomic
def sampling_rule_publish(*, rule: SamplingRule, actor) -> SamplingRule:
    """Publish before the period starts (the day before at the latest): then it is fixed."""
    rule.refresh_from_db()
    if rule.period_start <= local_today():
        raise DomainError(
            f"Too late: a rule for a period starting {rule.period_start:%Y-%m-%d} had to be "
            f"published by the day before.",
            field="period_start",
            code="too_late",
        )
    fingerprint = sampling.definition_hash(rule.published_spec(), rule.definition_extra())
    now = timezone.now()
    changed = SamplingRule.objects.filter(pk=rule.pk, status=RuleStatus.DRAFT).update(
        status=RuleStatus.PUBLISHED,
        published_at=now,
        published_by=actor,
        definition_hash=fingerprint,
    )
    if not changed:
        raise Conflict("This rule was published already.")
    rule.refresh_from_db()
    if rule.supersedes_id:
        SamplingRule.objects.filter(pk=rule.supersedes_id, superseded_from__isnull=True).update(
            superseded_from=rule.period_start
        )
    audit_record(
        actor=actor,
        action="sampling.published",
        target=rule,
        data={"seed_hash": rule.seed_hash, "definition_hash": fingerprint},
    )
    agents = Agent.objects.filter(active=True).select_related("user")
    if rule.team_id:
        agents = agents.filter(team_id=rule.team_id)
    _notify(
        recipients=[a.user for a in agents],
        kind="qa.sampling",
        text=f"Sampling rule announced: {rule.describe()}",
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
    )
    return rule


def seed_revealed(rule: SamplingRule, today: date | None = None) -> bool:
    return rule.status == RuleStatus.PUBLISHED and (today or local_today()) > rule.effective_end


def call_key(call: QueueCall) -> str:
    offered = call.offered_at.astimezone(ZoneInfo("UTC"))
    return f"{call.source.name}/{call.call_id}/{call.queue.name}/{offered:%Y%m%dT%H%M%SZ}"


def rule_candidates(rule: SamplingRule, agent: Agent | None = None):
    """The answered calls a rule looks at, as (pure candidates, {key: QueueCall})."""
    zone = site_zone()
    start = datetime.combine(rule.period_start, time.min, tzinfo=zone)
    end = datetime.combine(rule.effective_end + timedelta(days=1), time.min, tzinfo=zone)
    calls = QueueCall.objects.filter(
        outcome=Outcome.ANSWERED,
        agent__isnull=False,
        offered_at__gte=start,
        offered_at__lt=end,
    ).select_related("source", "queue", "agent")
    if rule.team_id:
        calls = calls.filter(agent__team_id=rule.team_id)
    if agent is not None:
        calls = calls.filter(agent=agent)
    by_key: dict[str, QueueCall] = {}
    candidates = []
    for call in calls:
        key = call_key(call)
        by_key[key] = call
        candidates.append(
            sampling.Candidate(
                key=key,
                agent=str(call.agent_id),
                started=timezone.localtime(call.offered_at, zone),
                talk_s=call.talk_s or 0.0,
                queue=call.queue.name,
            )
        )
    return candidates, by_key


@transaction.atomic
def sampling_rule_draw(*, rule: SamplingRule, actor=None) -> list[SampledCall]:
    """After the period: store the picks for the analysts' work list."""
    rule.refresh_from_db()
    if not seed_revealed(rule):
        raise DomainError("The sample is drawn after the period ends.", field="period_end")
    changed = SamplingRule.objects.filter(pk=rule.pk, drawn_at__isnull=True).update(
        drawn_at=timezone.now()
    )
    if not changed:
        raise Conflict("This rule's sample was drawn already.")
    candidates, by_key = rule_candidates(rule)
    picks = sampling.select(rule.spec(), rule.seed, candidates)
    rows = [
        SampledCall(rule=rule, agent_id=int(agent), call=by_key[key], key=key, position=index)
        for agent, keys in picks.items()
        for index, key in enumerate(keys)
    ]
    SampledCall.objects.bulk_create(rows)
    audit_record(
        actor=actor,
        action="sampling.drawn",
        target=rule,
        data={"picks": len(rows), "seed": rule.seed},
    )
    _notify(
        recipients=[a.user for a in Agent.objects.filter(pk__in=[int(a) for a in picks])],
        kind="qa.sampling",
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
        text=f"The period of {rule.name!r} is over: its seed is revealed and you can check "
        f"which of your calls it picked.",
    )
    return rows


@transaction.atomic
def sampled_call_replace(*, pick: SampledCall, actor, reason: str) -> SampledCall:
    """Replace a picked call by the next one of the agent's ranking; the reason is shown."""
    reason = reason.strip()
    if not reason:
        raise DomainError("Say why the picked call is replaced.", field="reason")
    if Evaluation.objects.filter(pick=pick).exists():
        raise DomainError("This call is evaluated already and cannot be replaced.", field="pick")
    rule = pick.rule
    changed = SampledCall.objects.filter(pk=pick.pk, status=PickStatus.PICKED).update(
        status=PickStatus.REPLACED,
        replace_reason=reason,
        replaced_at=timezone.now(),
        replaced_by_user=actor,
    )
    if not changed:
        raise Conflict("This call was replaced already.")
    candidates, by_key = rule_candidates(rule, agent=pick.agent)
    ranking = sampling.rank(rule.spec(), rule.seed, candidates).get(str(pick.agent_id), [])
    used = set(
        SampledCall.objects.filter(rule=rule, agent=pick.agent).values_list("key", flat=True)
    )
    substitute = next((k for k in ranking if k not in used), None)
    new = None
    if substitute is not None:
        new = SampledCall.objects.create(
            rule=rule,
            agent=pick.agent,
            call=by_key[substitute],
            key=substitute,
            position=pick.position,
            replaces=pick,
        )
    audit_record(
        actor=actor,
        action="sampling.replaced",
        target=pick,
        data={"reason": reason, "replacement": substitute},
    )
    _notify(
        recipients=[pick.agent.user],
        kind="qa.sampling",
        text=f"A call picked for you by {rule.name!r} was replaced: {reason}",
        link=reverse("qa-sampling-rule", kwargs={"rule_id": rule.pk}),
    )
    return new


def sampling_draw_due(*, today: date | None = None) -> int:
    """Draw every published rule whose period is over (the beat task)."""
    today = today or local_today()
    drawn = 0
    for rule in SamplingRule.objects.filter(
        status=RuleStatus.PUBLISHED, drawn_at__isnull=True, period_start__lt=today
    ):
        if seed_revealed(rule, today):
            try:
                sampling_rule_draw(rule=rule)
                drawn += 1
            except Conflict:
                continue
    return drawn


# --- settings, calibration, great calls -----------------------------------------------------------


@transaction.atomic
def qa_settings_update(*, actor, **changes) -> QaSettings:
    config = QaSettings.load()
    if "appeal_window_days" in changes and not 1 <= changes["appeal_window_days"] <= 90:
        raise DomainError("The appeal window is 1 to 90 days.", field="appeal_window_days")
    for key, value in changes.items():
        setattr(config, key, value)
    config.save(update_fields=list(changes) or None)
    audit_record(
        actor=actor, action="qa.settings", target=config, data={k: v for k, v in changes.items()}
    )
    return config


@transaction.atomic
def calibration_create(
    *,
    actor,
    title: str,
    scorecard_version: ScorecardVersion,
    participants: Sequence,
    call: QueueCall | None = None,
    recording_id: str = "",
    reference_by=None,
) -> CalibrationSession:
    if not scorecard_version.is_released:
        raise DomainError("Calibrate with a released scorecard version.", field="scorecard_version")
    if call is None and not recording_id:
        raise DomainError("Name the call or recording everyone scores.", field="recording_id")
    people = list(participants)
    if len(people) < 2:
        raise DomainError("Calibration needs at least two evaluators.", field="participants")
    for person in people:
        if not has_role(person, Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD):
            raise DomainError(
                f"{person.get_username()} does not evaluate calls.", field="participants"
            )
    if reference_by is not None and reference_by not in people:
        raise DomainError("The reference scorer must be a participant.", field="reference_by")
    session = CalibrationSession.objects.create(
        title=title,
        scorecard_version=scorecard_version,
        call=call,
        recording_id=recording_id or (call.recording_id if call else ""),
        reference_by=reference_by,
        created_by=actor,
    )
    session.participants.set(people)
    audit_record(actor=actor, action="calibration.created", target=session)
    _notify(
        recipients=people,
        kind="qa.calibration",
        text=f"Calibration session {title!r}: score the call blind.",
        link=reverse("qa-calibration-session", kwargs={"session_id": session.pk}),
    )
    return session


@transaction.atomic
def calibration_submit(
    *, session: CalibrationSession, evaluator, answers: dict
) -> CalibrationScore:
    if not session.participants.filter(pk=evaluator.pk).exists():
        raise DomainError(
            "Only the session's participants score it.", status_code=403, code="forbidden"
        )
    if not CalibrationSession.objects.filter(pk=session.pk, status=CalibrationStatus.OPEN).exists():
        raise Conflict("This calibration session is closed.")
    cleaned = _clean_answers(session.scorecard_version, answers, complete=True)
    result = compute_score(session.scorecard_version, cleaned)
    try:
        with transaction.atomic():
            row = CalibrationScore.objects.create(
                session=session, evaluator=evaluator, answers=cleaned, score=result.score
            )
    except IntegrityError:
        raise Conflict("You scored this session already.") from None
    audit_record(
        actor=evaluator, action="calibration.scored", target=session, data={"score": result.score}
    )
    return row


@transaction.atomic
def calibration_close(*, session: CalibrationSession, actor) -> CalibrationSession:
    if session.scores.count() < 2:
        raise DomainError("At least two scorings are needed to close a session.", field="scores")
    changed = CalibrationSession.objects.filter(
        pk=session.pk, status=CalibrationStatus.OPEN
    ).update(status=CalibrationStatus.CLOSED, closed_at=timezone.now())
    if not changed:
        raise Conflict("This session is closed already.")
    audit_record(actor=actor, action="calibration.closed", target=session)
    session.refresh_from_db()
    return session


@transaction.atomic
def great_call_nominate(
    *,
    user,
    reason: str,
    agent: Agent | None = None,
    call: QueueCall | None = None,
    recording_id: str = "",
    anonymous: bool = False,
) -> GreatCall:
    reason = reason.strip()
    if not reason:
        raise DomainError("Say what makes this call great.", field="reason")
    if call is not None:
        if call.agent_id is None:
            raise DomainError("This call has no agent.", field="call")
        agent = call.agent
        recording_id = recording_id or call.recording_id
    if agent is None:
        raise DomainError("Name whose call it is.", field="agent")
    if call is None and not recording_id:
        raise DomainError("Name the call or its recording id.", field="recording_id")
    nomination = GreatCall.objects.create(
        call=call,
        recording_id=recording_id,
        agent=agent,
        nominated_by=user,
        anonymous=anonymous,
        reason=reason,
    )
    audit_record(
        actor=user, action="greatcall.nominated", target=nomination, data={"anonymous": anonymous}
    )
    return nomination


@transaction.atomic
def great_call_feature(*, nomination: GreatCall, actor, note: str = "") -> GreatCall:
    changed = GreatCall.objects.filter(pk=nomination.pk, status=NominationStatus.NOMINATED).update(
        status=NominationStatus.FEATURED,
        featured_by=actor,
        featured_at=timezone.now(),
        feature_note=note.strip(),
    )
    if not changed:
        raise Conflict("This call is featured already.")
    nomination.refresh_from_db()
    audit_record(actor=actor, action="greatcall.featured", target=nomination)
    _notify(
        recipients=[nomination.agent.user],
        kind="qa.library",
        text="One of your calls is featured in the great-call library.",
        link=reverse("qa-library"),
    )
    return nomination
