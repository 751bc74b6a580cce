"""Reads for quality: what each person may see, work lists, verification, statistics."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Q, QuerySet, Sum

from agents.access import agent_of, has_role, is_staff_role, readable_agents_q
from agents.models import Agent, AuditEntry
from agents.roles import Role
from qa import calibration, sampling
from qa.access import is_qa_manager
from qa.models import (
    Appeal,
    AppealItem,
    AppealStatus,
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
    Decision,
    Evaluation,
    EvaluationStatus,
    GreatCall,
    NominationStatus,
    PanelMember,
    PickStatus,
    QaSettings,
    RuleStatus,
    SampledCall,
    SamplingRule,
    ScorecardVersion,
    Seat,
)
from qa.services import rule_candidates, seed_revealed


def evaluations_visible_to(user) -> QuerySet[Evaluation]:
    qs = Evaluation.objects.select_related(
        "agent__team", "evaluator", "scorecard_version__scorecard", "call__queue"
    )
    if is_qa_manager(user):
        return qs
    released = qs.filter(status=EvaluationStatus.RELEASED)
    if is_staff_role(user):
        # A team lead: their teams' agents (every agent when the site allows it), and the
        # evaluations under an appeal whose panel they sit on.
        scope = readable_agents_q(user, "agent__")
        if scope is None:
            return released
        panel = Appeal.objects.filter(panel__user=user).values("evaluation_id")
        return released.filter(scope | Q(pk__in=panel))
    own = agent_of(user)
    if own is None:
        return qs.none()
    if QaSettings.load().transparency:
        return released
    return released.filter(agent=own)


def appeals_visible_to(user) -> QuerySet[Appeal]:
    qs = Appeal.objects.select_related(
        "agent__team", "evaluation__evaluator", "evaluation__scorecard_version__scorecard"
    )
    if is_staff_role(user):
        scope = readable_agents_q(user, "agent__")
        if scope is None:
            return qs
        return qs.filter(scope | Q(pk__in=PanelMember.objects.filter(user=user).values("appeal")))
    own = agent_of(user)
    return qs.filter(agent=own) if own else qs.none()


def screening_queue(user) -> QuerySet[Appeal]:
    """Appeals the user screens: their team's, and for supervisors those of lead-less agents."""
    mine = Q(agent__team__lead=user)
    if has_role(user, Role.SUPERVISOR):
        mine |= Q(agent__team__isnull=True) | Q(agent__team__lead__isnull=True)
    return appeals_visible_to(user).filter(mine, status=AppealStatus.SCREENING).order_by("due_at")


def panel_queue(user) -> QuerySet[Appeal]:
    return (
        appeals_visible_to(user).filter(panel__user=user).order_by("-status", "due_at").distinct()
    )


@dataclass
class CriterionRow:
    criterion: object
    points: int | None
    comment: str
    deducted: bool
    appeal_item: AppealItem | None = None


@dataclass
class SectionRow:
    section: object
    criteria: list[CriterionRow] = field(default_factory=list)
    score: float | None = None
    failed: bool = False


def evaluation_sheet(
    evaluation: Evaluation, answers: dict | None = None, result: dict | None = None
) -> list[SectionRow]:
    """The scorecard with the answers of the current revision (or the draft) filled in."""
    if answers is None:
        current = evaluation.current_revision()
        answers = current.answers if current else evaluation.answers
        result = current.result if current else None
    by_section = {s["id"]: s for s in (result or {}).get("sections", [])}
    rows = []
    for section in evaluation.scorecard_version.sections.prefetch_related("criteria"):
        info = by_section.get(section.pk, {})
        row = SectionRow(
            section=section, score=info.get("score"), failed=bool(info.get("failed_critical"))
        )
        for criterion in section.criteria.all():
            answer = answers.get(str(criterion.pk), {})
            points = answer.get("points")
            row.criteria.append(
                CriterionRow(
                    criterion=criterion,
                    points=points,
                    comment=answer.get("comment", ""),
                    deducted=points is not None and points < criterion.max_points,
                )
            )
        rows.append(row)
    return rows


