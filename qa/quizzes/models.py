"""The question bank, the tests assembled from it, each agent's paper and attempts.

Imported at the end of `qa/models.py`, so the models carry the `qa` label.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy

from agents.models import Agent, Team

__all__ = [
    "GRACE",
    "AttemptStatus",
    "CountedAttempt",
    "QuestionKind",
    "Quiz",
    "QuizAttempt",
    "QuizPaper",
    "QuizQuestion",
    "QuizStatus",
    "QuizTopic",
]

# Answers that reach the server this long after the time limit still count (the network, a
# slow browser); later ones are refused.
GRACE = timedelta(seconds=30)


class QuestionKind(models.TextChoices):
    SINGLE = "single", gettext_lazy("Single choice")
    MULTIPLE = "multiple", gettext_lazy("Multiple choice")
    TRUE_FALSE = "true_false", gettext_lazy("True or false")


class QuizTopic(models.Model):
    name = models.CharField(max_length=120, unique=True, verbose_name=gettext_lazy("name"))
    description = models.TextField(blank=True, verbose_name=gettext_lazy("description"))

    class Meta:
        verbose_name = gettext_lazy("test topic")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class QuizQuestion(models.Model):
    """One question of the bank; `correct` lists the indexes of the right choices."""

    topic = models.ForeignKey(
        QuizTopic,
        on_delete=models.PROTECT,
        related_name="questions",
        verbose_name=gettext_lazy("topic"),
    )
    kind = models.CharField(
        max_length=16, choices=QuestionKind.choices, verbose_name=gettext_lazy("kind")
    )
    text = models.TextField(verbose_name=gettext_lazy("question"))
    choices = models.JSONField(default=list, verbose_name=gettext_lazy("choices"))
    correct = models.JSONField(default=list, verbose_name=gettext_lazy("correct choices"))
    explanation = models.TextField(blank=True, verbose_name=gettext_lazy("explanation"))
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("in use"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("test question")
        ordering = ["topic", "id"]

    def __str__(self) -> str:
        return self.text[:60]


class QuizStatus(models.TextChoices):
    DRAFT = "draft", gettext_lazy("Draft")
    PUBLISHED = "published", gettext_lazy("Published")
    WITHDRAWN = "withdrawn", gettext_lazy("Withdrawn")


class CountedAttempt(models.TextChoices):
    BEST = "best", gettext_lazy("The best attempt")
    LAST = "last", gettext_lazy("The last attempt")


class Quiz(models.Model):
    """A test: chosen questions, or `random_count` drawn per agent from `topics`."""

    title = models.CharField(max_length=200, verbose_name=gettext_lazy("title"))
    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    status = models.CharField(
        max_length=16,
        choices=QuizStatus.choices,
        default=QuizStatus.DRAFT,
        verbose_name=gettext_lazy("status"),
    )
    questions = models.ManyToManyField(
        QuizQuestion, blank=True, related_name="quizzes", verbose_name=gettext_lazy("questions")
    )
    topics = models.ManyToManyField(
        QuizTopic, blank=True, related_name="quizzes", verbose_name=gettext_lazy("topics")
    )
    random_count = models.PositiveSmallIntegerField(
        default=0, verbose_name=gettext_lazy("random questions per paper")
    )
    time_limit_minutes = models.PositiveSmallIntegerField(
        default=20, verbose_name=gettext_lazy("time limit (minutes)")
    )
    opens_at = models.DateTimeField(verbose_name=gettext_lazy("opens at"))
    closes_at = models.DateTimeField(verbose_name=gettext_lazy("closes at"))
    attempts_allowed = models.PositiveSmallIntegerField(
        default=1, verbose_name=gettext_lazy("attempts allowed")
    )
    counts = models.CharField(
        max_length=8,
        choices=CountedAttempt.choices,
        default=CountedAttempt.BEST,
        verbose_name=gettext_lazy("attempt that counts"),
    )
    agents = models.ManyToManyField(
        Agent, blank=True, related_name="quizzes", verbose_name=gettext_lazy("agents")
    )
    teams = models.ManyToManyField(
        Team, blank=True, related_name="quizzes", verbose_name=gettext_lazy("teams")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("created by"),
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    published_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("published at")
    )

    class Meta:
        verbose_name = gettext_lazy("test")
        ordering = ["-opens_at", "-id"]

    def __str__(self) -> str:
        return self.title

    @property
    def time_limit(self) -> timedelta:
        return timedelta(minutes=self.time_limit_minutes)

    def is_open(self, now) -> bool:
        return self.status == QuizStatus.PUBLISHED and self.opens_at <= now < self.closes_at

    def key_released(self, now) -> bool:
        """The right answers show once the window and its grace are over (colleagues may still
        hand in before)."""
        return self.status == QuizStatus.PUBLISHED and now >= self.closes_at + GRACE


class QuizPaper(models.Model):
    """The questions one agent answers in one test, fixed when first drawn (every retake
    answers the same paper)."""

    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="papers", verbose_name=gettext_lazy("test")
    )
    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="+", verbose_name=gettext_lazy("agent")
    )
    question_ids = models.JSONField(default=list, verbose_name=gettext_lazy("questions"))
    drawn_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("drawn at"))

    class Meta:
        verbose_name = gettext_lazy("test paper")
        constraints = [
            models.UniqueConstraint(fields=["quiz", "agent"], name="quizpaper_once_per_agent")
        ]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.agent}"


class AttemptStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", gettext_lazy("In progress")
    SUBMITTED = "submitted", gettext_lazy("Submitted")
    EXPIRED = "expired", gettext_lazy("Time ran out")


class QuizAttempt(models.Model):
    paper = models.ForeignKey(
        QuizPaper,
        on_delete=models.CASCADE,
        related_name="attempts",
        verbose_name=gettext_lazy("paper"),
    )
    quiz = models.ForeignKey(
        Quiz, on_delete=models.CASCADE, related_name="attempts", verbose_name=gettext_lazy("test")
    )
    agent = models.ForeignKey(
        Agent,
        on_delete=models.CASCADE,
        related_name="quiz_attempts",
        verbose_name=gettext_lazy("agent"),
    )
    number = models.PositiveSmallIntegerField(verbose_name=gettext_lazy("attempt"))
    status = models.CharField(
        max_length=16,
        choices=AttemptStatus.choices,
        default=AttemptStatus.IN_PROGRESS,
        verbose_name=gettext_lazy("status"),
    )
    started_at = models.DateTimeField(verbose_name=gettext_lazy("started at"))
    deadline = models.DateTimeField(verbose_name=gettext_lazy("deadline"))
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("finished at")
    )
    # {"<question id>": [chosen indexes]}
    answers = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("answers"))
    correct_count = models.PositiveSmallIntegerField(
        null=True, blank=True, verbose_name=gettext_lazy("right answers")
    )
    question_count = models.PositiveSmallIntegerField(
        default=0, verbose_name=gettext_lazy("questions")
    )
    score = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True, verbose_name=gettext_lazy("score")
    )

    class Meta:
        verbose_name = gettext_lazy("test attempt")
        ordering = ["quiz", "agent", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["quiz", "agent", "number"], name="quizattempt_number_once"
            )
        ]
        indexes = [models.Index(fields=["agent", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.quiz} · {self.agent} · {self.number}"

    def overdue(self, now) -> bool:
        return self.status == AttemptStatus.IN_PROGRESS and now > self.deadline + GRACE
