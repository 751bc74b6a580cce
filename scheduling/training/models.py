"""Training courses, sessions, materials, invitations and attendance (imported by
`scheduling.models`: app label `scheduling`)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

User = settings.AUTH_USER_MODEL

__all__ = [
    "AttendanceHow",
    "TrainingAttendance",
    "TrainingCourse",
    "TrainingInvite",
    "TrainingKind",
    "TrainingMaterial",
    "TrainingSession",
]


class TrainingKind(models.TextChoices):
    NEW_BUSINESS = "new_business", gettext_lazy("New business")
    ON_THE_JOB = "on_the_job", gettext_lazy("On-the-job training")
    OTHER = "other", gettext_lazy("Other training")


class TrainingCourse(models.Model):
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    kind = models.CharField(
        max_length=14,
        choices=TrainingKind.choices,
        default=TrainingKind.OTHER,
        verbose_name=gettext_lazy("kind"),
    )
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="training_courses",
        help_text=gettext_lazy("The team the training is assigned to."),
        verbose_name=gettext_lazy("team"),
    )
    due_by = models.DateField(
        null=True,
        blank=True,
        help_text=gettext_lazy("The team's agents attend a session before this date."),
        verbose_name=gettext_lazy("due by"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("training course")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class TrainingSession(models.Model):
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.CASCADE,
        related_name="sessions",
        verbose_name=gettext_lazy("training course"),
    )
    starts_at = models.DateTimeField(verbose_name=gettext_lazy("starts at"))
    ends_at = models.DateTimeField(verbose_name=gettext_lazy("ends at"))
    place = models.CharField(max_length=200, blank=True, verbose_name=gettext_lazy("place"))
    link = models.URLField(blank=True, verbose_name=gettext_lazy("link"))
    trainer = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("trainer"),
    )

    class Meta:
        verbose_name = gettext_lazy("training session")
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.course} {self.starts_at:%Y-%m-%d %H:%M}"


class TrainingMaterial(models.Model):
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.CASCADE,
        related_name="materials",
        verbose_name=gettext_lazy("training course"),
    )
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    url = models.URLField(max_length=500, verbose_name=gettext_lazy("link"))
    added_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("added by")
    )
    added_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("added at"))

    class Meta:
        verbose_name = gettext_lazy("training material")
        ordering = ["course", "id"]

    def __str__(self) -> str:
        return self.title


class TrainingInvite(models.Model):
    course = models.ForeignKey(
        TrainingCourse,
        on_delete=models.CASCADE,
        related_name="invites",
        verbose_name=gettext_lazy("training course"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="training_invites",
        verbose_name=gettext_lazy("agent"),
    )
    invited_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("invited by")
    )
    invited_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("invited at"))

    class Meta:
        verbose_name = gettext_lazy("training invitation")
        ordering = ["course", "agent__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["course", "agent"], name="training_invite_once")
        ]

    def __str__(self) -> str:
        return f"{self.agent} invited to {self.course}"


class AttendanceHow(models.TextChoices):
    CHECK_IN = "check_in", gettext_lazy("Checked in")
    MARKED = "marked", gettext_lazy("Marked by the lead or trainer")


class TrainingAttendance(models.Model):
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=gettext_lazy("training session"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="training_attendance",
        verbose_name=gettext_lazy("agent"),
    )
    present = models.BooleanField(default=True, verbose_name=gettext_lazy("present"))
    how = models.CharField(
        max_length=10, choices=AttendanceHow.choices, verbose_name=gettext_lazy("how")
    )
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("recorded by")
    )
    recorded_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("recorded at"))

    class Meta:
        verbose_name = gettext_lazy("training attendance")
        ordering = ["session", "agent__display_name"]
        constraints = [
            models.UniqueConstraint(fields=["session", "agent"], name="training_attendance_once")
        ]

    def __str__(self) -> str:
        return f"{self.agent} at {self.session}"
