"""Services of emergency plans: the library, starting a plan, its checklist, drills.

Each transition checks the current state with a conditional update, writes an audit row (the
activation's timeline is its audit trail) and, after commit, tells the boards of the site that
the floor changed, so every board shows the checklist as it stands.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Team
from agents.roles import Role
from agents.services import audit_record, notify
from callfloor.errors import Conflict, DomainError, Problems
from callfloor.history import person
from callfloor.zone import site_zone
from metrics.board.actions import broadcast_send, broadcast_withdraw
from metrics.board.signals import floor_changed_on_commit
from metrics.control.selectors import agent_control_target
from metrics.control.services import members_move
from metrics.emergency.models import (
    Activation,
    ActivationStatus,
    ActivationStep,
    DrillAttendance,
    EmergencyPlan,
    MoveAction,
    PlanRole,
    PlanStep,
    PlanTrigger,
)
from metrics.models import Broadcast, BroadcastPriority

NOTE_MAX = 2000
# People of the floor who hear of a started plan in their inbox.
NOTIFIED_ROLES = (Role.AGENT, Role.TEAM_LEAD, Role.SUPERVISOR)


def _name(user: User) -> str:
    return user.get_full_name() or user.get_username()


def _changed(activation: Activation) -> None:
    floor_changed_on_commit(sender=Activation, site=activation.site, sections=["emergencies"])


# -- the library ---------------------------------------------------------------------------------


def _clean_roles(roles: Sequence[dict], problems: Problems) -> list[dict]:
    cleaned = []
    for index, role in enumerate(roles):
        duty = (role.get("duty") or "").strip()
        if not duty:
            continue
        if not role.get("role") and role.get("person") is None:
            problems.add(
                f"roles.{index}", _("Name a role or a person for “%(duty)s”.") % {"duty": duty}
            )
        if role.get("role") and role["role"] not in Role.values:
            problems.add(f"roles.{index}", _("Unknown role %(role)s.") % {"role": role["role"]})
        cleaned.append(
            {"duty": duty[:300], "role": role.get("role") or "", "person": role.get("person")}
        )
    return cleaned


def _clean_steps(steps: Sequence[dict], problems: Problems) -> list[dict]:
    cleaned = []
    for index, step in enumerate(steps):
        text = (step.get("text") or "").strip()
        agent, queue, move = step.get("agent"), step.get("queue"), step.get("move") or ""
        if not text and agent is None and queue is None:
            continue
        partial_move = agent is None or queue is None or move not in MoveAction.values
        if (agent is not None or queue is not None or move) and partial_move:
            problems.add(
                f"steps.{index}",
                _("A move needs an agent, a queue and whether to add or take off."),
            )
            continue
        cleaned.append({"text": text[:300], "agent": agent, "queue": queue, "move": move})
    if not cleaned:
        problems.add("steps", _("Write at least one step of the checklist."))
    return cleaned


@transaction.atomic
def emergency_plan_save(
    *,
    actor: User,
    plan: EmergencyPlan | None = None,
    title: str,
    trigger: str,
    broadcast_text: str,
    steps: Sequence[dict],
    when: str = "",
    roles: Sequence[dict] = (),
    teams: Sequence[Team] = (),
    active: bool = True,
    site: str | None = None,
) -> EmergencyPlan:
    """Create a plan of the library, or rewrite one (its roles and steps are replaced).

    `steps` are dicts of `text`, and for a move `agent`, `queue` and `move`; `roles` of `duty`
    and `role` or `person`. Activations already started keep the steps they copied."""
    from metrics.board.snapshot import default_site

    problems = Problems()
    title = (title or "").strip()
    broadcast_text = (broadcast_text or "").strip()
    if not title:
        problems.add("title", _("Give the plan a title."))
    if trigger not in PlanTrigger.values:
        problems.add("trigger", _("Choose what triggers the plan."))
    if not broadcast_text:
        problems.add("broadcast_text", _("Write the message the floor receives."))
    cleaned_roles = _clean_roles(roles, problems)
    cleaned_steps = _clean_steps(steps, problems)
    problems.raise_if_any()
    created = plan is None
    if created:
        plan = EmergencyPlan(site=site or default_site())
    plan.title, plan.trigger, plan.when = title[:150], trigger, (when or "").strip()
    plan.broadcast_text, plan.active, plan.updated_by = broadcast_text[:400], active, actor
    plan.save()
    plan.teams.set(teams)
    plan.roles.all().delete()
    plan.steps.all().delete()
    PlanRole.objects.bulk_create(
        PlanRole(plan=plan, position=n, **role) for n, role in enumerate(cleaned_roles, 1)
    )
    PlanStep.objects.bulk_create(
        PlanStep(plan=plan, position=n, **step) for n, step in enumerate(cleaned_steps, 1)
    )
    audit_record(
        actor=actor,
        action="emergency_plan.created" if created else "emergency_plan.updated",
        target=plan,
        data={"title": plan.title, "steps": len(cleaned_steps), "active": active},
    )
    return plan


# -- starting a plan -----------------------------------------------------------------------------


def _floor_people(plan: EmergencyPlan):
    """Whom a started plan concerns: its teams' agents and leads (everyone on the floor when
    it names no team), the supervisors and the people it names."""
    users = get_user_model().objects.filter(is_active=True)
    team_ids = list(plan.teams.values_list("pk", flat=True))
    named = Q(emergency_duties__plan=plan) | Q(groups__name=Role.SUPERVISOR)
    if team_ids:
        concerned = Q(agent__team__in=team_ids) | Q(teams_led__in=team_ids) | named
    else:
        concerned = Q(groups__name__in=NOTIFIED_ROLES) | named
    return users.filter(concerned).distinct().order_by("pk")


def _go_live(*, actor: User, activation: Activation, note: str) -> Activation:
    """Copy the plan's steps, broadcast its message, tell the floor's inboxes."""
    plan = activation.plan
    ActivationStep.objects.bulk_create(
        ActivationStep(
            activation=activation,
            position=step.position,
            text=step.text,
            agent_id=step.agent_id,
            queue_id=step.queue_id,
            move=step.move,
        )
        for step in plan.steps.order_by("position", "id")
    )
    # The board shows a drill's broadcast as a drill: nobody takes an exercise for an outage.
    text = plan.broadcast_text
    if activation.drill:
        text = _("DRILL: %(text)s") % {"text": text}
    activation.broadcast = broadcast_send(
        actor=actor, text=text, priority=BroadcastPriority.URGENT, site=activation.site
    )
    activation.save(update_fields=["broadcast"])
    link = f"/floor/emergency/activations/{activation.pk}/"

    def message() -> str:
        values = {"title": plan.title, "text": plan.broadcast_text}
        if activation.drill:
            return _("Drill of the emergency plan “%(title)s”: %(text)s") % values
        return _("Emergency plan “%(title)s” started: %(text)s") % values

    notify(recipients=_floor_people(plan), text=message, link=link, kind="emergency")
    if activation.drill:
        DrillAttendance.objects.get_or_create(
            activation=activation, person=actor, defaults={"marked_by": actor}
        )
    audit_record(
        actor=actor,
        action="emergency.started",
        target=activation,
        data={"plan": plan.title, "drill": activation.drill, "note": note},
    )
    _changed(activation)
    return activation


@transaction.atomic
def activation_start(
    *, actor: User, plan: EmergencyPlan, drill: bool = False, note: str = ""
) -> Activation:
    """Start `plan` on its site now (for real, or as an unannounced drill).

    Only one live activation per plan: a second start is refused."""
    if not plan.active:
        raise DomainError(_("This plan is no longer in use."), field="plan")
    note = (note or "").strip()[:NOTE_MAX]
    live = Activation.objects.filter(plan=plan, status=ActivationStatus.LIVE).first()
    if live is not None:
        raise Conflict(
            _("This plan is already running: %(name)s started it at %(time)s. Close it first.")
            % {
                "name": person(live.started_by),
                "time": timezone.localtime(live.started_at, site_zone()).strftime("%H:%M"),
            }
        )
    try:
        with transaction.atomic():
            activation = Activation.objects.create(
                plan=plan,
                site=plan.site,
                drill=drill,
                status=ActivationStatus.LIVE,
                started_at=timezone.now(),
                started_by=actor,
            )
    except IntegrityError:
        raise Conflict(_("This plan is already running; close it first.")) from None
    return _go_live(actor=actor, activation=activation, note=note)


@transaction.atomic
def drill_schedule(*, actor: User, plan: EmergencyPlan, scheduled_for: datetime) -> Activation:
    """Put a drill of `plan` on the calendar; the boards show it as upcoming."""
    if not plan.active:
        raise DomainError(_("This plan is no longer in use."), field="plan")
    if scheduled_for <= timezone.now():
        raise DomainError(_("Schedule the drill in the future."), field="scheduled_for")
    activation = Activation.objects.create(
        plan=plan,
        site=plan.site,
        drill=True,
        status=ActivationStatus.SCHEDULED,
        scheduled_for=scheduled_for,
        scheduled_by=actor,
    )
    audit_record(
        actor=actor,
        action="emergency.drill_scheduled",
        target=activation,
        data={"plan": plan.title, "scheduled_for": scheduled_for.isoformat()},
    )
    _changed(activation)
    return activation


@transaction.atomic
def drill_start(*, actor: User, activation: Activation, note: str = "") -> Activation:
    """Start a scheduled drill (now, whatever the time it was scheduled for)."""
    if Activation.objects.filter(plan=activation.plan_id, status=ActivationStatus.LIVE).exists():
        raise Conflict(_("This plan is already running; close it first."))
    try:
        with transaction.atomic():
            updated = Activation.objects.filter(
                pk=activation.pk, status=ActivationStatus.SCHEDULED
            ).update(status=ActivationStatus.LIVE, started_at=timezone.now(), started_by=actor)
    except IntegrityError:
        raise Conflict(_("This plan is already running; close it first.")) from None
    if not updated:
        raise Conflict(_("This drill is not waiting to start any more."))
    activation.refresh_from_db()
    return _go_live(actor=actor, activation=activation, note=(note or "").strip()[:NOTE_MAX])


@transaction.atomic
def drill_cancel(*, actor: User, activation: Activation) -> Activation:
    updated = Activation.objects.filter(pk=activation.pk, status=ActivationStatus.SCHEDULED).update(
        status=ActivationStatus.CANCELLED, closed_at=timezone.now(), closed_by=actor
    )
    if not updated:
        raise Conflict(_("This drill is not waiting to start any more."))
    activation.refresh_from_db()
    audit_record(actor=actor, action="emergency.drill_cancelled", target=activation)
    _changed(activation)
    return activation


# -- the checklist -------------------------------------------------------------------------------


def _live_step(step: ActivationStep) -> None:
    if not Activation.objects.filter(pk=step.activation_id, status=ActivationStatus.LIVE).exists():
        raise Conflict(_("This plan is closed; its checklist no longer changes."))


def _attended(*, activation: Activation, person: User, marked_by: User) -> None:
    if activation.drill:
        DrillAttendance.objects.get_or_create(
            activation=activation, person=person, defaults={"marked_by": marked_by}
        )


def _make_move(*, actor: User, step: ActivationStep) -> None:
    """A step that adds an agent to a queue, on a source that takes commands (AMI): make the
    move on the PBX before the tick (`metrics.control.services.members_move`, which checks
    that `actor` may use the phone controls on that agent). On a source that only reports,
    or for an agent not logged in, the supervisor moves them by hand and ticks the step.
    Taking an agent off a queue stays a step done by hand."""
    if step.move != MoveAction.ADD or step.agent_id is None or step.queue_id is None:
        return
    if isinstance(agent_control_target(agent=step.agent), str):
        return
    (result,) = members_move(actor=actor, agents=[step.agent], to_queue=step.queue)
    if not result.ok:
        raise Conflict(
            _("The telephony refused the move; the step stays open: %(message)s")
            % {"message": result.message}
        )


def activation_step_tick(*, actor: User, step: ActivationStep) -> ActivationStep:
    """Mark a step done by `actor` now (every board shows who and when); a move to a queue
    is made on the PBX first where its source takes commands."""
    _live_step(step)
    if ActivationStep.objects.filter(pk=step.pk, done_at__isnull=False).exists():
        raise Conflict(_("Someone ticked this step already."))
    # Outside the tick's transaction: what the PBX was asked is audited even if the tick then
    # loses a race with a second supervisor.
    _make_move(actor=actor, step=step)
    with transaction.atomic():
        updated = ActivationStep.objects.filter(pk=step.pk, done_at__isnull=True).update(
            done_at=timezone.now(), done_by=actor
        )
        if not updated:
            raise Conflict(_("Someone ticked this step already."))
        step.refresh_from_db()
        activation = step.activation
        _attended(activation=activation, person=actor, marked_by=actor)
        audit_record(
            actor=actor,
            action="emergency.step_ticked",
            target=activation,
            data={"step": step.pk, "position": step.position, "text": step.text},
        )
        _changed(activation)
    return step


@transaction.atomic
def activation_step_untick(*, actor: User, step: ActivationStep) -> ActivationStep:
    """Take a tick back (the step was not done after all); the timeline keeps both."""
    _live_step(step)
    updated = ActivationStep.objects.filter(pk=step.pk, done_at__isnull=False).update(
        done_at=None, done_by=None
    )
    if not updated:
        raise Conflict(_("This step is not ticked."))
    step.refresh_from_db()
    audit_record(
        actor=actor,
        action="emergency.step_unticked",
        target=step.activation,
        data={"step": step.pk, "position": step.position, "text": step.text},
    )
    _changed(step.activation)
    return step


@transaction.atomic
def activation_note_add(*, actor: User, activation: Activation, text: str) -> Activation:
    """Write a line in the activation's timeline (what happened, what was decided)."""
    text = (text or "").strip()
    if not text:
        raise DomainError(_("Write the note."), field="text")
    if activation.status != ActivationStatus.LIVE:
        raise Conflict(_("Notes are written while the plan runs; this one is not running."))
    audit_record(
        actor=actor,
        action="emergency.note_added",
        target=activation,
        data={"text": text[:NOTE_MAX]},
    )
    return activation


