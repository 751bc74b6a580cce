"""Shift handovers between team leads, shifts with activities, swaps, leave and skills."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class Severity(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    MEDIUM = "medium", gettext_lazy("Medium")
    HIGH = "high", gettext_lazy("High")


class HandoverStatus(models.TextChoices):
    SENT = "sent", gettext_lazy("Sent, awaiting acknowledgement")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
    CLOSED = "closed", gettext_lazy("Closed (every case has an outcome)")


class Handover(models.Model):
    """What the outgoing team lead passes to a named lead of the next shift, supervisor copied.

    Fixed once sent: its text never changes. Corrections and later additions are
    `HandoverAddendum` rows, shown to the incoming lead as such; the acknowledgement covers
    the addenda sent before it.
    """

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers_written",
        verbose_name=gettext_lazy("author"),
    )
    to_lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers_received",
        verbose_name=gettext_lazy("to lead"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="handovers_copied",
        verbose_name=gettext_lazy("supervisor"),
    )
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handovers",
        verbose_name=gettext_lazy("team"),
    )
    shift_date = models.DateField(verbose_name=gettext_lazy("shift date"))
    shift_name = models.CharField(
        max_length=60,
        help_text=gettext_lazy("e.g. early, late, night"),
        verbose_name=gettext_lazy("shift name"),
    )
    summary = models.TextField(verbose_name=gettext_lazy("summary"))
    incidents = models.TextField(blank=True, verbose_name=gettext_lazy("incidents"))
    notes = models.TextField("notes for the next shift", blank=True)
    status = models.CharField(
        max_length=20,
        choices=HandoverStatus.choices,
        default=HandoverStatus.SENT,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    ack_due_at = models.DateTimeField(verbose_name=gettext_lazy("ack due at"))
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("acknowledged at")
    )
    overdue_alerted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("overdue alerted at")
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))

    class Meta:
        verbose_name = gettext_lazy("handover")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "ack_due_at"])]

    def __str__(self) -> str:
        return f"Handover {self.shift_date} {self.shift_name} to {self.to_lead}"

    @property
    def locked(self) -> bool:
        return self.status != HandoverStatus.SENT


class CaseOutcome(models.TextChoices):
    OPEN = "open", gettext_lazy("Open")
    RESOLVED = "resolved", gettext_lazy("Resolved")
    NOT_RESOLVED = "not_resolved", gettext_lazy("Not resolved")


class HandoverCase(models.Model):
    """One open customer case handed to the next shift."""

    handover = models.ForeignKey(
        Handover,
        on_delete=models.CASCADE,
        related_name="cases",
        verbose_name=gettext_lazy("handover"),
    )
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))
    customer_ref = models.CharField("customer reference", max_length=100)
    pending = models.TextField("what is pending")
    severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        default=Severity.MEDIUM,
        verbose_name=gettext_lazy("severity"),
    )
    next_action = models.TextField(verbose_name=gettext_lazy("next action"))
    owner = models.CharField(
        max_length=150,
        help_text=gettext_lazy("who owns the next action"),
        verbose_name=gettext_lazy("owner"),
    )
    source_agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="handed_up_cases",
        verbose_name=gettext_lazy("source agent"),
    )
    carried_from = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="carried_to",
        verbose_name=gettext_lazy("carried from"),
    )
    confirmed_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("confirmed at")
    )
    outcome = models.CharField(
        max_length=20,
        choices=CaseOutcome.choices,
        default=CaseOutcome.OPEN,
        db_index=True,
        verbose_name=gettext_lazy("outcome"),
    )
    outcome_note = models.TextField(
        blank=True,
        help_text=gettext_lazy("what was done / what remains"),
        verbose_name=gettext_lazy("outcome note"),
    )
    outcome_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("outcome by"),
    )
    outcome_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("outcome at")
    )
    opened_at = models.DateTimeField(
        help_text=gettext_lazy("when the case was first handed over"),
        verbose_name=gettext_lazy("opened at"),
    )
    promised = models.TextField(
        blank=True,
        help_text=gettext_lazy("what the customer was promised"),
        verbose_name=gettext_lazy("promised"),
    )
    due_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("by when the promise is due"),
        verbose_name=gettext_lazy("due at"),
    )

    class Meta:
        verbose_name = gettext_lazy("handover case")
        ordering = ["handover_id", "position", "id"]

    def __str__(self) -> str:
        return f"{self.customer_ref} ({self.get_severity_display()})"


class HandoverAddendum(models.Model):
    """A correction or addition appended to a sent handover, shown marked as such.

    `acknowledged_at` is set when the incoming lead acknowledges the handover (for the
    addenda sent before that) or acknowledges the addendum itself (for those sent after).
    """

    handover = models.ForeignKey(
        Handover,
        on_delete=models.CASCADE,
        related_name="addenda",
        verbose_name=gettext_lazy("handover"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("author"),
    )
    text = models.TextField(verbose_name=gettext_lazy("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("acknowledged at")
    )
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("acknowledged by"),
    )

    class Meta:
        verbose_name = gettext_lazy("handover addendum")
        ordering = ["created_at", "id"]
        verbose_name_plural = gettext_lazy("handover addenda")

    def __str__(self) -> str:
        return f"Addendum to {self.handover_id} by {self.author}"


class LeftoverStatus(models.TextChoices):
    SUBMITTED = "submitted", gettext_lazy("Handed to the team lead, awaiting a decision")
    CARRIED = "carried", gettext_lazy("Carried into a handover")
    REASSIGNED = "reassigned", gettext_lazy("Reassigned to a colleague")
    CLOSED = "closed", gettext_lazy("Closed by the team lead")


class LeftoverCase(models.Model):
    """An unfinished customer case an agent hands to their team lead at the end of a shift.

    The lead decides in the next handover: carry it to the next shift (it becomes a
    `HandoverCase`), reassign it to a colleague, or close it.
    """

    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="leftover_cases",
        verbose_name=gettext_lazy("agent"),
    )
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leftover_cases",
        verbose_name=gettext_lazy("team"),
    )
    customer_ref = models.CharField(max_length=100, verbose_name=gettext_lazy("customer"))
    pending = models.TextField(verbose_name=gettext_lazy("what is open"))
    promised = models.TextField(verbose_name=gettext_lazy("what was promised"))
    due_at = models.DateTimeField(verbose_name=gettext_lazy("by when"))
    severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        default=Severity.MEDIUM,
        verbose_name=gettext_lazy("severity"),
    )
    status = models.CharField(
        max_length=20,
        choices=LeftoverStatus.choices,
        default=LeftoverStatus.SUBMITTED,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    submitted_at = models.DateTimeField(
        auto_now_add=True, verbose_name=gettext_lazy("submitted at")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("decided by"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decision_note = models.TextField(blank=True, verbose_name=gettext_lazy("decision note"))
    handover_case = models.OneToOneField(
        HandoverCase,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="leftover",
        verbose_name=gettext_lazy("handover case"),
    )
    reassigned_to = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="leftover_cases_given",
        verbose_name=gettext_lazy("reassigned to"),
    )

    class Meta:
        verbose_name = gettext_lazy("leftover case")
        ordering = ["submitted_at", "id"]

    def __str__(self) -> str:
        return f"{self.customer_ref} from {self.agent} ({self.status})"


# --- shifts, skills, swaps and leave ------------------------------------------------------------


class ActivityKind(models.TextChoices):
    ON_QUEUE = "on_queue", gettext_lazy("On queue")
    BREAK = "break", gettext_lazy("Break")
    LUNCH = "lunch", gettext_lazy("Lunch")
    MEETING = "meeting", gettext_lazy("Meeting")
    TRAINING = "training", gettext_lazy("Training")
    COACHING = "coaching", gettext_lazy("Coaching")


class Shift(models.Model):
    """An agent's working time; the time not covered by an activity is on queue."""

    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="shifts",
        verbose_name=gettext_lazy("agent"),
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    end = models.DateTimeField(verbose_name=gettext_lazy("end"))
    published_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=gettext_lazy("agents see published shifts only"),
        verbose_name=gettext_lazy("published at"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("shift")
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
    shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        related_name="activities",
        verbose_name=gettext_lazy("shift"),
    )
    kind = models.CharField(
        max_length=20, choices=ActivityKind.choices, verbose_name=gettext_lazy("kind")
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    end = models.DateTimeField(verbose_name=gettext_lazy("end"))

    class Meta:
        verbose_name = gettext_lazy("shift activity")
        ordering = ["start", "id"]
        verbose_name_plural = gettext_lazy("shift activities")

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.start:%H:%M}–{self.end:%H:%M}"


