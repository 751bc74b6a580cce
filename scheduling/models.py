"""Shift handovers between team leads, shifts with activities, swaps, leave and skills."""

from django.conf import settings
from django.db import models


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


class HandoverStatus(models.TextChoices):
    SENT = "sent", "Sent, awaiting acknowledgement"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CLOSED = "closed", "Closed (every case has an outcome)"


class Handover(models.Model):
    """What the outgoing team lead passes to a named lead of the next shift, supervisor copied.

    Editable by its author until the incoming lead acknowledges it; locked afterwards (later
    additions are `HandoverAddendum` rows).
    """

    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="handovers_written")
    to_lead = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                related_name="handovers_received")
    supervisor = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   related_name="handovers_copied")
    team = models.ForeignKey("agents.Team", null=True, blank=True, on_delete=models.SET_NULL,
                             related_name="handovers")
    shift_date = models.DateField()
    shift_name = models.CharField(max_length=60, help_text="e.g. early, late, night")
    summary = models.TextField()
    incidents = models.TextField(blank=True)
    notes = models.TextField("notes for the next shift", blank=True)
    status = models.CharField(max_length=20, choices=HandoverStatus.choices,
                              default=HandoverStatus.SENT, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    ack_due_at = models.DateTimeField()
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    overdue_alerted_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "ack_due_at"])]

    def __str__(self) -> str:
        return f"Handover {self.shift_date} {self.shift_name} to {self.to_lead}"

    @property
    def locked(self) -> bool:
        return self.status != HandoverStatus.SENT


class CaseOutcome(models.TextChoices):
    OPEN = "open", "Open"
    RESOLVED = "resolved", "Resolved"
    NOT_RESOLVED = "not_resolved", "Not resolved"


class HandoverCase(models.Model):
    """One open customer case handed to the next shift."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="cases")
    position = models.PositiveSmallIntegerField(default=0)
    customer_ref = models.CharField("customer reference", max_length=100)
    pending = models.TextField("what is pending")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.MEDIUM)
    next_action = models.TextField()
    owner = models.CharField(max_length=150, help_text="who owns the next action")
    source_agent = models.ForeignKey("agents.Agent", null=True, blank=True,
                                     on_delete=models.SET_NULL, related_name="handed_up_cases")
    carried_from = models.OneToOneField("self", null=True, blank=True, on_delete=models.SET_NULL,
                                        related_name="carried_to")
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=CaseOutcome.choices,
                               default=CaseOutcome.OPEN, db_index=True)
    outcome_note = models.TextField(blank=True, help_text="what was done / what remains")
    outcome_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                   on_delete=models.PROTECT, related_name="+")
    outcome_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(help_text="when the case was first handed over")

    class Meta:
        ordering = ["handover_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.customer_ref} ({self.get_severity_display()})"

    @property
    def needs_confirmation(self) -> bool:
        return self.severity == Severity.HIGH and self.confirmed_at is None


class HandoverAddendum(models.Model):
    """Text appended to a locked handover, shown marked as a later addition."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                               related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "handover addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.handover_id} by {self.author}"
