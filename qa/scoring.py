"""The scorecard score: plain data in, plain data out (no Django).

The formula, as the scorecard page writes it out:

1. A criterion earns between 0 and its maximum points. A criterion marked N/A is left out of
   both the points earned and the points possible.
2. A section's score is earned ÷ possible over its non-N/A criteria. A section whose criteria
   are all N/A is left out, and so is its weight.
3. The evaluation's score is 100 × Σ(weight × section score) ÷ Σ(weight) over the sections left.
4. A failed *critical* criterion (fewer points than its maximum) sets its section's score to 0
   ("fails the section") or the whole evaluation's score to 0 ("fails the evaluation").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from fractions import Fraction

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

CRITICAL_NONE = "none"
CRITICAL_SECTION = "section"
CRITICAL_EVALUATION = "evaluation"

FORMULA = [
    gettext_lazy(
        "A criterion earns 0 to its maximum points; N/A leaves it out of earned and possible "
        "points."
    ),
    gettext_lazy(
        "Section score = points earned ÷ points possible over its criteria that are not N/A; "
        "a section that is all N/A is left out together with its weight."
    ),
    gettext_lazy(
        "Evaluation score = 100 × Σ(section weight × section score) ÷ Σ(weights of the sections "
        "left in)."
    ),
    gettext_lazy(
        "A failed critical criterion sets its section to 0 (fails the section) or the whole "
        "evaluation to 0 (fails the evaluation)."
    ),
]


@dataclass(frozen=True)
class CriterionSpec:
    id: int
    max_points: int
    critical: str = CRITICAL_NONE
    allow_na: bool = True


@dataclass(frozen=True)
class SectionSpec:
    id: int
    weight: float
    criteria: Sequence[CriterionSpec]


@dataclass(frozen=True)
class Answer:
    """Points given to one criterion; `points=None` means N/A."""

    points: int | None


@dataclass
class SectionResult:
    id: int
    earned: int
    possible: int
    score: float | None  # 0..1, None when the section is left out
    failed_critical: list[int] = field(default_factory=list)


@dataclass
class ScoreResult:
    score: float | None  # 0..100 rounded to 2 decimals, None when everything is N/A
    sections: list[SectionResult]
    failed_critical: list[int]  # criterion ids
    failed_evaluation: bool

    def as_dict(self) -> dict:
        return {
            "score": self.score,
            "failed_evaluation": self.failed_evaluation,
            "failed_critical": list(self.failed_critical),
            "sections": [
                {
                    "id": s.id,
                    "earned": s.earned,
                    "possible": s.possible,
                    "score": s.score,
                    "failed_critical": list(s.failed_critical),
                }
                for s in self.sections
            ],
        }


class ScoringError(ValueError):
    """An answer does not fit the scorecard; `criterion` names the one at fault."""

    def __init__(self, message: str, criterion: int | None = None) -> None:
        super().__init__(message)
        self.criterion = criterion


def check_answers(sections: Sequence[SectionSpec], answers: Mapping[int, Answer]) -> None:
    """Refuse answers that are missing, unknown, out of range or N/A where N/A is not allowed."""
    known = {c.id: c for s in sections for c in s.criteria}
    unknown = set(answers) - set(known)
    if unknown:
        raise ScoringError(_("Unknown criterion %(id)s.") % {"id": min(unknown)}, min(unknown))
    for cid, spec in known.items():
        if cid not in answers:
            raise ScoringError(_("Every criterion needs points or N/A."), cid)
        points = answers[cid].points
        if points is None:
            if not spec.allow_na:
                raise ScoringError(_("This criterion cannot be N/A."), cid)
        elif not 0 <= points <= spec.max_points:
            raise ScoringError(
                _("Points must be between 0 and %(max)s.") % {"max": spec.max_points}, cid
            )


def score(sections: Sequence[SectionSpec], answers: Mapping[int, Answer]) -> ScoreResult:
    """Score answers against a scorecard (see the module docstring for the formula)."""
    check_answers(sections, answers)
    results: list[SectionResult] = []
    failed_all: list[int] = []
    failed_evaluation = False
    weighted = Fraction(0)
    weights = Fraction(0)
    for section in sections:
        earned = possible = 0
        failed: list[int] = []
        for criterion in section.criteria:
            points = answers[criterion.id].points
            if points is None:
                continue
            earned += points
            possible += criterion.max_points
            if criterion.critical != CRITICAL_NONE and points < criterion.max_points:
                failed.append(criterion.id)
                if criterion.critical == CRITICAL_EVALUATION:
                    failed_evaluation = True
        failed_all += failed
        if possible == 0:
            results.append(SectionResult(section.id, 0, 0, None, failed))
            continue
        section_score = Fraction(earned, possible)
        if any(c.id in failed and c.critical == CRITICAL_SECTION for c in section.criteria):
            section_score = Fraction(0)
        weight = Fraction(section.weight).limit_denominator(10_000)
        weighted += weight * section_score
        weights += weight
        results.append(
            SectionResult(section.id, earned, possible, round(float(section_score), 4), failed)
        )
    if weights == 0:
        total = None
    elif failed_evaluation:
        total = 0.0
    else:
        total = round(float(100 * weighted / weights), 2)
    return ScoreResult(total, results, failed_all, failed_evaluation)