class Skill(models.Model):
    """An agent may take calls of this queue."""

    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="skills",
        verbose_name=gettext_lazy("agent"),
    )
    queue = models.ForeignKey(
        "metrics.Queue",
        on_delete=models.CASCADE,
        related_name="skilled",
        verbose_name=gettext_lazy("queue"),
    )

    class Meta:
        verbose_name = gettext_lazy("skill")
        constraints = [models.UniqueConstraint(fields=["agent", "queue"], name="skill_once")]

    def __str__(self) -> str:
        return f"{self.agent} → {self.queue}"


class SwapStatus(models.TextChoices):
    PROPOSED = "proposed", gettext_lazy("Proposed to a colleague")
    OFFERED = "offered", gettext_lazy("Offered to any eligible colleague")
    ACCEPTED = "accepted", gettext_lazy("Accepted, awaiting the team lead")
    APPROVED = "approved", gettext_lazy("Approved")
    REFUSED = "refused", gettext_lazy("Refused by the team lead")
    DECLINED = "declined", gettext_lazy("Declined by the colleague")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")
    EXPIRED = "expired", gettext_lazy("Expired")


OPEN_SWAP_STATUSES = (SwapStatus.PROPOSED, SwapStatus.OFFERED, SwapStatus.ACCEPTED)


