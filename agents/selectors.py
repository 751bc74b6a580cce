"""Reads for people and teams."""

from dataclasses import dataclass, field

from django.db.models import QuerySet

from agents.access import readable_agents_q
from agents.models import Agent, Notification, Team, UserPreferences


def agent_list_visible_to(user) -> QuerySet[Agent]:
    """QA analysts, supervisors and admins see every agent; a team lead their teams' agents
    (every agent when the site allows it); an agent only themself."""
    qs = Agent.objects.select_related("team", "user").prefetch_related("aliases")
    condition = readable_agents_q(user)
    return qs if condition is None else qs.filter(condition)


def user_extension(user) -> str:
    """The phone `user` registered to listen in from ("" when none)."""
    found = UserPreferences.objects.filter(user_id=user.pk).values_list("extension", flat=True)
    return found.first() or ""


def team_list() -> QuerySet[Team]:
    return Team.objects.select_related("lead")


@dataclass
class NotificationThread:
    """The messages about one thing (an appeal, a handover …), newest first."""

    latest: Notification
    earlier: list[Notification] = field(default_factory=list)

    @property
    def unread(self) -> int:
        return sum(1 for n in [self.latest, *self.earlier] if n.read_at is None)


def notification_threads(user, *, limit: int = 200) -> list[NotificationThread]:
    """The inbox grouped by the thing each message is about (its link), the thread with the
    newest message first; a message without a link stands alone."""
    threads: dict[str, NotificationThread] = {}
    for notification in Notification.objects.filter(recipient=user).order_by("-created_at", "-id")[
        :limit
    ]:
        key = notification.link or f"#{notification.pk}"
        if key in threads:
            threads[key].earlier.append(notification)
        else:
            threads[key] = NotificationThread(latest=notification)
    return list(threads.values())
