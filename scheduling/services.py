"""Writes for handovers, shifts, swaps and leave: one service per state transition."""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import TypedDict

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from agents.access import has_role
from agents.models import Agent, Team
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError
from callfloor.zone import site_zone
from scheduling import access, conf, rules
from scheduling.models import (
    OPEN_SWAP_STATUSES,
    ActivityKind,
    Briefing,
    BriefingKind,
    BriefingRead,
    CaseOutcome,
    Handover,
    HandoverAddendum,
    HandoverCase,
    HandoverStatus,
    LeaveRequest,
    LeaveStatus,
    Severity,
    Shift,
    ShiftActivity,
    SwapRequest,
    SwapStatus,
)

User = get_user_model()


# --- handovers ------------------------------------------------------------------------------------


class CaseInput(TypedDict, total=False):
    customer_ref: str
    pending: str
    severity: str
    next_action: str
    owner: str
    source_agent: Agent | None


def _handover_link(handover: Handover) -> str:
    return reverse("handover-detail", kwargs={"handover_id": handover.pk})


def _check_case(case: CaseInput, index: int) -> None:
    for name in ("customer_ref", "pending", "next_action", "owner"):
        if not str(case.get(name) or "").strip():
            raise DomainError(
                f"Case {index + 1}: this field is required.", field=f"cases[{index}].{name}"
            )
    if case.get("severity", Severity.MEDIUM) not in Severity.values:
        choices = ", ".join(Severity.values)
        raise DomainError(
            f"Case {index + 1}: severity must be one of {choices}.",
            field=f"cases[{index}].severity",
        )


@transaction.atomic
def handover_create(
    *,
    author,
    to_lead,
    supervisor,
    shift_date: date,
    shift_name: str,
    summary: str,
    incidents: str = "",
    notes: str = "",
    cases: Sequence[CaseInput] = (),
    carry_case_ids: Sequence[int] = (),
    team: Team | None = None,
    now: datetime | None = None,
) -> Handover:
    """Send a handover to a named lead of the next shift, copying the on-duty supervisor."""
    now = now or timezone.now()
    if not has_role(author, Role.TEAM_LEAD):
        raise DomainError(
            "Only a team lead writes a handover.", status_code=403, code="permission_denied"
        )
    if to_lead is None or not has_role(to_lead, Role.TEAM_LEAD):
        raise DomainError("Address the handover to a team lead.", field="to_lead")
    if to_lead.pk == author.pk:
        raise DomainError(
            "Address the handover to the next shift's lead, not yourself.", field="to_lead"
        )
    if supervisor is None or not has_role(supervisor, Role.SUPERVISOR):
        raise DomainError("Copy the on-duty supervisor.", field="supervisor")
    if not summary.strip():
        raise DomainError("Write a summary of the shift.", field="summary")
    if not shift_name.strip():
        raise DomainError("Name the shift (early, late, night…).", field="shift_name")
    for index, case in enumerate(cases):
        _check_case(case, index)
    if team is None:
        team = Team.objects.filter(lead=author).first()
    handover = Handover.objects.create(
        author=author,
        to_lead=to_lead,
        supervisor=supervisor,
        team=team,
        shift_date=shift_date,
        shift_name=shift_name.strip(),
        summary=summary.strip(),
        incidents=incidents.strip(),
        notes=notes.strip(),
        ack_due_at=now + conf.handover_ack_within(),
    )
    rows = [
        HandoverCase(
            handover=handover,
            position=index,
            customer_ref=case["customer_ref"].strip(),
            pending=case["pending"].strip(),
            severity=case.get("severity") or Severity.MEDIUM,
            next_action=case["next_action"].strip(),
            owner=case["owner"].strip(),
            source_agent=case.get("source_agent"),
            opened_at=now,
        )
        for index, case in enumerate(cases)
    ]
    carried = _carry_cases(author=author, case_ids=carry_case_ids)
    for offset, old in enumerate(carried, start=len(rows)):
        rows.append(
            HandoverCase(
                handover=handover,
                position=offset,
                customer_ref=old.customer_ref,
                pending=old.outcome_note or old.pending,
                severity=old.severity,
                next_action=old.next_action,
                owner=old.owner,
                source_agent=old.source_agent,
                carried_from=old,
                opened_at=old.opened_at,
            )
        )
    HandoverCase.objects.bulk_create(rows)
    audit_record(
        actor=author,
        action="handover.sent",
        target=handover,
        data={
            "to_lead": to_lead.username,
            "supervisor": supervisor.username,
            "cases": [row.customer_ref for row in rows],
            "carried": [old.pk for old in carried],
        },
    )
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=[to_lead, supervisor],
            kind="handover.sent",
            link=link,
            text=f"Handover from {author.get_full_name() or author.username} for "
            f"{shift_date:%d %b} {handover.shift_name}: {len(rows)} open case(s).",
        )
    )
    return handover


