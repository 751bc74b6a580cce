"""Coaching sessions: each transition allowed for the right person, refused for the wrong one,
audited with a sentence; the open actions on the agent's and the team lead's pages."""

from datetime import timedelta

import pytest
from django.test import Client

from agents.models import AuditEntry
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe, has_phrase
from qa.coaching import selectors, services
from qa.models import ActionOutcome, CoachingSession, CoachingSource, CoachingStatus
from qa.services import local_today

pytestmark = pytest.mark.django_db


def _actions(*days):
    today = local_today()
    return [{"text": f"Action in {d} days", "due_on": today + timedelta(days=d)} for d in days]


def _audit(session):
    return list(
        AuditEntry.objects.filter(object_type="qa.coachingsession", object_id=str(session.pk))
        .order_by("id")
        .values_list("action", flat=True)
    )


@pytest.fixture
def session(cast, world, ann_evaluation):
    return services.coaching_create(
        coach=cast.tina,
        evaluation=ann_evaluation,
        topic="Greeting",
        criteria=[world.crit["greeting"]],
        actions=_actions(7, 14),
    )


def test_a_team_lead_coaches_on_an_evaluation_of_their_agent(cast, world, ann_evaluation):
    session = services.coaching_create(
        coach=cast.tina,
        evaluation=ann_evaluation,
        topic="  Greeting  ",
        criteria=[world.crit["greeting"], world.crit["empathy"]],
        actions=[*_actions(7), {"text": "", "due_on": None}],  # an empty form row is skipped
    )
    assert session.agent == cast.ann_agent and session.source == CoachingSource.EVALUATION
    assert session.topic == "Greeting" and session.status == CoachingStatus.OPEN
    assert set(session.criteria.all()) == {world.crit["greeting"], world.crit["empathy"]}
    assert [a.text for a in session.actions.all()] == ["Action in 7 days"]
    assert _audit(session) == ["coaching.created"]
    entry = AuditEntry.objects.get(action="coaching.created")
    assert describe(entry.action, entry.data) == ("Held the coaching session and agreed 1 action")
    assert cast.ann.notifications.filter(kind="qa.coaching").exists()


def test_another_teams_lead_and_the_agent_may_not_coach(cast, ann_evaluation):
    for user in (cast.tom, cast.ann, cast.ada):
        with pytest.raises(DomainError) as refused:
            services.coaching_create(
                coach=user, evaluation=ann_evaluation, topic="x", actions=_actions(1)
            )
        assert refused.value.status_code == 403
    assert (
        not CoachingSession.objects.exists()
        and not AuditEntry.objects.filter(action="coaching.created").exists()
    )


def test_bad_input_names_every_field(cast, world, ann_evaluation):
    with pytest.raises(DomainError) as refused:
        services.coaching_create(
            coach=cast.quinn,
            agent=cast.ann_agent,
            topic=" ",
            actions=[
                {"text": "Past", "due_on": local_today() - timedelta(days=1)},
                {"text": "", "due_on": "2030-01-01"},
                {"text": "No date", "due_on": "not a date"},
            ],
            criteria=[world.crit["greeting"]],  # an own session refers to no evaluation
        )
    fields = refused.value.fields
    assert set(fields) == {"topic", "criteria", "actions[0]", "actions[1]", "actions[2]"}
    assert fields["actions[0]"] == ["An action cannot be due before today."]
    with pytest.raises(DomainError) as refused:
        services.coaching_create(coach=cast.quinn, topic="Nothing", actions=[])
    assert set(refused.value.fields) == {"agent", "actions"}


def test_coaching_from_an_appeal_needs_its_decision(cast, world, ann_evaluation):
    from qa import services as qa

    greeting = {"criterion": world.crit["greeting"].pk, "reason": "I greeted."}
    appeal = qa.appeal_file(evaluation=ann_evaluation, user=cast.ann, items=[greeting])
    with pytest.raises(DomainError) as refused:
        services.coaching_create(coach=cast.sam, appeal=appeal, topic="x", actions=_actions(1))
    assert "appeal" in refused.value.fields
    appeal.status = "decided"
    appeal.save(update_fields=["status"])
    session = services.coaching_create(
        coach=cast.sam, appeal=appeal, topic="After the appeal", actions=_actions(1)
    )
    assert session.source == CoachingSource.APPEAL
    assert session.evaluation == ann_evaluation and session.agent == cast.ann_agent


