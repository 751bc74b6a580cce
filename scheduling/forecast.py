"""Call forecasts per interval from history: the same-weekday average (no Django here).

The forecast of an interval is the mean of the calls in the same weekday and time of day over
the last `weeks` weeks with data. Its error on past weeks is measured by replaying it: each
week is forecast from the weeks before it only, and compared with what came.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta


def bucket(moment: datetime, interval_minutes: int) -> datetime:
    minute = (moment.hour * 60 + moment.minute) // interval_minutes * interval_minutes
    return moment.replace(hour=minute // 60, minute=minute % 60, second=0, microsecond=0)


def per_interval(
    arrivals: Iterable[tuple[datetime, float]], interval_minutes: int
) -> dict[datetime, float]:
    """Sum counts (or single arrivals with count 1) into interval buckets."""
    totals: dict[datetime, float] = defaultdict(float)
    for moment, count in arrivals:
        totals[bucket(moment, interval_minutes)] += count
    return dict(totals)


def same_weekday_average(
    history: dict[datetime, float], day: date, *, weeks: int = 4
) -> dict[time, float]:
    """Forecast calls per interval start (time of day) for `day` from earlier same weekdays."""
    by_day: dict[date, dict[time, float]] = defaultdict(dict)
    for start, calls in history.items():
        by_day[start.date()][start.time()] = calls
    past = sorted((d for d in by_day if d < day and d.weekday() == day.weekday()), reverse=True)[
        :weeks
    ]
    if not past:
        return {}
    slots = {slot for d in past for slot in by_day[d]}
    return {slot: sum(by_day[d].get(slot, 0.0) for d in past) / len(past) for slot in sorted(slots)}


@dataclass(frozen=True)
class ForecastError:
    day: date
    forecast: float
    actual: float
    wape: float | None  # sum |error| / sum actual


def backtest(
    history: dict[datetime, float], days: Iterable[date], *, weeks: int = 4
) -> list[ForecastError]:
    """Replay the forecast on past days and measure its weighted absolute percentage error."""
    result = []
    for day in days:
        forecast = same_weekday_average(history, day, weeks=weeks)
        if not forecast:
            continue
        actual = {start.time(): calls for start, calls in history.items() if start.date() == day}
        slots = set(forecast) | set(actual)
        error = sum(abs(forecast.get(s, 0.0) - actual.get(s, 0.0)) for s in slots)
        total = sum(actual.values())
        result.append(
            ForecastError(day, sum(forecast.values()), total, error / total if total else None)
        )
    return result


def days_between(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]
