"""Quality: scorecards, sampling rules, evaluations, appeals, calibration, great calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from qa import sampling, scoring

User = settings.AUTH_USER_MODEL


class QaSettings(models.Model):
    """The centre's quality settings (one row)."""

    appeal_window_days = models.PositiveSmallIntegerField(
        default=7, verbose_name=gettext_lazy("appeal window days")
    )
    screening_days = models.PositiveSmallIntegerField(
        default=2,
        help_text=gettext_lazy("Days the team lead has to screen an appeal."),
        verbose_name=gettext_lazy("screening days"),
    )
    panel_days = models.PositiveSmallIntegerField(
        default=5,
        help_text=gettext_lazy("Days the panel has to decide an accepted appeal."),
        verbose_name=gettext_lazy("panel days"),
    )
    transparency = models.BooleanField(
        default=False,
        help_text=gettext_lazy("Agents may read their peers' released evaluations."),
        verbose_name=gettext_lazy("transparency"),
    )
    hide_evaluator_names = models.BooleanField(
        default=True,
        help_text=gettext_lazy("With transparency on, peers do not see who evaluated."),
        verbose_name=gettext_lazy("hide evaluator names"),
    )

    class Meta:
        verbose_name = verbose_name_plural = gettext_lazy("quality settings")

    def __str__(self) -> str:
        return "Quality settings"

    @classmethod
    def load(cls) -> QaSettings:
        return cls.objects.get_or_create(pk=1)[0]


# --- scorecards -----------------------------------------------------------------------------------


class Scorecard(models.Model):
    name = models.CharField(max_length=150, unique=True, verbose_name=gettext_lazy("name"))
    created_by = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("scorecard")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    RELEASED = "released", gettext_lazy("Released")


class ScorecardVersion(models.Model):
    """One version of a scorecard; a released version never changes."""

    scorecard = models.ForeignKey(
        Scorecard,
        on_delete=models.CASCADE,
        related_name="versions",
        verbose_name=gettext_lazy("scorecard"),
    )
    number = models.PositiveIntegerField(verbose_name=gettext_lazy("number"))
    status = models.CharField(
        max_length=10,
        choices=VersionStatus.choices,
        default=VersionStatus.DRAFT,
        verbose_name=gettext_lazy("status"),
    )
    notes = models.TextField(blank=True, verbose_name=gettext_lazy("notes"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    released_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("released at")
    )

    class Meta:
        verbose_name = gettext_lazy("scorecard version")
        ordering = ["scorecard__name", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["scorecard", "number"], name="scorecard_version_once")
        ]

    def __str__(self) -> str:
        return f"{self.scorecard.name} v{self.number}"

    @property
    def is_released(self) -> bool:
        return self.status == VersionStatus.RELEASED

    def specs(self) -> list[scoring.SectionSpec]:
        """The structure as plain data for `qa.scoring`."""
        return [
            scoring.SectionSpec(
                id=s.pk,
                weight=s.weight,
                criteria=[
                    scoring.CriterionSpec(c.pk, c.max_points, c.critical, c.allow_na)
                    for c in s.criteria.all()
                ],
            )
            for s in self.sections.prefetch_related("criteria")
        ]

    def criteria(self):
        return Criterion.objects.filter(section__version=self).select_related("section")


class Section(models.Model):
    version = models.ForeignKey(
        ScorecardVersion,
        on_delete=models.CASCADE,
        related_name="sections",
        verbose_name=gettext_lazy("version"),
    )
    title = models.CharField(max_length=150, verbose_name=gettext_lazy("title"))
    weight = models.FloatField(default=1.0, verbose_name=gettext_lazy("weight"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))

    class Meta:
        verbose_name = gettext_lazy("section")
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class CriterionKind(models.TextChoices):
    POINTS = "points", gettext_lazy("All or nothing")
    SCALE = "scale", gettext_lazy("Scale 0…max")


class Critical(models.TextChoices):
    NONE = scoring.CRITICAL_NONE, gettext_lazy("Not critical")
    SECTION = scoring.CRITICAL_SECTION, gettext_lazy("Failing it fails the section")
    EVALUATION = scoring.CRITICAL_EVALUATION, gettext_lazy("Failing it fails the evaluation")


