"""The shift-swap rules as a pure function over plain spans (no Django).

Every rule is reported, passed or not, so that the requester, the colleague and the team lead
all see the same list before the lead decides.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.utils import dateformat
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Span:
    start: datetime
    end: datetime

    def overlaps(self, other: Span) -> bool:
        return self.start < other.end and other.start < self.end

    def gap_to(self, other: Span) -> timedelta:
        """The rest between two spans that do not overlap."""
        return other.start - self.end if self.end <= other.start else self.start - other.end


@dataclass(frozen=True)
class RuleCheck:
    code: str
    ok: bool
    message: str


def _hours(delta: timedelta) -> str:
    """A duration in whole hours and minutes ("21 h 10 min"); seconds are dropped, so a notice
    or a rest never reads longer than it is."""
    minutes = max(0, int(delta.total_seconds() // 60))
    hours, minutes = divmod(minutes, 60)
    if not minutes:
        return _("%(hours)d h") % {"hours": hours}
    if not hours:
        return _("%(minutes)d min") % {"minutes": minutes}
    return _("%(hours)d h %(minutes)d min") % {"hours": hours, "minutes": minutes}


def _week_of(moment: datetime) -> date:
    """The Monday of the week `moment` falls in (in the moment's own zone)."""
    return moment.date() - timedelta(days=moment.weekday())


def _week_hours(name: str, taken: Span, others: Iterable[Span], maximum: timedelta) -> str | None:
    """The week's working time of the agent who takes `taken`; a problem when above `maximum`.

    A shift counts in the week it starts in (the site's local week, Monday to Sunday).
    """
    week = _week_of(taken.start)
    total = taken.end - taken.start
    for other in others:
        if _week_of(other.start) == week:
            total += other.end - other.start
    if total <= maximum:
        return None
    return _("%(name)s would work %(hours)s in the week of %(week)s (maximum %(maximum)s)") % {
        "name": name,
        "hours": _hours(total),
        "week": dateformat.format(week, _("D d M")),
        "maximum": _hours(maximum),
    }


def _when(moment: datetime) -> str:
    """A shift's start with its weekday, in the reader's language."""
    return dateformat.format(moment, _("D d M H:i"))


def _fits(name: str, shift: Span, others: Iterable[Span], min_rest: timedelta) -> list[str]:
    problems = []
    for other in others:
        if shift.overlaps(other):
            problems.append(
                _(
                    "%(name)s already works %(start)s–%(end)s, which overlaps the shift "
                    "%(name)s would take"
                )
                % {"name": name, "start": _when(other.start), "end": f"{other.end:%H:%M}"}
            )
        elif shift.gap_to(other) < min_rest:
            problems.append(
                _(
                    "%(name)s would rest only %(rest)s next to the shift of %(start)s "
                    "(minimum %(minimum)s)"
                )
                % {
                    "name": name,
                    "rest": _hours(shift.gap_to(other)),
                    "start": _when(other.start),
                    "minimum": _hours(min_rest),
                }
            )
    return problems


def swap_rules(
    *,
    now: datetime,
    requester: str,
    colleague: str | None,
    requester_shift: Span,
    colleague_shift: Span | None,
    requester_skills: frozenset[str],
    colleague_skills: frozenset[str] | None,
    requester_other_shifts: Iterable[Span] = (),
    colleague_other_shifts: Iterable[Span] = (),
    min_notice: timedelta,
    min_rest: timedelta,
    max_weekly: timedelta | None = None,
) -> list[RuleCheck]:
    """Check a swap of `requester_shift` (and `colleague_shift`, when one is given back).

    `*_other_shifts` are each agent's shifts other than the ones being swapped (they must cover
    the weeks of the swapped shifts for the weekly-hours rule, checked when `max_weekly` is set).
    """
    requester_other_shifts = list(requester_other_shifts)
    colleague_other_shifts = list(colleague_other_shifts)
    shifts = [requester_shift] + ([colleague_shift] if colleague_shift else [])
    checks = []
    past = [s for s in shifts if s.start <= now]
    checks.append(
        RuleCheck(
            "future",
            not past,
            _("Both shifts are in the future.")
            if not past
            else _("A shift of the swap has started or is over: %(shifts)s.")
            % {"shifts": ", ".join(_when(s.start) for s in past)},
        )
    )
    earliest = min(s.start for s in shifts)
    notice = earliest - now
    checks.append(
        RuleCheck(
            "notice",
            notice >= min_notice,
            _("Notice before the earlier shift: %(notice)s (minimum %(minimum)s).")
            % {"notice": _hours(max(notice, timedelta(0))), "minimum": _hours(min_notice)},
        )
    )
    if colleague is None or colleague_skills is None:
        return checks
    missing_for_colleague = sorted(requester_skills - colleague_skills)
    missing_for_requester = sorted(colleague_skills - requester_skills)
    same = not missing_for_colleague and not missing_for_requester
    if same:
        message = (
            _("Both work the same queues (%(queues)s).")
            % {"queues": ", ".join(sorted(requester_skills))}
            if requester_skills
            else _("Both work the same queues.")
        )
    else:
        parts = []
        if missing_for_colleague:
            parts.append(
                _("%(name)s does not work %(queues)s")
                % {"name": colleague, "queues": ", ".join(missing_for_colleague)}
            )
        if missing_for_requester:
            parts.append(
                _("%(name)s does not work %(queues)s")
                % {"name": requester, "queues": ", ".join(missing_for_requester)}
            )
        message = _("Different queues: %(problems)s.") % {"problems": "; ".join(parts)}
    checks.append(RuleCheck("skills", same, message))
    problems = _fits(colleague, requester_shift, colleague_other_shifts, min_rest)
    if colleague_shift is not None:
        problems += _fits(requester, colleague_shift, requester_other_shifts, min_rest)
    checks.append(
        RuleCheck(
            "rest",
            not problems,
            "; ".join(problems) + "."
            if problems
            else _("No overlap and at least %(rest)s of rest for both.")
            % {"rest": _hours(min_rest)},
        )
    )
    if max_weekly is not None:
        taker = _week_hours(colleague, requester_shift, colleague_other_shifts, max_weekly)
        week_problems = [taker]
        if colleague_shift is not None:
            week_problems.append(
                _week_hours(requester, colleague_shift, requester_other_shifts, max_weekly)
            )
        week_problems = [p for p in week_problems if p]
        checks.append(
            RuleCheck(
                "hours",
                not week_problems,
                "; ".join(week_problems) + "."
                if week_problems
                else _("Both stay within %(maximum)s a week.") % {"maximum": _hours(max_weekly)},
            )
        )
    return checks


def failures(checks: Iterable[RuleCheck]) -> list[RuleCheck]:
    return [c for c in checks if not c.ok]
