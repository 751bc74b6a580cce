"""The live state of an AMI source's connection (written by its follower, read by the board)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class AmiLinkState(models.TextChoices):
    CONNECTING = "connecting", _("connecting")
    CONNECTED = "connected", _("connected")
    DOWN = "down", _("down")


class AmiLink(models.Model):
    """Where the follower of an AMI source stands: connected, trying again, or down and why."""

    source = models.OneToOneField(
        "metrics.TelephonySource",
        on_delete=models.CASCADE,
        related_name="ami_link",
        verbose_name=_("source"),
    )
    state = models.CharField(
        max_length=12,
        choices=AmiLinkState.choices,
        default=AmiLinkState.DOWN,
        verbose_name=_("state"),
    )
    # Since when the state holds; the reason of the last failure (never the secret).
    since = models.DateTimeField(verbose_name=_("since"))
    message = models.CharField(max_length=300, blank=True, verbose_name=_("message"))
    # Connection attempts that failed in a row (the back-off grows with them).
    failures = models.PositiveIntegerField(default=0, verbose_name=_("failures"))
    # The follower's last sign of life (a heartbeat or an event): a follower that died without
    # saying so leaves a "connected" row that grows old.
    seen_at = models.DateTimeField(null=True, blank=True, verbose_name=_("seen at"))

    class Meta:
        verbose_name = _("AMI connection")

    def __str__(self) -> str:
        return f"{self.source_id}: {self.state}"
