"""Queues, telephony sources, raw events, queue calls and agent states.

`CallEvent` is the append-only record of what the telephony said; `QueueCall` and `AgentState`
are the current truth derived from it (see docs/kpi.md of the product for every definition).
"""

import hashlib
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _


class SLVariant(models.TextChoices):
    OFFERED = "offered", "Answered in time / offered (abandons after S count against)"
    IGNORE_ABANDONS = "ignore_abandons", "Ignore abandons within the threshold"
    ABANDONS_POSITIVE = "abandons_positive", "Abandons within the threshold count as met"
    ANSWERED_ONLY = "answered_only", "Answered in time / answered"


def default_acw_reasons() -> list[str]:
    return ["ACW", "Wrapup", "wrap-up"]


class Queue(models.Model):
    name = models.CharField(max_length=100, unique=True)
    site = models.SlugField(max_length=50, default="main")
    sl_threshold_s = models.PositiveIntegerField("service level threshold (s)", default=20)
    sl_target = models.FloatField("service level target (0–1)", default=0.8)
    short_abandon_s = models.PositiveIntegerField("short-abandon threshold (s)", default=5)
    # "Answered within three rings": an answered call whose ring time is at most this.
    ring_fast_s = models.PositiveIntegerField(
        "three-rings cutoff (s)",
        default=15,
        help_text="an answered call rang at most this long counts as answered within three rings",
    )
    sl_variant = models.CharField(
        max_length=20, choices=SLVariant.choices, default=SLVariant.OFFERED
    )
    interval_minutes = models.PositiveSmallIntegerField(
        default=15, choices=[(15, "15 min"), (30, "30 min"), (60, "60 min")]
    )
    day_reset_hour = models.PositiveSmallIntegerField(default=0)
    acw_reasons = models.JSONField(default=default_acw_reasons, blank=True)
    # Alert bands of the wall board: amber/red when the longest wait passes these seconds,
    # and red when the service level is below `sl_red` (amber below the target).
    wait_amber_s = models.PositiveIntegerField(default=30)
    wait_red_s = models.PositiveIntegerField(default=60)
    sl_red = models.FloatField(default=0.6)
    # A call still waiting this long after it was offered lost its last line at the PBX: it
    # counts as `unknown` from then on (kpi.md, "Calls that never end").
    stale_after_s = models.PositiveIntegerField(
        _("waiting call stale after (s)"),
        default=4 * 3600,
        validators=[MinValueValidator(60)],
        help_text=_(
            "a call still waiting this long after it was offered counts as unknown "
            "and leaves the board"
        ),
    )
    # The teams that work this queue: a team lead's board shows these queues only (unless the
    # lead holds the "see the whole floor" permission).
    teams = models.ManyToManyField(
        "agents.Team",
        blank=True,
        related_name="queues",
        help_text="the teams that work this queue (their leads see it on the wall board)",
    )

    class Meta:
        ordering = ["name"]
        permissions = [
            ("see_whole_floor", "Can see every queue and team on the wall board"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueAlias(models.Model):
    """A queue name a PBX writes (`9000`, `support-en`) that maps to a callfloor queue."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="aliases")
    name = models.CharField(max_length=100, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "queue aliases"

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    QUEUE_LOG_FILE = "queue_log_file", "Asterisk queue_log file"
    QUEUE_LOG_DB = "queue_log_db", "Asterisk queue_log table (realtime layout)"
    HTTP_JSON = "http_json", "JSON events over HTTP"
    SIMULATOR = "simulator", "Telephony simulator"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def validate_time_zone(value: str) -> None:
    """An IANA zone name this server knows (e.g. `Europe/Brussels`)."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(
            _("%(value)s is not a known time zone (e.g. Europe/Brussels)."),
            params={"value": value},
        ) from None


class TelephonySource(models.Model):
    """A PBX, ACD or CTI bridge that sends events; its token may only ingest."""

    name = models.SlugField(max_length=100, unique=True)
    kind = models.CharField(max_length=20, choices=SourceKind.choices)
    site = models.SlugField(max_length=50, default="main")
    # When set, the only queues the source may feed; otherwise any queue of its site (a queue
    # name never seen makes a new queue of the site). Events naming another site's queue are
    # refused either way.
    queues = models.ManyToManyField(
        Queue,
        blank=True,
        related_name="sources",
        help_text=_("when set, events naming another queue are refused"),
    )
    token_hash = models.CharField(max_length=64, blank=True, db_index=True)
    # Zone of the local date-times of a DB-layout log.
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    # Where a follower of a log file stands: byte offset, the file's identity and line number.
    follow_path = models.CharField(max_length=500, blank=True)
    follow_offset = models.BigIntegerField(default=0)
    follow_inode = models.BigIntegerField(null=True, blank=True)
    follow_line = models.BigIntegerField(default=0)
    # Digest of the bytes just before `follow_offset`: tells a file rewritten in place
    # (copytruncate, then grown past the old offset) from the file that was read.
    follow_mark = models.CharField(max_length=64, blank=True, editable=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The KPI engine's clock and flags between batches; its open calls and members' states are
    # rows of EngineCall and EngineMember (a batch writes only the few it changed).
    engine_state = models.JSONField(default=dict, blank=True, editable=False)
    # Line counts of the last file import/follow (read, used, ignored, rejected).
    import_counts = models.JSONField(default=dict, blank=True, editable=False)
    # Time of the newest raw event stored for this source. A file batch that starts after it
    # cannot repeat a stored line (a line's key includes its time), so its keys need no look-up.
    events_until = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def issue_token(self) -> str:
        """Make a new ingest token; only its hash is kept, so show it once."""
        token = f"cf_{secrets.token_urlsafe(32)}"
        self.token_hash = hash_token(token)
        return token


class EngineCall(models.Model):
    """A call the KPI engine of a source holds open between batches (`kpi.Call.to_state`).

    `state` also names the engine's indexes that point at the call (`refs`: talking, pending
    after-call work, in after-call work, each with its member).
    """

    source = models.ForeignKey(
        TelephonySource, on_delete=models.CASCADE, related_name="engine_calls"
    )
    call_id = models.TextField()
    queue = models.TextField()
    state = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "call_id", "queue"], name="engine_call_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.call_id} in {self.queue}"


class EngineMember(models.Model):
    """A member's current state as the KPI engine of a source holds it between batches."""

    source = models.ForeignKey(
        TelephonySource, on_delete=models.CASCADE, related_name="engine_members"
    )
    member = models.TextField()
    state = models.JSONField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["source", "member"], name="engine_member_unique")
        ]

    def __str__(self) -> str:
        return self.member


