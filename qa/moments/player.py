"""What a page gives `templates/recordings/_player.html`: the call's recording as the listener
may hear it, and the marks shown beside it (each column a list of moments)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.urls import reverse
from django.utils.translation import gettext_lazy

from metrics.models import QueueCall
from metrics.recordings.selectors import recording_for
from qa import access
from qa.models import Appeal, CalibrationSession, Evaluation, GreatCall
from qa.moments import selectors


@dataclass
class Column:
    title: str
    testid: str
    moments: list[dict]
    empty: str = ""


@dataclass
class PinForm:
    action: str
    criteria: list[tuple[int, str]]


@dataclass
class Player:
    key: str
    status: str
    url: str = ""
    content_type: str = ""
    peaks_url: str = ""
    columns: list[Column] = field(default_factory=list)
    start_ms: int | None = None
    pin: PinForm | None = None

    @property
    def available(self) -> bool:
        return self.status == "available"


def player_for(*, user, call: QueueCall | None, key: str, **kwargs) -> Player:
    if call is None:
        return Player(key=key, status="none", **kwargs)
    recording = recording_for(user=user, call=call)
    return Player(
        key=key,
        status=recording.status,
        url=recording.url or "",
        content_type=recording.content_type or "",
        peaks_url=recording.peaks_url or "",
        **kwargs,
    )


def evaluation_player(*, user, evaluation: Evaluation) -> Player:
    """The evaluation's call with the evaluator's marks; its evaluator pins more while drafting."""
    pin = None
    if access.can_pin_moment(user, evaluation):
        pin = PinForm(
            action=reverse("qa-evaluation-moments", args=[evaluation.pk]),
            criteria=[(c.pk, c.title) for c in evaluation.scorecard_version.criteria()],
        )
    marks = Column(
        title=gettext_lazy("Evaluator's marks"),
        testid="evaluator-moments",
        moments=selectors.evaluation_moments(user=user, evaluation=evaluation),
        empty=gettext_lazy("No moment is pinned."),
    )
    return player_for(
        user=user, call=evaluation.call, key=f"evaluation-{evaluation.pk}", columns=[marks], pin=pin
    )


def appeal_player(*, user, appeal: Appeal) -> Player:
    """The panel hears the call with the evaluator's marks and the agent's side by side."""
    evaluation = appeal.evaluation
    columns = [
        Column(
            title=gettext_lazy("Evaluator's marks"),
            testid="evaluator-moments",
            moments=selectors.evaluation_moments(user=user, evaluation=evaluation),
            empty=gettext_lazy("No moment is pinned."),
        ),
        Column(
            title=gettext_lazy("Moments the agent cites"),
            testid="agent-moments",
            moments=selectors.appeal_moments(appeal=appeal),
            empty=gettext_lazy("The agent cited no moment."),
        ),
    ]
    return player_for(user=user, call=evaluation.call, key=f"appeal-{appeal.pk}", columns=columns)


def calibration_player(*, user, session: CalibrationSession) -> Player:
    """Every participant hears the same call, from its start."""
    return player_for(user=user, call=session.call, key=f"calibration-{session.pk}")


def great_call_player(*, user, nomination: GreatCall) -> Player:
    """A featured call starts at the nominator's highlighted moment."""
    moments = selectors.great_call_moments(nomination=nomination)
    columns = []
    if moments:
        columns.append(
            Column(
                title=gettext_lazy("Highlighted moment"),
                testid="highlight-moments",
                moments=moments,
            )
        )
    return player_for(
        user=user,
        call=nomination.call,
        key=f"great-call-{nomination.pk}",
        columns=columns,
        start_ms=moments[0]["at_ms"] if moments else None,
    )
