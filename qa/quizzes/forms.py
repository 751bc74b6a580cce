"""Page forms for the question bank and for setting a test (the services check the rules)."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy

from agents.models import Agent, Team
from qa.models import CountedAttempt, QuestionKind, QuizQuestion, QuizTopic

LOCAL = "%Y-%m-%dT%H:%M"


class TopicForm(forms.Form):
    name = forms.CharField(max_length=120, label=gettext_lazy("Topic"))
    description = forms.CharField(
        required=False, widget=forms.Textarea(attrs={"rows": 2}), label=gettext_lazy("About")
    )


class QuestionForm(forms.Form):
    topic = forms.ModelChoiceField(QuizTopic.objects.all(), label=gettext_lazy("Topic"))
    kind = forms.ChoiceField(choices=QuestionKind.choices, label=gettext_lazy("Kind"))
    text = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label=gettext_lazy("Question"))
    choices = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label=gettext_lazy("Choices"),
        help_text=gettext_lazy("One a line (leave empty for true or false)."),
    )
    correct = forms.CharField(
        max_length=60,
        label=gettext_lazy("Right choices"),
        help_text=gettext_lazy("Their numbers, e.g. 2, or 1,3 for multiple choice."),
    )
    explanation = forms.CharField(
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        label=gettext_lazy("Explanation"),
        help_text=gettext_lazy("Shown with the right answers once the test closes."),
    )

    def clean_choices(self) -> list[str]:
        return [line.strip() for line in self.cleaned_data["choices"].splitlines() if line.strip()]

    def clean_correct(self) -> list[int]:
        raw = self.cleaned_data["correct"].replace("，", ",").replace(" ", ",")
        try:
            numbers = [int(part) for part in raw.split(",") if part]
        except ValueError:
            raise forms.ValidationError(
                gettext_lazy("Write the numbers of the right choices.")
            ) from None
        if not numbers or min(numbers) < 1:
            raise forms.ValidationError(gettext_lazy("Write the numbers of the right choices."))
        return [number - 1 for number in numbers]


class QuizForm(forms.Form):
    title = forms.CharField(max_length=200, label=gettext_lazy("Title"))
    opens_at = forms.DateTimeField(
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
        label=gettext_lazy("Opens"),
    )
    closes_at = forms.DateTimeField(
        input_formats=[LOCAL],
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL),
        label=gettext_lazy("Closes"),
    )
    time_limit_minutes = forms.IntegerField(
        min_value=1, max_value=600, initial=20, label=gettext_lazy("Time limit (minutes)")
    )
    questions = forms.ModelMultipleChoiceField(
        QuizQuestion.objects.filter(active=True).select_related("topic"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("Chosen questions"),
    )
    random_count = forms.IntegerField(
        min_value=0,
        max_value=200,
        initial=0,
        label=gettext_lazy("Or draw this many at random"),
        help_text=gettext_lazy("Each agent's paper is drawn once and kept for every retake."),
    )
    topics = forms.ModelMultipleChoiceField(
        QuizTopic.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("From the topics"),
    )
    attempts_allowed = forms.IntegerField(
        min_value=1, max_value=10, initial=1, label=gettext_lazy("Attempts allowed")
    )
    counts = forms.ChoiceField(
        choices=CountedAttempt.choices, label=gettext_lazy("Attempt that counts")
    )
    teams = forms.ModelMultipleChoiceField(
        Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("For the teams"),
    )
    agents = forms.ModelMultipleChoiceField(
        Agent.objects.filter(active=True),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        label=gettext_lazy("For the agents"),
    )
