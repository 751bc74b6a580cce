"""Reads for handovers, schedules, swaps, leave and attendance."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth import get_user_model
from django.db.models import Q, QuerySet
from django.utils import timezone

from agents.access import has_role
from agents.models import AuditEntry
from agents.roles import Role
from scheduling.access import MANAGERS
from scheduling.models import CaseOutcome, Handover, HandoverCase

User = get_user_model()


def handover_visible_to(user) -> QuerySet[Handover]:
    qs = Handover.objects.select_related("author", "to_lead", "supervisor", "team")
    if has_role(user, *MANAGERS):
        return qs
    return qs.filter(Q(author=user) | Q(to_lead=user) | Q(supervisor=user))


def handover_lists_for(user) -> dict[str, list[Handover]]:
    visible = handover_visible_to(user)
    lists = {
        "to_me": list(visible.filter(to_lead=user)[:50]),
        "from_me": list(visible.filter(author=user)[:50]),
        "copied": list(visible.filter(supervisor=user)[:50]),
    }
    if has_role(user, *MANAGERS):
        lists["all"] = list(visible[:100])
    return lists


def handover_history(handover: Handover) -> QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=Handover._meta.label_lower, object_id=str(handover.pk)
    ).select_related("actor").order_by("at", "id")


def open_cases_visible_to(user, *, now: datetime | None = None) -> list[HandoverCase]:
    """Handed-over cases still open or not resolved (and not carried on), oldest first."""
    now = now or timezone.now()
    qs = (HandoverCase.objects
          .filter(outcome__in=[CaseOutcome.OPEN, CaseOutcome.NOT_RESOLVED],
                  carried_to__isnull=True)
          .filter(handover__in=handover_visible_to(user))
          .select_related("handover__author", "handover__to_lead", "source_agent")
          .order_by("opened_at", "id"))
    cases = list(qs)
    for case in cases:
        case.age = now - case.opened_at
    return cases


def carryable_cases_for(user) -> QuerySet[HandoverCase]:
    """Cases handed to this lead, marked not resolved, not carried into a handover yet."""
    return (HandoverCase.objects
            .filter(handover__to_lead=user, outcome=CaseOutcome.NOT_RESOLVED,
                    carried_to__isnull=True)
            .select_related("handover").order_by("opened_at"))


def team_leads() -> QuerySet:
    return User.objects.filter(groups__name=Role.TEAM_LEAD, is_active=True).order_by("username")


def supervisors() -> QuerySet:
    return User.objects.filter(groups__name=Role.SUPERVISOR, is_active=True).order_by("username")
