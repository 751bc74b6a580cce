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
from django.utils.translation import gettext_lazy
from django.utils.translation import gettext_lazy as _


class SLVariant(models.TextChoices):
    OFFERED = "offered", gettext_lazy("Answered in time / offered (abandons after S count against)")
    IGNORE_ABANDONS = "ignore_abandons", gettext_lazy("Ignore abandons within the threshold")
    ABANDONS_POSITIVE = (
        "abandons_positive",
        gettext_lazy("Abandons within the threshold count as met"),
    )
    ANSWERED_ONLY = "answered_only", gettext_lazy("Answered in time / answered")


UNREACHABLE_TARGET = gettext_lazy(
    "A service level target is a share above 0 and below 1 (0.95 is 95 %): no number of "
    "agents reaches 100 %."
)


def reachable_target(value: float) -> bool:
    """Whether some number of agents reaches a service level target: Erlang C, the staffing
    page and the board's "required now" need a share above 0 and below 1 (not 100 %)."""
    return 0 < value < 1


def validate_sl_target(value: float) -> None:
    if not reachable_target(value):
        raise ValidationError(UNREACHABLE_TARGET, code="sl_target")


def default_acw_reasons() -> list[str]:
    return ["ACW", "Wrapup", "wrap-up"]


class Queue(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    sl_threshold_s = models.PositiveIntegerField("service level threshold (s)", default=20)
    sl_target = models.FloatField(
        "service level target (0–1)", default=0.8, validators=[validate_sl_target]
    )
    short_abandon_s = models.PositiveIntegerField("short-abandon threshold (s)", default=5)
    # "Answered within three rings": an answered call whose ring time is at most this.
    ring_fast_s = models.PositiveIntegerField(
        "three-rings cutoff (s)",
        default=15,
        help_text=gettext_lazy(
            "an answered call rang at most this long counts as answered within three rings"
        ),
    )
    sl_variant = models.CharField(
        max_length=20,
        choices=SLVariant.choices,
        default=SLVariant.OFFERED,
        verbose_name=gettext_lazy("sl variant"),
    )
    interval_minutes = models.PositiveSmallIntegerField(
        default=15,
        choices=[(15, "15 min"), (30, "30 min"), (60, "60 min")],
        verbose_name=gettext_lazy("interval minutes"),
    )
    day_reset_hour = models.PositiveSmallIntegerField(
        default=0, verbose_name=gettext_lazy("day reset hour")
    )
    acw_reasons = models.JSONField(
        default=default_acw_reasons, blank=True, verbose_name=gettext_lazy("acw reasons")
    )
    # Alert bands of the wall board: amber/red when the longest wait passes these seconds,
    # and red when the service level is below `sl_red` (amber below the target).
    wait_amber_s = models.PositiveIntegerField(
        default=30, verbose_name=gettext_lazy("wait amber (s)")
    )
    wait_red_s = models.PositiveIntegerField(default=60, verbose_name=gettext_lazy("wait red (s)"))
    sl_red = models.FloatField(default=0.6, verbose_name=gettext_lazy("sl red"))
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
        help_text=gettext_lazy(
            "the teams that work this queue (their leads see it on the wall board)"
        ),
        verbose_name=gettext_lazy("teams"),
    )

    class Meta:
        verbose_name = gettext_lazy("queue")
        ordering = ["name"]
        permissions = [
            ("see_whole_floor", "Can see every queue and team on the wall board"),
        ]

    def __str__(self) -> str:
        return self.name


class QueueAlias(models.Model):
    """A queue name a PBX writes (`9000`, `support-en`) that maps to a callfloor queue."""

    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="aliases", verbose_name=gettext_lazy("queue")
    )
    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))

    class Meta:
        verbose_name = gettext_lazy("queue alias")
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("queue aliases")

    def __str__(self) -> str:
        return self.name