class Criterion(models.Model):
    section = models.ForeignKey(
        Section,
        on_delete=models.CASCADE,
        related_name="criteria",
        verbose_name=gettext_lazy("section"),
    )
    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    guidance = models.TextField(
        blank=True,
        help_text=gettext_lazy("How to deduct, so everyone does it alike."),
        verbose_name=gettext_lazy("guidance"),
    )
    kind = models.CharField(
        max_length=10,
        choices=CriterionKind.choices,
        default=CriterionKind.POINTS,
        verbose_name=gettext_lazy("kind"),
    )
    max_points = models.PositiveSmallIntegerField(
        default=1, verbose_name=gettext_lazy("max points")
    )
    critical = models.CharField(
        max_length=12,
        choices=Critical.choices,
        default=Critical.NONE,
        verbose_name=gettext_lazy("critical"),
    )
    allow_na = models.BooleanField(default=True, verbose_name=gettext_lazy("allow na"))
    position = models.PositiveSmallIntegerField(default=0, verbose_name=gettext_lazy("position"))

    class Meta:
        verbose_name = gettext_lazy("criterion")
        ordering = ["section__position", "section_id", "position", "id"]
        verbose_name_plural = gettext_lazy("criteria")

    def __str__(self) -> str:
        return self.title

    def allowed_points(self) -> list[int]:
        if self.kind == CriterionKind.POINTS:
            return [0, self.max_points]
        return list(range(self.max_points + 1))


# --- sampling -------------------------------------------------------------------------------------


class RuleStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")


class RuleMethod(models.TextChoices):
    RANDOM = sampling.RANDOM, gettext_lazy("N random calls per agent")
    NTH_AFTER = sampling.NTH_AFTER, gettext_lazy("The nth call of each day after a time")


class SamplingRule(models.Model):
    """Which calls get evaluated in a period, published with sha256(seed) before it starts."""

    name = models.CharField(max_length=150, verbose_name=gettext_lazy("name"))
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sampling_rules",
        verbose_name=gettext_lazy("team"),
    )
    queues = models.ManyToManyField(
        "metrics.Queue",
        blank=True,
        related_name="sampling_rules",
        verbose_name=gettext_lazy("queues"),
    )
    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        on_delete=models.PROTECT,
        related_name="sampling_rules",
        verbose_name=gettext_lazy("scorecard version"),
    )
    method = models.CharField(
        max_length=12,
        choices=RuleMethod.choices,
        default=RuleMethod.RANDOM,
        verbose_name=gettext_lazy("method"),
    )
    calls_per_agent = models.PositiveSmallIntegerField(
        default=2, verbose_name=gettext_lazy("calls per agent")
    )
    min_talk_s = models.PositiveIntegerField(default=0, verbose_name=gettext_lazy("min talk (s)"))
    nth = models.PositiveSmallIntegerField(default=1, verbose_name=gettext_lazy("nth"))
    after = models.TimeField(null=True, blank=True, verbose_name=gettext_lazy("after"))
    period_start = models.DateField(verbose_name=gettext_lazy("period start"))
    period_end = models.DateField(verbose_name=gettext_lazy("period end"))
    status = models.CharField(
        max_length=10,
        choices=RuleStatus.choices,
        default=RuleStatus.DRAFT,
        verbose_name=gettext_lazy("status"),
    )
    seed = models.CharField(max_length=64, editable=False, verbose_name=gettext_lazy("seed"))
    seed_hash = models.CharField(
        max_length=64, editable=False, verbose_name=gettext_lazy("seed hash")
    )
    definition_hash = models.CharField(
        max_length=64, blank=True, editable=False, verbose_name=gettext_lazy("definition hash")
    )
    published_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("published at")
    )
    published_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("published by"),
    )
    supersedes = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="superseded_by",
        verbose_name=gettext_lazy("supersedes"),
    )
    # Set on a published rule when a later rule takes over from this date on.
    superseded_from = models.DateField(
        null=True, blank=True, verbose_name=gettext_lazy("superseded from")
    )
    drawn_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("drawn at"))
    created_by = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("sampling rule")
        ordering = ["-period_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="sampling_period_ordered",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.period_start:%Y-%m-%d} – {self.period_end:%Y-%m-%d})"

    @property
    def effective_end(self):
        if self.superseded_from is None:
            return self.period_end
        from datetime import timedelta

        return min(self.period_end, self.superseded_from - timedelta(days=1))

    def spec(self) -> sampling.Rule:
        return sampling.Rule(
            method=self.method,
            calls_per_agent=self.calls_per_agent,
            period_start=self.period_start,
            period_end=self.effective_end,
            min_talk_s=self.min_talk_s,
            queues=frozenset(q.name for q in self.queues.all()),
            nth=self.nth,
            after=self.after,
        )

    def published_spec(self) -> sampling.Rule:
        """The definition as published (before any supersession shortened it)."""
        from dataclasses import replace

        return replace(self.spec(), period_end=self.period_end)

    def definition_extra(self) -> dict:
        return {
            "team": self.team.name if self.team else None,
            "scorecard_version": str(self.scorecard_version),
            "seed_hash": self.seed_hash,
        }

    def describe(self) -> str:
        return sampling.describe(self.spec(), self.team.name if self.team else None)


class PickStatus(models.TextChoices):
    PICKED = "picked", gettext_lazy("Picked")
    REPLACED = "replaced", gettext_lazy("Replaced")


class SampledCall(models.Model):
    """A call the rule picked (or a replacement for one)."""

    rule = models.ForeignKey(
        SamplingRule,
        on_delete=models.PROTECT,
        related_name="picks",
        verbose_name=gettext_lazy("rule"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="qa_picks",
        verbose_name=gettext_lazy("agent"),
    )
    call = models.ForeignKey(
        "metrics.QueueCall",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("call"),
    )
    key = models.CharField(max_length=300, verbose_name=gettext_lazy("key"))
    position = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("position"))
    status = models.CharField(
        max_length=10,
        choices=PickStatus.choices,
        default=PickStatus.PICKED,
        verbose_name=gettext_lazy("status"),
    )
    replaces = models.OneToOneField(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="replaced_by",
        verbose_name=gettext_lazy("replaces"),
    )
    replace_reason = models.TextField(blank=True, verbose_name=gettext_lazy("replace reason"))
    replaced_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("replaced at")
    )
    replaced_by_user = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("replaced by user"),
    )

    class Meta:
        verbose_name = gettext_lazy("sampled call")
        ordering = ["rule", "agent", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="pick_once")]

    def __str__(self) -> str:
        return f"{self.rule.name}: {self.key}"