def _carry_cases(*, author, case_ids: Sequence[int]) -> list[HandoverCase]:
    """Unresolved cases the author received, not carried already, locked against a double carry."""
    if not case_ids:
        return []
    cases = list(
        HandoverCase.objects.select_for_update(of=("self",))
        .filter(pk__in=case_ids, handover__to_lead=author, outcome=CaseOutcome.NOT_RESOLVED)
        .filter(carried_to__isnull=True)
    )
    if len(cases) != len(set(case_ids)):
        raise DomainError(
            "Only cases handed to you, marked not resolved and not carried yet can be carried.",
            field="carry_case_ids",
        )
    return cases


@transaction.atomic
def handover_update(
    *,
    handover: Handover,
    actor,
    summary: str | None = None,
    incidents: str | None = None,
    notes: str | None = None,
) -> Handover:
    """Change the text of a handover that is not acknowledged yet."""
    if actor.pk != handover.author_id:
        raise DomainError(
            "Only the author edits a handover.", status_code=403, code="permission_denied"
        )
    changes = {
        k: v.strip()
        for k, v in {"summary": summary, "incidents": incidents, "notes": notes}.items()
        if v is not None
    }
    if "summary" in changes and not changes["summary"]:
        raise DomainError("Write a summary of the shift.", field="summary")
    if not changes:
        return handover
    updated = Handover.objects.filter(pk=handover.pk, status=HandoverStatus.SENT).update(**changes)
    if not updated:
        raise Conflict("The handover is acknowledged and locked; append an addition instead.")
    audit_record(actor=actor, action="handover.edited", target=handover, data=changes)
    handover.refresh_from_db()
    return handover


@transaction.atomic
def handover_case_confirm(
    *, case: HandoverCase, actor, now: datetime | None = None
) -> HandoverCase:
    """The incoming lead confirms a high-severity case before acknowledging the handover."""
    now = now or timezone.now()
    handover = case.handover
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            "Only the lead the handover is addressed to confirms its cases.",
            status_code=403,
            code="permission_denied",
        )
    if case.severity != Severity.HIGH:
        raise DomainError("Only high-severity cases need a confirmation.", field="case")
    updated = HandoverCase.objects.filter(
        pk=case.pk,
        confirmed_at__isnull=True,
        handover__status=HandoverStatus.SENT,
    ).update(confirmed_at=now)
    if not updated:
        raise Conflict("The case is confirmed already or the handover is acknowledged.")
    audit_record(
        actor=actor,
        action="handover.case_confirmed",
        target=handover,
        data={"case": case.pk, "customer_ref": case.customer_ref},
    )
    case.refresh_from_db()
    return case


@transaction.atomic
def handover_acknowledge(*, handover: Handover, actor, now: datetime | None = None) -> Handover:
    """The incoming lead takes the handover over; it is locked from now on."""
    now = now or timezone.now()
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            "Only the lead the handover is addressed to acknowledges it.",
            status_code=403,
            code="permission_denied",
        )
    unconfirmed = list(
        handover.cases.filter(severity=Severity.HIGH, confirmed_at__isnull=True).values_list(
            "customer_ref", flat=True
        )
    )
    if unconfirmed:
        raise DomainError(
            "Confirm each high-severity case first: " + ", ".join(unconfirmed) + ".",
            field="cases",
            code="unconfirmed_cases",
        )
    updated = Handover.objects.filter(pk=handover.pk, status=HandoverStatus.SENT).update(
        status=HandoverStatus.ACKNOWLEDGED, acknowledged_at=now
    )
    if not updated:
        raise Conflict("The handover is acknowledged already.")
    handover.refresh_from_db()
    audit_record(
        actor=actor,
        action="handover.acknowledged",
        target=handover,
        data={"late": now > handover.ack_due_at},
    )
    if not handover.cases.exists():
        _handover_close_if_done(handover=handover, actor=actor, now=now)
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=[handover.author, handover.supervisor],
            kind="handover.acknowledged",
            link=link,
            text=f"{actor.get_full_name() or actor.username} acknowledged the handover "
            f"of {handover.shift_date:%d %b} {handover.shift_name}.",
        )
    )
    return handover