@transaction.atomic
def activation_close(*, actor: User, activation: Activation, note: str) -> Activation:
    """Close a live activation with its after-action note; its broadcast is withdrawn."""
    note = (note or "").strip()
    if not note:
        raise DomainError(
            _("Write a short after-action note: what happened and what to change."), field="note"
        )
    updated = Activation.objects.filter(pk=activation.pk, status=ActivationStatus.LIVE).update(
        status=ActivationStatus.CLOSED,
        closed_at=timezone.now(),
        closed_by=actor,
        after_action_note=note[:NOTE_MAX],
    )
    if not updated:
        raise Conflict(_("This plan is closed already."))
    activation.refresh_from_db()
    standing = Broadcast.objects.filter(pk=activation.broadcast_id, withdrawn_at__isnull=True)
    if activation.broadcast_id is not None and standing.exists():
        broadcast_withdraw(actor=actor, broadcast=activation.broadcast)
    audit_record(
        actor=actor,
        action="emergency.closed",
        target=activation,
        data={"note": activation.after_action_note, "drill": activation.drill},
    )
    _changed(activation)
    return activation


# -- drill attendance ----------------------------------------------------------------------------


@transaction.atomic
def drill_attendance_mark(*, actor: User, activation: Activation, person: User) -> DrillAttendance:
    """Record that `person` took part in the drill."""
    if not activation.drill or activation.status not in (
        ActivationStatus.LIVE,
        ActivationStatus.CLOSED,
    ):
        raise DomainError(_("Attendance is kept for drills that took place."), field="person")
    row, created = DrillAttendance.objects.get_or_create(
        activation=activation, person=person, defaults={"marked_by": actor}
    )
    if not created:
        raise Conflict(_("%(name)s is on the list already.") % {"name": _name(person)})
    audit_record(
        actor=actor,
        action="emergency.attendance_marked",
        target=activation,
        data={"person": person.pk, "name": _name(person)},
    )
    return row


@transaction.atomic
def drill_attendance_unmark(*, actor: User, activation: Activation, person: User) -> None:
    deleted, _count = DrillAttendance.objects.filter(activation=activation, person=person).delete()
    if not deleted:
        raise Conflict(_("%(name)s is not on the list.") % {"name": _name(person)})
    audit_record(
        actor=actor,
        action="emergency.attendance_unmarked",
        target=activation,
        data={"person": person.pk, "name": _name(person)},
    )
