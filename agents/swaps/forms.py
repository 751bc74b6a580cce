"""The role-swap grant form of the page."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from agents.roles import Role

LOCAL = ["%Y-%m-%dT%H:%M"]


def _people(role: str):
    return get_user_model().objects.filter(groups__name=role, is_active=True).order_by("username")


class PersonChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class RoleSwapForm(forms.Form):
    agent_as_analyst = PersonChoice(
        queryset=_people(Role.AGENT),
        required=False,
        label=gettext_lazy("Agent who works as a QA analyst"),
    )
    analyst_as_agent = PersonChoice(
        queryset=_people(Role.QA_ANALYST),
        required=False,
        label=gettext_lazy("QA analyst who works as an agent"),
    )
    starts_at = forms.DateTimeField(
        input_formats=LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL[0]),
        label=gettext_lazy("Starts at"),
    )
    ends_at = forms.DateTimeField(
        input_formats=LOCAL,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL[0]),
        label=gettext_lazy("Ends at"),
    )
    reason = forms.CharField(max_length=300, required=False, label=gettext_lazy("Reason"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Querysets are evaluated per form, so people added after start-up are offered.
        self.fields["agent_as_analyst"].queryset = _people(Role.AGENT)
        self.fields["analyst_as_agent"].queryset = _people(Role.QA_ANALYST)
