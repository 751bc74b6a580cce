"""Service-level timer arithmetic for complaint cases, in calendar time or business hours.

Plain functions over aware datetimes; no Django. A *calendar* says when the centre counts time
(opening hours per weekday in the site's zone, minus closed dates); ``None`` means calendar
time, where every second counts. A *pause* is a ``(start, end)`` pair (``end`` is ``None``
while the case is still waiting on the customer); paused time never counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from zoneinfo import ZoneInfo

from django.utils.translation import gettext as _

Pause = tuple[datetime, datetime | None]

AMBER_AT = 0.8  # the share of the budget used when a timer turns amber
_MAX_DAYS = 3 * 366  # a calendar that never opens must not loop forever


@dataclass(frozen=True)
class Calendar:
    """Opening hours per weekday (0 = Monday) as (open, close) minutes after local midnight."""

    zone: str = "UTC"
    hours: dict[int, tuple[tuple[int, int], ...]] = field(default_factory=dict)
    closed_dates: frozenset[date] = frozenset()

    def __post_init__(self) -> None:
        for weekday, spans in self.hours.items():
            if weekday not in range(7):
                raise ValueError(f"weekday {weekday} is not 0 (Monday) to 6 (Sunday)")
            for opens, closes in spans:
                if not 0 <= opens < closes <= 24 * 60:
                    raise ValueError(f"opening hours {opens}–{closes} are not within one day")
        if not any(self.hours.values()):
            raise ValueError("a business calendar needs opening hours on at least one day")

    @classmethod
    def weekdays(
        cls,
        zone: str,
        opens: time,
        closes: time,
        days: Iterable[int] = range(5),
        closed_dates: Iterable[date] = (),
    ) -> Calendar:
        """The same opening hours on each of `days` (Monday–Friday by default)."""
        span = ((opens.hour * 60 + opens.minute, closes.hour * 60 + closes.minute),)
        return cls(zone=zone, hours={d: span for d in days}, closed_dates=frozenset(closed_dates))

    def spans_on(self, day: date) -> list[tuple[datetime, datetime]]:
        """The open spans of a local date, as aware UTC datetimes."""
        if day in self.closed_dates:
            return []
        zone = ZoneInfo(self.zone)
        midnight = datetime.combine(day, time())
        spans = []
        for opens, closes in sorted(self.hours.get(day.weekday(), ())):
            start = (midnight + timedelta(minutes=opens)).replace(tzinfo=zone)
            end = (midnight + timedelta(minutes=closes)).replace(tzinfo=zone)
            spans.append((start.astimezone(UTC), end.astimezone(UTC)))
        return spans

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(ZoneInfo(self.zone)).date()

    def open_spans(self, start: datetime, end: datetime) -> Iterator[tuple[datetime, datetime]]:
        """The open spans that overlap [start, end), clipped to it."""
        day = self.local_date(start) - timedelta(days=1)  # a span may start the day before
        last = self.local_date(end)
        while day <= last:
            for s, e in self.spans_on(day):
                s, e = max(s, start), min(e, end)
                if s < e:
                    yield s, e
            day += timedelta(days=1)


def _check_aware(*moments: datetime | None) -> None:
    for moment in moments:
        if moment is not None and moment.tzinfo is None:
            raise ValueError("timer arithmetic needs timezone-aware datetimes")


def working_seconds(start: datetime, end: datetime, calendar: Calendar | None) -> float:
    """The seconds between start and end that count (0 when end is not after start)."""
    _check_aware(start, end)
    if end <= start:
        return 0.0
    if calendar is None:
        return (end - start).total_seconds()
    return sum((e - s).total_seconds() for s, e in calendar.open_spans(start, end))


def add_working_time(start: datetime, seconds: float, calendar: Calendar | None) -> datetime:
    """The moment at which `seconds` of counted time have passed since start."""
    _check_aware(start)
    if seconds < 0:
        raise ValueError("a timer budget cannot be negative")
    if calendar is None:
        return start + timedelta(seconds=seconds)
    remaining = seconds
    day = calendar.local_date(start) - timedelta(days=1)
    for _day in range(_MAX_DAYS):
        for s, e in calendar.spans_on(day):
            s = max(s, start)
            if s >= e:
                continue
            available = (e - s).total_seconds()
            if remaining <= available:
                # A budget that ends exactly at closing time is due at closing time.
                return s + timedelta(seconds=remaining)
            remaining -= available
        day += timedelta(days=1)
    raise ValueError("the business calendar has no opening hours within three years")


def _clip_pauses(pauses: Sequence[Pause], start: datetime) -> list[Pause]:
    """Pauses sorted, cut to begin no earlier than start, overlaps merged."""
    merged: list[list] = []
    for p_start, p_end in sorted(pauses, key=lambda p: p[0]):
        _check_aware(p_start, p_end)
        if p_end is not None and p_end <= start:
            continue
        p_start = max(p_start, start)
        if merged and (merged[-1][1] is None or p_start <= merged[-1][1]):
            if merged[-1][1] is not None:
                merged[-1][1] = None if p_end is None else max(merged[-1][1], p_end)
            continue
        merged.append([p_start, p_end])
    return [(s, e) for s, e in merged]


def active_seconds(
    start: datetime, end: datetime, calendar: Calendar | None, pauses: Sequence[Pause] = ()
) -> float:
    """Counted seconds between start and end, leaving out the pauses."""
    total = working_seconds(start, end, calendar)
    for p_start, p_end in _clip_pauses(pauses, start):
        if p_start >= end:
            break
        total -= working_seconds(p_start, min(p_end or end, end), calendar)
    return max(total, 0.0)


def deadline(
    start: datetime, budget_s: float, calendar: Calendar | None, pauses: Sequence[Pause] = ()
) -> datetime | None:
    """When the budget runs out, or None while a pause that began before then is still open."""
    cursor, remaining = start, float(budget_s)
    for p_start, p_end in _clip_pauses(pauses, start):
        before = working_seconds(cursor, p_start, calendar)
        if before >= remaining:
            break
        remaining -= before
        if p_end is None:
            return None
        cursor = max(cursor, p_end)
    return add_working_time(cursor, remaining, calendar)


def counting_until(now: datetime, calendar: Calendar | None) -> datetime | None:
    """Until when the clock keeps counting from `now` (None: it stands still right now)."""
    _check_aware(now)
    if calendar is None:
        return datetime.max.replace(tzinfo=UTC)
    for start, end in calendar.open_spans(now, now + timedelta(days=1)):
        if start <= now < end:
            return end
    return None


class Level(StrEnum):
    GREEN = "green"
    AMBER = "amber"
    RED = "red"
    DONE = "done"  # stopped within the budget
    PAUSED = "paused"


@dataclass(frozen=True)
class TimerState:
    budget_s: float
    used_s: float
    level: Level
    due_at: datetime | None
    stopped: bool
    paused: bool

    @property
    def left_s(self) -> float:
        """Counted seconds left (negative once breached)."""
        return self.budget_s - self.used_s

    @property
    def share(self) -> float:
        return self.used_s / self.budget_s if self.budget_s else 1.0

    @property
    def breached(self) -> bool:
        return self.used_s > self.budget_s or (self.budget_s == 0 and self.used_s > 0)


def timer_state(
    *,
    start: datetime,
    budget_s: float,
    now: datetime,
    calendar: Calendar | None,
    pauses: Sequence[Pause] = (),
    stopped_at: datetime | None = None,
) -> TimerState:
    """Where a timer stands at `now` (or at `stopped_at`, when it was stopped earlier)."""
    _check_aware(start, now, stopped_at)
    until = min(stopped_at, now) if stopped_at is not None else now
    clipped = _clip_pauses(pauses, start)
    used = active_seconds(start, until, calendar, clipped)
    paused = stopped_at is None and any(s <= now and (e is None or e > now) for s, e in clipped)
    breached = used > budget_s
    if stopped_at is not None:
        level = Level.RED if breached else Level.DONE
    elif breached:
        level = Level.RED
    elif paused:
        level = Level.PAUSED
    elif budget_s and used >= AMBER_AT * budget_s:
        level = Level.AMBER
    else:
        level = Level.GREEN
    due = deadline(start, budget_s, calendar, clipped)
    return TimerState(
        budget_s=float(budget_s),
        used_s=used,
        level=level,
        due_at=due,
        stopped=stopped_at is not None,
        paused=paused,
    )


def format_duration(seconds: float) -> str:
    """A short human duration: `2 d 3 h`, `3 h 05 m`, `12 m`, with `-` when overdue."""
    sign = "-" if seconds < 0 else ""
    seconds = int(abs(seconds))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes = rest // 60
    if days:
        return sign + _("%(days)s d %(hours)s h") % {"days": days, "hours": hours}
    if hours:
        return sign + _("%(hours)s h %(minutes)s m") % {"hours": hours, "minutes": f"{minutes:02d}"}
    return sign + _("%(minutes)s m") % {"minutes": minutes}
