"""Moments: a time in a call that a mark points at.

An evaluator pins a comment or a deduction (a scorecard item) to a moment; the agent cites
moments against an appealed item; the nominator of a great call highlights one. Each moment
belongs to exactly one of an evaluation, an appeal item or a great call.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy

User = settings.AUTH_USER_MODEL

MAX_NOTE = 500


class MomentKind(models.TextChoices):
    COMMENT = "comment", gettext_lazy("Comment")
    DEDUCTION = "deduction", gettext_lazy("Deduction")
    CITATION = "citation", gettext_lazy("Cited in the appeal")
    HIGHLIGHT = "highlight", gettext_lazy("Highlight")


class Moment(models.Model):
    kind = models.CharField(
        max_length=10, choices=MomentKind.choices, verbose_name=gettext_lazy("kind")
    )
    at_ms = models.PositiveIntegerField(verbose_name=gettext_lazy("at (ms)"))
    note = models.CharField(max_length=MAX_NOTE, blank=True, verbose_name=gettext_lazy("note"))
    evaluation = models.ForeignKey(
        "qa.Evaluation",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moments",
        verbose_name=gettext_lazy("evaluation"),
    )
    criterion = models.ForeignKey(
        "qa.Criterion",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("criterion"),
    )
    appeal_item = models.ForeignKey(
        "qa.AppealItem",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moments",
        verbose_name=gettext_lazy("appeal item"),
    )
    great_call = models.ForeignKey(
        "qa.GreatCall",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="moments",
        verbose_name=gettext_lazy("great call"),
    )
    author = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", verbose_name=gettext_lazy("author")
    )
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))

    class Meta:
        verbose_name = gettext_lazy("moment")
        ordering = ["at_ms", "id"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(
                        kind="comment",
                        evaluation__isnull=False,
                        criterion__isnull=True,
                        appeal_item__isnull=True,
                        great_call__isnull=True,
                    )
                    | Q(
                        kind="deduction",
                        evaluation__isnull=False,
                        criterion__isnull=False,
                        appeal_item__isnull=True,
                        great_call__isnull=True,
                    )
                    | Q(
                        kind="citation",
                        evaluation__isnull=True,
                        appeal_item__isnull=False,
                        great_call__isnull=True,
                    )
                    | Q(
                        kind="highlight",
                        evaluation__isnull=True,
                        appeal_item__isnull=True,
                        great_call__isnull=False,
                    )
                ),
                name="moment_belongs_to_one_mark",
            )
        ]

    def __str__(self) -> str:
        seconds = self.at_ms // 1000
        return f"{self.get_kind_display()} {seconds // 60}:{seconds % 60:02d}"