def _handover_close_if_done(*, handover: Handover, actor, now: datetime) -> None:
    if handover.cases.filter(outcome=CaseOutcome.OPEN).exists():
        return
    if Handover.objects.filter(pk=handover.pk, status=HandoverStatus.ACKNOWLEDGED).update(
        status=HandoverStatus.CLOSED, closed_at=now
    ):
        audit_record(actor=actor, action="handover.closed", target=handover)


@transaction.atomic
def handover_case_record_outcome(
    *, case: HandoverCase, actor, outcome: str, note: str, now: datetime | None = None
) -> HandoverCase:
    """Record a case as resolved or not resolved (with what was done / what remains)."""
    now = now or timezone.now()
    handover = case.handover
    if actor.pk != handover.to_lead_id:
        raise DomainError(
            "Only the lead the handover is addressed to records outcomes.",
            status_code=403,
            code="permission_denied",
        )
    if outcome not in (CaseOutcome.RESOLVED, CaseOutcome.NOT_RESOLVED):
        raise DomainError("The outcome is resolved or not_resolved.", field="outcome")
    if not note.strip():
        raise DomainError("Say what was done (and what remains).", field="note")
    if handover.status == HandoverStatus.SENT:
        raise DomainError(
            "Acknowledge the handover before recording outcomes.",
            field="outcome",
            status_code=409,
            code="conflict",
        )
    updated = HandoverCase.objects.filter(
        pk=case.pk,
        outcome=CaseOutcome.OPEN,
        handover__status=HandoverStatus.ACKNOWLEDGED,
    ).update(outcome=outcome, outcome_note=note.strip(), outcome_by=actor, outcome_at=now)
    if not updated:
        raise Conflict("This case has an outcome already.")
    case.refresh_from_db()
    audit_record(
        actor=actor,
        action=f"handover.case_{outcome}",
        target=handover,
        data={"case": case.pk, "customer_ref": case.customer_ref, "note": case.outcome_note},
    )
    _handover_close_if_done(handover=handover, actor=actor, now=now)
    link = _handover_link(handover)
    label = case.get_outcome_display().lower()
    transaction.on_commit(
        lambda: notify(
            recipients=[handover.author, handover.supervisor],
            kind=f"handover.case_{outcome}",
            link=link,
            text=f"Case {case.customer_ref}: {label} — {case.outcome_note[:200]}",
        )
    )
    return case


@transaction.atomic
def handover_addendum_add(*, handover: Handover, actor, text: str) -> HandoverAddendum:
    """Append a marked addition to a handover (the original text is never changed)."""
    if actor.pk not in (handover.author_id, handover.to_lead_id, handover.supervisor_id):
        raise DomainError(
            "Only the two leads and the copied supervisor add to a handover.",
            status_code=403,
            code="permission_denied",
        )
    if not text.strip():
        raise DomainError("Write the addition.", field="text")
    addendum = HandoverAddendum.objects.create(handover=handover, author=actor, text=text.strip())
    audit_record(
        actor=actor, action="handover.addendum", target=handover, data={"addendum": addendum.pk}
    )
    others = [
        u for u in (handover.author, handover.to_lead, handover.supervisor) if u.pk != actor.pk
    ]
    link = _handover_link(handover)
    transaction.on_commit(
        lambda: notify(
            recipients=others,
            kind="handover.addendum",
            link=link,
            text=f"{actor.get_full_name() or actor.username} added to the handover of "
            f"{handover.shift_date:%d %b} {handover.shift_name}.",
        )
    )
    return addendum


def handovers_alert_overdue(*, now: datetime | None = None) -> int:
    """Alert the copied supervisor once for each handover not acknowledged in time."""
    now = now or timezone.now()
    alerted = 0
    due = Handover.objects.filter(
        status=HandoverStatus.SENT, ack_due_at__lte=now, overdue_alerted_at__isnull=True
    ).select_related("supervisor", "to_lead")
    for handover in due:
        with transaction.atomic():
            claimed = Handover.objects.filter(
                pk=handover.pk,
                status=HandoverStatus.SENT,
                overdue_alerted_at__isnull=True,
            ).update(overdue_alerted_at=now)
            if not claimed:
                continue
            audit_record(
                actor=None,
                action="handover.overdue_alerted",
                target=handover,
                data={"due": handover.ack_due_at.isoformat()},
            )
            lead = handover.to_lead.get_full_name() or handover.to_lead.username
            notify(
                recipients=[handover.supervisor],
                kind="handover.overdue",
                link=_handover_link(handover),
                text=f"Handover to {lead}"
                f" for {handover.shift_date:%d %b} {handover.shift_name} is not "
                f"acknowledged (due {timezone.localtime(handover.ack_due_at):%H:%M}).",
            )
            alerted += 1
    return alerted