class SourceKind(models.TextChoices):
    QUEUE_LOG_FILE = "queue_log_file", gettext_lazy("Asterisk queue_log file")
    QUEUE_LOG_DB = "queue_log_db", gettext_lazy("Asterisk queue_log table (realtime layout)")
    HTTP_JSON = "http_json", gettext_lazy("JSON events over HTTP")
    SIMULATOR = "simulator", gettext_lazy("Telephony simulator")
    AMI = "ami", gettext_lazy("Asterisk Manager Interface (live connection)")


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

    name = models.SlugField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    kind = models.CharField(
        max_length=20, choices=SourceKind.choices, verbose_name=gettext_lazy("kind")
    )
    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    # When set, the only queues the source may feed; otherwise any queue of its site (a queue
    # name never seen makes a new queue of the site). Events naming another site's queue are
    # refused either way.
    queues = models.ManyToManyField(
        Queue,
        blank=True,
        related_name="sources",
        help_text=_("when set, events naming another queue are refused"),
        verbose_name=gettext_lazy("queues"),
    )
    token_hash = models.CharField(
        max_length=64, blank=True, db_index=True, verbose_name=gettext_lazy("token hash")
    )
    # Zone of the local date-times of a DB-layout log.
    time_zone = models.CharField(
        max_length=64,
        default="UTC",
        validators=[validate_time_zone],
        verbose_name=gettext_lazy("time zone"),
    )
    # Where a follower of a log file stands: byte offset, the file's identity and line number.
    follow_path = models.CharField(
        max_length=500, blank=True, verbose_name=gettext_lazy("follow path")
    )
    follow_offset = models.BigIntegerField(default=0, verbose_name=gettext_lazy("follow offset"))
    follow_inode = models.BigIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("follow inode")
    )
    follow_line = models.BigIntegerField(default=0, verbose_name=gettext_lazy("follow line"))
    # Digest of the bytes just before `follow_offset`: tells a file rewritten in place
    # (copytruncate, then grown past the old offset) from the file that was read.
    follow_mark = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=gettext_lazy("follow mark")
    )
    # An AMI source's manager account; the secret is stored encrypted (`telephony/ami/config.py`)
    # or named by an environment variable, and never shown again after saving.
    ami_host = models.CharField(max_length=255, blank=True, verbose_name=gettext_lazy("AMI host"))
    ami_port = models.PositiveIntegerField(default=5038, verbose_name=gettext_lazy("AMI port"))
    ami_username = models.CharField(
        max_length=100, blank=True, verbose_name=gettext_lazy("AMI user name")
    )
    ami_secret_encrypted = models.TextField(blank=True, editable=False)
    ami_secret_env = models.CharField(
        max_length=100,
        blank=True,
        help_text=_("the name of an environment variable holding the AMI secret"),
        verbose_name=gettext_lazy("AMI secret from the environment"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    # The KPI engine's clock and flags between batches; its open calls and members' states are
    # rows of EngineCall and EngineMember (a batch writes only the few it changed).
    engine_state = models.JSONField(
        default=dict, blank=True, editable=False, verbose_name=gettext_lazy("engine state")
    )
    # Line counts of the last file import/follow (read, used, ignored, rejected).
    import_counts = models.JSONField(
        default=dict, blank=True, editable=False, verbose_name=gettext_lazy("import counts")
    )
    # Time of the newest raw event stored for this source. A file batch that starts after it
    # cannot repeat a stored line (a line's key includes its time), so its keys need no look-up.
    events_until = models.DateTimeField(
        null=True, blank=True, editable=False, verbose_name=gettext_lazy("events until")
    )

    class Meta:
        verbose_name = gettext_lazy("telephony source")
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
        TelephonySource,
        on_delete=models.CASCADE,
        related_name="engine_calls",
        verbose_name=gettext_lazy("source"),
    )
    call_id = models.TextField(verbose_name=gettext_lazy("call id"))
    queue = models.TextField(verbose_name=gettext_lazy("queue"))
    state = models.JSONField(verbose_name=gettext_lazy("state"))

    class Meta:
        verbose_name = gettext_lazy("engine call")
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
        TelephonySource,
        on_delete=models.CASCADE,
        related_name="engine_members",
        verbose_name=gettext_lazy("source"),
    )
    member = models.TextField(verbose_name=gettext_lazy("member"))
    state = models.JSONField(verbose_name=gettext_lazy("state"))

    class Meta:
        verbose_name = gettext_lazy("engine member")
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
        verbose_name=gettext_lazy("source"),
    )
    # queue_log: a hash of the line's content; JSON events: the source's own event id.
    natural_key = models.CharField(max_length=200, verbose_name=gettext_lazy("natural key"))
    at = models.DateTimeField(verbose_name=gettext_lazy("at"))
    # Order of arrival within the source (line number for files), to keep equal timestamps in order.
    ordinal = models.BigIntegerField(default=0, verbose_name=gettext_lazy("ordinal"))
    call_id = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("call id"))
    queue_name = models.CharField(
        max_length=100, blank=True, verbose_name=gettext_lazy("queue name")
    )
    member = models.CharField(max_length=200, blank=True, verbose_name=gettext_lazy("member"))
    event = models.CharField(max_length=40, verbose_name=gettext_lazy("event"))
    data = models.JSONField(default=list, blank=True, verbose_name=gettext_lazy("data"))
    received_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("received at"))

    class Meta:
        verbose_name = gettext_lazy("call event")
        ordering = ["at", "ordinal", "id"]
        # On PostgreSQL the table is partitioned by UTC day of `at` (telephony/partitions.py),
        # and PostgreSQL wants the partition key in every unique constraint and in the primary
        # key ((id, at) in the database). Ingestion looks a source's keys up in every partition
        # under the source's lock, so an event id sent again at another time is still a
        # duplicate; the constraint stops a line stored twice (a line's key holds its time).
        constraints = [
            models.UniqueConstraint(fields=["source", "natural_key", "at"], name="callevent_once")
        ]
        # No index on `at` alone: nothing reads raw events by time (a bulk import compares a
        # batch with `TelephonySource.events_until` instead), and every index costs each event.

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.event} {self.call_id}"


