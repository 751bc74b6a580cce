"""Where a telephony source keeps its call recordings, which call has which file, and who
listened.

Imported by `metrics.models` so Django registers them in the `metrics` app.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

# Asterisk's MixMonitor as FreePBX lays it out: /var/spool/asterisk/monitor/YYYY/MM/DD/
# <direction>-<to>-<from>-<date>-<time>-<uniqueid>.<ext>, the uniqueid being queue_log's call id.
FREEPBX_PATTERN = "{yyyy}/{mm}/{dd}/*-{call_id}.{ext}"


class StoreKind(models.TextChoices):
    DIRECTORY = "directory", _("A directory the PBX writes (mounted read-only)")
    URL_TEMPLATE = "url_template", _("An HTTP(S) address per call")


class RecordingStore(models.Model):
    """How the recordings of one telephony source are found and for how long they are played."""

    source = models.OneToOneField(
        "metrics.TelephonySource",
        on_delete=models.CASCADE,
        related_name="recording_store",
        verbose_name=_("source"),
    )
    kind = models.CharField(_("kind"), max_length=20, choices=StoreKind.choices)
    directory = models.CharField(
        _("directory"),
        max_length=500,
        blank=True,
        help_text=_(
            "the recording directory as this server sees it, e.g. /var/spool/asterisk/monitor"
        ),
    )
    file_pattern = models.CharField(
        _("file-name pattern"),
        max_length=200,
        blank=True,
        default=FREEPBX_PATTERN,
        help_text=_(
            "under the directory: {yyyy} {mm} {dd} (the call's local date), {call_id}, {ext} "
            "(wav, mp3 or gsm) and * for any text within a name"
        ),
    )
    url_template = models.CharField(
        _("address template"),
        max_length=500,
        blank=True,
        help_text=_(
            "e.g. https://pbx.example/recordings/{call_id} — the server fetches it and only "
            "ever reaches this host"
        ),
    )
    username = models.CharField(_("user name"), max_length=200, blank=True)
    # The password or token the server sends (Basic with a user name, else Bearer), encrypted
    # like the alert channels' secrets (metrics.alerts.secrets).
    secret_encrypted = models.TextField(blank=True, editable=False)
    retention_days = models.PositiveIntegerField(
        _("retention (days)"),
        null=True,
        blank=True,
        help_text=_("recordings older than this many days are no longer played (empty: always)"),
    )

    class Meta:
        verbose_name = _("recording store")
        verbose_name_plural = _("recording stores")

    def __str__(self) -> str:
        return f"{self.source} ({self.get_kind_display()})"

    def clean(self) -> None:
        from metrics.recordings import stores

        if self.kind == StoreKind.DIRECTORY:
            if not self.directory.startswith("/"):
                raise ValidationError({"directory": _("Give an absolute directory.")})
            problem = stores.pattern_problem(self.file_pattern)
            if problem:
                raise ValidationError({"file_pattern": problem})
        elif self.kind == StoreKind.URL_TEMPLATE:
            problem = stores.template_problem(self.url_template)
            if problem:
                raise ValidationError({"url_template": problem})


class Recording(models.Model):
    """The recording of one telephony call (every queue entry of the call shares it)."""

    source = models.ForeignKey(
        "metrics.TelephonySource",
        on_delete=models.CASCADE,
        related_name="recordings",
        verbose_name=_("source"),
    )
    call_id = models.CharField(_("call id"), max_length=100)
    # Directory store: the path under its directory; URL store: the value of {recording}.
    location = models.CharField(_("location"), max_length=500)
    content_type = models.CharField(_("content type"), max_length=50, blank=True)
    linked_at = models.DateTimeField(_("linked at"), auto_now_add=True)

    class Meta:
        verbose_name = _("recording")
        verbose_name_plural = _("recordings")
        constraints = [models.UniqueConstraint(fields=["source", "call_id"], name="recording_once")]

    def __str__(self) -> str:
        return f"{self.call_id}: {self.location}"


class RecordingListen(models.Model):
    """One person listening to one call's recording, written once and never changed."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("listener"),
    )
    call = models.ForeignKey(
        "metrics.QueueCall",
        on_delete=models.PROTECT,
        related_name="listens",
        verbose_name=_("call"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True, db_index=True)

    class Meta:
        verbose_name = _("recording listen")
        verbose_name_plural = _("recording listens")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["call", "at"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.user_id} → {self.call_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("listens are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("listens are never deleted")