# --- shifts ---------------------------------------------------------------------------------------


def _local_text(moment: datetime) -> str:
    return f"{timezone.localtime(moment, site_zone()):%a %d %b %H:%M}"


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
        raise DomainError("A shift ends after it starts.", field="end")
    if end - start > timedelta(hours=16):
        raise DomainError("A shift lasts 16 hours at most.", field="end")
    ordered = sorted(activities, key=lambda a: a.start)
    for act in ordered:
        if act.kind not in ActivityKind.values:
            kinds = ", ".join(ActivityKind.values)
            raise DomainError(f"Unknown activity {act.kind!r} (use {kinds}).", field="activities")
        if act.end <= act.start or act.start < start or act.end > end:
            raise DomainError(
                f"The {act.kind} at {act.start:%H:%M} lies outside the shift.", field="activities"
            )
    for first, second in itertools.pairwise(ordered):
        if second.start < first.end:
            raise DomainError(
                f"The {first.kind} and the {second.kind} overlap.", field="activities"
            )
    clash = (
        Shift.objects.filter(agent=agent, start__lt=end, end__gt=start)
        .exclude(pk__in=exclude_ids)
        .first()
    )
    if clash is not None:
        raise DomainError(
            f"{agent.display_name} already has a shift {_local_text(clash.start)}.", field="start"
        )


@transaction.atomic
def shift_create(
    *,
    agent: Agent,
    start: datetime,
    end: datetime,
    activities: Sequence[ActivityInput] = (),
    actor=None,
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
        raise DomainError(f"{value!r} is not a time like 08:00.", field=column) from None


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
                f"{part!r} is not like 'break 10:00-10:15'.", field="activities"
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
def shifts_import_csv(*, text: str, actor, teams) -> ImportReport:
    """Import a week of shifts; any bad row and nothing is imported (each error is reported)."""
    report = ImportReport()
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in IMPORT_COLUMNS[:4] if c not in (reader.fieldnames or [])]
    if missing:
        raise DomainError(
            f"The CSV needs the columns {', '.join(IMPORT_COLUMNS)}; "
            f"missing: {', '.join(missing)}.",
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
                    f"No agent has the employee number {number!r}.", field="employee_number"
                )
            if agent.team_id not in allowed:
                raise DomainError(
                    f"{agent.display_name} is not in a team you manage.", field="employee_number"
                )
            try:
                day = date.fromisoformat((row.get("date") or "").strip())
            except ValueError:
                raise DomainError(
                    f"{row.get('date')!r} is not a date like 2026-11-30.", field="date"
                ) from None
            start = _local(day, _parse_time(row.get("start") or "", "start"))
            end = _local(day, _parse_time(row.get("end") or "", "end"), after=start)
            activities = _parse_activities(row.get("activities") or "", day, start)
            _check_shift(agent=agent, start=start, end=end, activities=activities)
            for other_line, other_agent, other_start, other_end, _ in planned:
                if other_agent == agent and other_start < end and start < other_end:
                    raise DomainError(f"Overlaps the shift on line {other_line}.", field="start")
            planned.append((line, agent, start, end, activities))
        except DomainError as exc:
            report.errors.append({"line": line, "field": exc.field or "", "message": exc.message})
    if report.errors:
        return report
    for _, agent, start, end, activities in planned:
        shift_create(agent=agent, start=start, end=end, activities=activities, actor=actor)
    report.created = len(planned)
    return report


def week_bounds(week_start: date) -> tuple[datetime, datetime]:
    start = datetime.combine(week_start, time(0), tzinfo=site_zone())
    return start, start + timedelta(days=7)