class Outcome(models.TextChoices):
    WAITING = "waiting", gettext_lazy("Waiting")
    ANSWERED = "answered", gettext_lazy("Answered")
    ABANDONED = "abandoned", gettext_lazy("Abandoned")
    TIMEOUT = "timeout", gettext_lazy("Timed out")
    EXIT_EMPTY = "exit_empty", gettext_lazy("Left: no agents")
    EXIT_KEY = "exit_key", gettext_lazy("Left by key")
    UNKNOWN = "unknown", gettext_lazy("Unknown")


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
        verbose_name=gettext_lazy("source"),
    )
    call_id = models.CharField(max_length=100, verbose_name=gettext_lazy("call id"))
    queue = models.ForeignKey(
        Queue,
        on_delete=models.PROTECT,
        related_name="calls",
        db_index=False,
        db_constraint=False,
        verbose_name=gettext_lazy("queue"),
    )
    caller = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("caller"))
    offered_at = models.DateTimeField(db_index=True, verbose_name=gettext_lazy("offered at"))
    outcome = models.CharField(
        max_length=20,
        choices=Outcome.choices,
        default=Outcome.WAITING,
        verbose_name=gettext_lazy("outcome"),
    )
    wait_s = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("wait (s)"))
    # The member name as the telephony wrote it, and the agent it maps to (when known).
    member = models.CharField(max_length=200, blank=True, verbose_name=gettext_lazy("member"))
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="queue_calls",
        db_index=False,
        verbose_name=gettext_lazy("agent"),
    )
    answered_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("answered at")
    )
    ring_s = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("ring (s)"))
    talk_s = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("talk (s)"))
    hold_s = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("hold (s)"))
    acw_s = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("acw (s)"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))
    transferred = models.BooleanField(default=False, verbose_name=gettext_lazy("transferred"))
    # Talk or after-call work cut by a PBX restart: left out of AHT.
    cut = models.BooleanField(default=False, verbose_name=gettext_lazy("cut"))
    recording_id = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("recording id")
    )
    updated_at = models.DateTimeField(auto_now=True, verbose_name=gettext_lazy("updated at"))

    class Meta:
        verbose_name = gettext_lazy("queue call")
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
    LOGGED_OUT = "logged_out", gettext_lazy("Logged out")
    AVAILABLE = "available", gettext_lazy("Available")
    NOT_READY = "not_ready", gettext_lazy("Not ready")


