"""The admin shows quality records but cannot forge, change or delete them: they change only
through their services, which keep the state machine and write the audit row."""

from datetime import timedelta

import pytest
from django.test import Client

from agents.models import AuditEntry
from qa import services
from qa.models import (
    Appeal,
    CalibrationSession,
    Evaluation,
    GreatCall,
    PanelOpinion,
    QaSettings,
    SampledCall,
    SamplingRule,
    ScoreRevision,
)
from tests.qa.test_appeals import all_opinions, at_panel

pytestmark = pytest.mark.django_db

READ_ONLY = {
    "evaluation": Evaluation,
    "appeal": Appeal,
    "panelopinion": PanelOpinion,
    "samplingrule": SamplingRule,
    "sampledcall": SampledCall,
    "calibrationsession": CalibrationSession,
    "greatcall": GreatCall,
}


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.ada)
    return client


@pytest.fixture
def records(cast, world, ann_evaluation):
    """One row of each read-only model."""
    appeal = at_panel(cast, world, ann_evaluation)
    all_opinions(cast, appeal)
    today = services.local_today()
    rule = services.sampling_rule_create(
        actor=cast.quinn,
        name="Weekly",
        scorecard_version=world.version,
        period_start=today + timedelta(days=1),
        period_end=today + timedelta(days=7),
    )
    SampledCall.objects.create(
        rule=rule, agent=cast.ann_agent, call=world.ann_call, key="pbx/1001", position=0
    )
    services.calibration_create(
        actor=cast.quinn,
        title="Week 1",
        scorecard_version=world.version,
        recording_id="rec-cal",
        participants=[cast.quinn, world.quincy],
    )
    services.great_call_nominate(
        user=cast.ann, agent=cast.bob_agent, recording_id="rec-2001", reason="So calm."
    )
    return {name: model.objects.first() for name, model in READ_ONLY.items()}


@pytest.mark.parametrize("model", sorted(READ_ONLY))
def test_the_admin_shows_but_cannot_add_change_or_delete(admin_client, records, model):
    row = records[model]
    before = READ_ONLY[model].objects.count()
    base = f"/admin/qa/{model}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{row.pk}/change/").status_code == 200  # view only
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {}).status_code == 403
    assert admin_client.post(f"{base}{row.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"{base}{row.pk}/delete/").status_code == 403
    assert admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert READ_ONLY[model].objects.count() == before


def test_no_released_evaluation_scored_100_is_forged_under_another_name(cast, world, admin_client):
    audit_rows = AuditEntry.objects.count()
    response = admin_client.post(
        "/admin/qa/evaluation/add/",
        {
            "scorecard_version": world.version.pk,
            "agent": cast.ann_agent.pk,
            "recording_id": "rec-forged",
            "evaluator": world.quincy.pk,
            "status": "released",
            "answers": "{}",
            "score": "100",
        },
    )
    assert response.status_code == 403
    assert not Evaluation.objects.exists()
    assert AuditEntry.objects.count() == audit_rows


def test_no_decided_appeal_is_forged_and_no_evaluation_deleted(
    cast, world, ann_evaluation, admin_client
):
    response = admin_client.post(
        "/admin/qa/appeal/add/",
        {"evaluation": ann_evaluation.pk, "agent": cast.ann_agent.pk, "status": "decided"},
    )
    assert response.status_code == 403
    assert not Appeal.objects.exists()
    deleted = admin_client.post(
        f"/admin/qa/evaluation/{ann_evaluation.pk}/delete/", {"post": "yes"}
    )
    assert deleted.status_code == 403
    assert Evaluation.objects.filter(pk=ann_evaluation.pk).exists()
    assert ScoreRevision.objects.filter(evaluation=ann_evaluation).count() == 1


def test_a_released_scorecard_version_and_its_sections_are_fixed(world, admin_client):
    version = world.version
    section = version.sections.first()
    assert admin_client.get("/admin/qa/scorecardversion/add/").status_code == 403
    assert (
        admin_client.post(f"/admin/qa/scorecardversion/{version.pk}/delete/", {"post": "yes"})
    ).status_code == 403
    assert (
        admin_client.post(f"/admin/qa/section/{section.pk}/delete/", {"post": "yes"})
    ).status_code == 403
    assert admin_client.post(f"/admin/qa/section/{section.pk}/change/", {}).status_code == 403
    assert version.sections.count() == 2


def test_quality_settings_changed_in_the_admin_are_audited(cast, admin_client):
    QaSettings.load()
    response = admin_client.post(
        "/admin/qa/qasettings/1/change/",
        {
            "appeal_window_days": 10,
            "screening_days": 2,
            "panel_days": 5,
            "transparency": "on",
            "hide_evaluator_names": "on",
        },
    )
    assert response.status_code == 302, response.content[:2000]
    config = QaSettings.load()
    assert config.appeal_window_days == 10 and config.transparency
    entry = AuditEntry.objects.get(action="qa.settings")
    assert entry.actor == cast.ada
    assert entry.data == {"appeal_window_days": 10, "transparency": True}
    assert admin_client.get("/admin/qa/qasettings/add/").status_code == 403
    assert admin_client.post("/admin/qa/qasettings/1/delete/", {"post": "yes"}).status_code == 403
