"""Reads of the monthly tests: who takes what, which attempt counts, results over time, the
report columns and the month's most improved agents."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.access import readable_agents_q
from agents.models import Agent
from callfloor.zone import site_zone
from qa.models import (
    AttemptStatus,
    CountedAttempt,
    Quiz,
    QuizAttempt,
    QuizQuestion,
    QuizStatus,
    QuizTopic,
)

FINISHED = (AttemptStatus.SUBMITTED, AttemptStatus.EXPIRED)


def topics() -> QuerySet[QuizTopic]:
    return QuizTopic.objects.all()


def bank(*, topic: QuizTopic | None = None) -> QuerySet[QuizQuestion]:
    rows = QuizQuestion.objects.select_related("topic")
    return rows.filter(topic=topic) if topic is not None else rows


def assigned_agents(quiz: Quiz) -> QuerySet[Agent]:
    """The agents a test is set for: those named and the members of the teams named."""
    return Agent.objects.filter(
        Q(pk__in=quiz.agents.values("pk")) | Q(team__in=quiz.teams.values("pk")), active=True
    ).distinct()


def is_assigned(quiz: Quiz, agent: Agent) -> bool:
    return quiz.agents.filter(pk=agent.pk).exists() or (
        agent.team_id is not None and quiz.teams.filter(pk=agent.team_id).exists()
    )


def quizzes_for_agent(agent: Agent) -> QuerySet[Quiz]:
    """The published tests set for an agent (open, coming or closed)."""
    condition = Q(agents=agent)
    if agent.team_id is not None:
        condition |= Q(teams=agent.team_id)
    return Quiz.objects.filter(condition, status=QuizStatus.PUBLISHED).distinct()


def quiz_list() -> QuerySet[Quiz]:
    return Quiz.objects.all()


def attempts_of(quiz: Quiz, agent: Agent) -> list[QuizAttempt]:
    return list(QuizAttempt.objects.filter(quiz=quiz, agent=agent).order_by("number"))


def open_attempt(quiz: Quiz, agent: Agent) -> QuizAttempt | None:
    return QuizAttempt.objects.filter(
        quiz=quiz, agent=agent, status=AttemptStatus.IN_PROGRESS
    ).first()


def counted(attempts: list[QuizAttempt], counts: str) -> QuizAttempt | None:
    """The attempt whose score stands: the best or the last finished one, as the test says."""
    finished = [a for a in attempts if a.status in FINISHED and a.score is not None]
    if not finished:
        return None
    if counts == CountedAttempt.LAST:
        return max(finished, key=lambda a: a.number)
    return max(finished, key=lambda a: (a.score, -a.number))


def attempts_left(quiz: Quiz, attempts: list[QuizAttempt]) -> int:
    return max(quiz.attempts_allowed - len(attempts), 0)


@dataclass(frozen=True)
class ResultRow:
    agent: Agent
    attempts: int
    counted: QuizAttempt | None

    @property
    def score(self) -> Decimal | None:
        return self.counted.score if self.counted else None


def quiz_results(quiz: Quiz, *, user) -> list[ResultRow]:
    """Each assigned agent the user may read, with their attempts and the counted one."""
    agents = assigned_agents(quiz).select_related("team")
    condition = readable_agents_q(user)
    if condition is not None:
        agents = agents.filter(condition)
    by_agent: dict[int, list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(quiz=quiz).order_by("number"):
        by_agent.setdefault(attempt.agent_id, []).append(attempt)
    return [
        ResultRow(
            agent=agent,
            attempts=len(by_agent.get(agent.pk, [])),
            counted=counted(by_agent.get(agent.pk, []), quiz.counts),
        )
        for agent in agents
    ]


def counted_scores(*, agents, start: datetime, end: datetime) -> dict[tuple[int, int], Decimal]:
    """{(quiz id, agent id): counted score} of the tests that closed in [start, end)."""
    quizzes = {
        quiz.pk: quiz
        for quiz in Quiz.objects.filter(
            status=QuizStatus.PUBLISHED, closes_at__gte=start, closes_at__lt=end
        )
    }
    by_pair: dict[tuple[int, int], list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(quiz__in=quizzes, agent__in=agents):
        by_pair.setdefault((attempt.quiz_id, attempt.agent_id), []).append(attempt)
    scores = {}
    for (quiz_id, agent_id), attempts in by_pair.items():
        row = counted(attempts, quizzes[quiz_id].counts)
        if row is not None:
            scores[(quiz_id, agent_id)] = row.score
    return scores


def _mean(values: list[Decimal]) -> Decimal | None:
    if not values:
        return None
    return (sum(values) / len(values)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def agent_report_tests(*, agents, start, end) -> dict:
    """The agent and team reports' test columns: per agent, the tests that closed in
    [start, end) with a counted score, and their mean; under None, the same for all `agents`."""
    scores = counted_scores(agents=agents, start=start, end=end)
    per_agent: dict[int, list[Decimal]] = {}
    for (_quiz, agent_id), value in scores.items():
        per_agent.setdefault(agent_id, []).append(value)
    figures: dict = {
        agent.pk: {
            "tests_taken": len(per_agent.get(agent.pk, [])),
            "test_average": _as_float(_mean(per_agent.get(agent.pk, []))),
        }
        for agent in agents
    }
    every = list(scores.values())
    figures[None] = {"tests_taken": len(every), "test_average": _as_float(_mean(every))}
    return figures


def _as_float(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


@dataclass(frozen=True)
class TestSeries:
    labels: list[str]
    quizzes: list[Quiz]
    # name → one score per quiz (None: not taken)
    lines: dict[str, list[float | None]]


def results_over_time(*, user, team=None, agent=None, limit: int = 12) -> TestSeries:
    """The counted scores of the last `limit` closed tests: per team (the mean of its agents)
    or, for one team or agent, per agent."""
    now = timezone.now()
    quizzes = list(
        Quiz.objects.filter(status=QuizStatus.PUBLISHED, closes_at__lte=now).order_by("-closes_at")[
            :limit
        ]
    )[::-1]
    agents = Agent.objects.select_related("team")
    condition = readable_agents_q(user)
    if condition is not None:
        agents = agents.filter(condition)
    if agent is not None:
        agents = agents.filter(pk=agent.pk)
    elif team is not None:
        agents = agents.filter(team=team)
    agents = list(agents)
    by_pair: dict[tuple[int, int], list[QuizAttempt]] = {}
    for attempt in QuizAttempt.objects.filter(quiz__in=quizzes, agent__in=agents):
        by_pair.setdefault((attempt.quiz_id, attempt.agent_id), []).append(attempt)
    groups: dict[str, list[Agent]] = {}
    for person in agents:
        if team is None and agent is None:
            name = person.team.name if person.team else "–"
        else:
            name = person.display_name
        groups.setdefault(name, []).append(person)
    lines = {}
    for name, members in sorted(groups.items()):
        values = []
        for quiz in quizzes:
            scores = []
            for member in members:
                row = counted(by_pair.get((quiz.pk, member.pk), []), quiz.counts)
                if row is not None:
                    scores.append(row.score)
            values.append(_as_float(_mean(scores)))
        if any(v is not None for v in values):
            lines[name] = values
    zone = site_zone()
    labels = [f"{q.closes_at.astimezone(zone):%Y-%m-%d} {q.title}" for q in quizzes]
    return TestSeries(labels=labels, quizzes=quizzes, lines=lines)


@dataclass(frozen=True)
class Improvement:
    agent: Agent
    before: Decimal
    after: Decimal

    @property
    def gain(self) -> Decimal:
        return self.after - self.before


def _month_bounds(month: date) -> tuple[datetime, datetime]:
    zone = site_zone()
    first = month.replace(day=1)
    following = (first.replace(day=28) + (date.resolution * 4)).replace(day=1)
    return (
        datetime(first.year, first.month, 1, tzinfo=zone),
        datetime(following.year, following.month, 1, tzinfo=zone),
    )


def most_improved(*, site: str, month: date, limit: int = 3) -> list[Improvement]:
    """The agents whose mean counted test score rose most from the month before `month` to
    `month` (by the tests' closing day, in the site's zone); only agents with tests in both
    months and a real gain, best first (ties: the higher score now, then the name)."""
    start, end = _month_bounds(month)
    before_start, _ = _month_bounds((start - date.resolution).date())
    agents = list(Agent.objects.filter(active=True))
    site_quizzes = Quiz.objects.filter(site=site)
    now_scores = _means(counted_scores(agents=agents, start=start, end=end), site_quizzes)
    then_scores = _means(counted_scores(agents=agents, start=before_start, end=start), site_quizzes)
    rows = [
        Improvement(agent=agent, before=then_scores[agent.pk], after=now_scores[agent.pk])
        for agent in agents
        if agent.pk in now_scores and agent.pk in then_scores
    ]
    rows = [row for row in rows if row.gain > 0]
    rows.sort(key=lambda row: (-row.gain, -row.after, row.agent.display_name))
    return rows[:limit]


def _means(scores: dict[tuple[int, int], Decimal], quizzes) -> dict[int, Decimal]:
    allowed = set(quizzes.values_list("pk", flat=True))
    per_agent: dict[int, list[Decimal]] = {}
    for (quiz_id, agent_id), value in scores.items():
        if quiz_id in allowed:
            per_agent.setdefault(agent_id, []).append(value)
    return {agent_id: _mean(values) for agent_id, values in per_agent.items()}


@dataclass(frozen=True)
class PaperQuestion:
    id: int
    kind: str
    text: str
    choices: list[str]
    given: list[int] | None  # None: not shown
    correct: list[int] | None  # None: the key is not shown
    explanation: str | None
    right: bool | None


def paper_questions(attempt: QuizAttempt, *, show_answers: bool, show_key: bool) -> list:
    """The questions of an attempt's paper in the paper's order; the attempt's answers only
    when `show_answers`, the right answers and explanations only when `show_key`."""
    ids = attempt.paper.question_ids
    questions = {q.pk: q for q in QuizQuestion.objects.filter(pk__in=ids)}
    rows = []
    for qid in ids:
        question = questions[qid]
        given = attempt.answers.get(str(qid), []) if show_answers else None
        rows.append(
            PaperQuestion(
                id=qid,
                kind=question.kind,
                text=question.text,
                choices=list(question.choices),
                given=given,
                correct=list(question.correct) if show_key else None,
                explanation=question.explanation if show_key else None,
                right=(set(given) == set(question.correct))
                if show_key and given is not None
                else None,
            )
        )
    return rows
