import re

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy

# An extension (2001) or a dial string (PJSIP/2001, Local/2001@from-internal): what a PBX
# dials. No spaces or line breaks: it is sent in a Manager header.
EXTENSION_PATTERN = re.compile(r"^[A-Za-z0-9_*#+@/.:-]{1,80}$")


def validate_extension(value: str) -> None:
    if value and not EXTENSION_PATTERN.match(value):
        raise ValidationError(
            gettext_lazy(
                "Give an extension (2001) or a dial string (PJSIP/2001): letters, digits and "
                "_ * # + @ / . : - only."
            ),
            code="extension",
        )


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True, verbose_name=gettext_lazy("name"))
    lead = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="teams_led",
        verbose_name=gettext_lazy("lead"),
    )

    class Meta:
        verbose_name = gettext_lazy("team")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Agent(models.Model):
    """The floor profile of a person who takes calls (one per user)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="agent",
        verbose_name=gettext_lazy("user"),
    )
    employee_number = models.CharField(
        max_length=32, unique=True, verbose_name=gettext_lazy("employee number")
    )
    display_name = models.CharField(max_length=150, verbose_name=gettext_lazy("display name"))
    team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="agents",
        verbose_name=gettext_lazy("team"),
    )
    active = models.BooleanField(default=True, verbose_name=gettext_lazy("active"))

    class Meta:
        verbose_name = gettext_lazy("agent")
        ordering = ["display_name"]

    def __str__(self) -> str:
        return self.display_name


class TelephonyAlias(models.Model):
    """A member name a PBX writes for an agent (`Local/2004@from-internal/n`, `PJSIP/2004`)."""

    agent = models.ForeignKey(
        Agent, on_delete=models.CASCADE, related_name="aliases", verbose_name=gettext_lazy("agent")
    )
    name = models.CharField(max_length=200, unique=True, verbose_name=gettext_lazy("name"))

    class Meta:
        verbose_name = gettext_lazy("telephony alias")
        ordering = ["name"]
        verbose_name_plural = gettext_lazy("telephony aliases")

    def __str__(self) -> str:
        return self.name


class AuditEntry(models.Model):
    """One state or score change, written once and never changed."""

    at = models.DateTimeField(auto_now_add=True, db_index=True, verbose_name=gettext_lazy("at"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=gettext_lazy("actor"),
    )
    action = models.CharField(max_length=100, verbose_name=gettext_lazy("action"))
    object_type = models.CharField(max_length=100, verbose_name=gettext_lazy("object type"))
    object_id = models.CharField(max_length=64, verbose_name=gettext_lazy("object id"))
    data = models.JSONField(default=dict, blank=True, verbose_name=gettext_lazy("data"))

    class Meta:
        verbose_name = gettext_lazy("audit entry")
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        verbose_name_plural = gettext_lazy("audit entries")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("audit entries are never changed")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("audit entries are never deleted")


class Notification(models.Model):
    """Something a person should know about; shown in their inbox until read."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=gettext_lazy("recipient"),
    )
    kind = models.CharField(max_length=50, blank=True, verbose_name=gettext_lazy("kind"))
    text = models.CharField(max_length=500, verbose_name=gettext_lazy("text"))
    link = models.CharField(max_length=300, blank=True, verbose_name=gettext_lazy("link"))
    created_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("created at"))
    read_at = models.DateTimeField(null=True, blank=True, verbose_name=gettext_lazy("read at"))

    class Meta:
        verbose_name = gettext_lazy("notification")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["recipient", "read_at"])]

    def __str__(self) -> str:
        return self.text


class UserPreferences(models.Model):
    """A person's own settings, applied on every device they sign in on."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="preferences",
        verbose_name=gettext_lazy("user"),
    )
    # Empty: follow the browser (Accept-Language), then the site's CALLFLOOR_LANGUAGE.
    language = models.CharField(
        max_length=10,
        blank=True,
        choices=[(code, name) for code, name in settings.LANGUAGES],
        verbose_name=gettext_lazy("language"),
    )
    # The phone a supervisor or team lead listens, coaches and barges in from (the PBX rings
    # it, then connects it to the agent's call): an extension or a dial string.
    extension = models.CharField(
        max_length=80,
        blank=True,
        validators=[validate_extension],
        verbose_name=gettext_lazy("phone extension"),
        help_text=gettext_lazy("e.g. 2001 or PJSIP/2001: the PBX rings it to listen in"),
    )

    class Meta:
        verbose_name = gettext_lazy("user preferences")
        verbose_name_plural = gettext_lazy("user preferences")

    def __str__(self) -> str:
        return str(self.user)


class PasswordChangeRequired(models.Model):
    """A person who must choose a new password before anything else (set by an admin)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        primary_key=True,
        on_delete=models.CASCADE,
        related_name="password_change_required",
        verbose_name=gettext_lazy("user"),
    )
    required_at = models.DateTimeField(auto_now_add=True, verbose_name=gettext_lazy("required at"))
    required_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=gettext_lazy("required by"),
    )

    class Meta:
        verbose_name = gettext_lazy("password change required")

    def __str__(self) -> str:
        return str(self.user)


from agents.swaps.models import RoleSwap, RoleSwapStatus  # noqa: E402, F401
