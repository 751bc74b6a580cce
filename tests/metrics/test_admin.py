"""The admin: sources get an ingest token shown once; queue threshold changes recompute."""

import re

import pytest
from django.test import Client

from agents.models import AuditEntry
from metrics.models import Queue, QueueInterval, TelephonySource, hash_token


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.ada)
    return client


def shown_token(response) -> str:
    text = " ".join(str(m) for m in response.context["messages"])
    return re.search(r"(cf_\S+)", text).group(1)


def test_adding_a_source_shows_its_token_once_and_audits_it(admin_client):
    response = admin_client.post(
        "/admin/metrics/telephonysource/add/",
        {
            "name": "pbx-north",
            "kind": "http_json",
            "site": "main",
            "time_zone": "UTC",
            "follow_path": "",
            "active": "on",
        },
        follow=True,
    )
    assert response.status_code == 200
    token = shown_token(response)
    source = TelephonySource.objects.get(name="pbx-north")
    assert source.token_hash == hash_token(token)
    assert token not in str(source.__dict__)
    assert AuditEntry.objects.filter(action="telephony_source.token_issued").count() == 1


def test_issuing_a_new_token_retires_the_old_one(admin_client, pbx):
    response = admin_client.post(
        "/admin/metrics/telephonysource/",
        {"action": "issue_token", "_selected_action": [pbx.source.pk]},
        follow=True,
    )
    token = shown_token(response)
    pbx.source.refresh_from_db()
    assert pbx.source.token_hash == hash_token(token) != hash_token(pbx.token)


def test_an_agent_may_not_open_the_admin(cast):
    client = Client()
    client.force_login(cast.ann)
    assert client.get("/admin/metrics/telephonysource/").status_code == 302