class SwapRequest(models.Model):
    """A swap of two shifts between two agents, or one shift given to a colleague."""

    requester = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="swaps_requested",
        verbose_name=gettext_lazy("requester"),
    )
    requester_shift = models.ForeignKey(
        Shift,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=gettext_lazy("requester shift"),
    )
    colleague = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="swaps_received",
        verbose_name=gettext_lazy("colleague"),
    )
    colleague_shift = models.ForeignKey(
        Shift,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        help_text=gettext_lazy("empty: a shift given away"),
        verbose_name=gettext_lazy("colleague shift"),
    )
    status = models.CharField(
        max_length=20,
        choices=SwapStatus.choices,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("note"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    accepted_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("accepted at")
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("decided by"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decision_reason = models.CharField(
        max_length=300, blank=True, verbose_name=gettext_lazy("decision reason")
    )

    class Meta:
        verbose_name = gettext_lazy("swap request")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Swap {self.pk} {self.requester} ↔ {self.colleague or 'anyone'} ({self.status})"


class LeaveStatus(models.TextChoices):
    REQUESTED = "requested", gettext_lazy("Requested")
    APPROVED = "approved", gettext_lazy("Approved")
    REFUSED = "refused", gettext_lazy("Refused")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


# The kinds of leave the form offers (the field keeps the code; other codes read as they are).
LEAVE_KINDS = {
    "annual": gettext_lazy("annual leave"),
    "personal": gettext_lazy("personal leave"),
    "sick": gettext_lazy("sick leave"),
    "training": gettext_lazy("training"),
    "other": gettext_lazy("other"),
}


class LeaveRequest(models.Model):
    """Leave asked before the fact and approved by the agent's team lead."""

    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="leave",
        verbose_name=gettext_lazy("agent"),
    )
    first_day = models.DateField(verbose_name=gettext_lazy("first day"))
    last_day = models.DateField(verbose_name=gettext_lazy("last day"))
    kind = models.CharField(max_length=40, default="annual", verbose_name=gettext_lazy("kind"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("reason"))
    status = models.CharField(
        max_length=20,
        choices=LeaveStatus.choices,
        default=LeaveStatus.REQUESTED,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("decided by"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    decision_reason = models.CharField(
        max_length=300, blank=True, verbose_name=gettext_lazy("decision reason")
    )

    class Meta:
        verbose_name = gettext_lazy("leave request")
        ordering = ["-first_day", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(last_day__gte=models.F("first_day")), name="leave_days_in_order"
            )
        ]

    def __str__(self) -> str:
        return f"{self.agent} leave {self.first_day}–{self.last_day} ({self.status})"

    @property
    def kind_label(self) -> str:
        return str(LEAVE_KINDS.get(self.kind, self.kind))


# --- briefings ----------------------------------------------------------------------------------


class BriefingKind(models.TextChoices):
    PRE = "pre", gettext_lazy("Pre-shift")
    POST = "post", gettext_lazy("Post-shift")


class Briefing(models.Model):
    """The minutes of a pre- or post-shift team meeting, kept for those who missed it."""

    team = models.ForeignKey(
        "agents.Team",
        on_delete=models.CASCADE,
        related_name="briefings",
        verbose_name=gettext_lazy("team"),
    )
    kind = models.CharField(
        max_length=10, choices=BriefingKind.choices, verbose_name=gettext_lazy("kind")
    )
    held_at = models.DateTimeField(verbose_name=gettext_lazy("held at"))
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("author"),
    )
    agenda = models.TextField(verbose_name=gettext_lazy("agenda"))
    minutes = models.TextField(verbose_name=gettext_lazy("minutes"))
    attendees = models.ManyToManyField(
        "agents.Agent",
        blank=True,
        related_name="briefings_attended",
        verbose_name=gettext_lazy("attendees"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("briefing")
        ordering = ["-held_at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} briefing {self.team} {self.held_at:%Y-%m-%d %H:%M}"


class BriefingRead(models.Model):
    briefing = models.ForeignKey(
        Briefing,
        on_delete=models.CASCADE,
        related_name="reads",
        verbose_name=gettext_lazy("briefing"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=gettext_lazy("agent"),
    )
    read_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("read at"))

    class Meta:
        verbose_name = gettext_lazy("briefing read")
        constraints = [
            models.UniqueConstraint(fields=["briefing", "agent"], name="briefing_read_once")
        ]

    def __str__(self) -> str:
        return f"{self.agent} read {self.briefing_id}"


from scheduling.training.models import *  # noqa: E402, F403
