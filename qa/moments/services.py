"""Writes for moments: pin and unpin an evaluator's marks, cite moments in an appeal, highlight
a great call. Each write is audited in the transaction of the change it belongs to."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from agents.services import audit_record
from callfloor.errors import DomainError
from metrics.models import QueueCall
from qa import access
from qa.models import AppealItem, Evaluation, GreatCall
from qa.moments.models import MAX_NOTE, Moment, MomentKind

# A mark may not point past the end of its call (with a little slack for the recording's own
# lead-in); a call without an end gets a day.
SLACK_MS = 5_000
UNKNOWN_LENGTH_MS = 24 * 3600 * 1000
MAX_CITED_PER_ITEM = 10


@dataclass(frozen=True)
class CleanMoment:
    at_ms: int
    note: str


def call_length_ms(call: QueueCall | None) -> int:
    if call is None or call.ended_at is None:
        return UNKNOWN_LENGTH_MS
    return int((call.ended_at - call.offered_at).total_seconds() * 1000) + SLACK_MS


def clean_moment(*, at_ms, note: str, call: QueueCall | None, field: str) -> CleanMoment:
    """Check one moment's time and note; `field` names it in the error."""
    if isinstance(at_ms, bool) or not isinstance(at_ms, int):
        raise DomainError(_("Give the moment's time in milliseconds."), field=f"{field}.at_ms")
    if at_ms < 0:
        raise DomainError(_("A moment cannot be before the call."), field=f"{field}.at_ms")
    if at_ms > call_length_ms(call):
        raise DomainError(_("This moment is after the end of the call."), field=f"{field}.at_ms")
    note = (note or "").strip()
    if len(note) > MAX_NOTE:
        raise DomainError(
            _("Keep the note under %(max)s characters.") % {"max": MAX_NOTE}, field=f"{field}.note"
        )
    return CleanMoment(at_ms=at_ms, note=note)


def clean_citations(
    raw: Sequence[dict], *, call: QueueCall | None, field: str
) -> list[CleanMoment]:
    """The moments an agent cites against one appealed item."""
    if len(raw) > MAX_CITED_PER_ITEM:
        raise DomainError(
            _("Cite at most %(max)s moments for one item.") % {"max": MAX_CITED_PER_ITEM},
            field=field,
        )
    cleaned = [
        clean_moment(
            at_ms=moment.get("at_ms"), note=moment.get("note", ""), call=call, field=f"{field}[{i}]"
        )
        for i, moment in enumerate(raw)
    ]
    return sorted(cleaned, key=lambda m: m.at_ms)


@transaction.atomic
def moment_pin(
    *,
    evaluation: Evaluation,
    actor: User,
    at_ms: int,
    note: str = "",
    criterion_id: int | None = None,
) -> Moment:
    """The evaluator pins a comment (no criterion) or a deduction (a criterion of the
    scorecard) to a moment of the call, while the evaluation is a draft."""
    evaluation = Evaluation.objects.select_for_update().get(pk=evaluation.pk)
    if not access.can_pin_moment(actor, evaluation):
        raise DomainError(
            _("Only the evaluator pins moments, before the evaluation is released."),
            status_code=403,
            code="forbidden",
        )
    moment = clean_moment(at_ms=at_ms, note=note, call=evaluation.call, field="moment")
    criterion = None
    if criterion_id is not None:
        criterion = evaluation.scorecard_version.criteria().filter(pk=criterion_id).first()
        if criterion is None:
            raise DomainError(_("This criterion is not on the evaluation."), field="criterion")
    elif not moment.note:
        raise DomainError(_("Write the comment, or choose the item it deducts."), field="note")
    pinned = Moment.objects.create(
        kind=MomentKind.DEDUCTION if criterion else MomentKind.COMMENT,
        at_ms=moment.at_ms,
        note=moment.note,
        evaluation=evaluation,
        criterion=criterion,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="evaluation.moment_pinned",
        target=evaluation,
        data={"moment": pinned.pk, "at_ms": pinned.at_ms, "criterion": criterion_id},
    )
    return pinned


@transaction.atomic
def moment_unpin(*, moment: Moment, actor: User) -> None:
    evaluation = Evaluation.objects.select_for_update().get(pk=moment.evaluation_id)
    if not access.can_pin_moment(actor, evaluation):
        raise DomainError(
            _("Only the evaluator unpins moments, before the evaluation is released."),
            status_code=403,
            code="forbidden",
        )
    audit_record(
        actor=actor,
        action="evaluation.moment_unpinned",
        target=evaluation,
        data={"moment": moment.pk, "at_ms": moment.at_ms, "criterion": moment.criterion_id},
    )
    moment.delete()


def appeal_item_cite(*, item: AppealItem, actor: User, moments: Sequence[CleanMoment]) -> None:
    """Called by `appeal_file` inside its transaction, with moments it cleaned first."""
    if not moments:
        return
    rows = Moment.objects.bulk_create(
        Moment(
            kind=MomentKind.CITATION,
            at_ms=m.at_ms,
            note=m.note,
            appeal_item=item,
            author=actor,
        )
        for m in moments
    )
    audit_record(
        actor=actor,
        action="appeal.moments_cited",
        target=item.appeal,
        data={"item": item.pk, "at_ms": [r.at_ms for r in rows]},
    )


def great_call_highlight(*, nomination: GreatCall, actor: User, moment: CleanMoment) -> Moment:
    """Called by `great_call_nominate` inside its transaction."""
    highlight = Moment.objects.create(
        kind=MomentKind.HIGHLIGHT,
        at_ms=moment.at_ms,
        note=moment.note,
        great_call=nomination,
        author=actor,
    )
    audit_record(
        actor=actor,
        action="greatcall.highlighted",
        target=nomination,
        data={"moment": highlight.pk, "at_ms": highlight.at_ms},
    )
    return highlight