def test_changing_a_threshold_recomputes_the_rollups(admin_client, post_events):
    post_events(
        [
            {
                "id": "1",
                "type": "call_queued",
                "at": "2026-03-02T09:00:00Z",
                "call_id": "c",
                "queue": "billing",
            },
            {
                "id": "2",
                "type": "call_answered",
                "at": "2026-03-02T09:00:25Z",
                "call_id": "c",
                "queue": "billing",
                "member": "PJSIP/1",
                "wait_s": 25,
            },
        ]
    )
    queue = Queue.objects.get(name="billing")
    assert QueueInterval.objects.get(queue=queue).a_out == 1
    data = {
        "name": "billing",
        "site": "main",
        "sl_threshold_s": 30,
        "sl_target": 0.8,
        "short_abandon_s": 5,
        "ring_fast_s": 15,
        "sl_variant": "offered",
        "interval_minutes": 15,
        "day_reset_hour": 0,
        "acw_reasons": '["ACW"]',
        "wait_amber_s": 30,
        "wait_red_s": 60,
        "sl_red": 0.6,
        "stale_after_s": 14400,
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
        "aliases-MIN_NUM_FORMS": 0,
        "aliases-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(f"/admin/metrics/queue/{queue.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    row = QueueInterval.objects.get(queue=queue)
    assert (row.a_in, row.a_out) == (1, 0)


def test_the_admin_sets_which_teams_work_a_queue(admin_client, cast):
    queue = Queue.objects.create(name="billing")
    data = {
        "name": "billing",
        "site": "main",
        "sl_threshold_s": 20,
        "sl_target": 0.8,
        "short_abandon_s": 5,
        "ring_fast_s": 15,
        "sl_variant": "offered",
        "interval_minutes": 15,
        "day_reset_hour": 0,
        "acw_reasons": '["ACW"]',
        "wait_amber_s": 30,
        "wait_red_s": 60,
        "sl_red": 0.6,
        "stale_after_s": 14400,
        "teams": [cast.billing.pk],
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
        "aliases-MIN_NUM_FORMS": 0,
        "aliases-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(f"/admin/metrics/queue/{queue.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert list(queue.teams.all()) == [cast.billing]
    audit = AuditEntry.objects.get(action="queue.saved")
    assert audit.data["teams"] == ["Billing"]


def test_changing_the_three_rings_cutoff_recounts_queue_and_agent_figures(
    admin_client, post_events, cast
):
    from metrics.models import AgentDay

    events = []
    for n, (queue, ring) in enumerate([("billing", 20), ("billing", 10), ("cards", 20)]):
        call = {"call_id": f"c{n}", "queue": queue}
        events += [
            {"id": f"q{n}", "type": "call_queued", "at": "2026-03-02T09:00:00Z", **call},
            {
                "id": f"a{n}",
                "type": "call_answered",
                "at": "2026-03-02T09:00:25Z",
                "member": "PJSIP/2004",
                "wait_s": 25,
                "ring_s": ring,
                **call,
            },
        ]
    post_events(events)
    queue = Queue.objects.get(name="billing")
    assert QueueInterval.objects.get(queue=queue).ring_fast_n == 1
    assert AgentDay.objects.get(member="PJSIP/2004").ring_fast_n == 1
    data = {
        "name": "billing",
        "site": "main",
        "sl_threshold_s": 20,
        "sl_target": 0.8,
        "short_abandon_s": 5,
        "ring_fast_s": 20,
        "sl_variant": "offered",
        "interval_minutes": 15,
        "day_reset_hour": 0,
        "acw_reasons": '["ACW"]',
        "wait_amber_s": 30,
        "wait_red_s": 60,
        "sl_red": 0.6,
        "stale_after_s": 14400,
        "aliases-TOTAL_FORMS": 0,
        "aliases-INITIAL_FORMS": 0,
        "aliases-MIN_NUM_FORMS": 0,
        "aliases-MAX_NUM_FORMS": 1000,
    }
    response = admin_client.post(f"/admin/metrics/queue/{queue.pk}/change/", data)
    assert response.status_code == 302, response.content[:2000]
    assert QueueInterval.objects.get(queue=queue).ring_fast_n == 2
    # Ann's day: both billing answers now fast; the cards one stays against cards' 15 s.
    day = AgentDay.objects.get(member="PJSIP/2004")
    assert (day.ring_known_n, day.ring_fast_n) == (3, 2)
    # Answers a later event brings in count against the new cutoff too.
    post_events(
        [
            {
                "id": "q9",
                "type": "call_queued",
                "at": "2026-03-02T09:10:00Z",
                "call_id": "c9",
                "queue": "billing",
            },
            {
                "id": "a9",
                "type": "call_answered",
                "at": "2026-03-02T09:10:19Z",
                "call_id": "c9",
                "queue": "billing",
                "member": "PJSIP/2004",
                "ring_s": 19,
            },
        ]
    )
    day.refresh_from_db()
    assert (day.ring_known_n, day.ring_fast_n) == (4, 3)


# --- telemetry is read-only ---------------------------------------------------------------------


@pytest.fixture
def telemetry(post_events, cast):
    """One answered call of Ann and her login: a call row, a state row, a day row."""
    from metrics.models import AgentDay, AgentState, QueueCall

    call = {"call_id": "c1", "queue": "billing"}
    response = post_events(
        [
            {
                "id": "l",
                "type": "agent_login",
                "at": "2026-03-02T08:59:00Z",
                "member": "PJSIP/2004",
            },
            {"id": "q", "type": "call_queued", "at": "2026-03-02T09:00:00Z", **call},
            {
                "id": "a",
                "type": "call_answered",
                "at": "2026-03-02T09:00:10Z",
                "member": "PJSIP/2004",
                "wait_s": 10,
                **call,
            },
        ]
    )
    assert response.status_code in (200, 202), response.content
    return {
        "queuecall": QueueCall.objects.get(call_id="c1"),
        "agentstate": AgentState.objects.filter(member="PJSIP/2004").first(),
        "agentday": AgentDay.objects.get(member="PJSIP/2004"),
    }


@pytest.mark.parametrize("model", ["queuecall", "agentstate", "agentday"])
def test_telemetry_is_shown_but_never_added_changed_or_deleted_in_the_admin(
    admin_client, telemetry, model
):
    row = telemetry[model]
    assert row is not None
    base = f"/admin/metrics/{model}/"
    assert admin_client.get(base).status_code == 200
    assert admin_client.get(f"{base}{row.pk}/change/").status_code == 200  # the view page
    assert admin_client.get(f"{base}add/").status_code == 403
    assert admin_client.post(f"{base}add/", {}).status_code == 403
    assert admin_client.post(f"{base}{row.pk}/change/", {}).status_code == 403
    assert admin_client.get(f"{base}{row.pk}/delete/").status_code == 403
    assert admin_client.post(f"{base}{row.pk}/delete/", {"post": "yes"}).status_code == 403
    admin_client.post(
        base, {"action": "delete_selected", "_selected_action": [row.pk], "post": "yes"}
    )
    assert type(row).objects.filter(pk=row.pk).exists()


def test_every_registered_telemetry_model_is_read_only(cast):
    """Only configuration is editable among the metrics models in the admin."""
    from django.contrib import admin
    from django.test import RequestFactory

    editable = {
        "queue",
        "queuealias",
        "telephonysource",
        "summaryrecipient",
        "recordingstore",
    }
    request = RequestFactory().get("/admin/")
    request.user = cast.ada
    seen = set()
    for model, model_admin in admin.site._registry.items():
        if model._meta.app_label != "metrics" or model._meta.model_name in editable:
            continue
        seen.add(model._meta.model_name)
        assert model_admin.has_view_permission(request), model
        assert not model_admin.has_add_permission(request), model
        assert not model_admin.has_change_permission(request), model
        assert not model_admin.has_delete_permission(request), model
    assert {"queuecall", "agentstate", "agentday", "surveyresult"} <= seen