@transaction.atomic
def week_publish(*, team: Team, week_start: date, actor, now: datetime | None = None) -> int:
    """Publish a team's shifts of a week (Monday first) so its agents see them."""
    now = now or timezone.now()
    if week_start.weekday() != 0:
        raise DomainError("A week starts on a Monday.", field="week")
    start, end = week_bounds(week_start)
    count = Shift.objects.filter(
        agent__team=team, start__gte=start, start__lt=end, published_at__isnull=True
    ).update(published_at=now)
    if not count:
        raise DomainError("There is nothing unpublished in that week.", field="week")
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
            text=f"Your schedule for the week of {week_start:%d %b} is published.",
        )
    )
    return count


# --- swaps ----------------------------------------------------------------------------------------


def _skills(agent: Agent | None) -> frozenset[str] | None:
    if agent is None:
        return None
    return frozenset(agent.skills.values_list("queue__name", flat=True))


def _span(shift: Shift | None) -> rules.Span | None:
    """A shift in the site's zone, so that the rules' messages read in local time."""
    if shift is None:
        return None
    zone = site_zone()
    return rules.Span(timezone.localtime(shift.start, zone), timezone.localtime(shift.end, zone))


def swap_checks(swap: SwapRequest, *, now: datetime | None = None) -> list[rules.RuleCheck]:
    """The swap rules for this swap as it stands (shown to all three and checked on approval)."""
    now = now or timezone.now()
    swapped = [swap.requester_shift_id, swap.colleague_shift_id]

    def others(agent):
        if agent is None:
            return []
        window = Q(
            start__lt=swap.requester_shift.end + timedelta(days=2),
            end__gt=swap.requester_shift.start - timedelta(days=2),
        )
        if swap.colleague_shift:
            window |= Q(
                start__lt=swap.colleague_shift.end + timedelta(days=2),
                end__gt=swap.colleague_shift.start - timedelta(days=2),
            )
        return [
            _span(s)
            for s in Shift.objects.filter(agent=agent).filter(window).exclude(pk__in=swapped)
        ]

    return rules.swap_rules(
        now=now,
        requester=swap.requester.display_name,
        colleague=swap.colleague.display_name if swap.colleague else None,
        requester_shift=_span(swap.requester_shift),
        colleague_shift=_span(swap.colleague_shift),
        requester_skills=_skills(swap.requester),
        colleague_skills=_skills(swap.colleague),
        requester_other_shifts=others(swap.requester),
        colleague_other_shifts=others(swap.colleague),
        min_notice=conf.swap_min_notice(),
        min_rest=conf.min_rest(),
    )


def _swap_link(swap: SwapRequest) -> str:
    return reverse("swap-detail", kwargs={"swap_id": swap.pk})


def _lead_of(agent: Agent):
    return agent.team.lead if agent.team_id and agent.team.lead_id else None


@transaction.atomic
def swap_propose(
    *,
    requester: Agent,
    shift: Shift,
    colleague: Agent | None = None,
    colleague_shift: Shift | None = None,
    note: str = "",
    now: datetime | None = None,
) -> SwapRequest:
    """Propose a swap to a named colleague, or (no colleague) offer the shift to any eligible."""
    now = now or timezone.now()
    if shift.agent_id != requester.pk:
        raise DomainError("Offer one of your own shifts.", field="shift")
    if shift.published_at is None:
        raise DomainError("This shift is not published yet.", field="shift")
    if shift.start <= now:
        raise DomainError("This shift has started already.", field="shift")
    if colleague is not None and colleague.pk == requester.pk:
        raise DomainError("Choose a colleague other than yourself.", field="colleague")
    if colleague_shift is not None:
        if colleague is None or colleague_shift.agent_id != colleague.pk:
            raise DomainError(
                "The shift you ask for must be the colleague's.", field="colleague_shift"
            )
        if colleague_shift.start <= now:
            raise DomainError("The colleague's shift has started already.", field="colleague_shift")
    if SwapRequest.objects.filter(requester_shift=shift, status__in=OPEN_SWAP_STATUSES).exists():
        raise DomainError("This shift is in an open swap already.", field="shift")
    swap = SwapRequest.objects.create(
        requester=requester,
        requester_shift=shift,
        colleague=colleague,
        colleague_shift=colleague_shift,
        note=note.strip()[:300],
        status=SwapStatus.PROPOSED if colleague else SwapStatus.OFFERED,
    )
    audit_record(
        actor=requester.user,
        action=f"swap.{swap.status}",
        target=swap,
        data={
            "shift": shift.pk,
            "colleague": colleague.pk if colleague else None,
            "colleague_shift": colleague_shift.pk if colleague_shift else None,
        },
    )
    link = _swap_link(swap)
    if colleague is not None:
        recipients = [colleague.user]
        text = f"{requester.display_name} proposes a shift swap to you."
    else:
        skills = _skills(requester)
        recipients = [
            a.user
            for a in Agent.objects.filter(active=True)
            .exclude(pk=requester.pk)
            .select_related("user")
            if _skills(a) == skills
        ]
        text = f"{requester.display_name} offers a shift ({_local_text(shift.start)})."
    transaction.on_commit(
        lambda: notify(recipients=recipients, kind="swap.proposed", link=link, text=text)
    )
    return swap


