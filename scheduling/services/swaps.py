"""Shift swaps: the rule checks, propose, accept, decline, cancel, approve, refuse, expire."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from callfloor.zone import site_zone
from scheduling import access, conf, rules
from scheduling.models import (
    OPEN_SWAP_STATUSES,
    Shift,
    SwapRequest,
    SwapStatus,
)
from scheduling.services.common import lead_of, local_text


def _skills(agent: Agent | None) -> frozenset[str] | None:
    if agent is None:
        return None
    return frozenset(agent.skills.values_list("queue__name", flat=True))


def _span(shift: Shift | None) -> rules.Span | None:
    """A shift in the site's zone, so that the rules' messages read in local time."""
    if shift is None:
        return None
    zone = site_zone()
    return rules.Span(timezone.localtime(shift.start, zone), timezone.localtime(shift.end, zone))


def swap_checks(
    swap: SwapRequest, *, now: datetime | None = None, colleague: Agent | None = None
) -> list[rules.RuleCheck]:
    """The swap rules for this swap as it stands (shown to all three, checked when the swap is
    proposed, accepted and approved). `colleague`: the agent who would take an offered shift."""
    now = now or timezone.now()
    colleague = colleague or swap.colleague
    swapped = [swap.requester_shift_id, swap.colleague_shift_id]
    # Shifts around the swapped ones: the rest rule looks two days out, the weekly hours rule at
    # the whole week of each swapped shift.
    margin = timedelta(days=8)

    def others(agent):
        if agent is None:
            return []
        window = Q(
            start__lt=swap.requester_shift.end + margin,
            end__gt=swap.requester_shift.start - margin,
        )
        if swap.colleague_shift:
            window |= Q(
                start__lt=swap.colleague_shift.end + margin,
                end__gt=swap.colleague_shift.start - margin,
            )
        return [
            _span(s)
            for s in Shift.objects.filter(agent=agent).filter(window).exclude(pk__in=swapped)
        ]

    return rules.swap_rules(
        now=now,
        requester=swap.requester.display_name,
        colleague=colleague.display_name if colleague else None,
        requester_shift=_span(swap.requester_shift),
        colleague_shift=_span(swap.colleague_shift),
        requester_skills=_skills(swap.requester),
        colleague_skills=_skills(colleague),
        requester_other_shifts=others(swap.requester),
        colleague_other_shifts=others(colleague),
        min_notice=conf.swap_min_notice(),
        min_rest=conf.min_rest(),
        max_weekly=conf.max_weekly_hours(),
    )


def _rules_met(checks: Sequence[rules.RuleCheck]) -> None:
    """Refuse a step of a swap that breaks a rule, saying which rule, in words."""
    failed = rules.failures(checks)
    if failed:
        raise DomainError(
            _("The swap breaks the rules: %(rules)s")
            % {"rules": " ".join(c.message for c in failed)},
            field="rules",
            code="rules_not_met",
        )


def _swap_link(swap: SwapRequest) -> str:
    return reverse("swap-detail", kwargs={"swap_id": swap.pk})


@transaction.atomic
def swap_propose(
    *,
    requester: Agent,
    shift: Shift,
    colleague: Agent | None = None,
    colleague_shift: Shift | None = None,
    note: str = "",
    now: datetime | None = None,
) -> SwapRequest:
    """Propose a swap to a named colleague, or (no colleague) offer the shift to any eligible."""
    now = now or timezone.now()
    if shift.agent_id != requester.pk:
        raise DomainError(_("Offer one of your own shifts."), field="shift")
    if shift.published_at is None:
        raise DomainError(_("This shift is not published yet."), field="shift")
    if shift.start <= now:
        raise DomainError(_("This shift has started already."), field="shift")
    if colleague is not None and colleague.pk == requester.pk:
        raise DomainError(_("Choose a colleague other than yourself."), field="colleague")
    if colleague_shift is not None:
        if colleague is None or colleague_shift.agent_id != colleague.pk:
            raise DomainError(
                _("The shift you ask for must be the colleague's."), field="colleague_shift"
            )
        if colleague_shift.start <= now:
            raise DomainError(
                _("The colleague's shift has started already."), field="colleague_shift"
            )
    if SwapRequest.objects.filter(requester_shift=shift, status__in=OPEN_SWAP_STATUSES).exists():
        raise DomainError(_("This shift is in an open swap already."), field="shift")
    # The rules as they stand now (an offer to anyone checks the notice; its taker's rules are
    # checked when they take it).
    _rules_met(
        swap_checks(
            SwapRequest(
                requester=requester,
                requester_shift=shift,
                colleague=colleague,
                colleague_shift=colleague_shift,
            ),
            now=now,
        )
    )
    swap = SwapRequest.objects.create(
        requester=requester,
        requester_shift=shift,
        colleague=colleague,
        colleague_shift=colleague_shift,
        note=note.strip()[:300],
        status=SwapStatus.PROPOSED if colleague else SwapStatus.OFFERED,
    )
    audit_record(
        actor=requester.user,
        action=f"swap.{swap.status}",
        target=swap,
        data={
            "shift": shift.pk,
            "colleague": colleague.pk if colleague else None,
            "colleague_shift": colleague_shift.pk if colleague_shift else None,
        },
    )
    link = _swap_link(swap)
    if colleague is not None:
        recipients = [colleague.user]

        def text():
            return _("%(name)s proposes a shift swap to you.") % {"name": requester.display_name}

    else:
        skills = _skills(requester)
        recipients = [
            a.user
            for a in Agent.objects.filter(active=True)
            .exclude(pk=requester.pk)
            .select_related("user")
            if _skills(a) == skills
        ]

        def text():
            return _("%(name)s offers a shift (%(start)s).") % {
                "name": requester.display_name,
                "start": local_text(shift.start),
            }

    transaction.on_commit(
        lambda: notify(recipients=recipients, kind="swap.proposed", link=link, text=text)
    )
    return swap


def _transition(swap: SwapRequest, old: Sequence[str], new: str, **values) -> None:
    updated = SwapRequest.objects.filter(pk=swap.pk, status__in=list(old)).update(
        status=new, **values
    )
    if not updated:
        swap.refresh_from_db()
        raise Conflict(
            _("The swap is %(display)s now.") % {"display": swap.get_status_display().lower()}
        )
    swap.refresh_from_db()


@transaction.atomic
def swap_accept(*, swap: SwapRequest, agent: Agent, now: datetime | None = None) -> SwapRequest:
    """The named colleague accepts, or any eligible colleague takes an offered shift."""
    now = now or timezone.now()
    if agent.pk == swap.requester_id:
        raise DomainError(
            _("You cannot accept your own swap."),
            field="swap",
            status_code=403,
            code="permission_denied",
        )
    if swap.status == SwapStatus.PROPOSED and swap.colleague_id != agent.pk:
        raise DomainError(
            _("This swap is proposed to someone else."), status_code=403, code="permission_denied"
        )
    if swap.status == SwapStatus.OFFERED and _skills(agent) != _skills(swap.requester):
        raise DomainError(_("You do not work the same queues as the shift needs."), field="swap")
    if swap.requester_shift.start <= now:
        raise DomainError(_("The shift has started already."), field="swap")
    if swap.status in (SwapStatus.PROPOSED, SwapStatus.OFFERED):
        _rules_met(swap_checks(swap, now=now, colleague=agent))
    _transition(
        swap,
        [SwapStatus.PROPOSED, SwapStatus.OFFERED],
        SwapStatus.ACCEPTED,
        colleague=agent,
        accepted_at=now,
    )
    audit_record(
        actor=agent.user, action="swap.accepted", target=swap, data={"colleague": agent.pk}
    )
    lead = lead_of(swap.requester)
    link = _swap_link(swap)
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, lead],
            kind="swap.accepted",
            link=link,
            text=(
                lambda: (
                    _(
                        "%(display_name)s accepted the swap with %(display_name2)s; "
                        "every rule is met."
                    )
                    % {
                        "display_name": agent.display_name,
                        "display_name2": swap.requester.display_name,
                    }
                )
            ),
        )
    )
    return swap


@transaction.atomic
def swap_decline(*, swap: SwapRequest, agent: Agent) -> SwapRequest:
    if swap.colleague_id != agent.pk or swap.status != SwapStatus.PROPOSED:
        raise DomainError(
            _("Only the named colleague declines a proposed swap."),
            status_code=403,
            code="permission_denied",
        )
    _transition(swap, [SwapStatus.PROPOSED], SwapStatus.DECLINED)
    audit_record(actor=agent.user, action="swap.declined", target=swap)
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user],
            kind="swap.declined",
            link=_swap_link(swap),
            text=lambda: (
                _("%(display_name)s declined your swap.") % {"display_name": agent.display_name}
            ),
        )
    )
    return swap


@transaction.atomic
def swap_cancel(*, swap: SwapRequest, agent: Agent) -> SwapRequest:
    if swap.requester_id != agent.pk:
        raise DomainError(
            _("Only the requester cancels a swap."), status_code=403, code="permission_denied"
        )
    _transition(swap, OPEN_SWAP_STATUSES, SwapStatus.CANCELLED)
    audit_record(actor=agent.user, action="swap.cancelled", target=swap)
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, actor: User, now: datetime | None = None) -> SwapRequest:
    """The team lead approves an accepted swap whose rules all pass; the shifts change hands."""
    now = now or timezone.now()
    if not access.can_decide_for_agent(actor, swap.requester):
        raise DomainError(
            _("Only the requester's team lead decides this swap."),
            status_code=403,
            code="permission_denied",
        )
    if swap.status != SwapStatus.ACCEPTED:
        raise Conflict(
            _("The swap is %(display)s; it cannot be approved.")
            % {"display": swap.get_status_display().lower()}
        )
    # Checked again: time passes and schedules change between acceptance and the decision.
    _rules_met(swap_checks(swap, now=now))
    _transition(swap, [SwapStatus.ACCEPTED], SwapStatus.APPROVED, decided_by=actor, decided_at=now)
    moved = Shift.objects.filter(pk=swap.requester_shift_id, agent=swap.requester).update(
        agent=swap.colleague
    )
    if swap.colleague_shift_id:
        moved += Shift.objects.filter(pk=swap.colleague_shift_id, agent=swap.colleague).update(
            agent=swap.requester
        )
    if moved != (2 if swap.colleague_shift_id else 1):
        raise Conflict(_("A shift of this swap changed hands meanwhile."))
    audit_record(
        actor=actor,
        action="swap.approved",
        target=swap,
        data={
            "requester_shift": swap.requester_shift_id,
            "colleague_shift": swap.colleague_shift_id,
        },
    )
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, swap.colleague.user],
            kind="swap.approved",
            link=_swap_link(swap),
            text=lambda: _("Your shift swap is approved; your schedule has changed."),
        )
    )
    return swap


@transaction.atomic
def swap_refuse(
    *, swap: SwapRequest, actor: User, reason: str, now: datetime | None = None
) -> SwapRequest:
    now = now or timezone.now()
    if not access.can_decide_for_agent(actor, swap.requester):
        raise DomainError(
            _("Only the requester's team lead decides this swap."),
            status_code=403,
            code="permission_denied",
        )
    if not reason.strip():
        raise DomainError(_("Give the reason for refusing."), field="reason")
    _transition(
        swap,
        [SwapStatus.ACCEPTED],
        SwapStatus.REFUSED,
        decided_by=actor,
        decided_at=now,
        decision_reason=reason.strip()[:300],
    )
    audit_record(actor=actor, action="swap.refused", target=swap, data={"reason": reason})
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, swap.colleague.user if swap.colleague else None],
            kind="swap.refused",
            link=_swap_link(swap),
            text=lambda: _("Your shift swap is refused: %(reason)s") % {"reason": reason},
        )
    )
    return swap


def swaps_expire(*, now: datetime | None = None) -> int:
    """Open swaps whose earlier shift has started expire (idempotent)."""
    now = now or timezone.now()
    expired = 0
    stale = SwapRequest.objects.filter(status__in=OPEN_SWAP_STATUSES).filter(
        Q(requester_shift__start__lte=now) | Q(colleague_shift__start__lte=now)
    )
    for swap in stale:
        with transaction.atomic():
            if SwapRequest.objects.filter(pk=swap.pk, status=swap.status).update(
                status=SwapStatus.EXPIRED
            ):
                audit_record(
                    actor=None, action="swap.expired", target=swap, data={"was": swap.status}
                )
                expired += 1
    return expired
