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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, gettext_noop


class Category(models.Model):
    """What a complaint is about (admin-managed list)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    class Meta:
        verbose_name = gettext_lazy("category")
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("categories")

    def __str__(self) -> str:
        return self.name


class RootCause(models.Model):
    """Why a complaint happened, chosen when a case is closed (admin-managed list)."""

    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    class Meta:
        verbose_name = gettext_lazy("root cause")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Severity(models.TextChoices):
    LOW = "low", gettext_lazy("Low")
    NORMAL = "normal", gettext_lazy("Normal")
    HIGH = "high", gettext_lazy("High")
    CRITICAL = "critical", gettext_lazy("Critical")


class ServiceLevelPolicy(models.Model):
    """Time to acknowledge and to resolve for one severity; severities without a row use
    `selectors.DEFAULT_POLICIES`."""

    severity = models.CharField(
        max_length=10, choices=Severity.choices, unique=True, verbose_name=gettext_lazy("severity")
    )
    acknowledge_minutes = models.PositiveIntegerField(
        verbose_name=gettext_lazy("acknowledge minutes")
    )
    resolve_minutes = models.PositiveIntegerField(verbose_name=gettext_lazy("resolve minutes"))
    business_hours = models.BooleanField(
        default=True,
        help_text=gettext_lazy("Count only opening hours (otherwise every minute counts)."),
        verbose_name=gettext_lazy("business hours"),
    )

    class Meta:
        verbose_name = gettext_lazy("service level policy")
        ordering = ["severity"]
        verbose_name_plural = gettext_lazy("service level policies")

    def __str__(self) -> str:
        return (
            f"{self.get_severity_display()}: {self.acknowledge_minutes} / "
            f"{self.resolve_minutes} min"
        )


class OpeningHours(models.Model):
    """One span of the business calendar, in the site's zone; none at all means Mon–Fri 9–18."""

    weekday = models.PositiveSmallIntegerField(
        choices=[
            (0, gettext_lazy("Monday")),
            (1, gettext_lazy("Tuesday")),
            (2, gettext_lazy("Wednesday")),
            (3, gettext_lazy("Thursday")),
            (4, gettext_lazy("Friday")),
            (5, gettext_lazy("Saturday")),
            (6, gettext_lazy("Sunday")),
        ],
        verbose_name=gettext_lazy("weekday"),
    )
    opens = models.TimeField(verbose_name=gettext_lazy("opens"))
    closes = models.TimeField(verbose_name=gettext_lazy("closes"))

    class Meta:
        verbose_name = gettext_lazy("opening hours")
        ordering = ["weekday", "opens"]
        verbose_name_plural = gettext_lazy("opening hours")
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

    date = models.DateField(unique=True, verbose_name=gettext_lazy("date"))
    name = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("name"))

    class Meta:
        verbose_name = gettext_lazy("closed day")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date} {self.name}".strip()


