"""The telephony source's admin form: an AMI source's secret is write-only."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from metrics.models import SourceKind, TelephonySource
from metrics.telephony.ami.config import source_has_secret, source_secret_set


class TelephonySourceForm(forms.ModelForm):
    ami_secret = forms.CharField(
        label=_("AMI secret"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
        help_text=_(
            "the manager account's secret; never shown again (leave empty to keep the saved one)"
        ),
    )

    class Meta:
        model = TelephonySource
        fields = [
            "name",
            "kind",
            "site",
            "queues",
            "time_zone",
            "follow_path",
            "ami_host",
            "ami_port",
            "ami_username",
            "ami_secret_env",
            "active",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Only an AMI source uses the port: another kind's form may leave it out.
        self.fields["ami_port"].required = False

    def clean_ami_port(self) -> int:
        return self.cleaned_data.get("ami_port") or 5038

    def clean(self):
        data = super().clean()
        if data.get("kind") != SourceKind.AMI:
            return data
        if not data.get("ami_host"):
            self.add_error("ami_host", _("an AMI source needs the host of its Asterisk"))
        if not data.get("ami_username"):
            self.add_error("ami_username", _("an AMI source needs its manager user name"))
        secret = data.get("ami_secret", "")
        if any(ch in secret for ch in "\r\n"):
            self.add_error("ami_secret", _("the secret cannot contain a line break"))
        if not (secret or data.get("ami_secret_env") or source_has_secret(self.instance)):
            self.add_error(
                "ami_secret",
                _("give the secret, or the environment variable that holds it"),
            )
        return data

    def save(self, commit: bool = True):
        source = super().save(commit=False)
        if self.cleaned_data.get("ami_secret"):
            source_secret_set(source=source, secret=self.cleaned_data["ami_secret"])
        if commit:
            source.save()
            self.save_m2m()
        return source