# --- evaluations ----------------------------------------------------------------------------------


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    RELEASED = "released", gettext_lazy("Released")


class Evaluation(models.Model):
    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=gettext_lazy("scorecard version"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=gettext_lazy("agent"),
    )
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
        verbose_name=gettext_lazy("call"),
    )
    recording_id = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("recording id")
    )
    pick = models.OneToOneField(
        SampledCall,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluation",
        verbose_name=gettext_lazy("pick"),
    )
    evaluator = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="evaluations_made",
        verbose_name=gettext_lazy("evaluator"),
    )
    status = models.CharField(
        max_length=10,
        choices=EvaluationStatus.choices,
        default=EvaluationStatus.DRAFT,
        verbose_name=gettext_lazy("status"),
    )
    # Draft answers: {criterion id: {"points": int|None, "comment": str}}.
    answers = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("answers"))
    score = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("score"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    released_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("released at")
    )
    first_read_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("first read at")
    )

    class Meta:
        verbose_name = gettext_lazy("evaluation")
        ordering = ["-released_at", "-created_at", "-id"]
        indexes = [models.Index(fields=["agent", "status"])]

    def __str__(self) -> str:
        return f"Evaluation #{self.pk} of {self.agent}"

    @property
    def is_released(self) -> bool:
        return self.status == EvaluationStatus.RELEASED

    def current_revision(self) -> ScoreRevision | None:
        return self.revisions.order_by("-number").first()

    def has_open_appeal(self) -> bool:
        return self.appeals.filter(status__in=OPEN_APPEAL_STATUSES).exists()

    def criteria_decided_on_appeal(self, *, besides: Appeal | None = None) -> set[int]:
        """Criteria a panel decided: their points stand as the decision left them."""
        items = AppealItem.objects.filter(
            appeal__evaluation=self, appeal__status=AppealStatus.DECIDED
        )
        if besides is not None:
            items = items.exclude(appeal=besides)
        return set(items.values_list("criterion_id", flat=True))


