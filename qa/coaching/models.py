"""Coaching sessions and their agreed actions (imported by `qa.models`: app label `qa`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy

from callfloor.zone import site_zone

User = settings.AUTH_USER_MODEL

__all__ = [
    "ActionOutcome",
    "CoachingAction",
    "CoachingSession",
    "CoachingSource",
    "CoachingStatus",
]


class CoachingSource(models.TextChoices):
    OWN = "own", gettext_lazy("On its own")
    EVALUATION = "evaluation", gettext_lazy("An evaluation")
    APPEAL = "appeal", gettext_lazy("An appeal outcome")
    CALIBRATION = "calibration", gettext_lazy("A calibration result")


class CoachingStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Waiting for the agent")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
    FOLLOWED_UP = "followed_up", gettext_lazy("Followed up")


class CoachingSession(models.Model):
    """One coaching conversation between a coach and an agent.

    `criteria` are the evaluation items the session is about (their points and comments are
    read from the evaluation). Time-pinned moments of a recording can be linked the same way.
    """

    coach = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("coach")
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=gettext_lazy("agent"),
    )
    topic = models.CharField(max_length=200, verbose_name=gettext_lazy("topic"))
    notes = models.TextField(blank=True, verbose_name=gettext_lazy("notes"))
    held_at = models.DateTimeField(default=timezone.now, verbose_name=gettext_lazy("held at"))
    source = models.CharField(
        max_length=12,
        choices=CoachingSource.choices,
        default=CoachingSource.OWN,
        verbose_name=gettext_lazy("source"),
    )
    evaluation = models.ForeignKey(
        "qa.Evaluation",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=gettext_lazy("evaluation"),
    )
    appeal = models.ForeignKey(
        "qa.Appeal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=gettext_lazy("appeal"),
    )
    calibration = models.ForeignKey(
        "qa.CalibrationSession",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="coaching_sessions",
        verbose_name=gettext_lazy("calibration session"),
    )
    criteria = models.ManyToManyField(
        "qa.Criterion",
        blank=True,
        related_name="+",
        verbose_name=gettext_lazy("evaluation items"),
    )
    status = models.CharField(
        max_length=14,
        choices=CoachingStatus.choices,
        default=CoachingStatus.OPEN,
        verbose_name=gettext_lazy("status"),
    )
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("acknowledged at")
    )
    agent_comment = models.TextField(blank=True, verbose_name=gettext_lazy("agent comment"))
    followed_up_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("followed up at")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("coaching session")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"Coaching {self.pk}: {self.topic}"


class ActionOutcome(models.TextChoices):
    PENDING = "pending", gettext_lazy("Open")
    DONE = "done", gettext_lazy("Done")
    NOT_DONE = "not_done", gettext_lazy("Not done")


class CoachingAction(models.Model):
    """An action the coach and the agent agreed, with the date it is due and its outcome."""

    session = models.ForeignKey(
        CoachingSession,
        on_delete=models.CASCADE,
        related_name="actions",
        verbose_name=gettext_lazy("coaching session"),
    )
    text = models.CharField(max_length=300, verbose_name=gettext_lazy("agreed action"))
    due_on = models.DateField(verbose_name=gettext_lazy("due on"))
    outcome = models.CharField(
        max_length=10,
        choices=ActionOutcome.choices,
        default=ActionOutcome.PENDING,
        verbose_name=gettext_lazy("outcome"),
    )
    outcome_note = models.TextField(blank=True, verbose_name=gettext_lazy("outcome note"))
    outcome_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("outcome recorded at")
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))

    class Meta:
        verbose_name = gettext_lazy("coaching action")
        ordering = ["session", "position", "id"]

    def __str__(self) -> str:
        return self.text

    @property
    def is_open(self) -> bool:
        return self.outcome == ActionOutcome.PENDING

    @property
    def is_overdue(self) -> bool:
        return self.is_open and self.due_on < timezone.localdate(timezone=site_zone())
