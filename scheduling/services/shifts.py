"""Shifts: create one, import a CSV of them, publish a week."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.translation import gettext as _

from agents.models import Agent, Team
from agents.services import audit_record, notify
from callfloor.errors import DomainError
from callfloor.zone import site_zone
from scheduling.models import (
    ActivityKind,
    Shift,
    ShiftActivity,
)
from scheduling.services.common import local_text


@dataclass(frozen=True)
class ActivityInput:
    kind: str
    start: datetime
    end: datetime


def _check_shift(
    *,
    agent: Agent,
    start: datetime,
    end: datetime,
    activities: Sequence[ActivityInput],
    exclude_ids: Sequence[int] = (),
) -> None:
    if end <= start:
        raise DomainError(_("A shift ends after it starts."), field="end")
    if end - start > timedelta(hours=16):
        raise DomainError(_("A shift lasts 16 hours at most."), field="end")
    ordered = sorted(activities, key=lambda a: a.start)
    for act in ordered:
        if act.kind not in ActivityKind.values:
            kinds = ", ".join(ActivityKind.values)
            raise DomainError(
                _("Unknown activity %(kind)s (use %(kinds)s).")
                % {"kind": repr(act.kind), "kinds": kinds},
                field="activities",
            )
        if act.end <= act.start or act.start < start or act.end > end:
            raise DomainError(
                _("The %(kind)s at %(start)s lies outside the shift.")
                % {"kind": act.kind, "start": format(act.start, "%H:%M")},
                field="activities",
            )
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            raise DomainError(
                _("The %(kind)s and the %(kind2)s overlap.")
                % {"kind": first.kind, "kind2": second.kind},
                field="activities",
            )
    clash = (
        Shift.objects.filter(agent=agent, start__lt=end, end__gt=start)
        .exclude(pk__in=exclude_ids)
        .first()
    )
    if clash is not None:
        raise DomainError(
            _("%(display_name)s already has a shift %(text)s.")
            % {"display_name": agent.display_name, "text": local_text(clash.start)},
            field="start",
        )


@transaction.atomic
def shift_create(
    *,
    agent: Agent,
    start: datetime,
    end: datetime,
    activities: Sequence[ActivityInput] = (),
    actor: User | None = None,
) -> Shift:
    _check_shift(agent=agent, start=start, end=end, activities=activities)
    shift = Shift.objects.create(agent=agent, start=start, end=end)
    ShiftActivity.objects.bulk_create(
        ShiftActivity(shift=shift, kind=a.kind, start=a.start, end=a.end) for a in activities
    )
    audit_record(
        actor=actor,
        action="shift.created",
        target=shift,
        data={"agent": agent.pk, "start": start.isoformat(), "end": end.isoformat()},
    )
    return shift


@dataclass
class ImportReport:
    created: int = 0
    errors: list[dict] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors


IMPORT_COLUMNS = ("employee_number", "date", "start", "end", "activities")


def _parse_time(value: str, column: str) -> time:
    try:
        return time.fromisoformat(value.strip())
    except ValueError:
        raise DomainError(
            _("%(value)s is not a time like 08:00.") % {"value": repr(value)}, field=column
        ) from None


def _local(day: date, at: time, *, after: datetime | None = None) -> datetime:
    moment = datetime.combine(day, at, tzinfo=site_zone())
    if after is not None and moment <= after:  # past midnight
        moment = datetime.combine(day + timedelta(days=1), at, tzinfo=site_zone())
    return moment


def _parse_activities(text: str, day: date, start: datetime) -> list[ActivityInput]:
    """`break 10:00-10:15; lunch 12:30-13:00` in the site's zone."""
    result = []
    for part in filter(None, (p.strip() for p in text.split(";"))):
        try:
            kind, span = part.split(None, 1)
            first, last = (s.strip() for s in span.split("-"))
        except ValueError:
            raise DomainError(
                _("%(part)s is not like 'break 10:00-10:15'.") % {"part": repr(part)},
                field="activities",
            ) from None
        begin = _local(day, _parse_time(first, "activities"))
        if begin < start:
            begin += timedelta(days=1)
        result.append(
            ActivityInput(
                kind.lower(), begin, _local(day, _parse_time(last, "activities"), after=begin)
            )
        )
    return result