class CallEvent(models.Model):
    """One raw telephony event, stored once per (source, natural key), never changed."""

    # No database-level foreign key: one check per raw event costs bulk imports dearly, and
    # the source is protected from deletion here (on_delete) while it has events. Its own
    # index would repeat the first column of `callevent_once`.
    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.PROTECT,
        related_name="events",
        db_constraint=False,
        db_index=False,
    )
    # queue_log: a hash of the line's content; JSON events: the source's own event id.
    natural_key = models.CharField(max_length=200)
    at = models.DateTimeField()
    # Order of arrival within the source (line number for files), to keep equal timestamps in order.
    ordinal = models.BigIntegerField(default=0)
    call_id = models.CharField(max_length=100, blank=True)
    queue_name = models.CharField(max_length=100, blank=True)
    member = models.CharField(max_length=200, blank=True)
    event = models.CharField(max_length=40)
    data = models.JSONField(default=list, blank=True)
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "ordinal", "id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "natural_key"], name="callevent_once")
        ]
        # No index on `at`: nothing reads raw events by time (a bulk import compares a batch
        # with `TelephonySource.events_until` instead), and every index costs each event.

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.call_id}"


class Outcome(models.TextChoices):
    WAITING = "waiting", "Waiting"
    ANSWERED = "answered", "Answered"
    ABANDONED = "abandoned", "Abandoned"
    TIMEOUT = "timeout", "Timed out"
    EXIT_EMPTY = "exit_empty", "Left: no agents"
    EXIT_KEY = "exit_key", "Left by key"
    UNKNOWN = "unknown", "Unknown"


