"""Who may see and work a complaint, and how much of the customer they see.

Customer details are shown in full to the case owner, supervisors and the lead of the case's
team; everyone else (other agents, QA analysts, administrators) sees them masked.
"""

import re

from django.db.models import Q, QuerySet

from agents.access import agent_of, has_role
from agents.roles import Role

# The roles that may look at the case queue and the reports (read-only for QA and admins).
QUEUE_ROLES = (Role.TEAM_LEAD, Role.SUPERVISOR, Role.QA_ANALYST, Role.ADMIN)
# The roles that log complaints and raise live escalations.
LOGGING_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.SUPERVISOR)
# The roles that take over a live escalation.
TAKEOVER_ROLES = (Role.TEAM_LEAD, Role.SUPERVISOR)

MASK = "•"


def visible_filter(user) -> Q | None:
    """The Q a user's visible complaints satisfy (None: all of them; Q(pk__in=[]): none)."""
    if not getattr(user, "is_authenticated", False):
        return Q(pk__in=[])
    if has_role(user, Role.SUPERVISOR, Role.QA_ANALYST, Role.ADMIN):
        return None
    own = Q(owner=user) | Q(created_by=user)
    agent = agent_of(user)
    if agent is not None:
        own |= Q(agent=agent)
    if has_role(user, Role.TEAM_LEAD):
        own |= Q(team__lead=user)
    if not has_role(user, Role.AGENT, Role.TEAM_LEAD):
        return Q(pk__in=[])
    return own


def filter_visible(qs: QuerySet, user) -> QuerySet:
    condition = visible_filter(user)
    return qs if condition is None else qs.filter(condition)


def leads_team_of(user, complaint) -> bool:
    return (
        has_role(user, Role.TEAM_LEAD)
        and complaint.team_id is not None
        and complaint.team.lead_id == user.pk
    )


def can_see(user, complaint) -> bool:
    condition = visible_filter(user)
    if condition is None:
        return True
    return type(complaint).objects.filter(condition, pk=complaint.pk).exists()


def can_work(user, complaint) -> bool:
    """The owner, any supervisor and the lead of the case's team act on an open case."""
    if not getattr(user, "is_authenticated", False):
        return False
    return (
        complaint.owner_id == user.pk
        or has_role(user, Role.SUPERVISOR)
        or leads_team_of(user, complaint)
    )


def can_reopen(user, complaint) -> bool:
    return complaint.owner_id == user.pk or has_role(user, Role.SUPERVISOR)


def can_add_note(user, complaint) -> bool:
    return can_work(user, complaint) or complaint.created_by_id == user.pk


def sees_customer(user, complaint) -> bool:
    return can_work(user, complaint)


def mask_contact(value: str) -> str:
    """`jane.doe@example.com` → `j•••@example.com`; `+44 20 7946 0958` → `+•• •• •••• •958`."""
    value = value.strip()
    if "@" in value:
        local, _, domain = value.partition("@")
        return f"{local[:1]}{MASK * 3}@{domain}"
    digits = sum(ch.isdigit() for ch in value)
    keep = min(3, max(digits - 4, 0))
    seen = 0
    out = []
    for ch in value:
        if ch.isdigit():
            seen += 1
            out.append(ch if seen > digits - keep else MASK)
        else:
            out.append(ch if not ch.isalpha() else MASK)
    return "".join(out)


def mask_name(value: str) -> str:
    """`Jane van Doe` → `J. v. D.`"""
    return " ".join(f"{part[0]}." for part in re.split(r"\s+", value.strip()) if part)


def customer_of(user, complaint) -> dict[str, str | bool]:
    """The customer's name and contact as this user may see them."""
    if sees_customer(user, complaint):
        return {
            "name": complaint.customer_name,
            "contact": complaint.customer_contact,
            "masked": False,
        }
    return {
        "name": mask_name(complaint.customer_name),
        "contact": mask_contact(complaint.customer_contact),
        "masked": True,
    }
