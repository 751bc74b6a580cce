"""Monthly test pages: the list, the bank, setting a test, the start page, the paper with its
countdown, the result, and results over time."""

from __future__ import annotations

from collections.abc import Callable

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from agents.access import agent_of, can_see_agent, role_required
from agents.models import Agent, Team
from callfloor import charts
from callfloor.errors import DomainError
from callfloor.page_errors import FormErrors, render_again
from qa.models import AttemptStatus, Quiz, QuizAttempt, QuizQuestion, QuizStatus
from qa.quizzes import access, selectors, services
from qa.quizzes.forms import QuestionForm, QuizForm, TopicForm


def _render(request, template: str, context: dict):
    """Render (times show in the site's zone: `SiteTimeZoneMiddleware`)."""
    return render(request, template, context)


def _attempt(request, action: Callable[[], object], success: str):
    """Run a service; a refused business rule becomes an error message on the page."""
    try:
        result = action()
    except DomainError as error:
        if error.status_code == 403:
            raise PermissionDenied(error.message) from error
        messages.error(request, error.message)
        return None
    messages.success(request, success)
    return result


def _form_attempt(form: forms.Form, action: Callable[[], object]) -> bool:
    """Run a service on a valid form; each field a refusal names gets its reasons beside it."""
    try:
        form.created = action()
    except DomainError as error:
        for field, reasons in (error.fields or {None: [error.message]}).items():
            for reason in reasons:
                form.add_error(field if field in form.fields else None, reason)
        return False
    return True


@login_required
def quiz_list(request):
    """An agent's tests (open, coming, done); every test for those who read results."""
    now = timezone.now()
    own = agent_of(request.user)
    mine = []
    if own is not None:
        for quiz in selectors.quizzes_for_agent(own):
            attempts = selectors.attempts_of(quiz, own)
            mine.append(
                {
                    "quiz": quiz,
                    "open": quiz.is_open(now),
                    "coming": now < quiz.opens_at,
                    "attempts": len(attempts),
                    "left": selectors.attempts_left(quiz, attempts),
                    "counted": selectors.counted(attempts, quiz.counts),
                }
            )
    return _render(
        request,
        "qa/quizzes/list.html",
        {
            "mine": mine,
            "quizzes": selectors.quiz_list() if access.reads_results(request.user) else [],
            "manager": access.manages_quizzes(request.user),
            "now": now,
        },
    )


@role_required(*access.QUIZ_MANAGERS)
@require_http_methods(["GET", "POST"])
def bank(request, topic_form: TopicForm | None = None, question_form: QuestionForm | None = None):
    if request.method == "POST" and topic_form is None and question_form is None:
        if request.POST.get("form") == "topic":
            topic_form = TopicForm(request.POST)
            if topic_form.is_valid() and _form_attempt(
                topic_form,
                lambda: services.quiz_topic_create(actor=request.user, **topic_form.cleaned_data),
            ):
                messages.success(request, _("Topic added."))
                return redirect("qa-quiz-bank")
            return render_again(
                request, bank, errors=FormErrors.from_form(topic_form), topic_form=topic_form
            )
        question_form = QuestionForm(request.POST)
        if question_form.is_valid() and _form_attempt(
            question_form,
            lambda: services.quiz_question_create(actor=request.user, **question_form.cleaned_data),
        ):
            messages.success(request, _("Question added to the bank."))
            return redirect("qa-quiz-bank")
        return render_again(
            request, bank, errors=FormErrors.from_form(question_form), question_form=question_form
        )
    return _render(
        request,
        "qa/quizzes/bank.html",
        {
            "topics": selectors.topics().prefetch_related("questions"),
            "topic_form": topic_form or TopicForm(),
            "question_form": question_form or QuestionForm(),
        },
    )


@role_required(*access.QUIZ_MANAGERS)
@require_POST
def question_retire(request, question_id: int):
    question = get_object_or_404(QuizQuestion, pk=question_id)
    _attempt(
        request,
        lambda: services.quiz_question_retire(actor=request.user, question=question),
        _("The question is out of use: no new paper draws it."),
    )
    return redirect("qa-quiz-bank")


@role_required(*access.QUIZ_MANAGERS)
@require_http_methods(["GET", "POST"])
def quiz_new(request, form: QuizForm | None = None):
    if request.method == "POST" and form is None:
        form = QuizForm(request.POST)
        valid = form.is_valid()
        if valid and _form_attempt(
            form, lambda: services.quiz_create(actor=request.user, **form.cleaned_data)
        ):
            messages.success(request, _("Draft test saved: check it, then publish it."))
            return redirect("qa-quiz", quiz_id=form.created.pk)
        return render_again(request, quiz_new, errors=FormErrors.from_form(form), form=form)
    return _render(request, "qa/quizzes/new.html", {"form": form or QuizForm()})


