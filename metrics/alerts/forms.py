"""The channel and rule forms (server-rendered; the secret is write-only)."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.core.validators import validate_email
from django.utils.translation import gettext_lazy as _

from agents.models import Team
from metrics.alerts.addresses import AddressRefused, url_check
from metrics.alerts.models import AlertChannel, AlertRule, ChannelKind
from metrics.alerts.services import EVENTS
from metrics.models import Queue

DAYS = [
    (1, _("Mon")),
    (2, _("Tue")),
    (3, _("Wed")),
    (4, _("Thu")),
    (5, _("Fri")),
    (6, _("Sat")),
    (7, _("Sun")),
]


class ChannelForm(forms.ModelForm):
    url = forms.URLField(label=_("URL"), required=False, max_length=500, assume_scheme="https")
    secret = forms.CharField(
        label=_("Secret"),
        required=False,
        strip=True,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "the DingTalk or Feishu signing secret, or the webhook's; never shown again "
            "(leave empty to keep the saved one)"
        ),
    )
    events = forms.MultipleChoiceField(
        label=_("Integration events"),
        required=False,
        choices=[(e, e) for e in EVENTS],
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = AlertChannel
        fields = [
            "name",
            "kind",
            "url",
            "emails",
            "secret_env",
            "events",
            "allow_private",
            "enabled",
        ]

    def clean_emails(self) -> str:
        addresses = [line.strip() for line in self.cleaned_data["emails"].splitlines()]
        addresses = [a for a in addresses if a]
        for address in addresses:
            try:
                validate_email(address)
            except forms.ValidationError:
                raise forms.ValidationError(
                    _("%(address)s is not an e-mail address") % {"address": address}
                ) from None
        return "\n".join(addresses)

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == ChannelKind.EMAIL:
            if not data.get("emails"):
                self.add_error("emails", _("give at least one e-mail address"))
        elif kind:
            url = data.get("url")
            if not url:
                self.add_error("url", _("a robot or webhook needs its URL"))
            else:
                try:
                    url_check(url, allow_private=bool(data.get("allow_private")))
                except AddressRefused as refused:
                    self.add_error("url", str(refused))
        return data


class RuleForm(forms.ModelForm):
    days = forms.TypedMultipleChoiceField(
        label=_("Days"),
        required=False,
        coerce=int,
        choices=DAYS,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("none: every day"),
    )

    class Meta:
        model = AlertRule
        fields = [
            "name",
            "kind",
            "threshold",
            "queues",
            "teams",
            "channels",
            "start_time",
            "end_time",
            "days",
            "cooldown_minutes",
            "language",
            "enabled",
        ]
        widgets = {
            "start_time": forms.TimeInput(attrs={"type": "time"}),
            "end_time": forms.TimeInput(attrs={"type": "time"}),
            "queues": forms.CheckboxSelectMultiple,
            "teams": forms.CheckboxSelectMultiple,
            "channels": forms.CheckboxSelectMultiple,
        }
        labels = {"queues": _("Queues (none: all)"), "teams": _("Teams (none: all)")}

    def __init__(self, *args, led_teams=None, **kwargs):
        super().__init__(*args, **kwargs)
        languages = getattr(settings, "LANGUAGES", None) or [(settings.LANGUAGE_CODE, "")]
        self.fields["language"] = forms.ChoiceField(
            label=_("Language of the messages"),
            choices=[(code, f"{name} ({code})" if name else code) for code, name in languages],
            initial=settings.LANGUAGE_CODE,
        )
        self.fields["channels"].queryset = AlertChannel.objects.filter(enabled=True)
        if led_teams is not None:
            self.fields["teams"].queryset = Team.objects.filter(pk__in=led_teams)
            self.fields["queues"].queryset = Queue.objects.filter(teams__in=led_teams).distinct()
            self.fields["teams"].label = _("Teams (none: all the teams you lead)")