class QueueCall(models.Model):
    """One entry of one caller into one queue: the unit of every KPI."""

    # The foreign keys' own indexes would repeat the first column of `queuecall_once` and of
    # the (queue, offered_at) and (agent, offered_at) indexes: every write pays for an index.
    # `source` and `queue`: no database-level foreign keys. Checking them costs every row a
    # locked look-up of its source and queue (half the database's work of a bulk import);
    # both are protected from deletion here (on_delete) while they have calls, and ingestion
    # writes only ids it read in the same transaction.
    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.PROTECT,
        related_name="calls",
        db_index=False,
        db_constraint=False,
    )
    call_id = models.CharField(max_length=100)
    queue = models.ForeignKey(
        Queue, on_delete=models.PROTECT, related_name="calls", db_index=False, db_constraint=False
    )
    caller = models.CharField(max_length=100, blank=True)
    offered_at = models.DateTimeField(db_index=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, default=Outcome.WAITING)
    wait_s = models.FloatField(null=True, blank=True)
    # The member name as the telephony wrote it, and the agent it maps to (when known).
    member = models.CharField(max_length=200, blank=True)
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_calls",
        db_index=False,
    )
    answered_at = models.DateTimeField(null=True, blank=True)
    ring_s = models.FloatField(null=True, blank=True)
    talk_s = models.FloatField(null=True, blank=True)
    hold_s = models.FloatField(null=True, blank=True)
    acw_s = models.FloatField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    transferred = models.BooleanField(default=False)
    # Talk or after-call work cut by a PBX restart: left out of AHT.
    cut = models.BooleanField(default=False)
    recording_id = models.CharField(max_length=200, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["offered_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source", "call_id", "queue", "offered_at"], name="queuecall_once"
            )
        ]
        indexes = [
            models.Index(fields=["queue", "offered_at"]),
            models.Index(fields=["agent", "offered_at"]),
            # The live floor reads the calls still waiting; this keeps that read as small as
            # the queue, however many calls the day already holds.
            models.Index(
                fields=["queue", "offered_at"],
                condition=models.Q(outcome="waiting"),
                name="queuecall_waiting",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.call_id} in {self.queue_id} at {self.offered_at:%Y-%m-%d %H:%M:%S}"


class AgentStatus(models.TextChoices):
    LOGGED_OUT = "logged_out", "Logged out"
    AVAILABLE = "available", "Available"
    NOT_READY = "not_ready", "Not ready"


class Activity(models.TextChoices):
    IDLE = "idle", "Idle"
    RINGING = "ringing", "Ringing"
    ON_CALL = "on_call", "On call"
    ON_HOLD = "on_hold", "On hold"
    WRAP_UP = "wrap_up", "Wrap-up"


class AgentState(models.Model):
    """One interval of an agent's status (with reason) × activity; open while `ended_at` is null."""

    # Indexed by the open intervals' (source, member) and by (agent, started_at) below, not on
    # their own. `source` and `queue` have no database-level foreign keys, for the reason
    # given on `QueueCall`.
    source = models.ForeignKey(
        TelephonySource,
        on_delete=models.PROTECT,
        related_name="states",
        db_index=False,
        db_constraint=False,
    )
    member = models.CharField(max_length=200)
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="states",
        db_index=False,
    )
    status = models.CharField(max_length=20, choices=AgentStatus.choices)
    reason = models.CharField(max_length=100, blank=True)
    activity = models.CharField(max_length=20, choices=Activity.choices, default=Activity.IDLE)
    # Not indexed: nothing looks states up by queue (a queue with calls cannot be deleted).
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="the queue of the current call",
        db_index=False,
        db_constraint=False,
    )
    call_id = models.CharField(max_length=100, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["started_at", "id"]
        indexes = [
            models.Index(fields=["agent", "started_at"]),
            # Ingestion and the floor read the open intervals only; closed ones (nearly all
            # of them) stay out of this index.
            models.Index(
                fields=["source", "member"],
                condition=models.Q(ended_at__isnull=True),
                name="agentstate_open",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.member} {self.status}/{self.activity} from {self.started_at:%H:%M:%S}"


class TallyFields(models.Model):
    """The additive counters of `metrics.kpi.Tally` (see docs/kpi.md for the classes)."""

    offered = models.IntegerField(default=0)
    answered = models.IntegerField(default=0)
    abandoned = models.IntegerField(default=0)
    short_abandoned = models.IntegerField(default=0)
    timed_out = models.IntegerField(default=0)
    unknown = models.IntegerField(default=0)
    transferred = models.IntegerField(default=0)
    a_in = models.IntegerField(default=0)
    a_out = models.IntegerField(default=0)
    b_in = models.IntegerField(default=0)
    b_out = models.IntegerField(default=0)
    x_in = models.IntegerField(default=0)
    x_out = models.IntegerField(default=0)
    u_out = models.IntegerField(default=0)
    answered_wait_sum = models.FloatField(default=0)
    abandon_wait_sum = models.FloatField(default=0)
    aht_n = models.IntegerField(default=0)
    talk_sum = models.FloatField(default=0)
    hold_sum = models.FloatField(default=0)
    acw_sum = models.FloatField(default=0)
    ring_known_n = models.IntegerField(default=0)
    ring_fast_n = models.IntegerField(default=0)
    max_wait_s = models.FloatField(default=0)
    # Whether the telephony supplied hold / after-call-work times (the AHT components).
    hold_known = models.BooleanField(default=False)
    acw_known = models.BooleanField(default=False)

    class Meta:
        abstract = True


class QueueInterval(TallyFields):
    """Counters of the calls offered to one queue in one interval (the live floor sums these)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="intervals")
    start = models.DateTimeField()

    class Meta:
        ordering = ["queue", "start"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "start"], name="queueinterval_once")
        ]

    def __str__(self) -> str:
        return f"{self.queue_id} {self.start:%Y-%m-%d %H:%M}"


class AgentDay(TallyFields):
    """Counters of one member's answered calls and ring attempts on one local day."""

    source = models.ForeignKey(TelephonySource, on_delete=models.CASCADE, related_name="agent_days")
    member = models.CharField(max_length=200)
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="telephony_days",
    )
    day = models.DateField()
    missed_rings = models.IntegerField(default=0)
    unreachable_rings = models.IntegerField(default=0)

    class Meta:
        ordering = ["day", "member"]
        constraints = [
            models.UniqueConstraint(fields=["source", "member", "day"], name="agentday_once")
        ]
        indexes = [models.Index(fields=["day", "agent"])]

    def __str__(self) -> str:
        return f"{self.member} {self.day}"


# AgentDay keeps the call counters that do not depend on a queue's thresholds.
AGENT_FIELDS = (
    "answered",
    "transferred",
    "aht_n",
    "talk_sum",
    "hold_sum",
    "acw_sum",
    "ring_known_n",
    "ring_fast_n",
)


# -- the live repeat-call rate ----------------------------------------------------------------
# Kept current by `metrics.repeat_calls.repeat_calls_catch_up` from the queue calls written
# since its last run, so the live floor reads counters rather than the day's calls.


class RepeatCallInterval(models.Model):
    """Per queue and interval: answered calls with a usable caller number, and how many of
    those callers called any queue again within the repeat window (so far)."""

    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()
    answered_known_n = models.IntegerField(default=0)
    repeat_n = models.IntegerField(default=0)

    class Meta:
        ordering = ["queue", "start"]
        constraints = [
            models.UniqueConstraint(fields=["queue", "start"], name="repeatcallinterval_once")
        ]

    def __str__(self) -> str:
        return (
            f"{self.queue_id} {self.start:%Y-%m-%d %H:%M}: {self.repeat_n}/{self.answered_known_n}"
        )


class RepeatCallCandidate(models.Model):
    """An answered call inside the repeat window whose caller has not called again yet."""

    call = models.OneToOneField(
        QueueCall, on_delete=models.CASCADE, primary_key=True, related_name="+"
    )
    caller = models.CharField(max_length=100, db_index=True)
    offered_at = models.DateTimeField(db_index=True)
    queue = models.ForeignKey(Queue, on_delete=models.CASCADE, related_name="+")
    start = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.call_id} of {self.caller}"


