"""Alerts that leave the board: notification channels, the rules that route floor alerts to
them, the open state of each rule's conditions and the log of every delivery attempt.

Imported by `metrics/models.py`, so the app label stays `metrics`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("E-mail")
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")
    FEISHU = "feishu", _("Feishu custom bot")
    WEBHOOK = "webhook", _("Signed webhook")


class AlertChannel(models.Model):
    """Where messages go: e-mail addresses, a group robot or a signed webhook (set by an admin).

    The secret is stored encrypted (`metrics.alerts.secrets`) or named by an environment
    variable (`secret_env`); neither is ever shown again after saving.
    """

    name = models.CharField(_("name"), max_length=100, unique=True)
    kind = models.CharField(_("kind"), max_length=10, choices=ChannelKind.choices)
    url = models.URLField(_("URL"), max_length=500, blank=True)
    emails = models.TextField(_("e-mail addresses"), blank=True, help_text=_("one per line"))
    secret_encrypted = models.TextField(blank=True, editable=False)
    secret_env = models.CharField(
        _("secret from the environment"),
        max_length=100,
        blank=True,
        help_text=_(
            "the name of an environment variable holding the secret (instead of storing it)"
        ),
    )
    # Webhook events this channel receives besides the alerts its rules send it.
    events = models.JSONField(default=list, blank=True)
    # An explicit allowance by an admin: the URL may be plain http or point to this server's
    # own network (loopback, link-local, private addresses).
    allow_private = models.BooleanField(
        _("allow private, loopback and plain-http addresses"), default=False
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def has_secret(self) -> bool:
        return bool(self.secret_encrypted or self.secret_env)


class AlertKind(models.TextChoices):
    QUEUE_SL = "queue_sl", _("Queue under its service-level target")
    QUEUE_WAIT = "queue_wait", _("Longest wait over N seconds")
    CALLS_WAITING = "calls_waiting", _("Calls waiting over N")
    HELP = "help", _("Help request open over N seconds")
    LONG_CALL = "long_call", _("Agent on a call over N minutes")
    LONG_WRAP_UP = "long_wrap_up", _("Agent in wrap-up over N minutes")
    BREAK_OVERRUN = "break_overrun", _("Agent on a break over N minutes")
    ADHERENCE = "adherence", _("Agent out of adherence")
    LIVE_ESCALATION = "live_escalation", _("Customer asks for a supervisor")
    COMPLAINT_DUE = "complaint_due", _("Complaint escalation due")
    HANDOVER_UNACKNOWLEDGED = "handover_unacknowledged", _("Handover not acknowledged in time")
    SOURCE_SILENT = "source_silent", _("Telephony source silent")


class AlertRule(models.Model):
    """Which alerts, for which queues or teams, during which hours, to which channels.

    A supervisor's rule covers the site; a team lead's (`team_scope` set) only the teams they
    lead (and the queues those teams work).
    """

    name = models.CharField(_("name"), max_length=100)
    site = models.SlugField(max_length=50, default="main")
    kind = models.CharField(_("alert"), max_length=30, choices=AlertKind.choices)
    threshold = models.FloatField(
        _("threshold"),
        null=True,
        blank=True,
        help_text=_("N of the alert (seconds, minutes or calls); empty: the board's own limit"),
    )
    queues = models.ManyToManyField("metrics.Queue", blank=True, related_name="+")
    teams = models.ManyToManyField("agents.Team", blank=True, related_name="+")
    channels = models.ManyToManyField(AlertChannel, related_name="rules")
    # Hours in the site's zone; both empty: all day. `days`: ISO weekdays (1 = Monday), empty:
    # every day.
    start_time = models.TimeField(_("from"), null=True, blank=True)
    end_time = models.TimeField(_("until"), null=True, blank=True)
    days = models.JSONField(default=list, blank=True)
    cooldown_minutes = models.PositiveIntegerField(_("cool-down (minutes)"), default=15)
    language = models.CharField(_("language"), max_length=10, default="en")
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="alert_rules"
    )
    # True for a team lead's rule: it never reaches beyond the owner's teams.
    team_scope = models.BooleanField(default=False)
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "pk"]

    def __str__(self) -> str:
        return self.name


class AlertFiring(models.Model):
    """One condition of one rule: raised when it began, cleared when it ended.

    `notified` is False when the raise fell in the rule's cool-down (no message, and so no
    "resolved" message either).
    """

    rule = models.ForeignKey(AlertRule, on_delete=models.CASCADE, related_name="firings")
    subject = models.CharField(max_length=200)
    raised_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    notified = models.BooleanField(default=True)
    detail = models.JSONField(default=dict)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["rule", "subject"],
                condition=models.Q(cleared_at__isnull=True),
                name="alertfiring_one_open_per_subject",
            )
        ]
        indexes = [models.Index(fields=["rule", "subject", "-raised_at"])]

    def __str__(self) -> str:
        return self.subject


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("pending")
    SENT = "sent", _("sent")
    FAILED = "failed", _("failed")


class AlertDelivery(models.Model):
    """One message to one channel: its payload, status, attempts and last error."""

    channel = models.ForeignKey(AlertChannel, on_delete=models.CASCADE, related_name="deliveries")
    event = models.CharField(max_length=50)
    event_id = models.UUIDField()
    payload = models.JSONField()
    status = models.CharField(
        max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["status", "next_attempt_at"])]

    def __str__(self) -> str:
        return f"{self.event} → {self.channel_id}"


class AlertDeliveryAttempt(models.Model):
    """The log row of one attempt to deliver (HTTP status or error, duration)."""

    delivery = models.ForeignKey(AlertDelivery, on_delete=models.CASCADE, related_name="tries")
    number = models.PositiveSmallIntegerField()
    at = models.DateTimeField()
    ok = models.BooleanField()
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True)
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["delivery", "number"], name="alertattempt_once")
        ]

    def __str__(self) -> str:
        return f"{self.delivery_id} #{self.number}"
