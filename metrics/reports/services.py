"""Writes of the report side: post-call survey results and the daily summary e-mail."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from agents.services import user_languages
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from metrics.models import (
    CallFactsInterval,
    Outcome,
    QueueCall,
    SummaryRecipient,
    SurveyResult,
    TelephonySource,
)
from metrics.queue_log import bad_character
from metrics.reports import agents as agent_reports
from metrics.reports import history


def survey_record(
    *,
    source: TelephonySource,
    call_id: str,
    score: int,
    answered_at: datetime,
    resolved: bool | None = None,
) -> tuple[SurveyResult, bool]:
    """Store one post-call survey answer; the same call's survey twice is stored once.

    Returns the result and whether it was new. The survey rates the last answered queue call
    of that call id (a caller moved between queues rates the one who helped).
    """
    low, high, _top_box = history.survey_scale()
    if not call_id:
        raise DomainError(_("A survey names the call it rates."), field="call_id")
    if bad_character(call_id) is not None:
        raise DomainError(gettext("A call id holds no control character."), field="call_id")
    if not low <= score <= high:
        raise DomainError(
            _("The score must be between %(low)s and %(high)s.") % {"low": low, "high": high},
            field="score",
        )
    existing = SurveyResult.objects.filter(source=source, call_id=call_id).first()
    if existing is not None:
        return existing, False
    queue_call = (
        QueueCall.objects.filter(
            source=source, call_id=call_id, outcome=Outcome.ANSWERED, survey__isnull=True
        )
        .order_by("-offered_at")
        .first()
    )
    try:
        with transaction.atomic():
            result = SurveyResult.objects.create(
                source=source,
                call_id=call_id,
                queue_call=queue_call,
                score=score,
                resolved=resolved,
                answered_at=answered_at,
            )
    except IntegrityError:
        return SurveyResult.objects.get(source=source, call_id=call_id), False
    return result, True


def survey_link_calls(*, source: TelephonySource) -> int:
    """Attach surveys that arrived before their call was stored; returns how many."""
    linked = 0
    for result in SurveyResult.objects.filter(source=source, queue_call__isnull=True):
        call = (
            QueueCall.objects.filter(
                source=source, call_id=result.call_id, outcome=Outcome.ANSWERED, survey__isnull=True
            )
            .order_by("-offered_at")
            .first()
        )
        if call is not None:
            result.queue_call = call
            result.save(update_fields=["queue_call"])
            linked += 1
    return linked


def daily_summary_send(*, day: date | None = None) -> int:
    """E-mail yesterday's (or `day`'s) site summary to every active recipient; returns sent."""
    from metrics.reports import exports as report_exports

    if day is None:
        day = datetime.now(site_zone()).date() - timedelta(days=1)
    users = [
        r.user
        for r in SummaryRecipient.objects.filter(active=True).select_related("user")
        if r.user.email
    ]
    if not users:
        return 0
    call_facts_refresh(day=day)
    # One message per language: each recipient reads the summary in the language they chose.
    chosen = user_languages(users=users)
    by_language: dict[str, list[str]] = {}
    for user in users:
        language = chosen.get(user.pk) or settings.LANGUAGE_CODE
        by_language.setdefault(language, []).append(user.email)
    for language, recipients in by_language.items():
        with translation.override(language):
            report = agent_reports.site_report(span=history.ReportRange(day, day, "day"))
            message = EmailMessage(
                subject=_("callfloor daily summary %(day)s") % {"day": day.isoformat()},
                body=report_exports.as_text(report),
                from_email=settings.DEFAULT_FROM_EMAIL,
                to=recipients,
            )
            message.attach(
                f"site-summary-{day.isoformat()}.xlsx",
                report_exports.as_xlsx(report),
                report_exports.XLSX_TYPE,
            )
        message.send()
    return len(users)


def call_facts_refresh(*, day: date) -> int:
    """Rebuild the later facts (repeat calls, surveys) of one local day's answered calls.

    Idempotent; the hourly task runs it for yesterday and today (a call's repeat window runs
    24 h past it). Returns the number of fact rows written.
    """
    for source in TelephonySource.objects.filter(surveys__queue_call__isnull=True).distinct():
        survey_link_calls(source=source)
    zone = site_zone()
    start = datetime.combine(day, time(0), zone).astimezone(UTC)
    end = datetime.combine(day + timedelta(days=1), time(0), zone).astimezone(UTC)
    frame = history.call_fact_rows(
        QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end)
    )
    fields = list(history.EXTRA_FIELDS)
    rows = []
    if len(frame):
        for (queue_id, interval), values in (
            frame.groupby(["queue_id", "start"])[fields].sum().iterrows()
        ):
            rows.append(
                CallFactsInterval(queue_id=int(queue_id), start=interval, **values.to_dict())
            )
        for agent_id, values in (
            frame.dropna(subset=["agent_id"]).groupby("agent_id")[fields].sum().iterrows()
        ):
            rows.append(CallFactsInterval(agent_id=int(agent_id), start=start, **values.to_dict()))
    with transaction.atomic():
        CallFactsInterval.objects.filter(start__gte=start, start__lt=end).delete()
        CallFactsInterval.objects.bulk_create(rows)
    return len(rows)
