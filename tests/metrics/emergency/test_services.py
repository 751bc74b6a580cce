"""Each transition of an emergency plan: allowed, refused when the state forbids it, audited,
and shown on the board."""

from datetime import timedelta

import pytest
from django.utils import timezone

from agents.models import AuditEntry, Notification
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe
from metrics.emergency import services
from metrics.emergency.models import Activation, ActivationStatus, DrillAttendance
from metrics.models import Broadcast

pytestmark = pytest.mark.django_db


def audited(activation) -> list[str]:
    return list(
        AuditEntry.objects.filter(object_type="metrics.activation", object_id=str(activation.pk))
        .order_by("at", "id")
        .values_list("action", flat=True)
    )


def test_a_plan_is_saved_with_its_roles_and_ordered_steps_and_audited(cast, plans):
    plan = plans.site_wide
    assert [s.position for s in plan.steps.all()] == [1, 2, 3]
    assert plan.steps.all()[1].move == "add"
    assert [r.duty for r in plan.roles.all()][1] == "Hands out the paper forms"
    entry = AuditEntry.objects.filter(action="emergency_plan.created", object_id=str(plan.pk))
    assert entry.get().actor == cast.sam


def test_a_plan_without_steps_or_with_half_a_move_is_refused_field_by_field(cast, plans):
    with pytest.raises(DomainError) as refused:
        services.emergency_plan_save(
            actor=cast.sam,
            title="",
            trigger="earthquake",
            broadcast_text="x",
            steps=[{"text": "", "agent": cast.ann_agent, "queue": None, "move": "add"}],
        )
    assert {"title", "trigger", "steps.0", "steps"} <= set(refused.value.fields)


def test_starting_a_plan_broadcasts_notifies_and_copies_its_checklist(cast, plans):
    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    assert activation.status == ActivationStatus.LIVE and not activation.drill
    broadcast = Broadcast.objects.get(pk=activation.broadcast_id)
    assert broadcast.priority == "urgent" and broadcast.text.startswith("CRM down")
    assert activation.steps.count() == 3
    # The site-wide plan reaches every agent, lead and supervisor of the floor.
    notified = set(
        Notification.objects.filter(kind="emergency").values_list("recipient", flat=True)
    )
    assert {cast.ann.pk, cast.bob.pk, cast.tina.pk, cast.tom.pk, cast.sam.pk} <= notified
    assert cast.quinn.pk not in notified
    assert audited(activation) == ["emergency.started"]


def test_a_plan_for_one_team_notifies_that_team_its_lead_the_supervisors_and_who_it_names(
    cast, plans
):
    services.activation_start(actor=cast.sam, plan=plans.cards_only)
    notified = set(
        Notification.objects.filter(kind="emergency").values_list("recipient", flat=True)
    )
    # tina leads Billing but the plan names her (she hands out the paper forms).
    assert notified == {cast.bob.pk, cast.tom.pk, cast.sam.pk, cast.tina.pk}
    assert cast.ann.pk not in notified


def test_a_second_start_of_a_running_plan_is_refused_and_names_who_started_it(cast, plans, sue):
    services.activation_start(actor=cast.sam, plan=plans.site_wide)
    with pytest.raises(Conflict) as refused:
        services.activation_start(actor=sue, plan=plans.site_wide, drill=True)
    assert "Sam Supervisor" in refused.value.message
    assert Activation.objects.filter(plan=plans.site_wide).count() == 1
    # Another plan may run at the same time.
    services.activation_start(actor=sue, plan=plans.cards_only)


def test_a_plan_no_longer_in_use_does_not_start(cast):
    from tests.metrics.emergency.conftest import make_plan

    old = make_plan(cast, title="Old plan", active=False)
    with pytest.raises(DomainError):
        services.activation_start(actor=cast.sam, plan=old)


def test_ticks_say_who_and_when_a_second_tick_is_a_conflict_and_unticks_are_kept(cast, plans, sue):
    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    first, second, _third = activation.steps.all()
    services.activation_step_tick(actor=cast.sam, step=first)
    services.activation_step_tick(actor=sue, step=second)
    with pytest.raises(Conflict):
        services.activation_step_tick(actor=sue, step=first)
    first.refresh_from_db()
    assert first.done_by == cast.sam and first.done_at is not None
    services.activation_step_untick(actor=sue, step=second)
    second.refresh_from_db()
    assert second.done_at is None and second.done_by is None
    with pytest.raises(Conflict):
        services.activation_step_untick(actor=sue, step=second)
    assert audited(activation) == [
        "emergency.started",
        "emergency.step_ticked",
        "emergency.step_ticked",
        "emergency.step_unticked",
    ]