class Activity(models.TextChoices):
    IDLE = "idle", gettext_lazy("Idle")
    RINGING = "ringing", gettext_lazy("Ringing")
    ON_CALL = "on_call", gettext_lazy("On call")
    ON_HOLD = "on_hold", gettext_lazy("On hold")
    WRAP_UP = "wrap_up", gettext_lazy("Wrap-up")


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
        verbose_name=gettext_lazy("source"),
    )
    member = models.CharField(max_length=200, verbose_name=gettext_lazy("member"))
    agent = models.ForeignKey(
        "agents.Agent",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="states",
        db_index=False,
        verbose_name=gettext_lazy("agent"),
    )
    status = models.CharField(
        max_length=20, choices=AgentStatus.choices, verbose_name=gettext_lazy("status")
    )
    reason = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("reason"))
    activity = models.CharField(
        max_length=20,
        choices=Activity.choices,
        default=Activity.IDLE,
        verbose_name=gettext_lazy("activity"),
    )
    # Not indexed: nothing looks states up by queue (a queue with calls cannot be deleted).
    queue = models.ForeignKey(
        Queue,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text=gettext_lazy("the queue of the current call"),
        db_index=False,
        db_constraint=False,
        verbose_name=gettext_lazy("queue"),
    )
    call_id = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("call id"))
    started_at = models.DateTimeField(verbose_name=gettext_lazy("started at"))
    ended_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("ended at"))

    class Meta:
        verbose_name = gettext_lazy("agent state")
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
    """The additive counters of `metrics.formulas.Tally` (see docs/kpi.md for the classes)."""

    offered = models.IntegerField(default=0, verbose_name=gettext_lazy("offered"))
    answered = models.IntegerField(default=0, verbose_name=gettext_lazy("answered"))
    abandoned = models.IntegerField(default=0, verbose_name=gettext_lazy("abandoned"))
    short_abandoned = models.IntegerField(default=0, verbose_name=gettext_lazy("short abandoned"))
    timed_out = models.IntegerField(default=0, verbose_name=gettext_lazy("timed out"))
    unknown = models.IntegerField(default=0, verbose_name=gettext_lazy("unknown"))
    transferred = models.IntegerField(default=0, verbose_name=gettext_lazy("transferred"))
    a_in = models.IntegerField(default=0, verbose_name=gettext_lazy("a in"))
    a_out = models.IntegerField(default=0, verbose_name=gettext_lazy("a out"))
    b_in = models.IntegerField(default=0, verbose_name=gettext_lazy("b in"))
    b_out = models.IntegerField(default=0, verbose_name=gettext_lazy("b out"))
    x_in = models.IntegerField(default=0, verbose_name=gettext_lazy("x in"))
    x_out = models.IntegerField(default=0, verbose_name=gettext_lazy("x out"))
    u_out = models.IntegerField(default=0, verbose_name=gettext_lazy("u out"))
    answered_wait_sum = models.FloatField(default=0, verbose_name=gettext_lazy("answered wait sum"))
    abandon_wait_sum = models.FloatField(default=0, verbose_name=gettext_lazy("abandon wait sum"))
    aht_n = models.IntegerField(default=0, verbose_name=gettext_lazy("aht n"))
    talk_sum = models.FloatField(default=0, verbose_name=gettext_lazy("talk sum"))
    hold_sum = models.FloatField(default=0, verbose_name=gettext_lazy("hold sum"))
    acw_sum = models.FloatField(default=0, verbose_name=gettext_lazy("acw sum"))
    ring_known_n = models.IntegerField(default=0, verbose_name=gettext_lazy("ring known n"))
    ring_fast_n = models.IntegerField(default=0, verbose_name=gettext_lazy("ring fast n"))
    max_wait_s = models.FloatField(default=0, verbose_name=gettext_lazy("max wait (s)"))
    # Whether the telephony supplied hold / after-call-work times (the AHT components).
    hold_known = models.BooleanField(default=False, verbose_name=gettext_lazy("hold known"))
    acw_known = models.BooleanField(default=False, verbose_name=gettext_lazy("acw known"))

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

    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("queue")
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))
    answered_known_n = models.IntegerField(default=0, verbose_name=gettext_lazy("answered known n"))
    repeat_n = models.IntegerField(default=0, verbose_name=gettext_lazy("repeat n"))

    class Meta:
        verbose_name = gettext_lazy("repeat call interval")
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
        QueueCall,
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="+",
        verbose_name=gettext_lazy("call"),
    )
    caller = models.CharField(max_length=100, db_index=True, verbose_name=gettext_lazy("caller"))
    offered_at = models.DateTimeField(db_index=True, verbose_name=gettext_lazy("offered at"))
    queue = models.ForeignKey(
        Queue, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("queue")
    )
    start = models.DateTimeField(verbose_name=gettext_lazy("start"))

    class Meta:
        verbose_name = gettext_lazy("repeat call candidate")

    def __str__(self) -> str:
        return f"{self.call_id} of {self.caller}"


class RepeatCaller(models.Model):
    """A caller's entry into a queue (the entries of the repeat window only)."""

    caller = models.CharField(max_length=100, db_index=True, verbose_name=gettext_lazy("caller"))
    offered_at = models.DateTimeField(db_index=True, verbose_name=gettext_lazy("offered at"))

    class Meta:
        verbose_name = gettext_lazy("repeat caller")

    def __str__(self) -> str:
        return self.caller