def appeal_history(appeal: Appeal) -> QuerySet[AuditEntry]:
    return (
        AuditEntry.objects.filter(
            Q(object_type="qa.appeal", object_id=str(appeal.pk))
            | Q(
                object_type="qa.evaluation",
                object_id=str(appeal.evaluation_id),
                at__gte=appeal.filed_at,
            )
        )
        .select_related("actor")
        .order_by("at", "id")
    )


def worklist(user) -> dict:
    picks = (
        SampledCall.objects.filter(
            status=PickStatus.PICKED, evaluation__isnull=True, rule__status=RuleStatus.PUBLISHED
        )
        .select_related("rule", "agent", "call__queue")
        .order_by("rule", "agent", "position")
    )
    drafts = Evaluation.objects.filter(
        status=EvaluationStatus.DRAFT, evaluator=user
    ).select_related("agent", "scorecard_version__scorecard")
    return {"picks": picks, "drafts": drafts}


def rules_for_agent(agent: Agent) -> QuerySet[SamplingRule]:
    return (
        SamplingRule.objects.filter(status=RuleStatus.PUBLISHED)
        .filter(Q(team__isnull=True) | Q(team_id=agent.team_id))
        .select_related("team")
    )


@dataclass
class AgentVerification:
    agent: Agent
    expected: list[str]  # keys the rule picks, after replacements
    evaluated: list[str]  # keys of released or draft evaluations tied to this rule's period
    replaced: list[SampledCall]
    outside: list[Evaluation]  # evaluations of calls in the period that the rule did not pick
    stored: list[str]

    @property
    def matches(self) -> bool:
        return sorted(self.expected) == sorted(self.evaluated) and not self.outside


def rule_verification(rule: SamplingRule, agent: Agent | None = None) -> list[AgentVerification]:
    """Recompute the sample from the revealed seed and compare with what was evaluated."""
    if not seed_revealed(rule):
        return []
    from qa.services import call_key

    candidates, _ = rule_candidates(rule, agent=agent)
    spec = rule.spec()
    ranking = sampling.rank(spec, rule.seed, candidates)
    picks = sampling.select(spec, rule.seed, candidates)
    all_picks = SampledCall.objects.filter(rule=rule).select_related(
        "agent", "call__source", "call__queue"
    )
    if agent is not None:
        all_picks = all_picks.filter(agent=agent)
    agents = {
        str(a.pk): a
        for a in Agent.objects.filter(
            pk__in={int(k) for k in ranking} | {p.agent_id for p in all_picks}
        )
    }
    results = []
    for agent_id, person in sorted(agents.items(), key=lambda kv: kv[1].display_name):
        mine = [p for p in all_picks if p.agent_id == person.pk]
        replaced = sorted(
            [p for p in mine if p.status == PickStatus.REPLACED],
            key=lambda p: (p.replaced_at, p.pk),
        )
        expected = sampling.apply_replacements(
            ranking.get(agent_id, []), picks.get(agent_id, []), [p.key for p in replaced]
        )
        evaluations = Evaluation.objects.filter(agent=person).select_related(
            "call__source", "call__queue", "pick"
        )
        evaluated = [e.pick.key for e in evaluations if e.pick_id and e.pick.rule_id == rule.pk]
        in_period = {c.key for c in candidates if c.agent == agent_id}
        outside = [
            e
            for e in evaluations
            if e.pick_id is None and e.call_id and call_key(e.call) in in_period
        ]
        results.append(
            AgentVerification(
                agent=person,
                expected=expected,
                evaluated=evaluated,
                replaced=replaced,
                outside=outside,
                stored=[p.key for p in mine if p.status == PickStatus.PICKED],
            )
        )
    return results


