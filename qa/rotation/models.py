"""Reviewer rotation: agents take turns reviewing their peers' calls, with a light scorecard.

Peer reviews are feedback for the reviewed agent: nothing here is read by the official score
(`Evaluation.score`, its revisions) or the reports built on it.
"""

from __future__ import annotations

from datetime import date, timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

__all__ = [
    "PEER_ITEMS",
    "PEER_RATING_MAX",
    "PeerReview",
    "PeerReviewStatus",
    "RotationMethod",
    "RotationWeek",
]

# The peer scorecard: a few items rated 1–5 and a comment, the same for every review.
PEER_ITEMS = (
    ("listening", gettext_lazy("Listening")),
    ("clarity", gettext_lazy("Clear explanation")),
    ("solution", gettext_lazy("Solving the problem")),
    ("courtesy", gettext_lazy("Courtesy")),
)
PEER_RATING_MAX = 5


class RotationMethod(models.TextChoices):
    ROUND_ROBIN = "round_robin", gettext_lazy("Round robin")
    CHOSEN = "chosen", gettext_lazy("Chosen")


class RotationWeek(models.Model):
    """One agent's week as a reviewer of their peers."""

    reviewer = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="rotation_weeks",
        verbose_name=gettext_lazy("reviewer"),
    )
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("team"),
    )
    week_start = models.DateField(verbose_name=gettext_lazy("week starting"))
    method = models.CharField(
        max_length=12, choices=RotationMethod.choices, verbose_name=gettext_lazy("method")
    )
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("planned by"),
    )
    planned_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("planned at"))

    class Meta:
        verbose_name = gettext_lazy("rotation week")
        ordering = ["-week_start", "reviewer__display_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["reviewer", "week_start"], name="rotation_one_week_per_reviewer"
            )
        ]

    def __str__(self) -> str:
        return f"{self.reviewer} reviews, week of {self.week_start}"

    @property
    def week_end(self) -> date:
        return self.week_start + timedelta(days=6)


class PeerReviewStatus(models.TextChoices):
    ASSIGNED = "assigned", gettext_lazy("To review")
    SUBMITTED = "submitted", gettext_lazy("Submitted")


class PeerReview(models.Model):
    """A peer's review of one evaluated call: feedback for the agent, never part of a score."""

    week = models.ForeignKey(
        RotationWeek,
        on_delete=models.CASCADE,
        related_name="reviews",
        verbose_name=gettext_lazy("rotation week"),
    )
    evaluation = models.ForeignKey(
        "qa.Evaluation",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("evaluation"),
    )
    reviewed = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="peer_feedback",
        verbose_name=gettext_lazy("reviewed agent"),
    )
    status = models.CharField(
        max_length=10,
        choices=PeerReviewStatus.choices,
        default=PeerReviewStatus.ASSIGNED,
        verbose_name=gettext_lazy("status"),
    )
    # {item key: rating 1–5}, keys from PEER_ITEMS.
    ratings = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("ratings"))
    comment = models.TextField(blank=True, verbose_name=gettext_lazy("comment"))
    assigned_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("assigned at"))
    submitted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("submitted at")
    )

    class Meta:
        verbose_name = gettext_lazy("peer review")
        ordering = ["-assigned_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["week", "evaluation"], name="peer_review_once_a_week")
        ]

    def __str__(self) -> str:
        return f"Peer review #{self.pk} of {self.reviewed}"

    def rating_rows(self) -> list[tuple[str, str, int | None]]:
        """(key, label, rating) for each item of the peer scorecard."""
        return [(key, str(label), self.ratings.get(key)) for key, label in PEER_ITEMS]
