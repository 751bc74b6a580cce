"""Shift handovers: create, update, confirm cases, acknowledge, outcomes, addenda, alerts."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import TypedDict

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from agents.access import has_role
from agents.models import Agent, Team
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.zone import site_zone
from metrics.alerts import events as alert_events
from scheduling import conf
from scheduling.models import (
    CaseOutcome,
    Handover,
    HandoverAddendum,
    HandoverCase,
    HandoverStatus,
    Severity,
)
from scheduling.services.leftovers import (
    LeftoverDecision,
    check_decisions,
    leftover_case_carry,
    leftover_case_close,
    leftover_case_reassign,
)


class CaseInput(TypedDict, total=False):
    customer_ref: str
    pending: str
    severity: str
    next_action: str
    owner: str
    source_agent: Agent | None


def _handover_link(handover: Handover) -> str:
    return reverse("handover-detail", kwargs={"handover_id": handover.pk})


def _check_case(case: CaseInput, index: int, problems: Problems) -> None:
    """Each missing field of the case is its own problem, reported with all the others."""
    for name in ("customer_ref", "pending", "next_action", "owner"):
        if not str(case.get(name) or "").strip():
            problems.add(f"cases[{index}].{name}", _("This field is required."))
    if case.get("severity", Severity.MEDIUM) not in Severity.values:
        choices = ", ".join(Severity.values)
        problems.add(
            f"cases[{index}].severity",
            _("Case %(1)s: severity must be one of %(choices)s.")
            % {"1": index + 1, "choices": choices},
        )


@transaction.atomic
def handover_create(
    *,
    author,
    to_lead,
    supervisor,
    shift_date: date | None,
    shift_name: str,
    summary: str,
    incidents: str = "",
    notes: str = "",
    cases: Sequence[CaseInput] = (),
    carry_case_ids: Sequence[int] = (),
    leftovers: Sequence[LeftoverDecision] = (),
    team: Team | None = None,
    now: datetime | None = None,
) -> Handover:
    """Send a handover to a named lead of the next shift, copying the on-duty supervisor.

    The fields are independent: every problem is reported at once (`shift_date` None: the form
    gave no date).

    `leftovers` are the lead's decisions on the cases their agents handed over: carried ones
    become cases of this handover (with the agent, the promise and its due time); reassigned
    and closed ones are settled in the same transaction.
    """
    now = now or timezone.now()
    if not has_role(author, Role.TEAM_LEAD):
        raise DomainError(
            _("Only a team lead writes a handover."), status_code=403, code="permission_denied"
        )
    problems = Problems()
    if shift_date is None:
        problems.add("shift_date", _("Give the shift's date."))
    if not shift_name.strip():
        problems.add("shift_name", _("Name the shift (early, late, night…)."))
    if to_lead is None or not has_role(to_lead, Role.TEAM_LEAD):
        problems.add("to_lead", _("Address the handover to a team lead."))
    elif to_lead.pk == author.pk:
        problems.add("to_lead", _("Address the handover to the next shift's lead, not yourself."))
    if supervisor is None or not has_role(supervisor, Role.SUPERVISOR):
        problems.add("supervisor", _("Copy the on-duty supervisor."))
    if not summary.strip():
        problems.add("summary", _("Write a summary of the shift."))
    for index, case in enumerate(cases):
        _check_case(case, index, problems)
    problems.raise_if_any()
    check_decisions(leftovers)
    if team is None:
        team = Team.objects.filter(lead=author).first()
    handover = Handover.objects.create(
        author=author,
        to_lead=to_lead,
        supervisor=supervisor,
        team=team,
        shift_date=shift_date,
        shift_name=shift_name.strip(),
        summary=summary.strip(),
        incidents=incidents.strip(),
        notes=notes.strip(),
        ack_due_at=now + conf.handover_ack_within(),
    )
    rows = [
        HandoverCase(
            handover=handover,
            position=index,
            customer_ref=case["customer_ref"].strip(),
            pending=case["pending"].strip(),
            severity=case.get("severity") or Severity.MEDIUM,
            next_action=case["next_action"].strip(),
            owner=case["owner"].strip(),
            source_agent=case.get("source_agent"),
            opened_at=now,
        )
        for index, case in enumerate(cases)
    ]
    carried = _carry_cases(author=author, case_ids=carry_case_ids)
    for offset, old in enumerate(carried, start=len(rows)):
        rows.append(
            HandoverCase(
                handover=handover,
                position=offset,
                customer_ref=old.customer_ref,
                pending=old.outcome_note or old.pending,
                severity=old.severity,
                next_action=old.next_action,
                owner=old.owner,
                source_agent=old.source_agent,
                carried_from=old,
                opened_at=old.opened_at,
            )
        )
    carry = [row for row in leftovers if row["decision"] == "carry"]
    for offset, row in enumerate(carry, start=len(rows)):
        left = row["case"]
        rows.append(
            HandoverCase(
                handover=handover,
                position=offset,
                customer_ref=left.customer_ref,
                pending=left.pending,
                severity=left.severity,
                next_action=left.promised,
                promised=left.promised,
                due_at=left.due_at,
                owner=to_lead.get_full_name() or to_lead.username,
                source_agent=left.agent,
                opened_at=left.submitted_at,
            )
        )
    HandoverCase.objects.bulk_create(rows)
    for row, made in zip(carry, rows[len(rows) - len(carry) :], strict=True):
        leftover_case_carry(case=row["case"], actor=author, handover_case=made, now=now)
    for row in leftovers:
        if row["decision"] == "reassign":
            leftover_case_reassign(
                case=row["case"], actor=author, to_agent=row.get("agent"), note=row.get("note", "")
            )
        elif row["decision"] == "close":
            leftover_case_close(case=row["case"], actor=author, note=row.get("note", ""))
    audit_record(
        actor=author,
        action="handover.sent",
        target=handover,
        data={
            "to_lead": to_lead.username,
            "supervisor": supervisor.username,
            "to_lead_name": to_lead.get_full_name() or to_lead.username,
            "supervisor_name": supervisor.get_full_name() or supervisor.username,
            "cases": [row.customer_ref for row in rows],
            "carried": [old.pk for old in carried],
            "from_agents": [row["case"].pk for row in carry],
        },
    )
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=[to_lead, supervisor],
            kind="handover.sent",
            link=link,
            text=lambda: (
                _("Handover from %(full_name)s for %(date)s %(shift_name)s: %(len)s open case(s).")
                % {
                    "full_name": author.get_full_name() or author.username,
                    "date": dateformat.format(shift_date, _("d M")),
                    "shift_name": handover.shift_name,
                    "len": len(rows),
                }
            ),
        )
    )
    alert_events.handover_changed(handover, event="handover.sent")
    return handover


def _carry_cases(*, author, case_ids: Sequence[int]) -> list[HandoverCase]:
    """Unresolved cases the author received, not carried already, locked against a double carry."""
    if not case_ids:
        return []
    cases = list(
        HandoverCase.objects.select_for_update(of=("self",))
        .filter(pk__in=case_ids, handover__to_lead=author, outcome=CaseOutcome.NOT_RESOLVED)
        .filter(carried_to__isnull=True)
    )
    if len(cases) != len(set(case_ids)):
        raise DomainError(
            _("Only cases handed to you, marked not resolved and not carried yet can be carried."),
            field="carry_case_ids",
        )
    return cases


@transaction.atomic
def handover_case_confirm(
    *, case: HandoverCase, actor: User, now: datetime | None = None
) -> HandoverCase:
    """The incoming lead confirms a high-severity case before acknowledging the handover."""
    now = now or timezone.now()
    handover = case.handover
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            _("Only the lead the handover is addressed to confirms its cases."),
            status_code=403,
            code="permission_denied",
        )
    if case.severity != Severity.HIGH:
        raise DomainError(_("Only high-severity cases need a confirmation."), field="case")
    updated = HandoverCase.objects.filter(
        pk=case.pk,
        confirmed_at__isnull=True,
        handover__status=HandoverStatus.SENT,
    ).update(confirmed_at=now)
    if not updated:
        raise Conflict(_("The case is confirmed already or the handover is acknowledged."))
    audit_record(
        actor=actor,
        action="handover.case_confirmed",
        target=handover,
        data={"case": case.pk, "customer_ref": case.customer_ref},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def handover_acknowledge(
    *,
    handover: Handover,
    actor: User,
    seen_addenda: Sequence[int] | None = None,
    now: datetime | None = None,
) -> Handover:
    """The incoming lead takes the handover over, with the addenda sent before it.

    `seen_addenda` are the addenda the lead had in front of them (the page sends them): when a
    correction arrived since, the acknowledgement is refused so that it never covers a text the
    lead has not read. The acknowledgement records which addenda it covered.
    """
    now = now or timezone.now()
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            _("Only the lead the handover is addressed to acknowledges it."),
            status_code=403,
            code="permission_denied",
        )
    # Addenda and the acknowledgement are serialised on the handover row.
    Handover.objects.select_for_update().filter(pk=handover.pk).first()
    unconfirmed = list(
        handover.cases.filter(severity=Severity.HIGH, confirmed_at__isnull=True).values_list(
            "customer_ref", flat=True
        )
    )
    if unconfirmed:
        raise DomainError(
            _("Confirm each high-severity case first: %(cases)s.")
            % {"cases": ", ".join(unconfirmed)},
            field="cases",
            code="unconfirmed_cases",
        )
    covered = list(
        handover.addenda.filter(acknowledged_at__isnull=True).values_list("pk", flat=True)
    )
    if seen_addenda is not None and set(covered) - set(seen_addenda):
        raise Conflict(
            _("A correction was added since you opened the handover: read it, then acknowledge.")
        )
    updated = Handover.objects.filter(pk=handover.pk, status=HandoverStatus.SENT).update(
        status=HandoverStatus.ACKNOWLEDGED, acknowledged_at=now
    )
    if not updated:
        raise Conflict(_("The handover is acknowledged already."))
    HandoverAddendum.objects.filter(pk__in=covered).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    handover.refresh_from_db()
    audit_record(
        actor=actor,
        action="handover.acknowledged",
        target=handover,
        data={"late": now > handover.ack_due_at, "addenda": covered},
    )
    if not handover.cases.exists():
        _handover_close_if_done(handover=handover, actor=actor, now=now)
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=[handover.author, handover.supervisor],
            kind="handover.acknowledged",
            link=link,
            text=lambda: (
                _("%(full_name)s acknowledged the handover of %(date)s %(shift_name)s.")
                % {
                    "full_name": actor.get_full_name() or actor.username,
                    "date": dateformat.format(handover.shift_date, _("d M")),
                    "shift_name": handover.shift_name,
                }
            ),
        )
    )
    _board_changed(handover)
    alert_events.handover_changed(handover, event="handover.acknowledged")
    return handover


def _board_changed(handover: Handover) -> None:
    """The board's "not acknowledged" alert clears (after commit) on the handover's sites."""
    from metrics.board.signals import floor_changed_on_commit
    from metrics.board.snapshot import default_site
    from metrics.models import Queue

    sites = set(Queue.objects.filter(teams=handover.team_id).values_list("site", flat=True))
    for site in sites if handover.team_id and sites else {default_site()}:
        floor_changed_on_commit(sender=Handover, site=site, sections=["alerts"])


def _handover_close_if_done(*, handover: Handover, actor, now: datetime) -> None:
    if handover.cases.filter(outcome=CaseOutcome.OPEN).exists():
        return
    if Handover.objects.filter(pk=handover.pk, status=HandoverStatus.ACKNOWLEDGED).update(
        status=HandoverStatus.CLOSED, closed_at=now
    ):
        audit_record(actor=actor, action="handover.closed", target=handover)


@transaction.atomic
def handover_case_record_outcome(
    *, case: HandoverCase, actor: User, outcome: str, note: str, now: datetime | None = None
) -> HandoverCase:
    """Record a case as resolved or not resolved (with what was done / what remains)."""
    now = now or timezone.now()
    handover = case.handover
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            _("Only the lead the handover is addressed to records outcomes."),
            status_code=403,
            code="permission_denied",
        )
    if outcome not in (CaseOutcome.RESOLVED, CaseOutcome.NOT_RESOLVED):
        raise DomainError(_("The outcome is resolved or not_resolved."), field="outcome")
    if not note.strip():
        raise DomainError(_("Say what was done (and what remains)."), field="note")
    if handover.status == HandoverStatus.SENT:
        raise DomainError(
            _("Acknowledge the handover before recording outcomes."),
            field="outcome",
            status_code=409,
            code="conflict",
        )
    updated = HandoverCase.objects.filter(
        pk=case.pk,
        outcome=CaseOutcome.OPEN,
        handover__status=HandoverStatus.ACKNOWLEDGED,
    ).update(outcome=outcome, outcome_note=note.strip(), outcome_by=actor, outcome_at=now)
    if not updated:
        raise Conflict(_("This case has an outcome already."))
    case.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"handover.case_{outcome}",
        target=handover,
        data={"case": case.pk, "customer_ref": case.customer_ref, "note": case.outcome_note},
    )
    _handover_close_if_done(handover=handover, actor=actor, now=now)
    link = _handover_link(handover)
    label = case.get_outcome_display().lower()
    transaction.on_commit(
        lambda: notify(
            recipients=[handover.author, handover.supervisor],
            kind=f"handover.case_{outcome}",
            link=link,
            text=lambda: (
                _("Case %(ref)s: %(label)s — %(200)s")
                % {"ref": case.customer_ref, "label": label, "200": case.outcome_note[:200]}
            ),
        )
    )
    return case


@transaction.atomic
def handover_addendum_add(
    *, handover: Handover, actor: User, text: str, now: datetime | None = None
) -> HandoverAddendum:
    """Append a correction or addition to a sent handover (its text is never changed).

    The incoming lead acknowledges it with the handover, or on its own once the handover is
    acknowledged; an addendum the incoming lead writes needs no acknowledgement.
    """
    now = now or timezone.now()
    if actor.pk not in (handover.author_id, handover.to_lead_id, handover.supervisor_id):
        raise DomainError(
            _("Only the two leads and the copied supervisor add to a handover."),
            status_code=403,
            code="permission_denied",
        )
    if not text.strip():
        raise DomainError(_("Write the addition."), field="text")
    # Serialised with the acknowledgement: an addendum is either before it (covered) or after.
    handover = (
        Handover.objects.select_for_update()
        .select_related("author", "to_lead", "supervisor")
        .get(pk=handover.pk)
    )
    own = actor.pk == handover.to_lead_id
    addendum = HandoverAddendum.objects.create(
        handover=handover,
        author=actor,
        text=text.strip(),
        acknowledged_at=now if own else None,
        acknowledged_by=actor if own else None,
    )
    audit_record(
        actor=actor,
        action="handover.addendum",
        target=handover,
        data={"addendum": addendum.pk, "after_acknowledgement": handover.locked},
    )
    others = [
        u for u in (handover.author, handover.to_lead, handover.supervisor) if u.pk != actor.pk
    ]
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=others,
            kind="handover.addendum",
            link=link,
            text=lambda: (
                _("%(full_name)s added to the handover of %(date)s %(shift_name)s.")
                % {
                    "full_name": actor.get_full_name() or actor.username,
                    "date": dateformat.format(handover.shift_date, _("d M")),
                    "shift_name": handover.shift_name,
                }
            ),
        )
    )
    return addendum


@transaction.atomic
def handover_addendum_acknowledge(
    *, addendum: HandoverAddendum, actor: User, now: datetime | None = None
) -> HandoverAddendum:
    """The incoming lead acknowledges an addendum sent after the handover was acknowledged."""
    now = now or timezone.now()
    handover = addendum.handover
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            _("Only the lead the handover is addressed to acknowledges its additions."),
            status_code=403,
            code="permission_denied",
        )
    if handover.status == HandoverStatus.SENT:
        raise Conflict(_("Acknowledge the handover: that covers this addition too."))
    updated = HandoverAddendum.objects.filter(pk=addendum.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=actor
    )
    if not updated:
        raise Conflict(_("This addition is acknowledged already."))
    addendum.refresh_from_db()
    audit_record(
        actor=actor,
        action="handover.addendum_acknowledged",
        target=handover,
        data={"addendum": addendum.pk},
    )
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=[addendum.author],
            kind="handover.addendum_acknowledged",
            link=link,
            text=lambda: (
                _("%(full_name)s acknowledged your addition to the handover of %(date)s.")
                % {
                    "full_name": actor.get_full_name() or actor.username,
                    "date": dateformat.format(handover.shift_date, _("d M")),
                }
            ),
        )
    )
    return addendum


def handovers_alert_overdue(*, now: datetime | None = None) -> int:
    """Alert the copied supervisor once for each handover not acknowledged in time."""
    now = now or timezone.now()
    alerted = 0
    due = Handover.objects.filter(
        status=HandoverStatus.SENT, ack_due_at__lte=now, overdue_alerted_at__isnull=True
    ).select_related("supervisor", "to_lead")
    for handover in due:
        with transaction.atomic():
            claimed = Handover.objects.filter(
                pk=handover.pk,
                status=HandoverStatus.SENT,
                overdue_alerted_at__isnull=True,
            ).update(overdue_alerted_at=now)
            if not claimed:
                continue
            audit_record(
                actor=None,
                action="handover.overdue_alerted",
                target=handover,
                data={"due": handover.ack_due_at.isoformat()},
            )
            lead = handover.to_lead.get_full_name() or handover.to_lead.username
            notify(
                recipients=[handover.supervisor],
                kind="handover.overdue",
                link=_handover_link(handover),
                text=lambda lead=lead, handover=handover: (
                    _(
                        "Handover to %(lead)s for %(date)s %(shift_name)s is not "
                        "acknowledged (due %(localtime)s)."
                    )
                    % {
                        "lead": lead,
                        "date": dateformat.format(handover.shift_date, _("d M")),
                        "shift_name": handover.shift_name,
                        "localtime": format(
                            timezone.localtime(handover.ack_due_at, site_zone()), "%H:%M"
                        ),
                    }
                ),
            )
            alerted += 1
    return alerted