PARTLY = Count("id", filter=Q(decision=Decision.PARTLY))


def appeal_stats(*, user=None) -> dict:
    """Appeals and their outcomes per evaluator, per agent and per criterion (the agents'
    rows only for the agents `user` reads: a team lead's own teams)."""
    items = AppealItem.objects.filter(appeal__status=AppealStatus.DECIDED)
    scope = readable_agents_q(user, "appeal__agent__") if user is not None else None
    per_evaluator = (
        items.values("appeal__evaluation__evaluator__username")
        .annotate(
            appealed=Count("id"),
            upheld=Count("id", filter=Q(decision=Decision.UPHELD)),
            partly=PARTLY,
        )
        .order_by("appeal__evaluation__evaluator__username")
    )
    released = dict(
        Evaluation.objects.filter(status=EvaluationStatus.RELEASED)
        .values_list("evaluator__username")
        .annotate(n=Count("id"))
    )
    per_agent = (
        (items if scope is None else items.filter(scope))
        .values("appeal__agent__display_name")
        .annotate(
            appealed=Count("id"),
            upheld=Count("id", filter=Q(decision=Decision.UPHELD)),
            partly=PARTLY,
        )
        .order_by("appeal__agent__display_name")
    )
    filed = dict(Appeal.objects.values_list("agent__display_name").annotate(n=Count("id")))
    per_criterion = (
        items.values("criterion__title", "criterion__section__version__scorecard__name")
        .annotate(
            appealed=Count("id"),
            upheld=Count("id", filter=Q(decision=Decision.UPHELD)),
            partly=PARTLY,
        )
        .order_by("-appealed", "criterion__title")
    )

    def rate(row):
        row["upheld_rate"] = round(row["upheld"] / row["appealed"], 3) if row["appealed"] else None
        return row

    return {
        "evaluators": [
            rate(
                {
                    "evaluator": r["appeal__evaluation__evaluator__username"],
                    "evaluations": released.get(r["appeal__evaluation__evaluator__username"], 0),
                    "appealed": r["appealed"],
                    "upheld": r["upheld"],
                    "partly": r["partly"],
                }
            )
            for r in per_evaluator
        ],
        "agents": [
            rate(
                {
                    "agent": r["appeal__agent__display_name"],
                    "appeals": filed.get(r["appeal__agent__display_name"], 0),
                    "appealed": r["appealed"],
                    "upheld": r["upheld"],
                    "partly": r["partly"],
                }
            )
            for r in per_agent
        ],
        "criteria": [
            rate(
                {
                    "criterion": r["criterion__title"],
                    "scorecard": r["criterion__section__version__scorecard__name"],
                    "appealed": r["appealed"],
                    "upheld": r["upheld"],
                    "partly": r["partly"],
                }
            )
            for r in per_criterion
        ],
    }


def calibration_sessions_for(user) -> QuerySet[CalibrationSession]:
    qs = CalibrationSession.objects.select_related("scorecard_version__scorecard")
    if has_role(user, Role.SUPERVISOR, Role.ADMIN, Role.QA_ANALYST):
        return qs
    return qs.filter(participants=user)


def calibration_can_see_scores(session: CalibrationSession, user) -> bool:
    """Blind: a participant sees others' scores only after submitting (or once closed)."""
    if session.status == CalibrationStatus.CLOSED:
        return True
    if session.scores.filter(evaluator=user).exists():
        return True
    return not session.participants.filter(pk=user.pk).exists() and has_role(
        user, Role.SUPERVISOR, Role.ADMIN
    )


