"""Celery tasks of the reports (thin: call the service)."""

from datetime import date, datetime, timedelta

from celery import shared_task

from callfloor.zone import site_zone
from metrics.reports import services as report_services


@shared_task(name="metrics.send_daily_summary")
def send_daily_summary(day: str | None = None) -> int:
    return report_services.daily_summary_send(day=date.fromisoformat(day) if day else None)


@shared_task(name="metrics.refresh_call_facts")
def refresh_call_facts() -> int:
    """Yesterday's and today's repeat-call and survey facts (the repeat window is 24 h)."""
    today = datetime.now(site_zone()).date()
    return sum(
        report_services.call_facts_refresh(day=day) for day in (today - timedelta(days=1), today)
    )