def test_coaching_from_a_closed_calibration_of_an_agents_call(cast, world):
    from qa import services as qa

    calibration = qa.calibration_create(
        actor=cast.quinn,
        title="Week 1",
        scorecard_version=world.version,
        call=world.bob_call,
        participants=[cast.quinn, world.quincy],
    )
    with pytest.raises(DomainError):
        services.coaching_create(
            coach=cast.quinn, calibration=calibration, topic="x", actions=_actions(1)
        )
    calibration.status = "closed"
    calibration.save(update_fields=["status"])
    session = services.coaching_create(
        coach=cast.quinn,
        calibration=calibration,
        topic="Empathy",
        criteria=[world.crit["empathy"]],
        actions=_actions(3),
    )
    assert session.agent == cast.bob_agent and session.source == CoachingSource.CALIBRATION

    client = Client()
    client.force_login(cast.quinn)
    page = client.get(f"/qa/coaching/new/?calibration={calibration.pk}")
    assert page.status_code == 200
    assert 'data-testid="coached-agent">Bob Agent<' in page.content.decode()
    client.force_login(cast.tina)  # not in the session, and bob is not in her team
    assert client.get(f"/qa/coaching/new/?calibration={calibration.pk}").status_code == 404
    client.force_login(cast.tom)  # bob's lead, but not in the session either
    assert client.get(f"/qa/coaching/new/?calibration={calibration.pk}").status_code == 404


def test_only_the_agent_acknowledges_once(cast, session):
    for user in (cast.tina, cast.bob, cast.sam):
        with pytest.raises(DomainError) as refused:
            services.coaching_acknowledge(session=session, actor=user)
        assert refused.value.status_code == 403
    services.coaching_acknowledge(session=session, actor=cast.ann, comment="Will do.")
    session.refresh_from_db()
    assert session.status == CoachingStatus.ACKNOWLEDGED and session.agent_comment == "Will do."
    with pytest.raises(Conflict):
        services.coaching_acknowledge(session=session, actor=cast.ann)
    assert _audit(session) == ["coaching.created", "coaching.acknowledged"]
    assert describe("coaching.acknowledged") == "Acknowledged the coaching session"
    assert cast.tina.notifications.filter(kind="qa.coaching").exists()


def test_the_coach_follows_up_every_action(cast, session):
    first, second = session.actions.all()
    with pytest.raises(DomainError) as refused:
        services.coaching_follow_up(session=session, actor=cast.ann, outcomes={})
    assert refused.value.status_code == 403
    with pytest.raises(DomainError) as refused:
        services.coaching_follow_up(session=session, actor=cast.tom, outcomes={})
    assert refused.value.status_code == 403
    with pytest.raises(DomainError) as refused:
        services.coaching_follow_up(
            session=session,
            actor=cast.tina,
            outcomes={first.pk: {"outcome": "done"}, second.pk: {"outcome": "not_done"}},
        )
    assert set(refused.value.fields) == {f"outcomes.{second.pk}"}  # not done needs a note
    services.coaching_follow_up(
        session=session,
        actor=cast.tina,
        outcomes={
            first.pk: {"outcome": "done", "note": "Heard it on three calls."},
            second.pk: {"outcome": "not_done", "note": "No such call this week."},
        },
    )
    session.refresh_from_db()
    assert session.status == CoachingStatus.FOLLOWED_UP
    assert [a.outcome for a in session.actions.all()] == [
        ActionOutcome.DONE,
        ActionOutcome.NOT_DONE,
    ]
    with pytest.raises(Conflict):
        services.coaching_follow_up(session=session, actor=cast.tina, outcomes={})
    assert _audit(session) == ["coaching.created", "coaching.followed_up"]
    entry = AuditEntry.objects.get(action="coaching.followed_up")
    assert describe(entry.action, entry.data) == (
        "Followed up the coaching session: 1 of 2 actions done"
    )


def test_a_supervisor_may_follow_up_for_the_coach(cast, session):
    first, second = session.actions.all()
    services.coaching_follow_up(
        session=session,
        actor=cast.sam,
        outcomes={first.pk: {"outcome": "done"}, second.pk: {"outcome": "done"}},
    )
    assert CoachingSession.objects.get(pk=session.pk).status == CoachingStatus.FOLLOWED_UP


def test_every_coaching_action_has_a_phrase():
    for action in ("coaching.created", "coaching.acknowledged", "coaching.followed_up"):
        assert has_phrase(action), action


def test_open_actions_show_on_the_agents_and_the_team_leads_pages(cast, session):
    overdue = session.actions.first()
    overdue.due_on = local_today() - timedelta(days=2)
    overdue.save(update_fields=["due_on"])
    assert next(a.pk for a in selectors.open_actions_for_agent(cast.ann_agent)) == overdue.pk
    assert selectors.open_actions_for_lead(cast.tina).count() == 2
    assert selectors.open_actions_for_lead(cast.tom).count() == 0

    client = Client()
    client.force_login(cast.ann)
    html = client.get("/quality/").content.decode()
    due = html.split('data-testid="coaching-due"', 1)[1].split("</section>", 1)[0]
    assert due.count('data-testid="open-action"') == 2
    assert due.count('data-testid="overdue"') == 1 and 'class="overdue"' in due

    client.force_login(cast.tina)
    html = client.get("/handovers/").content.decode()
    due = html.split('data-testid="coaching-due"', 1)[1].split("</section>", 1)[0]
    assert "Ann Agent" in due and due.count('data-testid="overdue"') == 1

    client.force_login(cast.tom)
    assert 'data-testid="coaching-due"' not in client.get("/handovers/").content.decode()