def calibration_report(session: CalibrationSession) -> dict:
    scores = list(session.scores.select_related("evaluator"))
    by_name = {s.evaluator.get_username(): s.score for s in scores if s.score is not None}
    reference_name = session.reference_by.get_username() if session.reference_by else None
    reference = calibration.reference_score(by_name, reference_name)
    criteria = list(session.scorecard_version.criteria())
    per_criterion = []
    for criterion in criteria:
        values = [s.answers.get(str(criterion.pk), {}).get("points") for s in scores]
        given = [v for v in values if v is not None]
        per_criterion.append(
            {
                "criterion": criterion.title,
                "id": criterion.pk,
                "values": values,
                "agreement": calibration.agreement_share(given),
                "alpha_history": criterion_alpha(session.scorecard_version, criterion.pk),
            }
        )
    matrix = [[s.answers.get(str(c.pk), {}).get("points") for c in criteria] for s in scores]
    normalised = [
        [None if v is None else v / c.max_points for v, c in zip(row, criteria, strict=True)]
        for row in matrix
    ]
    return {
        "reference": reference,
        "reference_by": reference_name,
        "scores": [
            {
                "evaluator": s.evaluator.get_username(),
                "score": s.score,
                "deviation": calibration.deviations(by_name, reference).get(
                    s.evaluator.get_username()
                ),
            }
            for s in scores
        ],
        "criteria": per_criterion,
        "alpha": calibration.alpha(normalised),
    }


def criterion_alpha(version: ScorecardVersion, criterion_id: int) -> float | None:
    """Agreement on one criterion across every closed session of the version (units = sessions)."""
    sessions = list(
        CalibrationSession.objects.filter(
            scorecard_version=version, status=CalibrationStatus.CLOSED
        ).prefetch_related("scores")
    )
    if len(sessions) < 2:
        return None
    raters = sorted({s.evaluator_id for session in sessions for s in session.scores.all()})
    grid = []
    for rater in raters:
        row = []
        for session in sessions:
            score = next((s for s in session.scores.all() if s.evaluator_id == rater), None)
            row.append(
                None if score is None else score.answers.get(str(criterion_id), {}).get("points")
            )
        grid.append(row)
    return calibration.alpha(grid, level="ordinal")


def evaluator_trends() -> list[dict]:
    """Each evaluator's deviation from the reference, session by session, with a drift flag."""
    history: dict[str, list[tuple[object, float]]] = defaultdict(list)
    for session in (
        CalibrationSession.objects.filter(status=CalibrationStatus.CLOSED)
        .order_by("closed_at")
        .prefetch_related("scores__evaluator")
        .select_related("reference_by")
    ):
        scores = {
            s.evaluator.get_username(): s.score for s in session.scores.all() if s.score is not None
        }
        reference = calibration.reference_score(
            scores, session.reference_by.get_username() if session.reference_by else None
        )
        for who, deviation in calibration.deviations(scores, reference).items():
            history[who].append((session, deviation))
    return [
        {
            "evaluator": who,
            "sessions": [s.title for s, _ in rows],
            "deviations": [d for _, d in rows],
            "drifting": calibration.drift([d for _, d in rows]),
        }
        for who, rows in sorted(history.items())
    ]


def library_featured() -> QuerySet[GreatCall]:
    return GreatCall.objects.filter(status=NominationStatus.FEATURED).select_related(
        "agent", "nominated_by", "call__queue"
    )


def library_nominations() -> QuerySet[GreatCall]:
    return GreatCall.objects.filter(status=NominationStatus.NOMINATED).select_related(
        "agent", "nominated_by", "call__queue"
    )


SEAT_ORDER = [Seat.SUPERVISOR, Seat.TEAM_LEAD, Seat.QA_ANALYST]


def calibration_scores_of(session: CalibrationSession, user) -> CalibrationScore | None:
    return session.scores.filter(evaluator=user).first()