class RepeatCallMark(models.Model):
    """Where the repeat-call counters stand: the last queue call read, the calls then still
    waiting (an answer may make them count) and the latest offered time seen."""

    last_call_id = models.BigIntegerField(default=0, verbose_name=gettext_lazy("last call id"))
    waiting = models.JSONField(default=list, blank=True, verbose_name=gettext_lazy("waiting"))
    clock = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("clock"))

    class Meta:
        verbose_name = gettext_lazy("repeat call mark")

    def __str__(self) -> str:
        return f"after call {self.last_call_id}"


# -- floor actions ------------------------------------------------------------------------------


class BroadcastPriority(models.TextChoices):
    NORMAL = "normal", gettext_lazy("Normal")
    URGENT = "urgent", gettext_lazy("Urgent")


class Broadcast(models.Model):
    """A supervisor's message to the whole floor: every board and every agent's screen."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    text = models.CharField(max_length=500, verbose_name=gettext_lazy("text"))
    priority = models.CharField(
        max_length=10,
        choices=BroadcastPriority.choices,
        default=BroadcastPriority.NORMAL,
        verbose_name=gettext_lazy("priority"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    expires_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("expires at")
    )
    withdrawn_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("withdrawn at")
    )
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("withdrawn by"),
    )

    class Meta:
        verbose_name = gettext_lazy("broadcast")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "withdrawn_at", "expires_at"])]

    def __str__(self) -> str:
        return self.text[:60]


class HelpReason(models.TextChoices):
    DIFFICULT_CUSTOMER = "difficult_customer", gettext_lazy("Difficult customer")
    ESCALATION = "escalation", gettext_lazy("Escalation")
    TECHNICAL = "technical", gettext_lazy("Technical problem")
    OTHER = "other", gettext_lazy("Other")


class HelpStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Waiting for help")
    TAKEN = "taken", gettext_lazy("Taken")
    CANCELLED = "cancelled", gettext_lazy("Cancelled")


class HelpRequest(models.Model):
    """An agent asks the floor for help; open until a supervisor or team lead takes it."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="help_requests",
        verbose_name=gettext_lazy("agent"),
    )
    reason = models.CharField(
        max_length=30, choices=HelpReason.choices, verbose_name=gettext_lazy("reason")
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("note"))
    call_id = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("call id"))
    status = models.CharField(
        max_length=10,
        choices=HelpStatus.choices,
        default=HelpStatus.OPEN,
        verbose_name=gettext_lazy("status"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("taken by"),
    )
    taken_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("taken at"))

    class Meta:
        verbose_name = gettext_lazy("help request")
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["site", "status"])]

    def __str__(self) -> str:
        return f"{self.agent_id} {self.reason} ({self.status})"


class Takeover(models.Model):
    """A supervisor takes over an agent's call (on request or on their own initiative)."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="takeovers",
        verbose_name=gettext_lazy("agent"),
    )
    call_id = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("call id"))
    help_request = models.ForeignKey(
        HelpRequest,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="takeovers",
        verbose_name=gettext_lazy("help request"),
    )
    note = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("note"))
    taken_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("taken by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    # Shown on the board until the agent's call ends or someone marks it finished.
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("finished at")
    )

    class Meta:
        verbose_name = gettext_lazy("takeover")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["site", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.taken_by_id} takes over {self.agent_id} {self.call_id}"


class AlertAck(models.Model):
    """A supervisor saw an alert of the board; every board shows who and when.

    Alerts are computed from the floor; `key` names one occurrence (e.g. a long call is keyed
    by the agent and the start of the call), so the next occurrence alerts afresh.
    """

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    key = models.CharField(max_length=200, verbose_name=gettext_lazy("key"))
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("acknowledged by"),
    )
    acknowledged_at = models.DateTimeField(
        auto_now_add=True, verbose_name=gettext_lazy("acknowledged at")
    )

    class Meta:
        verbose_name = gettext_lazy("alert ack")
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
from metrics.control.models import Monitoring, MonitorMode  # noqa: E402, F401
from metrics.emergency.models import (  # noqa: E402, F401
    Activation,
    ActivationStatus,
    ActivationStep,
    DrillAttendance,
    EmergencyPlan,
    MoveAction,
    PlanRole,
    PlanStep,
    PlanTrigger,
)
from metrics.recordings.models import (  # noqa: E402, F401
    Recording,
    RecordingListen,
    RecordingStore,
)
from metrics.reports.models import (  # noqa: E402, F401
    CallFactsInterval,
    SummaryRecipient,
    SurveyResult,
)
from metrics.telephony.ami.models import AmiLink  # noqa: E402, F401
