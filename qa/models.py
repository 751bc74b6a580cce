"""Quality: scorecards, sampling rules, evaluations, appeals, calibration, great calls."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from qa import sampling, scoring

User = settings.AUTH_USER_MODEL


class QaSettings(models.Model):
    """The centre's quality settings (one row)."""

    appeal_window_days = models.PositiveSmallIntegerField(default=7)
    screening_days = models.PositiveSmallIntegerField(
        default=2, help_text="Days the team lead has to screen an appeal."
    )
    panel_days = models.PositiveSmallIntegerField(
        default=5, help_text="Days the panel has to decide an accepted appeal."
    )
    transparency = models.BooleanField(
        default=False, help_text="Agents may read their peers' released evaluations."
    )
    hide_evaluator_names = models.BooleanField(
        default=True, help_text="With transparency on, peers do not see who evaluated."
    )

    class Meta:
        verbose_name = verbose_name_plural = "quality settings"

    def __str__(self) -> str:
        return "Quality settings"

    @classmethod
    def load(cls) -> QaSettings:
        return cls.objects.get_or_create(pk=1)[0]


# --- scorecards -----------------------------------------------------------------------------------


class Scorecard(models.Model):
    name = models.CharField(max_length=150, unique=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class VersionStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"


class ScorecardVersion(models.Model):
    """One version of a scorecard; a released version never changes."""

    scorecard = models.ForeignKey(Scorecard, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(
        max_length=10, choices=VersionStatus.choices, default=VersionStatus.DRAFT
    )
    notes = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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
    version = models.ForeignKey(ScorecardVersion, on_delete=models.CASCADE, related_name="sections")
    title = models.CharField(max_length=150)
    weight = models.FloatField(default=1.0)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class CriterionKind(models.TextChoices):
    POINTS = "points", "All or nothing"
    SCALE = "scale", "Scale 0…max"


class Critical(models.TextChoices):
    NONE = scoring.CRITICAL_NONE, "Not critical"
    SECTION = scoring.CRITICAL_SECTION, "Failing it fails the section"
    EVALUATION = scoring.CRITICAL_EVALUATION, "Failing it fails the evaluation"


class Criterion(models.Model):
    section = models.ForeignKey(Section, on_delete=models.CASCADE, related_name="criteria")
    title = models.CharField(max_length=200)
    guidance = models.TextField(blank=True, help_text="How to deduct, so everyone does it alike.")
    kind = models.CharField(
        max_length=10, choices=CriterionKind.choices, default=CriterionKind.POINTS
    )
    max_points = models.PositiveSmallIntegerField(default=1)
    critical = models.CharField(max_length=12, choices=Critical.choices, default=Critical.NONE)
    allow_na = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "section_id", "position", "id"]
        verbose_name_plural = "criteria"

    def __str__(self) -> str:
        return self.title

    def allowed_points(self) -> list[int]:
        if self.kind == CriterionKind.POINTS:
            return [0, self.max_points]
        return list(range(self.max_points + 1))


# --- sampling -------------------------------------------------------------------------------------


class RuleStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    PUBLISHED = "published", "Published"


class RuleMethod(models.TextChoices):
    RANDOM = sampling.RANDOM, "N random calls per agent"
    NTH_AFTER = sampling.NTH_AFTER, "The nth call of each day after a time"


class SamplingRule(models.Model):
    """Which calls get evaluated in a period, published with sha256(seed) before it starts."""

    name = models.CharField(max_length=150)
    team = models.ForeignKey(
        "agents.Team",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="sampling_rules",
    )
    queues = models.ManyToManyField("metrics.Queue", blank=True, related_name="sampling_rules")
    scorecard_version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="sampling_rules"
    )
    method = models.CharField(max_length=12, choices=RuleMethod.choices, default=RuleMethod.RANDOM)
    calls_per_agent = models.PositiveSmallIntegerField(default=2)
    min_talk_s = models.PositiveIntegerField(default=0)
    nth = models.PositiveSmallIntegerField(default=1)
    after = models.TimeField(null=True, blank=True)
    period_start = models.DateField()
    period_end = models.DateField()
    status = models.CharField(max_length=10, choices=RuleStatus.choices, default=RuleStatus.DRAFT)
    seed = models.CharField(max_length=64, editable=False)
    seed_hash = models.CharField(max_length=64, editable=False)
    definition_hash = models.CharField(max_length=64, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True)
    published_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    supersedes = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="superseded_by"
    )
    # Set on a published rule when a later rule takes over from this date on.
    superseded_from = models.DateField(null=True, blank=True)
    drawn_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
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
    PICKED = "picked", "Picked"
    REPLACED = "replaced", "Replaced"