class RepeatCaller(models.Model):
    """A caller's entry into a queue (the entries of the repeat window only)."""

    caller = models.CharField(max_length=100, db_index=True)
    offered_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return self.caller


class RepeatCallMark(models.Model):
    """Where the repeat-call counters stand: the last queue call read, the calls then still
    waiting (an answer may make them count) and the latest offered time seen."""

    last_call_id = models.BigIntegerField(default=0)
    waiting = models.JSONField(default=list, blank=True)
    clock = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"after call {self.last_call_id}"


# -- floor actions ------------------------------------------------------------------------------


class BroadcastPriority(models.TextChoices):
    NORMAL = "normal", "Normal"
    URGENT = "urgent", "Urgent"


class Broadcast(models.Model):
    """A supervisor's message to the whole floor: every board and every agent's screen."""

    site = models.SlugField(max_length=50, default="main")
    text = models.CharField(max_length=500)
    priority = models.CharField(
        max_length=10, choices=BroadcastPriority.choices, default=BroadcastPriority.NORMAL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(null=True, blank=True)
    withdrawn_at = models.DateTimeField(null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "withdrawn_at", "expires_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class HelpReason(models.TextChoices):
    DIFFICULT_CUSTOMER = "difficult_customer", "Difficult customer"
    ESCALATION = "escalation", "Escalation"
    TECHNICAL = "technical", "Technical problem"
    OTHER = "other", "Other"


class HelpStatus(models.TextChoices):
    OPEN = "open", "Waiting for help"
    TAKEN = "taken", "Taken"
    CANCELLED = "cancelled", "Cancelled"


class HelpRequest(models.Model):
    """An agent asks the floor for help; open until a supervisor or team lead takes it."""

    site = models.SlugField(max_length=50, default="main")
    agent = models.ForeignKey(
        "agents.Agent", on_delete=models.PROTECT, related_name="help_requests"
    )
    reason = models.CharField(max_length=30, choices=HelpReason.choices)
    note = models.CharField(max_length=300, blank=True)
    call_id = models.CharField(max_length=100, blank=True)
    status = models.CharField(max_length=10, choices=HelpStatus.choices, default=HelpStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.reason} ({self.status})"


class Takeover(models.Model):
    """A supervisor takes over an agent's call (on request or on their own initiative)."""

    site = models.SlugField(max_length=50, default="main")
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="takeovers")
    call_id = models.CharField(max_length=100, blank=True)
    help_request = models.ForeignKey(
        HelpRequest, null=True, blank=True, on_delete=models.SET_NULL, related_name="takeovers"
    )
    note = models.CharField(max_length=300, blank=True)
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # Shown on the board until the agent's call ends or someone marks it finished.
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.taken_by_id} takes over {self.agent_id} {self.call_id}"


class AlertAck(models.Model):
    """A supervisor saw an alert of the board; every board shows who and when.

    Alerts are computed from the floor; `key` names one occurrence (e.g. a long call is keyed
    by the agent and the start of the call), so the next occurrence alerts afresh.
    """

    site = models.SlugField(max_length=50, default="main")
    key = models.CharField(max_length=200)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    acknowledged_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-acknowledged_at"]
        constraints = [models.UniqueConstraint(fields=["site", "key"], name="alertack_once")]

    def __str__(self) -> str:
        return self.key


# Report-side and alert models and the board's displays and thresholds live in their own modules;
# importing them here registers them.
from metrics.alerts.models import (  # noqa: E402, F401
    AlertChannel,
    AlertDelivery,
    AlertDeliveryAttempt,
    AlertFiring,
    AlertRule,
)
from metrics.board.models import Display, DisplayLayout, FloorSettings  # noqa: E402, F401
from metrics.reports.models import (  # noqa: E402, F401
    CallFactsInterval,
    SummaryRecipient,
    SurveyResult,
)
