"""The board's own settings: unattended wall displays and the site's alert thresholds.

Imported by `metrics.models` so Django registers them in the `metrics` app.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class DisplayLayout(models.TextChoices):
    FULL = "full", _("Queues, agents and alerts")
    QUEUES = "queues", _("Queue tiles and alerts only")
    AGENTS = "agents", _("Agents and alerts only")


class Display(models.Model):
    """A wall TV that shows one read-only board without anyone's login.

    It opens `/display/<token>/`; only the SHA-256 of the token is kept (the link is shown
    once, when the display is registered). A display shows its site's floor cut to its team or
    queue (the whole site when neither is set), with callers masked. Revoked displays are kept
    (their audit rows point at them) and never shown again.
    """

    name = models.CharField(_("name"), max_length=100)
    site = models.SlugField(_("site"), max_length=50, default="main")
    team = models.ForeignKey(
        "agents.Team",
        verbose_name=_("team"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="displays",
    )
    queue = models.ForeignKey(
        "metrics.Queue",
        verbose_name=_("queue"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="displays",
    )
    language = models.CharField(_("language"), max_length=15, default="en")
    layout = models.CharField(
        _("layout"), max_length=10, choices=DisplayLayout.choices, default=DisplayLayout.FULL
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_seen_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(team__isnull=True) | models.Q(queue__isnull=True),
                name="display_team_or_queue",
            )
        ]

    def __str__(self) -> str:
        return self.name


class FloorSettings(models.Model):
    """A site's alert thresholds of the board (empty: the server's `CALLFLOOR_FLOOR_BANDS`).

    Long call and long wrap-up are the red marks (amber at 80 %); `break_allowances` maps a
    not-ready reason (or `*`, any other) to its allowance in seconds, past which a break
    overruns. `team_leads_edit_queues` lets a team lead change the service-level settings of
    the queues their teams work, from the board.
    """

    site = models.SlugField(max_length=50, unique=True)
    long_call_s = models.PositiveIntegerField(_("long call (s)"), null=True, blank=True)
    long_wrap_up_s = models.PositiveIntegerField(_("long wrap-up (s)"), null=True, blank=True)
    break_allowances = models.JSONField(_("break allowances (s)"), default=dict, blank=True)
    team_leads_edit_queues = models.BooleanField(
        _("team leads may change their queues' settings"), default=False
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name_plural = "floor settings"

    def __str__(self) -> str:
        return self.site