class CentreManager(models.Model):
    """A supervisor flagged as centre manager: the last escalation tier."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="centre_manager",
        verbose_name=gettext_lazy("user"),
    )

    class Meta:
        verbose_name = gettext_lazy("centre manager")

    def __str__(self) -> str:
        return str(self.user)

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from agents.access import has_role
        from agents.roles import Role

        if self.user_id and not has_role(self.user, Role.SUPERVISOR):
            raise ValidationError({"user": _("A centre manager must have the supervisor role.")})


class Channel(models.TextChoices):
    PHONE = "phone", gettext_lazy("Phone")
    EMAIL = "email", gettext_lazy("E-mail")
    CHAT = "chat", gettext_lazy("Chat")
    LETTER = "letter", gettext_lazy("Letter")
    SOCIAL = "social", gettext_lazy("Social media")
    IN_PERSON = "in_person", gettext_lazy("In person")


class Status(models.TextChoices):
    NEW = "new", gettext_lazy("New")
    ACKNOWLEDGED = "acknowledged", gettext_lazy("Acknowledged")
    INVESTIGATING = "investigating", gettext_lazy("Investigating")
    RESOLUTION_PROPOSED = "resolution_proposed", gettext_lazy("Resolution proposed")
    AWAITING_CALLBACK = "awaiting_callback", gettext_lazy("Awaiting call-back")
    CLOSED = "closed", gettext_lazy("Closed")
    REOPENED = "reopened", gettext_lazy("Reopened")


OPEN_STATUSES = [s for s in Status.values if s != Status.CLOSED]
# While a case is in these, the resolve timer runs.
RESOLVING_STATUSES = [Status.NEW, Status.ACKNOWLEDGED, Status.INVESTIGATING, Status.REOPENED]


class Tier(models.IntegerChoices):
    AGENT = 1, gettext_lazy("Agent")
    TEAM_LEAD = 2, gettext_lazy("Team lead")
    SUPERVISOR = 3, gettext_lazy("Supervisor")
    CENTRE_MANAGER = 4, gettext_lazy("Centre manager")


class Complaint(models.Model):
    customer_name = models.CharField(max_length=150, verbose_name=gettext_lazy("customer name"))
    customer_contact = models.CharField(
        max_length=150,
        help_text=gettext_lazy("Phone number or e-mail."),
        verbose_name=gettext_lazy("customer contact"),
    )
    channel = models.CharField(
        max_length=20,
        choices=Channel.choices,
        default=Channel.PHONE,
        verbose_name=gettext_lazy("channel"),
    )
    calls = models.ManyToManyField(
        "metrics.QueueCall",
        blank=True,
        related_name="complaints",
        verbose_name=gettext_lazy("calls"),
    )
    # The queue and agent of the first linked call, for complaint rates.
    queue = models.ForeignKey(
        "metrics.Queue",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=gettext_lazy("queue"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=gettext_lazy("agent"),
    )
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="complaints",
        verbose_name=gettext_lazy("team"),
    )
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=gettext_lazy("category"),
    )
    severity = models.CharField(
        max_length=10,
        choices=Severity.choices,
        default=Severity.NORMAL,
        verbose_name=gettext_lazy("severity"),
    )
    description = models.TextField(verbose_name=gettext_lazy("description"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints_logged",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(verbose_name=gettext_lazy("created at"))
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="complaints_owned",
        verbose_name=gettext_lazy("owner"),
    )
    tier = models.PositiveSmallIntegerField(
        choices=Tier.choices, default=Tier.AGENT, verbose_name=gettext_lazy("tier")
    )
    status = models.CharField(
        max_length=20,
        choices=Status.choices,
        default=Status.NEW,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    # The service levels in force when the case was logged.
    acknowledge_budget_s = models.PositiveIntegerField(
        verbose_name=gettext_lazy("acknowledge budget (s)")
    )
    resolve_budget_s = models.PositiveIntegerField(verbose_name=gettext_lazy("resolve budget (s)"))
    business_hours = models.BooleanField(default=True, verbose_name=gettext_lazy("business hours"))
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("acknowledged at")
    )
    ack_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=gettext_lazy("ack due at")
    )
    ack_breached_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("ack breached at")
    )
    # The resolve timer starts when the case is logged and again when it is reopened.
    resolve_started_at = models.DateTimeField(verbose_name=gettext_lazy("resolve started at"))
    resolve_due_at = models.DateTimeField(
        null=True, blank=True, db_index=True, verbose_name=gettext_lazy("resolve due at")
    )
    resolve_breached_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("resolve breached at")
    )
    resolved_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("resolved at")
    )
    resolution = models.TextField(blank=True, verbose_name=gettext_lazy("resolution"))
    waiting_on_customer = models.BooleanField(
        default=False, verbose_name=gettext_lazy("waiting on customer")
    )
    callback_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("callback at")
    )
    round = models.PositiveSmallIntegerField(
        default=1, help_text=gettext_lazy("1 + times reopened"), verbose_name=gettext_lazy("round")
    )
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))
    root_cause = models.ForeignKey(
        RootCause,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="complaints",
        verbose_name=gettext_lazy("root cause"),
    )
    corrective_action = models.TextField(blank=True, verbose_name=gettext_lazy("corrective action"))
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        verbose_name = gettext_lazy("complaint")
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

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="pauses",
        verbose_name=gettext_lazy("complaint"),
    )
    started_at = models.DateTimeField(verbose_name=gettext_lazy("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))
    reason = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("reason"))

    class Meta:
        verbose_name = gettext_lazy("pause")
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
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="notes",
        verbose_name=gettext_lazy("complaint"),
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("author"),
    )
    text = models.TextField(verbose_name=gettext_lazy("text"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("note")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class EscalationKind(models.TextChoices):
    MANUAL = "manual", gettext_lazy("Escalated by hand")
    ACKNOWLEDGE_BREACH = "ack_breach", gettext_lazy("Time to acknowledge breached")
    RESOLVE_BREACH = "resolve_breach", gettext_lazy("Time to resolve breached")


class Escalation(models.Model):
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="escalations",
        verbose_name=gettext_lazy("complaint"),
    )
    kind = models.CharField(
        max_length=20, choices=EscalationKind.choices, verbose_name=gettext_lazy("kind")
    )
    from_tier = models.PositiveSmallIntegerField(
        choices=Tier.choices, verbose_name=gettext_lazy("from tier")
    )
    to_tier = models.PositiveSmallIntegerField(
        choices=Tier.choices, verbose_name=gettext_lazy("to tier")
    )
    from_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("from owner"),
    )
    to_owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("to owner"),
    )
    reason = models.CharField(max_length=500, verbose_name=gettext_lazy("reason"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("by"),
    )
    at = models.DateTimeField(verbose_name=gettext_lazy("at"))

    class Meta:
        verbose_name = gettext_lazy("escalation")
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.get_from_tier_display()} → {self.get_to_tier_display()}"


class CallbackOutcome(models.TextChoices):
    SATISFIED = "satisfied", gettext_lazy("Satisfied")
    NOT_SATISFIED = "not_satisfied", gettext_lazy("Not satisfied")
    UNREACHABLE = "unreachable", gettext_lazy("Unreachable")


UNREACHABLE_ATTEMPTS = 3  # unreachable call-backs in one round before a case may close


class Callback(models.Model):
    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="callbacks",
        verbose_name=gettext_lazy("complaint"),
    )
    round = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("round"))
    outcome = models.CharField(
        max_length=20, choices=CallbackOutcome.choices, verbose_name=gettext_lazy("outcome")
    )
    note = models.TextField(blank=True, verbose_name=gettext_lazy("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("by"),
    )
    at = models.DateTimeField(verbose_name=gettext_lazy("at"))

    class Meta:
        verbose_name = gettext_lazy("callback")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}"


class Forwarding(models.Model):
    """The case was handed to another department: who handed it on, and when."""

    complaint = models.ForeignKey(
        Complaint,
        on_delete=models.CASCADE,
        related_name="forwardings",
        verbose_name=gettext_lazy("complaint"),
    )
    department = models.CharField(max_length=100, verbose_name=gettext_lazy("department"))
    note = models.TextField(blank=True, verbose_name=gettext_lazy("note"))
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("by"),
    )
    at = models.DateTimeField(verbose_name=gettext_lazy("at"))

    class Meta:
        verbose_name = gettext_lazy("forwarding")
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.by}"


class LiveStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Waiting for a supervisor")
    TAKEN = "taken", gettext_lazy("Taken over")
    CLOSED = "closed", gettext_lazy("Closed")


class LiveEscalation(models.Model):
    """A call in progress where the customer asks for a supervisor."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_escalations",
        verbose_name=gettext_lazy("call"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_escalations",
        verbose_name=gettext_lazy("agent"),
    )
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("raised by"),
    )
    reason = models.CharField(max_length=300, verbose_name=gettext_lazy("reason"))
    raised_at = models.DateTimeField(verbose_name=gettext_lazy("raised at"))
    status = models.CharField(
        max_length=10,
        choices=LiveStatus.choices,
        default=LiveStatus.OPEN,
        db_index=True,
        verbose_name=gettext_lazy("status"),
    )
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("taken by"),
    )
    taken_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("taken at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))
    complaint = models.ForeignKey(
        Complaint,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="live_escalations",
        verbose_name=gettext_lazy("complaint"),
    )

    class Meta:
        verbose_name = gettext_lazy("live escalation")
        ordering = ["raised_at", "id"]

    def __str__(self) -> str:
        return f"{self.raised_at:%Y-%m-%d %H:%M} {self.reason}"

    @property
    def reason_beyond_ask(self) -> str:
        """The reason when it says more than the escalation itself ("" for a reason that only
        repeats "customer asks for a supervisor"), so that no line says it twice."""
        return reason_beyond_ask(self.reason)


# Words of a reason that only restate the escalation: in any of the product's languages.
_ASK = gettext_noop("Customer asks for a supervisor")


def reason_beyond_ask(reason: str) -> str:
    from django.utils import translation

    def plain(text: str) -> str:
        return "".join(ch for ch in str(text).casefold() if ch.isalnum())

    said = plain(reason)
    if not said:
        return ""
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            if said == plain(translation.gettext(_ASK)):
                return ""
    return reason.strip()
