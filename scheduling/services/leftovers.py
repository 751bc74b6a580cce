"""Agents' leftover cases: an agent hands an unfinished case to their team lead, who carries,
reassigns or closes it in the next handover."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypedDict

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from callfloor.zone import site_zone
from scheduling.access import can_decide_leftover
from scheduling.models import HandoverCase, LeftoverCase, LeftoverStatus, Severity


class LeftoverDecision(TypedDict, total=False):
    """The lead's decision on one leftover case: carry, reassign (to `agent`) or close."""

    case: LeftoverCase
    decision: str
    agent: Agent | None
    note: str


DECISIONS = ("carry", "reassign", "close")


@transaction.atomic
def leftover_case_submit(
    *,
    agent: Agent,
    customer_ref: str,
    pending: str,
    promised: str,
    due_at: datetime | None,
    severity: str = Severity.MEDIUM,
    now: datetime | None = None,
) -> LeftoverCase:
    """An agent hands one of their own unfinished cases to their team lead."""
    now = now or timezone.now()
    if agent.team is None or agent.team.lead_id is None:
        raise DomainError(
            _("You have no team lead to hand the case to; ask your supervisor."),
            field="agent",
        )
    values = {
        "customer_ref": customer_ref.strip(),
        "pending": pending.strip(),
        "promised": promised.strip(),
    }
    messages = {
        "customer_ref": _("Name the customer (a name, number or case reference)."),
        "pending": _("Say what is still open."),
        "promised": _("Say what the customer was promised."),
    }
    for name, value in values.items():
        if not value:
            raise DomainError(messages[name], field=name)
    if due_at is None:
        raise DomainError(_("Say by when the promise is due."), field="due_at")
    if severity not in Severity.values:
        raise DomainError(_("Choose a severity: low, medium or high."), field="severity")
    case = LeftoverCase.objects.create(
        agent=agent, team=agent.team, due_at=due_at, severity=severity, **values
    )
    audit_record(
        actor=agent.user,
        action="leftover_case.submitted",
        target=case,
        data={"customer_ref": case.customer_ref, "team": agent.team.name},
    )
    lead = agent.team.lead
    link = reverse("handover-new")
    transaction.on_commit(
        lambda: notify(
            recipients=[lead],
            kind="leftover_case.submitted",
            link=link,
            text=lambda: (
                _("%(agent)s handed you an unfinished case: %(customer)s.")
                % {"agent": agent.display_name, "customer": case.customer_ref}
            ),
        )
    )
    return case


def _claim(case: LeftoverCase, actor: User) -> LeftoverCase:
    """Lock the case and check that `actor` may decide it and that nobody decided it yet."""
    if not can_decide_leftover(actor, case):
        raise DomainError(
            _("Only the agent's team lead decides on the cases the agent hands over."),
            status_code=403,
            code="permission_denied",
        )
    locked = (
        LeftoverCase.objects.select_for_update(of=("self",))
        .select_related("agent__user", "team")
        .get(pk=case.pk)
    )
    if locked.status != LeftoverStatus.SUBMITTED:
        raise Conflict(
            _("Case %(customer)s is decided already.") % {"customer": locked.customer_ref}
        )
    return locked


def _tell_agent(case: LeftoverCase, text) -> None:
    link = reverse("my-leftover-cases")
    transaction.on_commit(
        lambda: notify(
            recipients=[case.agent.user], kind=f"leftover_case.{case.status}", link=link, text=text
        )
    )