class SampledCall(models.Model):
    """A call the rule picked (or a replacement for one)."""

    rule = models.ForeignKey(SamplingRule, on_delete=models.PROTECT, related_name="picks")
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="qa_picks")
    call = models.ForeignKey("metrics.QueueCall", on_delete=models.PROTECT, related_name="+")
    key = models.CharField(max_length=300)
    position = models.PositiveSmallIntegerField()
    status = models.CharField(max_length=10, choices=PickStatus.choices, default=PickStatus.PICKED)
    replaces = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    replace_reason = models.TextField(blank=True)
    replaced_at = models.DateTimeField(null=True, blank=True)
    replaced_by_user = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["rule", "agent", "position", "id"]
        constraints = [models.UniqueConstraint(fields=["rule", "key"], name="pick_once")]

    def __str__(self) -> str:
        return f"{self.rule.name}: {self.key}"


# --- evaluations ----------------------------------------------------------------------------------


class EvaluationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    RELEASED = "released", "Released"


class Evaluation(models.Model):
    scorecard_version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="evaluations"
    )
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="evaluations")
    call = models.ForeignKey(
        "metrics.QueueCall",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="evaluations",
    )
    recording_id = models.CharField(max_length=200, blank=True)
    pick = models.OneToOneField(
        SampledCall, null=True, blank=True, on_delete=models.PROTECT, related_name="evaluation"
    )
    evaluator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="evaluations_made")
    status = models.CharField(
        max_length=10, choices=EvaluationStatus.choices, default=EvaluationStatus.DRAFT
    )
    # Draft answers: {criterion id: {"points": int|None, "comment": str}}.
    answers = models.JSONField(default=dict, blank=True)
    score = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    released_at = models.DateTimeField(null=True, blank=True)
    first_read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
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

    evaluation = models.ForeignKey(Evaluation, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveSmallIntegerField()
    answers = models.JSONField()
    score = models.FloatField(null=True)
    result = models.JSONField(default=dict)
    reason = models.TextField(blank=True)
    appeal = models.ForeignKey(
        "Appeal", null=True, blank=True, on_delete=models.PROTECT, related_name="revisions"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "number"]
        constraints = [
            models.UniqueConstraint(fields=["evaluation", "number"], name="revision_once")
        ]

    def __str__(self) -> str:
        return f"{self.evaluation} r{self.number}"


# --- appeals --------------------------------------------------------------------------------------


class AppealStatus(models.TextChoices):
    SCREENING = "screening", "Waiting for the team lead"
    RETURNED = "returned", "Returned by the team lead"
    PANEL = "panel", "With the review panel"
    DECIDED = "decided", "Decided"


OPEN_APPEAL_STATUSES = [AppealStatus.SCREENING, AppealStatus.PANEL]


class Appeal(models.Model):
    evaluation = models.ForeignKey(Evaluation, on_delete=models.PROTECT, related_name="appeals")
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="appeals")
    status = models.CharField(
        max_length=10, choices=AppealStatus.choices, default=AppealStatus.SCREENING
    )
    filed_at = models.DateTimeField(auto_now_add=True)
    due_at = models.DateTimeField(null=True, blank=True)
    reminded_at = models.DateTimeField(null=True, blank=True)
    screened_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    screened_at = models.DateTimeField(null=True, blank=True)
    return_reason = models.TextField(blank=True)
    explanation = models.TextField(blank=True, help_text="The evaluator's explanation.")
    explained_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    score_before = models.FloatField(null=True, blank=True)
    score_after = models.FloatField(null=True, blank=True)

    class Meta:
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
    PENDING = "pending", "Pending"
    UPHELD = "upheld", "Upheld"
    REJECTED = "rejected", "Rejected"