@login_required
def quiz(request, quiz_id: int):
    """The start page for the agent it is set for; the results for those who read them."""
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    if not access.can_view_quiz(request.user, quiz):
        raise Http404
    if quiz.status == QuizStatus.DRAFT and not access.reads_results(request.user):
        raise Http404
    now = timezone.now()
    own = agent_of(request.user)
    attempts = selectors.attempts_of(quiz, own) if own is not None else []
    assigned = own is not None and selectors.is_assigned(quiz, own)
    reader = access.reads_results(request.user)
    return _render(
        request,
        "qa/quizzes/quiz.html",
        {
            "quiz": quiz,
            "assigned": assigned,
            "attempts": attempts,
            "in_progress": next(
                (
                    a
                    for a in attempts
                    if a.status == AttemptStatus.IN_PROGRESS and not a.overdue(now)
                ),
                None,
            ),
            "left": selectors.attempts_left(quiz, attempts),
            "counted": selectors.counted(attempts, quiz.counts),
            "can_start": assigned and quiz.is_open(now),
            "is_open": quiz.is_open(now),
            "question_count": quiz.random_count or quiz.questions.count(),
            "results": selectors.quiz_results(quiz, user=request.user) if reader else None,
            "manager": access.manages_quizzes(request.user),
            "key_released": quiz.key_released(now),
        },
    )


@role_required(*access.QUIZ_MANAGERS)
@require_POST
def quiz_publish(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    _attempt(
        request,
        lambda: services.quiz_publish(actor=request.user, quiz=quiz),
        _("Published: the agents are told."),
    )
    return redirect("qa-quiz", quiz_id=quiz.pk)


@role_required(*access.QUIZ_MANAGERS)
@require_POST
def quiz_withdraw(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    _attempt(
        request,
        lambda: services.quiz_withdraw(actor=request.user, quiz=quiz),
        _("The test is withdrawn."),
    )
    return redirect("qa-quiz", quiz_id=quiz.pk)


@login_required
@require_POST
def quiz_start(request, quiz_id: int):
    quiz = get_object_or_404(Quiz, pk=quiz_id)
    if not access.can_view_quiz(request.user, quiz):
        raise Http404
    attempt = _attempt(
        request,
        lambda: services.quiz_attempt_start(actor=request.user, quiz=quiz),
        _("Your time runs from now."),
    )
    if attempt is None:
        return redirect("qa-quiz", quiz_id=quiz.pk)
    return redirect("qa-quiz-attempt", attempt_id=attempt.pk)


def _answers_from(post, attempt: QuizAttempt) -> dict:
    answers = {}
    for qid in attempt.paper.question_ids:
        chosen = post.getlist(f"q{qid}")
        if chosen:
            answers[str(qid)] = chosen
    return answers


@login_required
@require_http_methods(["GET", "POST"])
def attempt(request, attempt_id: int):
    """The paper while the time runs (its countdown is the server's deadline); the result once
    handed in, with the right answers after the test's window closes."""
    attempt = get_object_or_404(
        QuizAttempt.objects.select_related("quiz", "paper", "agent__team"), pk=attempt_id
    )
    if not access.can_view_attempt(request.user, attempt):
        raise Http404
    if request.method == "POST":
        if not access.owns_attempt(request.user, attempt):
            raise PermissionDenied
        _attempt(
            request,
            lambda: services.quiz_attempt_submit(
                actor=request.user, attempt=attempt, answers=_answers_from(request.POST, attempt)
            ),
            _("Handed in and marked."),
        )
        return redirect("qa-quiz-attempt", attempt_id=attempt.pk)
    now = timezone.now()
    writing = attempt.status == AttemptStatus.IN_PROGRESS and not attempt.overdue(now)
    return _render(
        request,
        "qa/quizzes/attempt.html",
        {
            "attempt": attempt,
            "quiz": attempt.quiz,
            "writing": writing,
            "overdue": attempt.overdue(now),
            "seconds_left": max(int((attempt.deadline - now).total_seconds()), 0),
            "questions": selectors.paper_questions(
                attempt,
                show_answers=not writing,
                show_key=access.shows_key(request.user, attempt, now),
            ),
        },
    )


@login_required
def results(request):
    """Counted scores of the closed tests over time: per team, or per agent of one team (an
    agent sees their own)."""
    team = agent = None
    own = agent_of(request.user)
    if not access.reads_results(request.user):
        if own is None:
            raise PermissionDenied
        agent = own
    elif request.GET.get("agent"):
        agent = get_object_or_404(Agent, pk=request.GET["agent"])
        if not can_see_agent(request.user, agent):
            raise Http404
    elif request.GET.get("team"):
        team = get_object_or_404(Team, pk=request.GET["team"])
    series = selectors.results_over_time(user=request.user, team=team, agent=agent)
    chart = charts.chart(
        key="test-results",
        title=_("Test scores"),
        labels=series.labels,
        series=[
            charts.series(key=f"line-{i}", name=name, values=values)
            for i, (name, values) in enumerate(series.lines.items())
        ],
        unit="number",
    )
    return _render(
        request,
        "qa/quizzes/results.html",
        {
            "series": series,
            "rows": [
                {"label": label, "values": [values[i] for values in series.lines.values()]}
                for i, label in enumerate(series.labels)
            ],
            "charts": [chart] if series.lines else [],
            "team": team,
            "agent": agent,
            "teams": Team.objects.all() if access.reads_results(request.user) else [],
        },
    )
