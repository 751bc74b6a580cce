"""Reads for moments, shaped for the player: each mark with its time, label and note."""

from __future__ import annotations

from qa import access
from qa.models import Appeal, Evaluation, GreatCall
from qa.moments.clock import ms_to_clock
from qa.moments.models import Moment, MomentKind


def moment_row(moment: Moment, *, author: str | None) -> dict:
    """What the player and the API show of one moment."""
    if moment.kind == MomentKind.DEDUCTION:
        label = moment.criterion.title
    elif moment.kind == MomentKind.CITATION:
        label = moment.appeal_item.criterion.title
    else:
        label = moment.get_kind_display()
    return {
        "id": moment.pk,
        "kind": moment.kind,
        "at_ms": moment.at_ms,
        "clock": ms_to_clock(moment.at_ms),
        "label": label,
        "note": moment.note,
        "criterion": moment.criterion_id
        if moment.kind != MomentKind.CITATION
        else moment.appeal_item.criterion_id,
        "author": author,
    }


def evaluation_moments(*, user, evaluation: Evaluation) -> list[dict]:
    """The evaluator's marks; the evaluator is named only to whom may see who evaluated."""
    shown = access.shows_evaluator(user, evaluation)
    return [
        moment_row(m, author=m.author.get_username() if shown else None)
        for m in evaluation.moments.select_related("criterion", "author")
    ]


def appeal_moments(*, appeal: Appeal) -> list[dict]:
    """The moments the agent cited, item by item."""
    moments = Moment.objects.filter(appeal_item__appeal=appeal).select_related(
        "appeal_item__criterion", "author"
    )
    return [moment_row(m, author=m.author.get_username()) for m in moments]


def great_call_moments(*, nomination: GreatCall) -> list[dict]:
    """The nominator's highlight, named as the nomination names its nominator."""
    return [
        moment_row(m, author=nomination.nominator_label)
        for m in nomination.moments.select_related("author")
    ]