class AppealItem(models.Model):
    """One appealed criterion with the agent's reason and, later, the decision."""

    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="items")
    criterion = models.ForeignKey(Criterion, on_delete=models.PROTECT, related_name="+")
    points_before = models.PositiveSmallIntegerField()
    reason = models.TextField()
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(blank=True)
    points_after = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["appeal", "criterion__section__position", "criterion__position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "criterion"], name="appeal_item_once")
        ]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.criterion}"


class Seat(models.TextChoices):
    SUPERVISOR = "supervisor", "Senior supervisor"
    TEAM_LEAD = "team_lead", "Team lead"
    QA_ANALYST = "qa_analyst", "QA analyst"


class PanelMember(models.Model):
    appeal = models.ForeignKey(Appeal, on_delete=models.CASCADE, related_name="panel")
    seat = models.CharField(max_length=12, choices=Seat.choices)
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="qa_panel_seats")

    class Meta:
        ordering = ["appeal", "seat"]
        constraints = [
            models.UniqueConstraint(fields=["appeal", "seat"], name="panel_seat_once"),
            models.UniqueConstraint(fields=["appeal", "user"], name="panel_person_once"),
        ]

    def __str__(self) -> str:
        return f"{self.appeal}: {self.get_seat_display()}"


class Opinion(models.TextChoices):
    UPHOLD = "uphold", "Uphold (the deduction was wrong)"
    REJECT = "reject", "Reject (the deduction stands)"


class PanelOpinion(models.Model):
    item = models.ForeignKey(AppealItem, on_delete=models.CASCADE, related_name="opinions")
    member = models.ForeignKey(PanelMember, on_delete=models.CASCADE, related_name="opinions")
    opinion = models.CharField(max_length=10, choices=Opinion.choices)
    note = models.TextField(blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["item", "member__seat"]
        constraints = [models.UniqueConstraint(fields=["item", "member"], name="opinion_once")]

    def __str__(self) -> str:
        return f"{self.member}: {self.opinion}"


# --- calibration ----------------------------------------------------------------------------------


class CalibrationStatus(models.TextChoices):
    OPEN = "open", "Open for scoring"
    CLOSED = "closed", "Closed"


class CalibrationSession(models.Model):
    title = models.CharField(max_length=150)
    scorecard_version = models.ForeignKey(
        ScorecardVersion, on_delete=models.PROTECT, related_name="calibrations"
    )
    call = models.ForeignKey(
        "metrics.QueueCall", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recording_id = models.CharField(max_length=200, blank=True)
    participants = models.ManyToManyField(User, related_name="calibrations")
    reference_by = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="Whose scoring is the reference (else median).",
    )
    status = models.CharField(
        max_length=10, choices=CalibrationStatus.choices, default=CalibrationStatus.OPEN
    )
    created_by = models.ForeignKey(User, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title


class CalibrationScore(models.Model):
    session = models.ForeignKey(CalibrationSession, on_delete=models.CASCADE, related_name="scores")
    evaluator = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    answers = models.JSONField()
    score = models.FloatField(null=True)
    submitted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["session", "submitted_at"]
        constraints = [
            models.UniqueConstraint(fields=["session", "evaluator"], name="calibration_score_once")
        ]

    def __str__(self) -> str:
        return f"{self.session}: {self.evaluator}"


# --- great calls ----------------------------------------------------------------------------------


class NominationStatus(models.TextChoices):
    NOMINATED = "nominated", "Nominated"
    FEATURED = "featured", "Featured"


class GreatCall(models.Model):
    call = models.ForeignKey(
        "metrics.QueueCall", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    recording_id = models.CharField(max_length=200, blank=True)
    agent = models.ForeignKey("agents.Agent", on_delete=models.PROTECT, related_name="great_calls")
    nominated_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    anonymous = models.BooleanField(default=False)
    reason = models.TextField()
    status = models.CharField(
        max_length=10, choices=NominationStatus.choices, default=NominationStatus.NOMINATED
    )
    nominated_at = models.DateTimeField(auto_now_add=True)
    featured_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    featured_at = models.DateTimeField(null=True, blank=True)
    feature_note = models.TextField(blank=True)

    class Meta:
        ordering = ["-featured_at", "-nominated_at", "-id"]

    def __str__(self) -> str:
        return f"Great call by {self.agent}"

    @property
    def nominator_label(self) -> str:
        if self.anonymous:
            return "anonymous"
        return self.nominated_by.get_full_name() or self.nominated_by.get_username()
