"""Complaint cases, their timers, escalations and call-backs; live escalations from calls.

A case moves new → acknowledged → investigating → resolution proposed → awaiting call-back →
closed; a call-back where the customer is not satisfied (or a manual reopen) sends it to
reopened, from where it is investigated again. It closes only after a satisfied call-back or
three unreachable attempts in the current round, with a root cause and a corrective action.

Two service-level timers run per case, with budgets taken from the severity's policy when the
case is logged: time to acknowledge (from logging to acknowledgement) and time to resolve (from
logging, or from the latest reopening, to the proposed resolution). They count business hours
(`OpeningHours`, `ClosedDay`, in the site's zone) or calendar time, and stand still while the
case waits on the customer (`Pause`). A breach escalates the case one tier, once per timer.

Tiers: agent → team lead (the lead of the case's team) → supervisor (the supervisor with the
fewest open cases) → centre manager (a supervisor listed in `CentreManager`); a tier nobody
holds is skipped.
"""

from django.conf import settings
from django.db import models


class Category(models.Model):
    """What a complaint is about (admin-managed list)."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "categories"

    def __str__(self) -> str:
        return self.name


class RootCause(models.Model):
    """Why a complaint happened, chosen when a case is closed (admin-managed list)."""

    name = models.CharField(max_length=100, unique=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    LOW = "low", "Low"
    NORMAL = "normal", "Normal"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class ServiceLevelPolicy(models.Model):
    """Time to acknowledge and to resolve for one severity; severities without a row use
    `selectors.DEFAULT_POLICIES`."""

    severity = models.CharField(max_length=10, choices=Severity.choices, unique=True)
    acknowledge_minutes = models.PositiveIntegerField()
    resolve_minutes = models.PositiveIntegerField()
    business_hours = models.BooleanField(
        default=True, help_text="Count only opening hours (otherwise every minute counts)."
    )

    class Meta:
        ordering = ["severity"]
        verbose_name_plural = "service level policies"

    def __str__(self) -> str:
        return (
            f"{self.get_severity_display()}: {self.acknowledge_minutes} / "
            f"{self.resolve_minutes} min"
        )


class OpeningHours(models.Model):
    """One span of the business calendar, in the site's zone; none at all means Mon–Fri 9–18."""

    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, "Monday"),
            (1, "Tuesday"),
            (2, "Wednesday"),
            (3, "Thursday"),
            (4, "Friday"),
            (5, "Saturday"),
            (6, "Sunday"),
        ]
    )
    opens = models.TimeField()
    closes = models.TimeField()

    class Meta:
        ordering = ["weekday", "opens"]
        verbose_name_plural = "opening hours"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(closes__gt=models.F("opens")),
                name="openinghours_closes_after_opens",
            )
        ]

    def __str__(self) -> str:
        return f"{self.get_weekday_display()} {self.opens:%H:%M}–{self.closes:%H:%M}"


