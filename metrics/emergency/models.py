"""Emergency plans (应急预案), their activations from the board and drills (应急演练).

Imported by `metrics.models` so Django registers them in the `metrics` app.

A plan is the library's text: when it applies, who does what, its ordered checklist, the
message to broadcast and the agents to move between queues. Starting it (for real or as a
drill) copies its steps into an `Activation`, so later edits of the plan never rewrite what was
done; each step keeps who ticked it and when. The activation's timeline is its audit trail.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from agents.roles import Role


class PlanTrigger(models.TextChoices):
    POWER_CUT = "power_cut", gettext_lazy("Power cut")
    NETWORK_FAILURE = "network_failure", gettext_lazy("Network failure")
    SYSTEM_FAILURE = "system_failure", gettext_lazy("System failure")
    NATURAL_DISASTER = "natural_disaster", gettext_lazy("Natural disaster")
    CALL_FLOOD = "call_flood", gettext_lazy("Flood of calls on one skill group")
    OTHER = "other", gettext_lazy("Other")


class MoveAction(models.TextChoices):
    ADD = "add", gettext_lazy("Add to the queue")
    REMOVE = "remove", gettext_lazy("Remove from the queue")


class ActivationStatus(models.TextChoices):
    SCHEDULED = "scheduled", gettext_lazy("Scheduled")
    LIVE = "live", gettext_lazy("Live")
    CLOSED = "closed", gettext_lazy("Closed")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class EmergencyPlan(models.Model):
    """One plan of the library. `teams` says whom it concerns (none: the whole site)."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    title = models.CharField(max_length=150, verbose_name=gettext_lazy("title"))
    trigger = models.CharField(
        max_length=20, choices=PlanTrigger.choices, verbose_name=gettext_lazy("trigger")
    )
    when = models.TextField(
        blank=True,
        verbose_name=gettext_lazy("when it applies"),
        help_text=gettext_lazy("What tells the supervisor on duty to start this plan."),
    )
    broadcast_text = models.CharField(
        max_length=400, verbose_name=gettext_lazy("message to broadcast")
    )
    teams = models.ManyToManyField(
        "agents.Team",
        blank=True,
        related_name="emergency_plans",
        verbose_name=gettext_lazy("teams concerned"),
        help_text=gettext_lazy("Leave empty when the plan concerns the whole site."),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("in use"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("updated by"),
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        verbose_name = gettext_lazy("emergency plan")
        verbose_name_plural = gettext_lazy("emergency plans")
        ordering = ["title", "id"]

    def __str__(self) -> str:
        return self.title


class PlanRole(models.Model):
    """Who does what in a plan: a role of the floor, or one named person."""

    plan = models.ForeignKey(
        EmergencyPlan,
        on_delete=models.CASCADE,
        related_name="roles",
        verbose_name=gettext_lazy("plan"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))
    duty = models.CharField(max_length=300, verbose_name=gettext_lazy("duty"))
    role = models.CharField(
        max_length=20, choices=Role.choices, blank=True, verbose_name=gettext_lazy("role")
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="emergency_duties",
        verbose_name=gettext_lazy("person"),
    )

    class Meta:
        verbose_name = gettext_lazy("plan role")
        verbose_name_plural = gettext_lazy("plan roles")
        ordering = ["plan", "position", "id"]

    def __str__(self) -> str:
        return self.duty


class PlanStep(models.Model):
    """One step of a plan's checklist; with an agent and a queue, a move to make."""

    plan = models.ForeignKey(
        EmergencyPlan,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=gettext_lazy("plan"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))
    text = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("step"))
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("agent to move"),
    )
    queue = models.ForeignKey(
        "metrics.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("queue"),
    )
    move = models.CharField(
        max_length=10, choices=MoveAction.choices, blank=True, verbose_name=gettext_lazy("move")
    )

    class Meta:
        verbose_name = gettext_lazy("plan step")
        verbose_name_plural = gettext_lazy("plan steps")
        ordering = ["plan", "position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(move="", agent__isnull=True, queue__isnull=True)
                    | (~models.Q(move="") & models.Q(agent__isnull=False, queue__isnull=False))
                ),
                name="planstep_move_complete",
            )
        ]

    def __str__(self) -> str:
        return self.text


class Activation(models.Model):
    """A plan started on the floor, for real or as a drill (a drill may be scheduled ahead)."""

    plan = models.ForeignKey(
        EmergencyPlan,
        on_delete=models.PROTECT,
        related_name="activations",
        verbose_name=gettext_lazy("plan"),
    )
    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    drill = models.BooleanField(default=False, verbose_name=gettext_lazy("drill"))
    status = models.CharField(
        max_length=10,
        choices=ActivationStatus.choices,
        default=ActivationStatus.LIVE,
        verbose_name=gettext_lazy("status"),
    )
    scheduled_for = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("scheduled for")
    )
    scheduled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("scheduled by"),
    )
    started_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("started at")
    )
    started_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("started by"),
    )
    broadcast = models.ForeignKey(
        "metrics.Broadcast",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("broadcast"),
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("closed by"),
    )
    after_action_note = models.TextField(blank=True, verbose_name=gettext_lazy("after-action note"))

    class Meta:
        verbose_name = gettext_lazy("plan activation")
        verbose_name_plural = gettext_lazy("plan activations")
        ordering = ["-started_at", "-scheduled_for", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["plan"],
                condition=models.Q(status="live"),
                name="activation_one_live_per_plan",
            )
        ]

    def __str__(self) -> str:
        return f"{self.plan} ({self.get_status_display()})"


class ActivationStep(models.Model):
    """A step of a started plan, copied from the plan at the start; ticked by someone."""

    activation = models.ForeignKey(
        Activation,
        on_delete=models.CASCADE,
        related_name="steps",
        verbose_name=gettext_lazy("activation"),
    )
    position = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("position"))
    text = models.CharField(max_length=300, verbose_name=gettext_lazy("step"))
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("agent to move"),
    )
    queue = models.ForeignKey(
        "metrics.Queue",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("queue"),
    )
    move = models.CharField(
        max_length=10, choices=MoveAction.choices, blank=True, verbose_name=gettext_lazy("move")
    )
    done_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("done at"))
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("done by"),
    )

    class Meta:
        verbose_name = gettext_lazy("activation step")
        verbose_name_plural = gettext_lazy("activation steps")
        ordering = ["activation", "position", "id"]

    def __str__(self) -> str:
        return self.text


class DrillAttendance(models.Model):
    """Someone who took part in a drill (marked by a supervisor, or by ticking a step)."""

    activation = models.ForeignKey(
        Activation,
        on_delete=models.CASCADE,
        related_name="attendance",
        verbose_name=gettext_lazy("drill"),
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("person"),
    )
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("marked by"),
    )
    marked_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("marked at"))

    class Meta:
        verbose_name = gettext_lazy("drill attendance")
        verbose_name_plural = gettext_lazy("drill attendance")
        ordering = ["activation", "marked_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["activation", "person"], name="drill_attendance_once")
        ]

    def __str__(self) -> str:
        return str(self.person)
