"""Coaching reads: the sessions a person may see, the open actions on the agent's and the team
lead's pages, and the figures of the agent and team reports."""

from __future__ import annotations

from django.db.models import Count, Q
from django.utils import timezone

from agents.access import readable_agents_q, teams_led_by
from callfloor.zone import site_zone
from qa.models import ActionOutcome, CoachingAction, CoachingSession


def sessions_visible_to(user):
    """The sessions `user` coached, and those of the agents they read."""
    sessions = CoachingSession.objects.select_related("agent", "coach").annotate(
        open_actions=Count("actions", filter=Q(actions__outcome=ActionOutcome.PENDING))
    )
    readable = readable_agents_q(user, prefix="agent__")
    if readable is None:
        return sessions
    return sessions.filter(readable | Q(coach=user))


def open_actions_for_agent(agent):
    if agent is None:
        return CoachingAction.objects.none()
    return (
        CoachingAction.objects.filter(session__agent=agent, outcome=ActionOutcome.PENDING)
        .select_related("session")
        .order_by("due_on", "id")
    )


def open_actions_for_lead(user):
    """The open actions of the agents in the teams `user` leads, soonest due first."""
    return (
        CoachingAction.objects.filter(
            session__agent__team__in=teams_led_by(user), outcome=ActionOutcome.PENDING
        )
        .select_related("session__agent")
        .order_by("due_on", "id")
    )


def _empty() -> dict:
    return {
        "coaching_sessions": 0,
        "coaching_actions_done": 0,
        "coaching_actions_not_done": 0,
        "coaching_actions_overdue": 0,
    }


def agent_report_coaching(*, agents, start, end) -> dict:
    """The report's coaching columns per agent (and under None, for all `agents`): sessions held
    in [start, end), actions followed up in it as done or not done, and actions due in it that
    were still open at its end (overdue)."""
    agent_ids = [a.pk for a in agents]
    figures: dict = {pk: _empty() for pk in agent_ids}
    figures[None] = _empty()

    def add(agent_id, key, n=1):
        figures[agent_id][key] += n
        figures[None][key] += n

    held = (
        CoachingSession.objects.filter(agent_id__in=agent_ids, held_at__gte=start, held_at__lt=end)
        .values("agent")
        .annotate(n=Count("id"))
    )
    for row in held:
        add(row["agent"], "coaching_sessions", row["n"])
    followed = CoachingAction.objects.filter(
        session__agent_id__in=agent_ids, outcome_at__gte=start, outcome_at__lt=end
    ).values_list("session__agent", "outcome")
    for agent_id, outcome in followed:
        add(agent_id, f"coaching_actions_{outcome}")
    zone = site_zone()
    last = min(end.astimezone(zone).date(), timezone.localdate(timezone=zone))
    overdue = CoachingAction.objects.filter(
        session__agent_id__in=agent_ids,
        due_on__gte=start.astimezone(zone).date(),
        due_on__lt=last,
    ).filter(Q(outcome=ActionOutcome.PENDING) | Q(outcome_at__gte=end))
    for agent_id in overdue.values_list("session__agent", flat=True):
        add(agent_id, "coaching_actions_overdue")
    return figures
