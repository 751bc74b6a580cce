"""A plan's move steps on an AMI source: ticking one adds the agent to the queue on the PBX
first (the phone controls' `members_move`); a refusal leaves the step open. On a source that
only reports, the step is a reminder the supervisor ticks after moving the agent by hand."""

import pytest

from agents.models import AuditEntry
from callfloor.errors import Conflict, DomainError
from metrics.emergency import services
from tests.metrics.control.conftest import ami_floor, ami_server, sent  # noqa: F401
from tests.metrics.emergency.conftest import make_plan

pytestmark = pytest.mark.django_db


def _started(cast, floor, move="add"):
    plan = make_plan(
        cast,
        title="Cards flood",
        steps=[
            {"text": "Confirm the surge"},
            {"text": "", "agent": floor.bob, "queue": floor.cards, "move": move},
        ],
    )
    activation = services.activation_start(actor=cast.sam, plan=plan)
    return activation.steps.get(position=2)


def test_ticking_a_move_step_adds_the_agent_to_the_queue_on_the_pbx(cast, ami_floor):  # noqa: F811
    step = _started(cast, ami_floor)
    services.activation_step_tick(actor=cast.sam, step=step)
    assert sent(ami_floor.server, "QueueAdd") == [
        {
            "Action": "QueueAdd",
            "Queue": "cards",
            "Interface": "PJSIP/2005",
            "Penalty": "0",
            "MemberName": "PJSIP/2005",
        }
    ]
    step.refresh_from_db()
    assert step.done_by == cast.sam
    assert AuditEntry.objects.filter(action="pbx.queue_add").count() == 1


def test_a_move_the_pbx_refuses_leaves_the_step_open_with_its_message(cast, ami_floor):  # noqa: F811
    ami_floor.server.script("QueueAdd", response="Error", message="Unable to add interface")
    step = _started(cast, ami_floor)
    with pytest.raises(Conflict) as refused:
        services.activation_step_tick(actor=cast.sam, step=step)
    assert "Unable to add interface" in refused.value.message
    step.refresh_from_db()
    assert step.done_at is None


def test_only_who_may_move_the_agent_ticks_a_move_on_the_pbx(cast, ami_floor):  # noqa: F811
    # tina leads Billing; bob is in Cards: the phone controls refuse her, nothing is sent.
    step = _started(cast, ami_floor)
    with pytest.raises(DomainError):
        services.activation_step_tick(actor=cast.tina, step=step)
    assert not ami_floor.server.actions_named("QueueAdd")


def test_taking_an_agent_off_a_queue_is_ticked_by_hand(cast, ami_floor):  # noqa: F811
    step = _started(cast, ami_floor, move="remove")
    services.activation_step_tick(actor=cast.sam, step=step)
    assert not ami_floor.server.actions_named("QueueRemove")