@transaction.atomic
def leftover_case_reassign(
    *,
    case: LeftoverCase,
    actor: User,
    to_agent: Agent | None,
    note: str = "",
    now: datetime | None = None,
) -> LeftoverCase:
    """The lead gives the case to a colleague of the agent's team to finish."""
    now = now or timezone.now()
    case = _claim(case, actor)
    if to_agent is None or not to_agent.active or to_agent.team_id != case.team_id:
        raise DomainError(
            _("Case %(customer)s: reassign it to an active agent of the same team.")
            % {"customer": case.customer_ref},
            field="agent",
        )
    if to_agent.pk == case.agent_id:
        raise DomainError(
            _("Case %(customer)s: reassign it to a colleague, not the agent who handed it over.")
            % {"customer": case.customer_ref},
            field="agent",
        )
    case.status = LeftoverStatus.REASSIGNED
    case.reassigned_to = to_agent
    case.decided_by, case.decided_at, case.decision_note = actor, now, note.strip()
    case.save(
        update_fields=["status", "reassigned_to", "decided_by", "decided_at", "decision_note"]
    )
    audit_record(
        actor=actor,
        action="leftover_case.reassigned",
        target=case,
        data={"customer_ref": case.customer_ref, "to": to_agent.display_name, "note": note},
    )
    _tell_agent(
        case,
        lambda: (
            _("Your case %(customer)s was reassigned to %(colleague)s.")
            % {"customer": case.customer_ref, "colleague": to_agent.display_name}
        ),
    )
    transaction.on_commit(
        lambda: notify(
            recipients=[to_agent.user],
            kind="leftover_case.reassigned",
            link=reverse("my-leftover-cases"),
            text=lambda: (
                _("%(lead)s gave you case %(customer)s to finish (due %(due)s).")
                % {
                    "lead": actor.get_full_name() or actor.username,
                    "customer": case.customer_ref,
                    "due": timezone.localtime(case.due_at, site_zone()).strftime("%Y-%m-%d %H:%M"),
                }
            ),
        )
    )
    return case


@transaction.atomic
def leftover_case_close(
    *, case: LeftoverCase, actor: User, note: str, now: datetime | None = None
) -> LeftoverCase:
    """The lead closes a case that needs nothing more from the next shift, saying why."""
    now = now or timezone.now()
    case = _claim(case, actor)
    if not note.strip():
        raise DomainError(
            _("Case %(customer)s: say why it is closed.") % {"customer": case.customer_ref},
            field="note",
        )
    case.status = LeftoverStatus.CLOSED
    case.decided_by, case.decided_at, case.decision_note = actor, now, note.strip()
    case.save(update_fields=["status", "decided_by", "decided_at", "decision_note"])
    audit_record(
        actor=actor,
        action="leftover_case.closed",
        target=case,
        data={"customer_ref": case.customer_ref, "note": case.decision_note},
    )
    _tell_agent(
        case,
        lambda: (
            _("Your case %(customer)s was closed by your team lead: %(note)s")
            % {"customer": case.customer_ref, "note": case.decision_note}
        ),
    )
    return case


def leftover_case_carry(
    *, case: LeftoverCase, actor: User, handover_case: HandoverCase, now: datetime
) -> LeftoverCase:
    """Record that the case travels to the next shift as `handover_case` (inside the
    handover's own transaction, by `handover_create`)."""
    case = _claim(case, actor)
    case.status = LeftoverStatus.CARRIED
    case.handover_case = handover_case
    case.decided_by, case.decided_at = actor, now
    case.save(update_fields=["status", "handover_case", "decided_by", "decided_at"])
    audit_record(
        actor=actor,
        action="leftover_case.carried",
        target=case,
        data={"customer_ref": case.customer_ref, "handover": handover_case.handover_id},
    )
    to_lead = handover_case.handover.to_lead
    _tell_agent(
        case,
        lambda: (
            _("Your case %(customer)s was handed to %(lead)s for the next shift.")
            % {"customer": case.customer_ref, "lead": to_lead.get_full_name() or to_lead.username}
        ),
    )
    return case


def check_decisions(decisions: Sequence[LeftoverDecision]) -> None:
    seen: set[int] = set()
    for index, row in enumerate(decisions):
        if row.get("decision") not in DECISIONS:
            raise DomainError(
                _("Decide each case your agents handed over: carry, reassign or close."),
                field=f"leftovers[{index}].decision",
            )
        if row["case"].pk in seen:
            raise DomainError(_("Decide each case once."), field=f"leftovers[{index}].case")
        seen.add(row["case"].pk)