class ClosedDay(models.Model):
    """A date the centre's business clock stands still (a public holiday)."""

    date = models.DateField(unique=True)
    name = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class CentreManager(models.Model):
    """A supervisor flagged as centre manager: the last escalation tier."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="centre_manager"
    )

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from agents.access import has_role
        from agents.roles import Role

        if self.user_id and not has_role(self.user, Role.SUPERVISOR):
            raise ValidationError({"user": "A centre manager must have the supervisor role."})


class Channel(models.TextChoices):
    PHONE = "phone", "Phone"
    EMAIL = "email", "E-mail"
    CHAT = "chat", "Chat"
    LETTER = "letter", "Letter"
    SOCIAL = "social", "Social media"
    IN_PERSON = "in_person", "In person"


class Status(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    INVESTIGATING = "investigating", "Investigating"
    RESOLUTION_PROPOSED = "resolution_proposed", "Resolution proposed"
    AWAITING_CALLBACK = "awaiting_callback", "Awaiting call-back"
    CLOSED = "closed", "Closed"
    REOPENED = "reopened", "Reopened"


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
# While a case is in these, the resolve timer runs.
RESOLVING_STATUSES = [Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REOPENED]


class Tier(models.IntegerChoices):
    AGENT = 1, "Agent"
    TEAM_LEAD = 2, "Team lead"
    SUPERVISOR = 3, "Supervisor"
    CENTRE_MANAGER = 4, "Centre manager"


class Complaint(models.Model):
    customer_name = models.CharField(max_length=150)
    customer_contact = models.CharField(max_length=150, help_text="Phone number or e-mail.")
    channel = models.CharField(max_length=20, choices=Channel.choices, default=Channel.PHONE)
    calls = models.ManyToManyField("metrics.QueueCall", blank=True, related_name="complaints")
    # The queue and agent of the first linked call, for complaint rates.
    queue = models.ForeignKey(
        "metrics.Queue", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    team = models.ForeignKey(
        "agents.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="complaints"
    )
    category = models.ForeignKey(Category, on_delete=models.PROTECT, related_name="complaints")
    severity = models.CharField(max_length=10, choices=Severity.choices, default=Severity.NORMAL)
    description = models.TextField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_logged"
    )
    created_at = models.DateTimeField()
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="complaints_owned"
    )
    tier = models.PositiveSmallIntegerField(choices=Tier.choices, default=Tier.AGENT)
    status = models.CharField(
        max_length=20, choices=Status.choices, default=Status.NEW, db_index=True
    )
    # The service levels in force when the case was logged.
    acknowledge_budget_s = models.PositiveIntegerField()
    resolve_budget_s = models.PositiveIntegerField()
    business_hours = models.BooleanField(default=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    ack_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    ack_breached_at = models.DateTimeField(null=True, blank=True)
    # The resolve timer starts when the case is logged and again when it is reopened.
    resolve_started_at = models.DateTimeField()
    resolve_due_at = models.DateTimeField(null=True, blank=True, db_index=True)
    resolve_breached_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolution = models.TextField(blank=True)
    waiting_on_customer = models.BooleanField(default=False)
    callback_at = models.DateTimeField(null=True, blank=True)
    round = models.PositiveSmallIntegerField(default=1, help_text="1 + times reopened")
    closed_at = models.DateTimeField(null=True, blank=True)
    root_cause = models.ForeignKey(
        RootCause, null=True, blank=True, on_delete=models.PROTECT, related_name="complaints"
    )
    corrective_action = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["status", "tier"]), models.Index(fields=["created_at"])]

    def __str__(self) -> str:
        return f"{self.reference} {self.customer_name}"

    @property
    def reference(self) -> str:
        return f"C-{self.pk:06d}" if self.pk else "C-new"

    @property
    def is_open(self) -> bool:
        return self.status != Status.CLOSED


class Pause(models.Model):
    """A span while the case waited on the customer; its timers stood still."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="pauses")
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["complaint"],
                condition=models.Q(ended_at__isnull=True),
                name="one_open_pause_per_complaint",
            )
        ]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} – {self.ended_at or '…'}"


class Note(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class EscalationKind(models.TextChoices):
    MANUAL = "manual", "Escalated by hand"
    ACKNOWLEDGE_BREACH = "ack_breach", "Time to acknowledge breached"
    RESOLVE_BREACH = "resolve_breach", "Time to resolve breached"


class Escalation(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="escalations")
    kind = models.CharField(max_length=20, choices=EscalationKind.choices)
    from_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    to_tier = models.PositiveSmallIntegerField(choices=Tier.choices)
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT, related_name="+"
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    at = models.DateTimeField()

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_tier_display()} → {self.get_to_tier_display()}"


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", "Satisfied"
    NOT_SATISFIED = "not_satisfied", "Not satisfied"
    UNREACHABLE = "unreachable", "Unreachable"


UNREACHABLE_ATTEMPTS = 3  # unreachable call-backs in one round before a case may close


class Callback(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="callbacks")
    round = models.PositiveSmallIntegerField()
    outcome = models.CharField(max_length=20, choices=CallbackOutcome.choices)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}"


class Forwarding(models.Model):
    """The case was handed to another department: who handed it on, and when."""

    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="forwardings")
    department = models.CharField(max_length=100)
    note = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}"


class LiveStatus(models.TextChoices):
    OPEN = "open", "Waiting for a supervisor"
    TAKEN = "taken", "Taken over"
    CLOSED = "closed", "Closed"


class LiveEscalation(models.Model):
    """A call in progress where the customer asks for a supervisor."""

    site = models.SlugField(max_length=50, default="main")
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_escalations",
    )
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_escalations",
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=300)
    raised_at = models.DateTimeField()
    status = models.CharField(
        max_length=10, choices=LiveStatus.choices, default=LiveStatus.OPEN, db_index=True
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    complaint = models.ForeignKey(
        Complaint, null=True, blank=True, on_delete=models.SET_NULL, related_name="live_escalations"
    )

    class Meta:
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.raised_at:%Y-%m-%d %H:%M} {self.reason}"