def agent_report_qa(*, agents, start, end) -> dict:
    """The agent report's QA columns: per agent, the mean score (0–100) of their evaluations
    released in [start, end) and how many there were; under the key None, the same over all
    `agents` together (a team's mean of every evaluation, not a mean of the agents' means)."""
    rows = list(
        Evaluation.objects.filter(
            agent__in=agents,
            status=EvaluationStatus.RELEASED,
            score__isnull=False,
            released_at__gte=start,
            released_at__lt=end,
        )
        .values("agent")
        .annotate(n=Count("id"), total=Sum("score"))
    )
    figures = {
        row["agent"]: {"qa_average": round(row["total"] / row["n"], 2), "qa_evaluations": row["n"]}
        for row in rows
    }
    count = sum(row["n"] for row in rows)
    figures[None] = {
        "qa_average": round(sum(r["total"] for r in rows) / count, 2) if count else None,
        "qa_evaluations": count,
    }
    return figures


APPEAL_OUTCOME_KEYS = ("appeals_upheld", "appeals_partly_upheld", "appeals_rejected")


def _decided_appeals(*, start, end) -> QuerySet[Appeal]:
    """Appeals decided in [start, end), each annotated with its outcome: upheld when every
    item got full points back, rejected when none got any, partly upheld otherwise."""
    return (
        Appeal.objects.filter(
            status=AppealStatus.DECIDED, decided_at__gte=start, decided_at__lt=end
        )
        .annotate(
            n_items=Count("items"),
            n_upheld=Count("items", filter=Q(items__decision=Decision.UPHELD)),
            n_rejected=Count("items", filter=Q(items__decision=Decision.REJECTED)),
        )
        .select_related("evaluation__evaluator")
    )


def appeal_outcome(appeal: Appeal) -> str:
    """`appeals_upheld`, `appeals_partly_upheld` or `appeals_rejected` of an annotated appeal."""
    if appeal.n_upheld == appeal.n_items:
        return "appeals_upheld"
    if appeal.n_rejected == appeal.n_items:
        return "appeals_rejected"
    return "appeals_partly_upheld"


def _empty_appeal_figures() -> dict:
    return {"appeals_filed": 0, **dict.fromkeys(APPEAL_OUTCOME_KEYS, 0)}


def agent_report_appeals(*, agents, start, end) -> dict:
    """The agent and team reports' appeal columns: per agent, the appeals filed in
    [start, end) and those decided in it by outcome; under None, the same for all `agents`."""
    agent_ids = [a.pk for a in agents]
    figures: dict = {pk: _empty_appeal_figures() for pk in agent_ids}
    figures[None] = _empty_appeal_figures()
    filed = (
        Appeal.objects.filter(agent_id__in=agent_ids, filed_at__gte=start, filed_at__lt=end)
        .values("agent")
        .annotate(n=Count("id"))
    )
    for row in filed:
        figures[row["agent"]]["appeals_filed"] = row["n"]
        figures[None]["appeals_filed"] += row["n"]
    for appeal in _decided_appeals(start=start, end=end).filter(agent_id__in=agent_ids):
        outcome = appeal_outcome(appeal)
        figures[appeal.agent_id][outcome] += 1
        figures[None][outcome] += 1
    return figures


def evaluator_report_appeals(*, agents, start, end) -> list[dict]:
    """The same appeal figures per evaluator of these agents' evaluations: the appeals filed
    in [start, end) against their evaluations, and those decided in it by outcome."""
    agent_ids = [a.pk for a in agents]
    rows: dict[int, dict] = {}

    def row_of(user) -> dict:
        if user.pk not in rows:
            rows[user.pk] = {"name": user.get_full_name() or user.get_username()}
            rows[user.pk].update(_empty_appeal_figures())
        return rows[user.pk]

    filed = Appeal.objects.filter(
        agent_id__in=agent_ids, filed_at__gte=start, filed_at__lt=end
    ).select_related("evaluation__evaluator")
    for appeal in filed:
        row_of(appeal.evaluation.evaluator)["appeals_filed"] += 1
    for appeal in _decided_appeals(start=start, end=end).filter(agent_id__in=agent_ids):
        row_of(appeal.evaluation.evaluator)[appeal_outcome(appeal)] += 1
    return sorted(rows.values(), key=lambda r: r["name"].lower())
