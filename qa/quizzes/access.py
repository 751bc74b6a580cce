"""Who may do what with the question bank, tests and attempts.

QA analysts, supervisors and admins keep the bank and set tests (callfloor has no trainer
role; these are the people who train the floor on quality). Agents take the tests assigned to
them; whoever reads an agent (a team lead: their teams') reads the agent's results.
"""

from __future__ import annotations

from agents.access import agent_of, can_see_agent, has_role
from agents.roles import Role
from qa.models import AttemptStatus, Quiz, QuizAttempt, QuizStatus

QUIZ_MANAGERS = (Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)
RESULT_READERS = (Role.TEAM_LEAD, *QUIZ_MANAGERS)


def manages_quizzes(user) -> bool:
    return has_role(user, *QUIZ_MANAGERS)


def reads_results(user) -> bool:
    return has_role(user, *RESULT_READERS)


def owns_attempt(user, attempt: QuizAttempt) -> bool:
    own = agent_of(user)
    return own is not None and own.pk == attempt.agent_id


def can_view_attempt(user, attempt: QuizAttempt) -> bool:
    """The agent; once finished, whoever reads the agent (never another agent)."""
    if owns_attempt(user, attempt):
        return True
    if attempt.status == AttemptStatus.IN_PROGRESS or not reads_results(user):
        return False
    return can_see_agent(user, attempt.agent)


def shows_key(user, attempt: QuizAttempt, now) -> bool:
    """The right answers of an attempt's paper: only after the test's window closed, so that
    they never reach a colleague still taking it."""
    return attempt.status != AttemptStatus.IN_PROGRESS and attempt.quiz.key_released(now)


def can_view_quiz(user, quiz: Quiz) -> bool:
    from qa.quizzes.selectors import is_assigned

    if reads_results(user):
        return True
    own = agent_of(user)
    # A draft is seen by nobody but those who read results, even the agents it is set for.
    return quiz.status != QuizStatus.DRAFT and own is not None and is_assigned(quiz, own)