def _transition(swap: SwapRequest, old: Sequence[str], new: str, **values) -> None:
    updated = SwapRequest.objects.filter(pk=swap.pk, status__in=list(old)).update(
        status=new, **values
    )
    if not updated:
        swap.refresh_from_db()
        raise Conflict(f"The swap is {swap.get_status_display().lower()} now.")
    swap.refresh_from_db()


@transaction.atomic
def swap_accept(*, swap: SwapRequest, agent: Agent, now: datetime | None = None) -> SwapRequest:
    """The named colleague accepts, or any eligible colleague takes an offered shift."""
    now = now or timezone.now()
    if agent.pk == swap.requester_id:
        raise DomainError(
            "You cannot accept your own swap.",
            field="swap",
            status_code=403,
            code="permission_denied",
        )
    if swap.status == SwapStatus.PROPOSED and swap.colleague_id != agent.pk:
        raise DomainError(
            "This swap is proposed to someone else.", status_code=403, code="permission_denied"
        )
    if swap.status == SwapStatus.OFFERED and _skills(agent) != _skills(swap.requester):
        raise DomainError("You do not work the same queues as the shift needs.", field="swap")
    if swap.requester_shift.start <= now:
        raise DomainError("The shift has started already.", field="swap")
    _transition(
        swap,
        [SwapStatus.PROPOSED, SwapStatus.OFFERED],
        SwapStatus.ACCEPTED,
        colleague=agent,
        accepted_at=now,
    )
    audit_record(
        actor=agent.user, action="swap.accepted", target=swap, data={"colleague": agent.pk}
    )
    failed = rules.failures(swap_checks(swap, now=now))
    lead = _lead_of(swap.requester)
    link = _swap_link(swap)
    note = f" {len(failed)} rule(s) not met." if failed else " All rules met."
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, lead],
            kind="swap.accepted",
            link=link,
            text=(
                f"{agent.display_name} accepted the swap with {swap.requester.display_name}.{note}"
            ),
        )
    )
    return swap


@transaction.atomic
def swap_decline(*, swap: SwapRequest, agent: Agent) -> SwapRequest:
    if swap.colleague_id != agent.pk or swap.status != SwapStatus.PROPOSED:
        raise DomainError(
            "Only the named colleague declines a proposed swap.",
            status_code=403,
            code="permission_denied",
        )
    _transition(swap, [SwapStatus.PROPOSED], SwapStatus.DECLINED)
    audit_record(actor=agent.user, action="swap.declined", target=swap)
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user],
            kind="swap.declined",
            link=_swap_link(swap),
            text=f"{agent.display_name} declined your swap.",
        )
    )
    return swap


@transaction.atomic
def swap_cancel(*, swap: SwapRequest, agent: Agent) -> SwapRequest:
    if swap.requester_id != agent.pk:
        raise DomainError(
            "Only the requester cancels a swap.", status_code=403, code="permission_denied"
        )
    _transition(swap, OPEN_SWAP_STATUSES, SwapStatus.CANCELLED)
    audit_record(actor=agent.user, action="swap.cancelled", target=swap)
    return swap


