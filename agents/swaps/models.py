"""Temporary role swaps: an agent given QA analyst rights, an analyst given agent rights."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from agents.roles import Role


class RoleSwapStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    ACTIVE = "active", gettext_lazy("Active")
    ENDED = "ended", gettext_lazy("Ended")


class RoleSwap(models.Model):
    """For a period, an agent works with QA analyst rights and/or an analyst with agent rights.

    The rights come from this row, never from a change of group: `agents.access.roles_of` adds
    them only while the swap is active and its period covers the moment of the request.
    """

    agent_as_analyst = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("agent given QA analyst rights"),
    )
    analyst_as_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("QA analyst given agent rights"),
    )
    starts_at = models.DateTimeField(verbose_name=gettext_lazy("starts at"))
    ends_at = models.DateTimeField(verbose_name=gettext_lazy("ends at"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("reason"))
    status = models.CharField(
        max_length=10,
        choices=RoleSwapStatus.choices,
        default=RoleSwapStatus.SCHEDULED,
        verbose_name=gettext_lazy("status"),
    )
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("granted by"),
    )
    granted_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("granted at"))
    started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("started at")
    )
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("ended by"),
    )

    class Meta:
        verbose_name = gettext_lazy("role swap")
        ordering = ["-starts_at", "-id"]
        indexes = [models.Index(fields=["status", "ends_at"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gt=models.F("starts_at")), name="role_swap_ends_after_start"
            ),
            models.CheckConstraint(
                condition=Q(agent_as_analyst__isnull=False) | Q(analyst_as_agent__isnull=False),
                name="role_swap_names_someone",
            ),
        ]

    def __str__(self) -> str:
        return f"Role swap #{self.pk}"

    def people(self) -> list:
        return [u for u in (self.agent_as_analyst, self.analyst_as_agent) if u is not None]

    def granted_role(self, user) -> str | None:
        """The role this swap gives `user` (None when it gives them nothing)."""
        if user.pk == self.agent_as_analyst_id:
            return Role.QA_ANALYST
        if user.pk == self.analyst_as_agent_id:
            return Role.AGENT
        return None

    def in_force(self, at=None) -> bool:
        at = at or timezone.now()
        return self.status == RoleSwapStatus.ACTIVE and self.starts_at <= at < self.ends_at


def swapped_roles(user) -> frozenset[str]:
    """The roles active swaps give `user` right now: an expired swap gives nothing, whether or
    not the task that ends it has run yet."""
    now = timezone.now()
    rows = RoleSwap.objects.filter(
        Q(agent_as_analyst=user) | Q(analyst_as_agent=user),
        status=RoleSwapStatus.ACTIVE,
        starts_at__lte=now,
        ends_at__gt=now,
    ).values_list("agent_as_analyst_id", "analyst_as_agent_id")
    found: set[str] = set()
    for to_analyst, to_agent in rows:
        if to_analyst == user.pk:
            found.add(Role.QA_ANALYST)
        if to_agent == user.pk:
            found.add(Role.AGENT)
    return frozenset(found)
