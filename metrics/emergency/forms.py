"""The plan editor's form: the plan, its roles and its steps (rows of formsets)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from agents.models import Agent, Team
from agents.roles import Role
from metrics.emergency.models import MoveAction, PlanTrigger
from metrics.models import Queue


class PlanForm(forms.Form):
    title = forms.CharField(label=gettext_lazy("Title"), max_length=150)
    trigger = forms.ChoiceField(label=gettext_lazy("Trigger"), choices=PlanTrigger.choices)
    when = forms.CharField(
        label=gettext_lazy("When it applies"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    broadcast_text = forms.CharField(
        label=gettext_lazy("Message to broadcast"),
        max_length=400,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    teams = forms.ModelMultipleChoiceField(
        label=gettext_lazy("Teams concerned (none: the whole site)"),
        queryset=Team.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    active = forms.BooleanField(label=gettext_lazy("In use"), required=False, initial=True)


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return obj.get_full_name() or obj.get_username()


class RoleForm(forms.Form):
    duty = forms.CharField(label=gettext_lazy("Duty"), max_length=300, required=False)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=[("", "—"), *Role.choices],
        required=False,
    )
    person = PersonChoiceField(
        label=gettext_lazy("Person"),
        queryset=get_user_model()
        .objects.filter(is_active=True)
        .order_by("first_name", "last_name", "username"),
        required=False,
    )


class StepForm(forms.Form):
    text = forms.CharField(label=gettext_lazy("Step"), max_length=300, required=False)
    agent = forms.ModelChoiceField(
        label=gettext_lazy("Agent to move"),
        queryset=Agent.objects.filter(active=True).order_by("display_name"),
        required=False,
    )
    queue = forms.ModelChoiceField(
        label=gettext_lazy("Queue"), queryset=Queue.objects.order_by("name"), required=False
    )
    move = forms.ChoiceField(
        label=gettext_lazy("Move"), choices=[("", "—"), *MoveAction.choices], required=False
    )


RoleFormSet = forms.formset_factory(RoleForm, extra=2)
StepFormSet = forms.formset_factory(StepForm, extra=3)