def test_closing_needs_an_after_action_note_withdraws_the_broadcast_and_freezes_the_list(
    cast, plans
):
    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    services.activation_note_add(actor=cast.tina, activation=activation, text="IT is on it")
    with pytest.raises(DomainError) as refused:
        services.activation_close(actor=cast.sam, activation=activation, note="  ")
    assert refused.value.field == "note"
    services.activation_close(actor=cast.sam, activation=activation, note="Back after 12 min")
    activation.refresh_from_db()
    assert activation.status == ActivationStatus.CLOSED
    assert activation.after_action_note == "Back after 12 min"
    assert Broadcast.objects.get(pk=activation.broadcast_id).withdrawn_at is not None
    with pytest.raises(Conflict):
        services.activation_close(actor=cast.sam, activation=activation, note="again")
    with pytest.raises(Conflict):
        services.activation_step_tick(actor=cast.sam, step=activation.steps.first())
    assert audited(activation)[-2:] == ["emergency.note_added", "emergency.closed"]
    # Closed, the plan may start again.
    services.activation_start(actor=cast.sam, plan=plans.site_wide)


def test_a_drill_is_scheduled_started_and_keeps_attendance_and_step_times(cast, plans, sue):
    with pytest.raises(DomainError):
        services.drill_schedule(
            actor=cast.sam, plan=plans.site_wide, scheduled_for=timezone.now() - timedelta(hours=1)
        )
    drill = services.drill_schedule(
        actor=cast.sam, plan=plans.site_wide, scheduled_for=timezone.now() + timedelta(days=2)
    )
    assert drill.status == ActivationStatus.SCHEDULED and drill.steps.count() == 0
    services.drill_start(actor=sue, activation=drill)
    drill.refresh_from_db()
    assert drill.status == ActivationStatus.LIVE and drill.started_by == sue
    assert Broadcast.objects.get(pk=drill.broadcast_id).text.startswith("DRILL: ")
    with pytest.raises(Conflict):
        services.drill_start(actor=sue, activation=drill)
    step = drill.steps.first()
    services.activation_step_tick(actor=cast.tina, step=step)
    services.drill_attendance_mark(actor=sue, activation=drill, person=cast.ann)
    with pytest.raises(Conflict):
        services.drill_attendance_mark(actor=sue, activation=drill, person=cast.ann)
    people = set(DrillAttendance.objects.filter(activation=drill).values_list("person", flat=True))
    # The starter and whoever ticked a step took part without being marked.
    assert people == {sue.pk, cast.tina.pk, cast.ann.pk}
    assert audited(drill) == [
        "emergency.drill_scheduled",
        "emergency.started",
        "emergency.step_ticked",
        "emergency.attendance_marked",
    ]


def test_a_scheduled_drill_is_cancelled_once(cast, plans):
    drill = services.drill_schedule(
        actor=cast.sam, plan=plans.site_wide, scheduled_for=timezone.now() + timedelta(days=2)
    )
    services.drill_cancel(actor=cast.sam, activation=drill)
    with pytest.raises(Conflict):
        services.drill_cancel(actor=cast.sam, activation=drill)
    with pytest.raises(Conflict):
        services.drill_start(actor=cast.sam, activation=drill)


def test_step_times_run_from_the_start_or_the_tick_before(cast, plans):
    from metrics.emergency.models import ActivationStep
    from metrics.emergency.selectors import step_times

    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    start = activation.started_at
    steps = list(activation.steps.all())
    ActivationStep.objects.filter(pk=steps[0].pk).update(
        done_at=start + timedelta(seconds=40), done_by=cast.sam
    )
    ActivationStep.objects.filter(pk=steps[2].pk).update(
        done_at=start + timedelta(seconds=100), done_by=cast.sam
    )
    activation.refresh_from_db()
    times = [t.seconds for t in step_times(Activation.objects.get(pk=activation.pk))]
    assert times == [40.0, None, 60.0]


def test_every_emergency_action_reads_as_a_sentence(cast, plans):
    from django.utils import translation

    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide)
    services.activation_step_tick(actor=cast.sam, step=activation.steps.first())
    with translation.override("en"):
        lines = [describe(e.action, e.data) for e in AuditEntry.objects.order_by("id")]
    assert "Ticked step 1: Call the IT hotline" in lines
    assert "Started the emergency plan" in lines
    assert not [line for line in lines if line == "Recorded a change"]


def test_the_board_snapshot_shows_the_checklist_to_supervisors_and_leads_not_agents(cast, plans):
    from metrics.board.delta import filter_snapshot
    from metrics.board.snapshot import floor_snapshot, viewer_for

    activation = services.activation_start(actor=cast.sam, plan=plans.site_wide, drill=True)
    services.activation_step_tick(actor=cast.sam, step=activation.steps.first())
    snapshot = floor_snapshot(site="main")
    entry = snapshot["emergencies"][f"e{activation.pk}"]
    assert entry["drill"] is True and entry["status"] == "live"
    assert entry["steps"][0]["done_by"] == "Sam Supervisor"
    move = entry["steps"][1]
    assert (move["move"], move["agent"], move["queue"]) == ("add", "Bob Agent", "billing")
    assert filter_snapshot(snapshot, viewer_for(cast.tina))["emergencies"]
    assert not filter_snapshot(snapshot, viewer_for(cast.ann))["emergencies"]
