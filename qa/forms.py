"""Page forms for sampling rules and calibration sessions (the services validate the rules)."""

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy

from agents.models import Team
from agents.roles import Role
from metrics.models import Queue
from qa.models import RuleMethod, RuleStatus, SamplingRule, ScorecardVersion, VersionStatus


class RuleForm(forms.Form):
    name = forms.CharField(max_length=150, label=gettext_lazy("Name"))
    team = forms.ModelChoiceField(
        Team.objects.all(),
        required=False,
        empty_label=gettext_lazy("every team"),
        label=gettext_lazy("Team"),
    )
    queues = forms.ModelMultipleChoiceField(
        Queue.objects.all(),
        required=False,
        help_text=gettext_lazy("none: every queue"),
        label=gettext_lazy("Queues"),
    )
    scorecard_version = forms.ModelChoiceField(
        ScorecardVersion.objects.filter(status=VersionStatus.RELEASED),
        label=gettext_lazy("Scorecard version"),
    )
    method = forms.ChoiceField(choices=RuleMethod.choices, label=gettext_lazy("Method"))
    calls_per_agent = forms.IntegerField(
        min_value=0, max_value=100, initial=2, label=gettext_lazy("Calls per agent")
    )
    min_talk_s = forms.IntegerField(min_value=0, initial=60, label=gettext_lazy("Minimum talk (s)"))
    nth = forms.IntegerField(min_value=1, initial=2, label=gettext_lazy("Nth call of the day"))
    after = forms.TimeField(required=False, label=gettext_lazy("At or after (hh:mm)"))
    period_start = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Period start")
    )
    period_end = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date"}), label=gettext_lazy("Period end")
    )
    supersedes = forms.ModelChoiceField(
        SamplingRule.objects.filter(status=RuleStatus.PUBLISHED),
        required=False,
        empty_label=gettext_lazy("nothing"),
        label=gettext_lazy("Supersedes"),
    )


def _evaluators():
    return (
        get_user_model()
        .objects.filter(groups__name__in=[Role.QA_ANALYST, Role.SUPERVISOR, Role.TEAM_LEAD])
        .distinct()
    )


class CalibrationForm(forms.Form):
    title = forms.CharField(max_length=150, label=gettext_lazy("Title"))
    scorecard_version = forms.ModelChoiceField(
        ScorecardVersion.objects.filter(status=VersionStatus.RELEASED),
        label=gettext_lazy("Scorecard version"),
    )
    recording_id = forms.CharField(max_length=200, label=gettext_lazy("Recording id"))
    participants = forms.ModelMultipleChoiceField(_evaluators(), label=gettext_lazy("Participants"))
    reference_by = forms.ModelChoiceField(
        _evaluators(),
        required=False,
        empty_label=gettext_lazy("median of the scores"),
        label=gettext_lazy("Reference by"),
    )