class ScoreRevision(models.Model):
    """A released score; a later revision keeps this one and says why it changed."""

    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.CASCADE,
        related_name="revisions",
        verbose_name=gettext_lazy("evaluation"),
    )
    number = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("number"))
    answers = models.JSONField(verbose_name=gettext_lazy("answers"))
    score = models.FloatField(null=True, verbose_name=gettext_lazy("score"))
    result = models.JSONField(default=dict, verbose_name=gettext_lazy("result"))
    reason = models.TextField(blank=True, verbose_name=gettext_lazy("reason"))
    appeal = models.ForeignKey(
        "Appeal",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="revisions",
        verbose_name=gettext_lazy("appeal"),
    )
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("created by")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    acknowledged_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("acknowledged at")
    )

    class Meta:
        verbose_name = gettext_lazy("score revision")
        ordering = ["evaluation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} r{self.number}"


# --- appeals --------------------------------------------------------------------------------------


class AppealStatus(models.TextChoices):
    SCREENING = "screening", gettext_lazy("Waiting for the team lead")
    RETURNED = "returned", gettext_lazy("Returned by the team lead")
    PANEL = "panel", gettext_lazy("With the review panel")
    DECIDED = "decided", gettext_lazy("Decided")


OPEN_APPEAL_STATUSES = [AppealStatus.SCREENING, AppealStatus.PANEL]


class Appeal(models.Model):
    evaluation = models.ForeignKey(
        Evaluation,
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=gettext_lazy("evaluation"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="appeals",
        verbose_name=gettext_lazy("agent"),
    )
    status = models.CharField(
        max_length=10,
        choices=AppealStatus.choices,
        default=AppealStatus.SCREENING,
        verbose_name=gettext_lazy("status"),
    )
    filed_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("filed at"))
    due_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("due at"))
    reminded_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("reminded at")
    )
    screened_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("screened by"),
    )
    screened_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("screened at")
    )
    return_reason = models.TextField(blank=True, verbose_name=gettext_lazy("return reason"))
    explanation = models.TextField(
        blank=True,
        help_text=gettext_lazy("The evaluator's explanation."),
        verbose_name=gettext_lazy("explanation"),
    )
    explained_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("explained at")
    )
    decided_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("decided by"),
    )
    decided_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("decided at")
    )
    score_before = models.FloatField(
        null=True, blank=True, verbose_name=gettext_lazy("score before")
    )
    score_after = models.FloatField(null=True, blank=True, verbose_name=gettext_lazy("score after"))

    class Meta:
        verbose_name = gettext_lazy("appeal")
        ordering = ["-filed_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=Q(status__in=OPEN_APPEAL_STATUSES),
                name="one_open_appeal_per_evaluation",
            )
        ]

    def __str__(self) -> str:
        return f"Appeal #{self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_APPEAL_STATUSES


class Decision(models.TextChoices):
    PENDING = "pending", gettext_lazy("Pending")
    UPHELD = "upheld", gettext_lazy("Upheld")
    PARTLY = "partly", gettext_lazy("Partly upheld")
    REJECTED = "rejected", gettext_lazy("Rejected")


def decision_for(*, points: int, before: int, maximum: int) -> str:
    """Full points back upholds an item, some back partly upholds it, none rejects it."""
    if points >= maximum:
        return Decision.UPHELD
    if points > before:
        return Decision.PARTLY
    return Decision.REJECTED


class AppealItem(models.Model):
    """One appealed criterion with the agent's reason and, later, the decision."""

    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="items", verbose_name=gettext_lazy("appeal")
    )
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("criterion"),
    )
    points_before = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("points before"))
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    decision = models.CharField(
        max_length=10,
        choices=Decision.choices,
        default=Decision.PENDING,
        verbose_name=gettext_lazy("decision"),
    )
    decision_reason = models.TextField(blank=True, verbose_name=gettext_lazy("decision reason"))
    points_after = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("points after")
    )

    class Meta:
        verbose_name = gettext_lazy("appeal item")
        ordering = ["appeal", "criterion__section__position", "criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "criterion"], name="appeal_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.criterion}"


class Seat(models.TextChoices):
    SUPERVISOR = "supervisor", gettext_lazy("Senior supervisor")
    TEAM_LEAD = "team_lead", gettext_lazy("Team lead")
    QA_ANALYST = "qa_analyst", gettext_lazy("QA analyst")