@transaction.atomic
def swap_approve(*, swap: SwapRequest, actor, now: datetime | None = None) -> SwapRequest:
    """The team lead approves an accepted swap whose rules all pass; the shifts change hands."""
    now = now or timezone.now()
    if not access.can_decide_for_agent(actor, swap.requester):
        raise DomainError(
            "Only the requester's team lead decides this swap.",
            status_code=403,
            code="permission_denied",
        )
    if swap.status != SwapStatus.ACCEPTED:
        raise Conflict(f"The swap is {swap.get_status_display().lower()}; it cannot be approved.")
    failed = rules.failures(swap_checks(swap, now=now))
    if failed:
        raise DomainError(
            "The swap breaks the rules: " + " ".join(c.message for c in failed),
            field="rules",
            code="rules_not_met",
        )
    _transition(swap, [SwapStatus.ACCEPTED], SwapStatus.APPROVED, decided_by=actor, decided_at=now)
    moved = Shift.objects.filter(pk=swap.requester_shift_id, agent=swap.requester).update(
        agent=swap.colleague
    )
    if swap.colleague_shift_id:
        moved += Shift.objects.filter(pk=swap.colleague_shift_id, agent=swap.colleague).update(
            agent=swap.requester
        )
    if moved != (2 if swap.colleague_shift_id else 1):
        raise Conflict("A shift of this swap changed hands meanwhile.")
    audit_record(
        actor=actor,
        action="swap.approved",
        target=swap,
        data={
            "requester_shift": swap.requester_shift_id,
            "colleague_shift": swap.colleague_shift_id,
        },
    )
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, swap.colleague.user],
            kind="swap.approved",
            link=_swap_link(swap),
            text="Your shift swap is approved; your schedule has changed.",
        )
    )
    return swap


@transaction.atomic
def swap_refuse(
    *, swap: SwapRequest, actor, reason: str, now: datetime | None = None
) -> SwapRequest:
    now = now or timezone.now()
    if not access.can_decide_for_agent(actor, swap.requester):
        raise DomainError(
            "Only the requester's team lead decides this swap.",
            status_code=403,
            code="permission_denied",
        )
    if not reason.strip():
        raise DomainError("Give the reason for refusing.", field="reason")
    _transition(
        swap,
        [SwapStatus.ACCEPTED],
        SwapStatus.REFUSED,
        decided_by=actor,
        decided_at=now,
        decision_reason=reason.strip()[:300],
    )
    audit_record(actor=actor, action="swap.refused", target=swap, data={"reason": reason})
    transaction.on_commit(
        lambda: notify(
            recipients=[swap.requester.user, swap.colleague.user if swap.colleague else None],
            kind="swap.refused",
            link=_swap_link(swap),
            text=f"Your shift swap is refused: {reason}",
        )
    )
    return swap


def swaps_expire(*, now: datetime | None = None) -> int:
    """Open swaps whose earlier shift has started expire (idempotent)."""
    now = now or timezone.now()
    expired = 0
    stale = SwapRequest.objects.filter(status__in=OPEN_SWAP_STATUSES).filter(
        Q(requester_shift__start__lte=now) | Q(colleague_shift__start__lte=now)
    )
    for swap in stale:
        with transaction.atomic():
            if SwapRequest.objects.filter(pk=swap.pk, status=swap.status).update(
                status=SwapStatus.EXPIRED
            ):
                audit_record(
                    actor=None, action="swap.expired", target=swap, data={"was": swap.status}
                )
                expired += 1
    return expired


# --- leave ----------------------------------------------------------------------------------------


@transaction.atomic
def leave_request(
    *,
    agent: Agent,
    first_day: date,
    last_day: date,
    kind: str = "annual",
    reason: str = "",
    today: date | None = None,
) -> LeaveRequest:
    today = today or timezone.localdate(timezone=site_zone())
    if first_day <= today:
        raise DomainError("Leave is requested before the day it starts.", field="first_day")
    if last_day < first_day:
        raise DomainError("The last day comes after the first.", field="last_day")
    if (last_day - first_day).days > 60:
        raise DomainError("Ask for 61 days at most at once.", field="last_day")
    overlapping = LeaveRequest.objects.filter(
        agent=agent,
        status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED],
        first_day__lte=last_day,
        last_day__gte=first_day,
    ).exists()
    if overlapping:
        raise DomainError(
            "You have asked for leave on some of these days already.", field="first_day"
        )
    leave = LeaveRequest.objects.create(
        agent=agent,
        first_day=first_day,
        last_day=last_day,
        kind=kind.strip() or "annual",
        reason=reason.strip(),
    )
    audit_record(
        actor=agent.user,
        action="leave.requested",
        target=leave,
        data={"first_day": first_day.isoformat(), "last_day": last_day.isoformat()},
    )
    lead = _lead_of(agent)
    transaction.on_commit(
        lambda: notify(
            recipients=[lead],
            kind="leave.requested",
            link=reverse("leave"),
            text=f"{agent.display_name} asks for leave {first_day:%d %b}–{last_day:%d %b}.",
        )
    )
    return leave


