"""Evaluations: create, answer, release, read, acknowledge, revise (with score revisions)."""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import agent_of, has_role
from agents.models import Agent
from agents.roles import Role
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from callfloor.numbers import format_score
from metrics.models import QueueCall
from qa import scoring
from qa.models import (
    OPEN_APPEAL_STATUSES,
    Appeal,
    AppealStatus,
    Criterion,
    Evaluation,
    EvaluationStatus,
    PickStatus,
    SampledCall,
    ScorecardVersion,
    ScoreRevision,
)
from qa.services.common import notify_people


def clean_answers(version: ScorecardVersion, answers: dict, *, complete: bool) -> dict[str, dict]:
    """Validate {criterion id: {"points", "comment"}} against the version's criteria."""
    criteria = {c.pk: c for c in version.criteria()}
    cleaned: dict[str, dict] = {}
    for raw_id, value in answers.items():
        try:
            cid = int(raw_id)
        except (TypeError, ValueError):
            raise DomainError(
                _("%(raw_id)s is not a criterion id.") % {"raw_id": repr(raw_id)}, field="answers"
            ) from None
        criterion = criteria.get(cid)
        if criterion is None:
            raise DomainError(
                _("Criterion %(cid)s is not on this scorecard.") % {"cid": cid},
                field=f"answers.{raw_id}",
            )
        points = value.get("points")
        if points is None:
            if not criterion.allow_na:
                raise DomainError(
                    _("%(title)s cannot be N/A.") % {"title": repr(criterion.title)},
                    field=f"answers.{cid}",
                )
        elif points not in criterion.allowed_points():
            allowed = ", ".join(str(p) for p in criterion.allowed_points())
            raise DomainError(
                _("%(title)s takes one of: %(allowed)s points.")
                % {"title": repr(criterion.title), "allowed": allowed},
                field=f"answers.{cid}",
            )
        cleaned[str(cid)] = {"points": points, "comment": (value.get("comment") or "").strip()}
    if complete:
        for cid, criterion in criteria.items():
            answer = cleaned.get(str(cid))
            if answer is None:
                raise DomainError(
                    _("%(title)s has no points yet.") % {"title": repr(criterion.title)},
                    field=f"answers.{cid}",
                )
            if (
                answer["points"] is not None
                and answer["points"] < criterion.max_points
                and not answer["comment"]
            ):
                raise DomainError(
                    _("Say why points were deducted for %(title)s.")
                    % {"title": repr(criterion.title)},
                    field=f"answers.{cid}",
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
        raise Conflict(_("Someone else revised this evaluation at the same time.")) from None
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
        raise DomainError(_("Only QA analysts evaluate calls."), status_code=403, code="forbidden")
    if pick is not None:
        if pick.status != PickStatus.PICKED:
            raise DomainError(
                _("This call was replaced in the sample; evaluate its replacement."), field="pick"
            )
        if Evaluation.objects.filter(pick=pick).exists():
            raise DomainError(_("This picked call has an evaluation already."), field="pick")
        scorecard_version = pick.rule.scorecard_version
        agent, call = pick.agent, pick.call
        recording_id = call.recording_id
    if scorecard_version is None or not scorecard_version.is_released:
        raise DomainError(
            _("Evaluate with a released scorecard version."), field="scorecard_version"
        )
    if call is not None:
        if call.agent_id is None:
            raise DomainError(_("This call has no agent."), field="call")
        if agent is not None and agent.pk != call.agent_id:
            raise DomainError(_("This call was answered by another agent."), field="agent")
        agent = call.agent
        recording_id = recording_id or call.recording_id
    if agent is None:
        raise DomainError(_("Name the agent whose call this is."), field="agent")
    if call is None and not recording_id:
        raise DomainError(_("Name a call or a recording id."), field="recording_id")
    if agent.user_id == evaluator.pk:
        raise DomainError(_("Nobody evaluates their own calls."), field="agent")
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
        raise Conflict(_("This picked call has an evaluation already.")) from None
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
def evaluation_set_answers(*, evaluation: Evaluation, actor: User, answers: dict) -> Evaluation:
    """Save draft answers (merged over the ones saved before)."""
    cleaned = clean_answers(evaluation.scorecard_version, answers, complete=False)
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != EvaluationStatus.DRAFT:
        raise DomainError(
            _("A released evaluation changes only through a score revision."),
            field="status",
            code="released",
        )
    locked.answers = {**locked.answers, **cleaned}
    locked.save(update_fields=["answers"])
    return locked


@transaction.atomic
def evaluation_release(*, evaluation: Evaluation, actor: User) -> Evaluation:
    """Release a draft to the agent: the first score revision, and a notification."""
    evaluation.refresh_from_db()
    answers = clean_answers(evaluation.scorecard_version, evaluation.answers, complete=True)
    now = timezone.now()
    changed = Evaluation.objects.filter(pk=evaluation.pk, status=EvaluationStatus.DRAFT).update(
        status=EvaluationStatus.RELEASED, released_at=now
    )
    if not changed:
        raise Conflict(_("This evaluation was released already."))
    evaluation.refresh_from_db()
    _add_revision(evaluation=evaluation, answers=answers, reason="", actor=actor)
    notify_people(
        recipients=[evaluation.agent.user],
        kind="qa.evaluation",
        text=lambda: (
            _(
                "A new evaluation of your call was released: score %(score)s. Please read "
                "and acknowledge it."
            )
            % {"score": format_score(evaluation.score)}
        ),
        link=evaluation_link(evaluation),
    )
    return evaluation


def evaluation_mark_read(*, evaluation: Evaluation, user: User) -> None:
    own = agent_of(user)
    if own is not None and own.pk == evaluation.agent_id and evaluation.first_read_at is None:
        Evaluation.objects.filter(pk=evaluation.pk, first_read_at__isnull=True).update(
            first_read_at=timezone.now()
        )


@transaction.atomic
def evaluation_acknowledge(*, evaluation: Evaluation, user: User) -> ScoreRevision:
    own = agent_of(user)
    if own is None or own.pk != evaluation.agent_id:
        raise DomainError(
            _("Only the evaluated agent acknowledges an evaluation."),
            status_code=403,
            code="forbidden",
        )
    revision = evaluation.current_revision()
    if revision is None:
        raise DomainError(_("This evaluation is not released yet."), field="status")
    changed = ScoreRevision.objects.filter(pk=revision.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=timezone.now()
    )
    if not changed:
        raise Conflict(_("You acknowledged this score already."))
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
    *, evaluation: Evaluation, actor: User, changes: dict, reason: str, appeal: Appeal | None = None
) -> ScoreRevision:
    """Change a released score: a new revision that keeps the previous one and the reason."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why the score changes."), field="reason")
    # The row lock orders this against `appeal_file` and `appeal_decide` on the same evaluation.
    locked = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if locked.status != EvaluationStatus.RELEASED:
        raise DomainError(_("Only a released evaluation gets score revisions."), field="status")
    if appeal is not None and (
        appeal.evaluation_id != locked.pk or appeal.status != AppealStatus.DECIDED
    ):
        raise DomainError(_("Only a decided appeal of this evaluation revises it."), field="appeal")
    open_appeals = locked.appeals.filter(status__in=OPEN_APPEAL_STATUSES)
    if appeal is None and open_appeals.exists():
        raise Conflict(
            _("This evaluation is under appeal: its score changes only by the panel's decision.")
        )
    current = locked.current_revision()
    cleaned = clean_answers(locked.scorecard_version, changes, complete=False)
    answers = {**current.answers, **cleaned}
    answers = clean_answers(locked.scorecard_version, answers, complete=True)
    if answers == current.answers:
        raise DomainError(_("Nothing changes in this revision."), field="answers")
    decided = locked.criteria_decided_on_appeal(besides=appeal)
    for cid in sorted(decided, key=str):
        if answers.get(str(cid)) != current.answers.get(str(cid)):
            title = Criterion.objects.get(pk=cid).title
            raise DomainError(
                _("%(title)s was decided on appeal: its points stand as the panel decided.")
                % {"title": repr(title)},
                field=f"answers.{cid}",
                code="decided_on_appeal",
            )
    revision = _add_revision(
        evaluation=locked, answers=answers, reason=reason, actor=actor, appeal=appeal
    )
    notify_people(
        recipients=[locked.agent.user],
        kind="qa.evaluation",
        text=lambda: (
            _(
                "Your evaluation #%(locked_pk)s was revised: %(score)s → %(score2)s "
                "(%(reason)s). Please acknowledge the new score."
            )
            % {
                "locked_pk": locked.pk,
                "score": format_score(current.score),
                "score2": format_score(revision.score),
                "reason": reason,
            }
        ),
        link=evaluation_link(locked),
    )
    return revision
