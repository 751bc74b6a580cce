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

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_written"
    )
    to_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_received"
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="handovers_copied"
    )
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="handovers"
    )
    shift_date = models.DateField()
    shift_name = models.CharField(max_length=60, help_text="e.g. early, late, night")
    summary = models.TextField()
    incidents = models.TextField(blank=True)
    notes = models.TextField("notes for the next shift", blank=True)
    status = models.CharField(
        max_length=20, choices=HandoverStatus.choices, default=HandoverStatus.SENT, db_index=True
    )
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
    source_agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handed_up_cases",
    )
    carried_from = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="carried_to"
    )
    confirmed_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(
        max_length=20, choices=CaseOutcome.choices, default=CaseOutcome.OPEN, db_index=True
    )
    outcome_note = models.TextField(blank=True, help_text="what was done / what remains")
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)
    opened_at = models.DateTimeField(help_text="when the case was first handed over")

    class Meta:
        ordering = ["handover_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.customer_ref} ({self.get_severity_display()})"


class HandoverAddendum(models.Model):
    """Text appended to a locked handover, shown marked as a later addition."""

    handover = models.ForeignKey(Handover, on_delete=models.CASCADE, related_name="addenda")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name_plural = "handover addenda"

    def __str__(self) -> str:
        return f"Addendum to {self.handover_id} by {self.author}"


# --- shifts, skills, swaps and leave ------------------------------------------------------------


class ActivityKind(models.TextChoices):
    ON_QUEUE = "on_queue", "On queue"
    BREAK = "break", "Break"
    LUNCH = "lunch", "Lunch"
    MEETING = "meeting", "Meeting"
    TRAINING = "training", "Training"
    COACHING = "coaching", "Coaching"


class Shift(models.Model):
    """An agent's working time; the time not covered by an activity is on queue."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="shifts")
    start = models.DateTimeField()
    end = models.DateTimeField()
    published_at = models.DateTimeField(
        null=True, blank=True, help_text="agents see published shifts only"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["start", "id"]
        indexes = [models.Index(fields=["agent", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="shift_ends_after_start"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} {self.start:%Y-%m-%d %H:%M}–{self.end:%H:%M}"


class ShiftActivity(models.Model):
    shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="activities")
    kind = models.CharField(max_length=20, choices=ActivityKind.choices)
    start = models.DateTimeField()
    end = models.DateTimeField()

    class Meta:
        ordering = ["start", "id"]
        verbose_name_plural = "shift activities"

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Skill(models.Model):
    """An agent may take calls of this queue."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="skills")
    queue = models.ForeignKey("metrics.Queue", on_delete=models.CASCADE, related_name="skilled")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["agent", "queue"], name="skill_once")]

    def __str__(self) -> str:
        return f"{self.agent} → {self.queue}"


class SwapStatus(models.TextChoices):
    PROPOSED = "proposed", "Proposed to a colleague"
    OFFERED = "offered", "Offered to any eligible colleague"
    ACCEPTED = "accepted", "Accepted, awaiting the team lead"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused by the team lead"
    DECLINED = "declined", "Declined by the colleague"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_SWAP_STATUSES = (SwapStatus.PROPOSED, SwapStatus.OFFERED, SwapStatus.ACCEPTED)


class SwapRequest(models.Model):
    """A swap of two shifts between two agents, or one shift given to a colleague."""

    requester = models.ForeignKey(
        "agents.Agent", on_delete=models.CASCADE, related_name="swaps_requested"
    )
    requester_shift = models.ForeignKey(Shift, on_delete=models.CASCADE, related_name="+")
    colleague = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="swaps_received",
    )
    colleague_shift = models.ForeignKey(
        Shift,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text="empty: a shift given away",
    )
    status = models.CharField(max_length=20, choices=SwapStatus.choices, db_index=True)
    note = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    accepted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Swap {self.pk} {self.requester} ↔ {self.colleague or 'anyone'} ({self.status})"


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", "Requested"
    APPROVED = "approved", "Approved"
    REFUSED = "refused", "Refused"
    CANCELLED = "cancelled", "Cancelled"


class LeaveRequest(models.Model):
    """Leave asked before the fact and approved by the agent's team lead."""

    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="leave")
    first_day = models.DateField()
    last_day = models.DateField()
    kind = models.CharField(max_length=40, default="annual")
    reason = models.CharField(max_length=300, blank=True)
    status = models.CharField(
        max_length=20, choices=LeaveStatus.choices, default=LeaveStatus.REQUESTED, db_index=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-first_day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="leave_days_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} leave {self.first_day}–{self.last_day} ({self.status})"


# --- briefings ----------------------------------------------------------------------------------


class BriefingKind(models.TextChoices):
    PRE = "pre", "Pre-shift"
    POST = "post", "Post-shift"


class Briefing(models.Model):
    """The minutes of a pre- or post-shift team meeting, kept for those who missed it."""

    team = models.ForeignKey("agents.Team", on_delete=models.CASCADE, related_name="briefings")
    kind = models.CharField(max_length=10, choices=BriefingKind.choices)
    held_at = models.DateTimeField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agenda = models.TextField()
    minutes = models.TextField()
    attendees = models.ManyToManyField(
        "agents.Agent", blank=True, related_name="briefings_attended"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} briefing {self.team} {self.held_at:%Y-%m-%d %H:%M}"


class BriefingRead(models.Model):
    briefing = models.ForeignKey(Briefing, on_delete=models.CASCADE, related_name="reads")
    agent = models.ForeignKey("agents.Agent", on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["briefing", "agent"], name="briefing_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.agent} read {self.briefing_id}"
