"""Coaching writes: create a session with its agreed actions, the agent's acknowledgement, the
coach's follow-up. Each is one transaction with its audit row and the notification."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date, datetime

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.zone import site_zone
from qa.coaching import access
from qa.models import (
    ActionOutcome,
    Appeal,
    AppealStatus,
    CalibrationSession,
    CalibrationStatus,
    CoachingAction,
    CoachingSession,
    CoachingSource,
    CoachingStatus,
    Criterion,
    Evaluation,
)

MAX_ACTIONS = 10


def _forbidden(message: str) -> DomainError:
    return DomainError(message, status_code=403, code="forbidden")


def _source_of(
    *,
    agent: Agent | None,
    evaluation: Evaluation | None,
    appeal: Appeal | None,
    calibration: CalibrationSession | None,
    problems: Problems,
) -> tuple[str, Agent | None, Evaluation | None]:
    """What the session comes from, the agent it is for and the evaluation it refers to."""
    if sum(x is not None for x in (evaluation, appeal, calibration)) > 1:
        problems.add(
            "source", _("A coaching session comes from one evaluation, appeal or calibration.")
        )
        return CoachingSource.OWN, agent, evaluation
    if appeal is not None:
        if appeal.status != AppealStatus.DECIDED:
            problems.add("appeal", _("Coach on an appeal once it is decided."))
        return CoachingSource.APPEAL, appeal.agent, appeal.evaluation
    if evaluation is not None:
        if not evaluation.is_released:
            problems.add("evaluation", _("Coach on an evaluation once it is released."))
        return CoachingSource.EVALUATION, evaluation.agent, evaluation
    if calibration is not None:
        if calibration.status != CalibrationStatus.CLOSED:
            problems.add("calibration", _("Coach on a calibration once it is closed."))
        call_agent = calibration.call.agent if calibration.call_id else None
        return CoachingSource.CALIBRATION, call_agent or agent, None
    return CoachingSource.OWN, agent, None


def _clean_actions(actions: Sequence[Mapping], problems: Problems) -> list[tuple[str, date]]:
    cleaned: list[tuple[str, date]] = []
    today = timezone.localdate(timezone=site_zone())
    for index, action in enumerate(actions):
        text = str(action.get("text") or "").strip()
        due = action.get("due_on")
        if not text and due in (None, ""):
            continue  # an empty row of the form
        field = f"actions[{index}]"
        if not text:
            problems.add(field, _("Say what the agent agreed to do."))
        if isinstance(due, str):
            try:
                due = date.fromisoformat(due)
            except ValueError:
                due = None
        if not isinstance(due, date):
            problems.add(field, _("Give each action the date it is due."))
        elif due < today:
            problems.add(field, _("An action cannot be due before today."))
        if text and isinstance(due, date):
            cleaned.append((text[:300], due))
    if not cleaned and not problems.has("actions"):
        problems.add("actions", _("Agree at least one action with a due date."))
    if len(cleaned) > MAX_ACTIONS:
        problems.add("actions", _("Agree at most ten actions in one session."))
    return cleaned


@transaction.atomic
def coaching_create(
    *,
    coach: User,
    topic: str,
    actions: Sequence[Mapping],
    agent: Agent | None = None,
    notes: str = "",
    held_at: datetime | None = None,
    evaluation: Evaluation | None = None,
    appeal: Appeal | None = None,
    calibration: CalibrationSession | None = None,
    criteria: Sequence[Criterion] = (),
) -> CoachingSession:
    """Hold a coaching session with an agent, from an evaluation, an appeal's outcome, a
    calibration result or on its own; the agent is asked to acknowledge the agreed actions."""
    problems = Problems()
    source, agent, evaluation = _source_of(
        agent=agent,
        evaluation=evaluation,
        appeal=appeal,
        calibration=calibration,
        problems=problems,
    )
    if agent is None:
        problems.add("agent", _("Choose the agent you coach."))
    elif not access.can_coach(coach, agent):
        raise _forbidden(_("You may not coach this agent."))
    if not topic.strip():
        problems.add("topic", _("Give the topic of the session."))
    version_id = None
    if evaluation is not None:
        version_id = evaluation.scorecard_version_id
    elif calibration is not None:
        version_id = calibration.scorecard_version_id
    strangers = [c for c in criteria if version_id is None or c.section.version_id != version_id]
    if strangers:
        problems.add("criteria", _("Refer only to items of the scorecard the session is about."))
    cleaned = _clean_actions(actions, problems)
    problems.raise_if_any()
    session = CoachingSession.objects.create(
        coach=coach,
        agent=agent,
        topic=topic.strip()[:200],
        notes=notes.strip(),
        held_at=held_at or timezone.now(),
        source=source,
        evaluation=evaluation,
        appeal=appeal,
        calibration=calibration,
    )
    session.criteria.set(criteria)
    CoachingAction.objects.bulk_create(
        CoachingAction(session=session, text=text, due_on=due, position=i)
        for i, (text, due) in enumerate(cleaned)
    )
    audit_record(
        actor=coach,
        action="coaching.created",
        target=session,
        data={"source": source, "actions": len(cleaned), "agent": agent.pk},
    )
    topic_text = session.topic
    notify(
        recipients=[agent.user],
        kind="qa.coaching",
        link=reverse("qa-coaching-session", kwargs={"session_id": session.pk}),
        text=lambda: (
            _("Coaching session %(topic)s: read the agreed actions and acknowledge them.")
            % {"topic": repr(topic_text)}
        ),
    )
    return session


@transaction.atomic
def coaching_acknowledge(
    *, session: CoachingSession, actor: User, comment: str = ""
) -> CoachingSession:
    """The agent acknowledges the session and its agreed actions (once), with a comment."""
    if not access.can_acknowledge(actor, session):
        raise _forbidden(_("Only the coached agent acknowledges the session."))
    changed = CoachingSession.objects.filter(pk=session.pk, status=CoachingStatus.OPEN).update(
        status=CoachingStatus.ACKNOWLEDGED,
        acknowledged_at=timezone.now(),
        agent_comment=comment.strip(),
    )
    if not changed:
        raise Conflict(_("This coaching session was acknowledged already."))
    audit_record(actor=actor, action="coaching.acknowledged", target=session)
    session.refresh_from_db()
    agent_name = session.agent.display_name
    notify(
        recipients=[session.coach],
        kind="qa.coaching",
        link=reverse("qa-coaching-session", kwargs={"session_id": session.pk}),
        text=lambda: (
            _("%(agent)s acknowledged the coaching session %(topic)s.")
            % {"agent": agent_name, "topic": repr(session.topic)}
        ),
    )
    return session


@transaction.atomic
def coaching_follow_up(
    *, session: CoachingSession, actor: User, outcomes: Mapping[int, Mapping]
) -> CoachingSession:
    """Record each agreed action's outcome (done or not done, with a note); the session is
    followed up when every action has one."""
    if not access.can_follow_up(actor, session):
        raise _forbidden(_("The coach follows up the session."))
    if session.status == CoachingStatus.FOLLOWED_UP:
        raise Conflict(_("This coaching session was followed up already."))
    problems = Problems()
    actions = list(session.actions.all())
    chosen: dict[int, tuple[str, str]] = {}
    for action in actions:
        given = outcomes.get(action.pk) or outcomes.get(str(action.pk)) or {}
        outcome = given.get("outcome")
        note = str(given.get("note") or "").strip()
        field = f"outcomes.{action.pk}"
        if outcome not in (ActionOutcome.DONE, ActionOutcome.NOT_DONE):
            problems.add(field, _("Say whether each action was done."))
        elif outcome == ActionOutcome.NOT_DONE and not note:
            problems.add(field, _("Say why the action was not done."))
        else:
            chosen[action.pk] = (outcome, note)
    unknown = {str(k) for k in outcomes} - {str(a.pk) for a in actions}
    if unknown:
        problems.add("outcomes", _("Only this session's actions have outcomes here."))
    problems.raise_if_any()
    changed = CoachingSession.objects.filter(
        pk=session.pk, status__in=[CoachingStatus.OPEN, CoachingStatus.ACKNOWLEDGED]
    ).update(status=CoachingStatus.FOLLOWED_UP, followed_up_at=timezone.now())
    if not changed:
        raise Conflict(_("This coaching session was followed up already."))
    now = timezone.now()
    for action in actions:
        outcome, note = chosen[action.pk]
        CoachingAction.objects.filter(pk=action.pk).update(
            outcome=outcome, outcome_note=note, outcome_at=now
        )
    done = sum(1 for outcome, _note in chosen.values() if outcome == ActionOutcome.DONE)
    audit_record(
        actor=actor,
        action="coaching.followed_up",
        target=session,
        data={"done": done, "not_done": len(chosen) - done},
    )
    session.refresh_from_db()
    notify(
        recipients=[session.agent.user],
        kind="qa.coaching",
        link=reverse("qa-coaching-session", kwargs={"session_id": session.pk}),
        text=lambda: (
            _("Your coaching session %(topic)s was followed up.") % {"topic": repr(session.topic)}
        ),
    )
    return session