class PanelMember(models.Model):
    appeal = models.ForeignKey(
        Appeal, on_delete=models.CASCADE, related_name="panel", verbose_name=gettext_lazy("appeal")
    )
    seat = models.CharField(max_length=12, choices=Seat.choices, verbose_name=gettext_lazy("seat"))
    user = models.ForeignKey(
        User,
        on_delete=models.PROTECT,
        related_name="qa_panel_seats",
        verbose_name=gettext_lazy("user"),
    )

    class Meta:
        verbose_name = gettext_lazy("panel member")
        ordering = ["appeal", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "seat"], name="panel_seat_once"),
            models.UniqueConstraint(fields=["appeal", "user"], name="panel_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.get_seat_display()}"


class Opinion(models.TextChoices):
    UPHOLD = "uphold", gettext_lazy("Uphold (the deduction was wrong)")
    PARTLY = "partly", gettext_lazy("Partly uphold (some points back)")
    REJECT = "reject", gettext_lazy("Reject (the deduction stands)")


class PanelOpinion(models.Model):
    """A panel member's proposal for one appealed item: the points they would give, and why.

    Proposals made before points were proposed (an uphold / reject vote) have no points.
    """

    item = models.ForeignKey(
        AppealItem,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=gettext_lazy("item"),
    )
    member = models.ForeignKey(
        PanelMember,
        on_delete=models.CASCADE,
        related_name="opinions",
        verbose_name=gettext_lazy("member"),
    )
    opinion = models.CharField(
        max_length=10, choices=Opinion.choices, verbose_name=gettext_lazy("opinion")
    )
    points = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("proposed points")
    )
    note = models.TextField(blank=True, verbose_name=gettext_lazy("reason"))
    at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("at"))

    class Meta:
        verbose_name = gettext_lazy("panel opinion")
        ordering = ["item", "member__seat"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="opinion_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.opinion}"


# --- calibration ----------------------------------------------------------------------------------


class CalibrationStatus(models.TextChoices):
    OPEN = "open", gettext_lazy("Open for scoring")
    CLOSED = "closed", gettext_lazy("Closed")


class CalibrationSession(models.Model):
    title = models.CharField(max_length=150, verbose_name=gettext_lazy("title"))
    scorecard_version = models.ForeignKey(
        ScorecardVersion,
        on_delete=models.PROTECT,
        related_name="calibrations",
        verbose_name=gettext_lazy("scorecard version"),
    )
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("call"),
    )
    recording_id = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("recording id")
    )
    participants = models.ManyToManyField(
        User, related_name="calibrations", verbose_name=gettext_lazy("participants")
    )
    reference_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text=gettext_lazy("Whose scoring is the reference (else median)."),
        verbose_name=gettext_lazy("reference by"),
    )
    status = models.CharField(
        max_length=10,
        choices=CalibrationStatus.choices,
        default=CalibrationStatus.OPEN,
        verbose_name=gettext_lazy("status"),
    )
    created_by = models.ForeignKey(
        User,
        null=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    closed_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("closed at"))

    class Meta:
        verbose_name = gettext_lazy("calibration session")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CalibrationScore(models.Model):
    session = models.ForeignKey(
        CalibrationSession,
        on_delete=models.CASCADE,
        related_name="scores",
        verbose_name=gettext_lazy("session"),
    )
    evaluator = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("evaluator")
    )
    answers = models.JSONField(verbose_name=gettext_lazy("answers"))
    score = models.FloatField(null=True, verbose_name=gettext_lazy("score"))
    submitted_at = models.DateTimeField(
        auto_now_add=True, verbose_name=gettext_lazy("submitted at")
    )

    class Meta:
        verbose_name = gettext_lazy("calibration score")
        ordering = ["session", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "evaluator"], name="calibration_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.evaluator}"


# --- great calls ----------------------------------------------------------------------------------


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", gettext_lazy("Nominated")
    FEATURED = "featured", gettext_lazy("Featured")


class GreatCall(models.Model):
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("call"),
    )
    recording_id = models.CharField(
        max_length=200, blank=True, verbose_name=gettext_lazy("recording id")
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="great_calls",
        verbose_name=gettext_lazy("agent"),
    )
    nominated_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("nominated by")
    )
    anonymous = models.BooleanField(default=False, verbose_name=gettext_lazy("anonymous"))
    reason = models.TextField(verbose_name=gettext_lazy("reason"))
    status = models.CharField(
        max_length=10,
        choices=NominationStatus.choices,
        default=NominationStatus.NOMINATED,
        verbose_name=gettext_lazy("status"),
    )
    nominated_at = models.DateTimeField(
        auto_now_add=True, verbose_name=gettext_lazy("nominated at")
    )
    featured_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("featured by"),
    )
    featured_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("featured at")
    )
    feature_note = models.TextField(blank=True, verbose_name=gettext_lazy("feature note"))

    class Meta:
        verbose_name = gettext_lazy("great call")
        ordering = ["-featured_at", "-nominated_at", "-id"]

    def __str__(self) -> str:
        return f"Great call by {self.agent}"

    @property
    def nominator_label(self) -> str:
        if self.anonymous:
            return _("anonymous")
        return self.nominated_by.get_full_name() or self.nominated_by.get_username()


from qa.coaching.models import *  # noqa: E402, F403
from qa.moments.models import Moment, MomentKind  # noqa: E402, F401
from qa.quizzes.models import *  # noqa: E402, F403
from qa.recognition.models import *  # noqa: E402, F403
from qa.rotation.models import *  # noqa: E402, F403
