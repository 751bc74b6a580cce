"""Quality fixtures: a second QA analyst, calls, a released scorecard and evaluations.

quincy: a second QA analyst, the evaluator of ann's and bob's calls, so that quinn (the cast's
analyst) can sit on their appeal panels.
"""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone

from tests.conftest import PASSWORD

SECTIONS = [
    {
        "title": "Opening",
        "weight": 1,
        "criteria": [
            {"title": "Greeting", "max_points": 2, "guidance": "Company name and own name."},
            {
                "title": "Identification",
                "max_points": 2,
                "critical": "section",
                "guidance": "Two security questions before any account detail.",
            },
        ],
    },
    {
        "title": "Resolution",
        "weight": 2,
        "criteria": [
            {"title": "Correct answer", "kind": "scale", "max_points": 5},
            {"title": "Empathy", "kind": "scale", "max_points": 3},
            {
                "title": "Compliance notice",
                "max_points": 1,
                "critical": "evaluation",
                "allow_na": False,
            },
        ],
    },
]


def make_call(
    world,
    agent,
    *,
    call_id: str,
    offered_at=None,
    talk_s: float = 180,
    queue=None,
    recording_id: str | None = None,
):
    from metrics.models import Outcome, QueueCall

    offered_at = offered_at or timezone.now() - timedelta(hours=3)
    return QueueCall.objects.create(
        source=world.source,
        call_id=call_id,
        queue=queue or world.billing_queue,
        offered_at=offered_at,
        outcome=Outcome.ANSWERED,
        wait_s=5,
        agent=agent,
        member=f"PJSIP/{agent.employee_number}",
        answered_at=offered_at + timedelta(seconds=5),
        talk_s=talk_s,
        ended_at=offered_at + timedelta(seconds=5 + talk_s),
        recording_id=recording_id if recording_id is not None else f"rec-{call_id}",
    )


def answers_for(world, **points):
    """Draft answers: full marks except the points given (by criterion key), with comments."""
    result = {}
    for key, criterion in world.crit.items():
        value = points.get(key, criterion.max_points)
        comment = "" if value == criterion.max_points else f"Deducted on {criterion.title}"
        result[str(criterion.pk)] = {"points": value, "comment": comment}
    return result


def released_evaluation(world, agent, *, evaluator=None, call=None, **points):
    from qa import services

    evaluation = services.evaluation_create(
        evaluator=evaluator or world.quincy,
        scorecard_version=world.version,
        agent=agent,
        call=call,
        recording_id="" if call else "rec-free",
    )
    services.evaluation_set_answers(
        evaluation=evaluation, actor=evaluation.evaluator, answers=answers_for(world, **points)
    )
    return services.evaluation_release(evaluation=evaluation, actor=evaluation.evaluator)


@pytest.fixture
def world(cast):
    from agents import services as agent_services
    from agents.roles import Role
    from metrics.models import Queue, TelephonySource
    from qa import services

    quincy = agent_services.user_create(
        username="quincy",
        password=PASSWORD,
        roles=[Role.QA_ANALYST],
        first_name="Quincy",
        last_name="Second",
    )
    source = TelephonySource.objects.create(name="pbx", kind="simulator")
    billing_queue = Queue.objects.create(name="billing")
    cards_queue = Queue.objects.create(name="cards")
    card = services.scorecard_create(name="Service call", actor=cast.quinn, sections=SECTIONS)
    version = services.scorecard_version_release(version=card.versions.get(), actor=cast.quinn)
    crit = {c.title.lower().replace(" ", "_"): c for c in version.criteria()}
    world = SimpleNamespace(
        quincy=quincy,
        source=source,
        billing_queue=billing_queue,
        cards_queue=cards_queue,
        version=version,
        crit=crit,
    )
    world.ann_call = make_call(world, cast.ann_agent, call_id="1001")
    world.bob_call = make_call(world, cast.bob_agent, call_id="2001", queue=cards_queue)
    return world


@pytest.fixture
def ann_evaluation(cast, world):
    """Ann's released evaluation by quincy: greeting 0/2, correct answer 3/5, empathy 2/3."""
    return released_evaluation(
        world, cast.ann_agent, call=world.ann_call, greeting=0, correct_answer=3, empathy=2
    )


@pytest.fixture
def rotation_world(cast, world, ann_evaluation):
    """Cleo joins Billing with an evaluated call; Ann reviews her peers this week (chosen by
    Tina), given Cleo's call; Bob (Cards) has an evaluated call too."""
    from agents import services as agent_services
    from qa.rotation import services as rotation

    cleo = agent_services.agent_create(
        username="cleo",
        display_name="Cleo Agent",
        employee_number="E2006",
        team=cast.billing,
        password=PASSWORD,
    )
    world.cleo = cleo.user
    world.cleo_agent = cleo
    world.cleo_call = make_call(world, cleo, call_id="3001")
    world.cleo_evaluation = released_evaluation(world, cleo, call=world.cleo_call, empathy=1)
    world.bob_evaluation = released_evaluation(world, cast.bob_agent, call=world.bob_call)
    world.ann_evaluation = ann_evaluation
    world.week = rotation.rotation_week_plan(
        actor=cast.tina, reviewer=cast.ann_agent, week_start=timezone.localdate()
    )
    world.review = world.week.reviews.get()
    return world
