"""Post-call survey results and the recipients of the daily summary (report-side models)."""

from django.conf import settings
from django.db import models


class SurveyResult(models.Model):
    """One customer's post-call survey answer, tied to the answered queue call it rates."""

    source = models.ForeignKey(
        "metrics.TelephonySource", on_delete=models.PROTECT, related_name="surveys"
    )
    call_id = models.CharField(max_length=100)
    queue_call = models.OneToOneField(
        "metrics.QueueCall", null=True, blank=True, on_delete=models.SET_NULL, related_name="survey"
    )
    score = models.PositiveSmallIntegerField(help_text="on the site's survey scale")
    # "Was your issue resolved?": null when the survey did not ask or the caller skipped it.
    resolved = models.BooleanField(null=True, blank=True)
    answered_at = models.DateTimeField()
    received_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-answered_at", "-id"]
        constraints = [
            models.UniqueConstraint(fields=["source", "call_id"], name="surveyresult_once")
        ]

    def __str__(self) -> str:
        return f"survey {self.call_id}: {self.score}"


class CallFactsInterval(models.Model):
    """Facts about answered calls that are known only later: the repeat-call proxy (the caller
    called again within 24 h) and the post-call surveys.

    Two kinds of rows: per queue and interval (`agent` empty), read by the queue reports, and
    per agent and local day (`queue` empty, `start` = the day's local midnight), read by the
    agent and team reports. Rebuilt per local day by
    `metrics.reports.services.call_facts_refresh`, so reports read rollups rather than calls;
    the engine's own counters stay in `QueueInterval` / `AgentDay`.
    """

    queue = models.ForeignKey(
        "metrics.Queue", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    agent = models.ForeignKey(
        "agents.Agent", null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    start = models.DateTimeField()
    repeat_known_n = models.IntegerField(default=0)
    repeat_n = models.IntegerField(default=0)
    survey_n = models.IntegerField(default=0)
    survey_score_sum = models.FloatField(default=0)
    survey_top_n = models.IntegerField(default=0)
    fcr_n = models.IntegerField(default=0)
    fcr_yes_n = models.IntegerField(default=0)

    class Meta:
        ordering = ["start", "queue", "agent"]
        indexes = [models.Index(fields=["queue", "start"]), models.Index(fields=["agent", "start"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(queue__isnull=True) ^ models.Q(agent__isnull=True),
                name="callfacts_queue_xor_agent",
            ),
        ]

    def __str__(self) -> str:
        return f"facts {self.queue_id or self.agent_id} {self.start:%Y-%m-%d %H:%M}"


class SummaryRecipient(models.Model):
    """A person who gets the daily summary e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="summary_subscription"
    )
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"daily summary → {self.user}"
