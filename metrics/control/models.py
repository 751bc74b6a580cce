"""What a supervisor does to the phone system from the board: their live listening legs.

Imported by `metrics/models.py`, so the app label stays `metrics`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy


class MonitorMode(models.TextChoices):
    LISTEN = "listen", gettext_lazy("Listen")
    WHISPER = "whisper", gettext_lazy("Whisper")
    BARGE = "barge", gettext_lazy("Barge")


class Monitoring(models.Model):
    """A supervisor's phone connected to an agent's call by the PBX (ChanSpy): listening,
    coaching the agent (whisper) or joining the call (barge).

    Open until the supervisor stops it from the board, a takeover that used it is finished,
    or the agent's call ends (the board stops showing it then)."""

    site = models.SlugField(max_length=50, default="main", verbose_name=gettext_lazy("site"))
    source = models.ForeignKey(
        "metrics.TelephonySource",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("telephony source"),
    )
    agent = models.ForeignKey(
        "agents.Agent",
        on_delete=models.PROTECT,
        related_name="monitorings",
        verbose_name=gettext_lazy("agent"),
    )
    supervisor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("supervisor"),
    )
    mode = models.CharField(
        max_length=10, choices=MonitorMode.choices, verbose_name=gettext_lazy("mode")
    )
    call_id = models.CharField(max_length=100, blank=True, verbose_name=gettext_lazy("call id"))
    # The supervisor's leg: the channel dialled and the unique id callfloor gave it in the
    # Originate (`ChannelId`), by which a Hangup finds it again.
    channel = models.CharField(max_length=100, verbose_name=gettext_lazy("channel"))
    channel_id = models.CharField(
        max_length=64, unique=True, verbose_name=gettext_lazy("channel id")
    )
    spied = models.CharField(max_length=200, verbose_name=gettext_lazy("spied channel"))
    takeover = models.ForeignKey(
        "metrics.Takeover",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="monitorings",
        verbose_name=gettext_lazy("takeover"),
    )
    started_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("started at"))
    finished_at = models.DateTimeField(
        null=True, blank=True, verbose_name=gettext_lazy("finished at")
    )

    class Meta:
        verbose_name = gettext_lazy("monitoring")
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["site", "finished_at"])]

    def __str__(self) -> str:
        return f"{self.supervisor_id} {self.mode} {self.agent_id} {self.call_id}"