@transaction.atomic
def leave_decide(
    *, leave: LeaveRequest, actor, approve: bool, reason: str = "", today: date | None = None
) -> LeaveRequest:
    """The team lead approves (before the first day) or refuses (with a reason)."""
    today = today or timezone.localdate(timezone=site_zone())
    if not access.can_decide_for_agent(actor, leave.agent):
        raise DomainError(
            "Only the agent's team lead decides this leave.",
            status_code=403,
            code="permission_denied",
        )
    if approve and leave.first_day <= today:
        raise DomainError("Leave is approved before its first day.", field="first_day")
    if not approve and not reason.strip():
        raise DomainError("Give the reason for refusing.", field="reason")
    new = LeaveStatus.APPROVED if approve else LeaveStatus.REFUSED
    updated = LeaveRequest.objects.filter(pk=leave.pk, status=LeaveStatus.REQUESTED).update(
        status=new, decided_by=actor, decided_at=timezone.now(), decision_reason=reason.strip()
    )
    if not updated:
        raise Conflict("This leave request is decided already.")
    leave.refresh_from_db()
    audit_record(actor=actor, action=f"leave.{new}", target=leave, data={"reason": reason})
    transaction.on_commit(
        lambda: notify(
            recipients=[leave.agent.user],
            kind=f"leave.{new}",
            link=reverse("leave"),
            text=f"Your leave {leave.first_day:%d %b}–{leave.last_day:%d %b} is {new}."
            + (f" {reason}" if reason else ""),
        )
    )
    return leave


@transaction.atomic
def leave_cancel(*, leave: LeaveRequest, agent: Agent) -> LeaveRequest:
    if leave.agent_id != agent.pk:
        raise DomainError(
            "Only the agent cancels their leave.", status_code=403, code="permission_denied"
        )
    updated = LeaveRequest.objects.filter(
        pk=leave.pk, status__in=[LeaveStatus.REQUESTED, LeaveStatus.APPROVED]
    ).update(status=LeaveStatus.CANCELLED)
    if not updated:
        raise Conflict("This leave request cannot be cancelled any more.")
    leave.refresh_from_db()
    audit_record(actor=agent.user, action="leave.cancelled", target=leave)
    return leave


# --- briefings ------------------------------------------------------------------------------------


@transaction.atomic
def briefing_create(
    *,
    author,
    team: Team,
    kind: str,
    held_at: datetime,
    agenda: str,
    minutes: str,
    attendees: Sequence[Agent] = (),
) -> Briefing:
    """File a briefing's minutes; the team's agents who were not there are told to read them."""
    if not access.can_manage_team(author, team):
        raise DomainError(
            "You file briefings for the teams you lead.",
            field="team",
            status_code=403,
            code="permission_denied",
        )
    if kind not in BriefingKind.values:
        raise DomainError("A briefing is pre-shift or post-shift.", field="kind")
    if not agenda.strip():
        raise DomainError("Write the agenda.", field="agenda")
    if not minutes.strip():
        raise DomainError("Write the minutes.", field="minutes")
    strangers = [a.display_name for a in attendees if a.team_id != team.pk]
    if strangers:
        raise DomainError(f"Not in {team.name}: {', '.join(strangers)}.", field="attendees")
    briefing = Briefing.objects.create(
        team=team,
        kind=kind,
        held_at=held_at,
        author=author,
        agenda=agenda.strip(),
        minutes=minutes.strip(),
    )
    briefing.attendees.set(attendees)
    audit_record(
        actor=author,
        action="briefing.filed",
        target=briefing,
        data={"attendees": [a.pk for a in attendees]},
    )
    absent = [
        a.user
        for a in team.agents.filter(active=True)
        .exclude(pk__in=[a.pk for a in attendees])
        .select_related("user")
    ]
    link = reverse("briefing-detail", kwargs={"briefing_id": briefing.pk})
    transaction.on_commit(
        lambda: notify(
            recipients=absent,
            kind="briefing.missed",
            link=link,
            text=f"You missed the {briefing.get_kind_display().lower()} briefing of "
            f"{_local_text(held_at)}: read the minutes.",
        )
    )
    return briefing


def briefing_mark_read(*, briefing: Briefing, agent: Agent) -> BriefingRead:
    """An agent of the team marks the minutes read (once; later calls change nothing)."""
    if agent.team_id != briefing.team_id:
        raise DomainError(
            "This briefing is not for your team.", status_code=403, code="permission_denied"
        )
    read, _ = BriefingRead.objects.get_or_create(briefing=briefing, agent=agent)
    return read
