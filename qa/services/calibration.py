"""Calibration sessions: create, submit scores, close."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import has_role
from agents.roles import Role
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from metrics.models import QueueCall
from qa.models import (
    CalibrationScore,
    CalibrationSession,
    CalibrationStatus,
    ScorecardVersion,
)
from qa.services.common import notify_people
from qa.services.evaluations import clean_answers, compute_score


@transaction.atomic
def calibration_create(
    *,
    actor: User,
    title: str,
    scorecard_version: ScorecardVersion,
    participants: Sequence,
    call: QueueCall | None = None,
    recording_id: str = "",
    reference_by=None,
) -> CalibrationSession:
    if not scorecard_version.is_released:
        raise DomainError(
            _("Calibrate with a released scorecard version."), field="scorecard_version"
        )
    if call is None and not recording_id:
        raise DomainError(_("Name the call or recording everyone scores."), field="recording_id")
    people = list(participants)
    if len(people) < 2:
        raise DomainError(_("Calibration needs at least two evaluators."), field="participants")
    for person in people:
        if not has_role(person, Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD):
            raise DomainError(
                _("%(username)s does not evaluate calls.") % {"username": person.get_username()},
                field="participants",
            )
    if reference_by is not None and reference_by not in people:
        raise DomainError(_("The reference scorer must be a participant."), field="reference_by")
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
    notify_people(
        recipients=people,
        kind="qa.calibration",
        text=lambda: (
            _("Calibration session %(title)s: score the call blind.") % {"title": repr(title)}
        ),
        link=reverse("qa-calibration-session", kwargs={"session_id": session.pk}),
    )
    return session


@transaction.atomic
def calibration_submit(
    *, session: CalibrationSession, evaluator, answers: dict
) -> CalibrationScore:
    if not session.participants.filter(pk=evaluator.pk).exists():
        raise DomainError(
            _("Only the session's participants score it."), status_code=403, code="forbidden"
        )
    if not CalibrationSession.objects.filter(pk=session.pk, status=CalibrationStatus.OPEN).exists():
        raise Conflict(_("This calibration session is closed."))
    cleaned = clean_answers(session.scorecard_version, answers, complete=True)
    result = compute_score(session.scorecard_version, cleaned)
    try:
        with transaction.atomic():
            row = CalibrationScore.objects.create(
                session=session, evaluator=evaluator, answers=cleaned, score=result.score
            )
    except IntegrityError:
        raise Conflict(_("You scored this session already.")) from None
    audit_record(
        actor=evaluator, action="calibration.scored", target=session, data={"score": result.score}
    )
    return row


@transaction.atomic
def calibration_close(*, session: CalibrationSession, actor: User) -> CalibrationSession:
    if session.scores.count() < 2:
        raise DomainError(_("At least two scorings are needed to close a session."), field="scores")
    changed = CalibrationSession.objects.filter(
        pk=session.pk, status=CalibrationStatus.OPEN
    ).update(status=CalibrationStatus.CLOSED, closed_at=timezone.now())
    if not changed:
        raise Conflict(_("This session is closed already."))
    audit_record(actor=actor, action="calibration.closed", target=session)
    session.refresh_from_db()
    return session
