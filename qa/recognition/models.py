"""Recognition beyond the QA score: agents nominate a colleague; leads confirm."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

__all__ = ["PeerNomination", "PeerNominationStatus"]


class PeerNominationStatus(models.TextChoices):
    NOMINATED = "nominated", gettext_lazy("Nominated")
    CONFIRMED = "confirmed", gettext_lazy("Confirmed")


class PeerNomination(models.Model):
    """An agent names a colleague for the month's recognition, with a reason."""

    nominee = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="peer_nominations",
        verbose_name=gettext_lazy("nominee"),
    )
    nominated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("nominated by"),
    )
    month = models.DateField(verbose_name=gettext_lazy("month"))  # its first day
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    status = models.CharField(
        max_length=10,
        choices=PeerNominationStatus.choices,
        default=PeerNominationStatus.NOMINATED,
        verbose_name=gettext_lazy("status"),
    )
    nominated_at = models.DateTimeField(
        auto_now_add=True, verbose_name=gettext_lazy("nominated at")
    )
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("confirmed by"),
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("confirmed at")
    )

    class Meta:
        verbose_name = gettext_lazy("peer nomination")
        ordering = ["-nominated_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["nominee", "nominated_by", "month"], name="peer_nomination_once_a_month"
            )
        ]

    def __str__(self) -> str:
        return f"Nomination of {self.nominee} ({self.month:%Y-%m})"
