"""Peer nominations for the monthly recognition: nominate a colleague, a lead confirms."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.access import agent_of, has_role
from agents.models import Agent
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from callfloor.zone import site_zone
from qa.recognition import access
from qa.recognition.models import PeerNomination, PeerNominationStatus

User = get_user_model()


def this_month() -> date:
    return timezone.localtime(timezone.now(), site_zone()).date().replace(day=1)


@transaction.atomic
def peer_nomination_create(*, user: User, nominee: Agent, reason: str) -> PeerNomination:
    """An agent names a colleague for this month's recognition; the colleague's lead is told."""
    own = agent_of(user)
    if own is None or not has_role(user, Role.AGENT):
        raise DomainError(_("Only agents nominate colleagues."), code="forbidden", status_code=403)
    if own.pk == nominee.pk:
        raise DomainError(_("Nominate a colleague, not yourself."), field="nominee")
    if not nominee.active:
        raise DomainError(_("This agent is not active."), field="nominee")
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say why your colleague deserves it."), field="reason")
    month = this_month()
    try:
        with transaction.atomic():
            nomination = PeerNomination.objects.create(
                nominee=nominee, nominated_by=user, month=month, reason=reason
            )
    except IntegrityError:
        raise Conflict(_("You nominated this colleague this month already.")) from None
    audit_record(
        actor=user,
        action="peer_nomination.created",
        target=nomination,
        data={"nominee": nominee.display_name, "month": month.isoformat()},
    )
    lead = nominee.team.lead if nominee.team else None
    notify(
        recipients=[lead] if lead else User.objects.filter(groups__name=Role.SUPERVISOR),
        text=lambda: (
            _("%(agent)s was nominated by a colleague: confirm it on the recognition page.")
            % {"agent": nominee.display_name}
        ),
        link=reverse("qa-recognition"),
        kind="qa.recognition",
    )
    return nomination


@transaction.atomic
def peer_nomination_confirm(*, actor: User, nomination: PeerNomination) -> PeerNomination:
    """The nominee's team lead (or a supervisor) confirms the nomination; the nominee is told."""
    if not access.can_confirm(actor, nomination):
        raise DomainError(_("You may not do this."), code="forbidden", status_code=403)
    changed = PeerNomination.objects.filter(
        pk=nomination.pk, status=PeerNominationStatus.NOMINATED
    ).update(status=PeerNominationStatus.CONFIRMED, confirmed_by=actor, confirmed_at=timezone.now())
    if not changed:
        raise Conflict(_("This nomination is confirmed already."))
    nomination.refresh_from_db()
    audit_record(
        actor=actor,
        action="peer_nomination.confirmed",
        target=nomination,
        data={"nominee": nomination.nominee.display_name},
    )
    notify(
        recipients=[nomination.nominee.user],
        text=lambda: _("A colleague nominated you for this month's recognition."),
        link=reverse("qa-recognition"),
        kind="qa.recognition",
    )
    return nomination