@transaction.atomic
def shifts_import_csv(*, text: str, actor: User, teams) -> ImportReport:
    """Import a week of shifts; any bad row and nothing is imported (each error is reported)."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in IMPORT_COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(
            _("The CSV needs the columns %(join)s; missing: %(join2)s.")
            % {"join": ", ".join(IMPORT_COLUMNS), "join2": ", ".join(missing)},
            field="file",
        )
    allowed = {t.pk for t in teams}
    planned: list[tuple[int, Agent, datetime, datetime, list[ActivityInput]]] = []
    for line, row in enumerate(reader, start=2):
        try:
            number = (row.get("employee_number") or "").strip()
            agent = Agent.objects.filter(employee_number=number).first()
            if agent is None:
                raise DomainError(
                    _("No agent has the employee number %(number)s.") % {"number": repr(number)},
                    field="employee_number",
                )
            if agent.team_id not in allowed:
                raise DomainError(
                    _("%(display_name)s is not in a team you manage.")
                    % {"display_name": agent.display_name},
                    field="employee_number",
                )
            try:
                day = date.fromisoformat((row.get("date") or "").strip())
            except ValueError:
                raise DomainError(
                    _("%(get)s is not a date like 2026-11-30.") % {"get": repr(row.get("date"))},
                    field="date",
                ) from None
            start = _local(day, _parse_time(row.get("start") or "", "start"))
            end = _local(day, _parse_time(row.get("end") or "", "end"), after=start)
            activities = _parse_activities(row.get("activities") or "", day, start)
            _check_shift(agent=agent, start=start, end=end, activities=activities)
            for other_line, other_agent, other_start, other_end, _acts in planned:
                if other_agent == agent and other_start < end and start < other_end:
                    raise DomainError(
                        _("Overlaps the shift on line %(line)s.") % {"line": other_line},
                        field="start",
                    )
            planned.append((line, agent, start, end, activities))
        except DomainError as exc:
            report.errors.append({"line": line, "field": exc.field or "", "message": exc.message})
    if report.errors:
        return report
    for _line, agent, start, end, activities in planned:
        shift_create(agent=agent, start=start, end=end, activities=activities, actor=actor)
    report.created = len(planned)
    return report


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    start = datetime.combine(week_start, time(0), tzinfo=site_zone())
    return start, start + timedelta(days=7)


@transaction.atomic
def week_publish(*, team: Team, week_start: date, actor: User, now: datetime | None = None) -> int:
    """Publish a team's shifts of a week (Monday first) so its agents see them."""
    now = now or timezone.now()
    if week_start.weekday() != 0:
        raise DomainError(_("A week starts on a Monday."), field="week")
    start, end = week_bounds(week_start)
    count = Shift.objects.filter(
        agent__team=team, start__gte=start, start__lt=end, published_at__isnull=True
    ).update(published_at=now)
    if not count:
        raise DomainError(_("There is nothing unpublished in that week."), field="week")
    audit_record(
        actor=actor,
        action="schedule.week_published",
        target=team,
        data={"week": week_start.isoformat(), "shifts": count},
    )
    agents = [a.user for a in team.agents.filter(active=True).select_related("user")]
    link = reverse("my-schedule")
    transaction.on_commit(
        lambda: notify(
            recipients=agents,
            kind="schedule.published",
            link=link,
            text=lambda: (
                _("Your schedule for the week of %(start)s is published.")
                % {"start": dateformat.format(week_start, _("d M"))}
            ),
        )
    )
    return count
