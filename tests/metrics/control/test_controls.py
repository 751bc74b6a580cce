"""Each phone control sends exactly the Manager action expected, once, and is audited.

Asterisk is the scripted AMI server of tests/ami (the real protocol over TCP): the assertions
are on what it received — action, channel, ChanSpy options, interface, queue.
"""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from django.test import override_settings

from agents.models import AuditEntry
from metrics.board.snapshot import floor_snapshot
from metrics.control.models import Monitoring
from metrics.models import Takeover
from tests.metrics.control.conftest import sent

pytestmark = pytest.mark.django_db


def _row(agent):
    return floor_snapshot(site="main", now=datetime.now(UTC))["agents"][f"a{agent.pk}"]


@pytest.mark.parametrize(
    ("mode", "options"), [("listen", "qE"), ("whisper", "qwE"), ("barge", "qBE")]
)
def test_listening_originates_the_supervisors_phone_into_chanspy(
    cast, ami_floor, api, mode, options
):
    response = api(cast.sam).post(
        f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": mode}, format="json"
    )
    assert response.status_code == 201, response.content
    (originate,) = sent(ami_floor.server, "Originate")
    monitoring = Monitoring.objects.get()
    assert originate == {
        "Action": "Originate",
        "Channel": "PJSIP/2001",
        "Application": "ChanSpy",
        "Data": f"PJSIP/2004-,{options}",
        "CallerID": f'"{mode.capitalize()}: Ann Agent" <{ami_floor.ann.pk}>',
        "Timeout": "30000",
        "Async": "true",
        "ChannelId": monitoring.channel_id,
    }
    assert (monitoring.mode, monitoring.supervisor, monitoring.call_id) == (
        mode,
        cast.sam,
        "1733480000.42",
    )
    entry = AuditEntry.objects.get(action=f"pbx.{mode}")
    assert entry.actor == cast.sam and entry.object_id == str(ami_floor.ann.pk)
    assert entry.data["Data"] == f"PJSIP/2004-,{options}"
    assert entry.data["response"] == "Originate successfully queued"
    (shown,) = _row(ami_floor.ann)["monitors"]
    assert (shown["mode"], shown["by"]) == (mode, "Sam Supervisor")


def test_a_team_lead_listens_from_their_own_dial_string(cast, ami_floor, api):
    response = api(cast.tina).post(
        f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "listen"}, format="json"
    )
    assert response.status_code == 201
    assert sent(ami_floor.server, "Originate")[0]["Channel"] == "PJSIP/2002"


def test_a_team_lead_outside_the_agents_team_reaches_no_phone_system(cast, ami_floor, api):
    move = {"agents": [ami_floor.ann.pk], "to_queue": ami_floor.cards.pk}
    for url, data in [
        (f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "barge"}),
        (f"/api/floor/agents/{ami_floor.ann.pk}/pause/", {"reason": "Coaching"}),
        ("/api/floor/agents/move/", move),
    ]:
        response = api(cast.tom).post(url, data, format="json")
        assert response.status_code == 403, (url, response.content)
    assert ami_floor.server.accepted == 0
    assert not AuditEntry.objects.filter(action__startswith="pbx.").exists()


def test_an_agent_is_refused_and_nothing_is_sent(cast, ami_floor, api):
    response = api(cast.ann).post(
        f"/api/floor/agents/{ami_floor.cleo.pk}/pause/", {"reason": "Break"}, format="json"
    )
    assert response.status_code == 403
    assert ami_floor.server.accepted == 0


def test_without_an_extension_the_supervisor_is_told_where_to_register_it(cast, ami_floor, api):
    from agents.models import UserPreferences

    UserPreferences.objects.filter(user=cast.sam).update(extension="")
    response = api(cast.sam).post(
        f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "listen"}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "no_extension"
    assert ami_floor.server.accepted == 0


def test_pause_with_a_reason_and_unpause_send_queuepause(cast, ami_floor, api):
    from tests.metrics.board.conftest import event, ingest

    client = api(cast.sam)
    response = client.post(
        f"/api/floor/agents/{ami_floor.cleo.pk}/pause/", {"reason": "Coaching"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert sent(ami_floor.server, "QueuePause") == [
        {"Action": "QueuePause", "Interface": "PJSIP/2006", "Paused": "true", "Reason": "Coaching"}
    ]
    # The PBX reports the pause (QueueMemberPause, through the follower): now unpause.
    ingest(
        ami_floor.source,
        [event("agent_status", ago=1, member="PJSIP/2006", status="not_ready", reason="Coaching")],
    )
    again = client.post(
        f"/api/floor/agents/{ami_floor.cleo.pk}/pause/", {"reason": "Coaching"}, format="json"
    )
    assert again.status_code == 409  # not sent twice
    response = client.post(f"/api/floor/agents/{ami_floor.cleo.pk}/unpause/")
    assert response.status_code == 200
    assert sent(ami_floor.server, "QueuePause")[1:] == [
        {"Action": "QueuePause", "Interface": "PJSIP/2006", "Paused": "false"}
    ]
    assert [e.action for e in AuditEntry.objects.order_by("id")][-2:] == [
        "pbx.pause",
        "pbx.unpause",
    ]


def test_an_asterisk_refusal_is_shown_with_its_message_audited_and_not_retried(
    cast, ami_floor, api
):
    ami_floor.server.script("QueuePause", response="Error", message="Interface not found")
    response = api(cast.sam).post(
        f"/api/floor/agents/{ami_floor.cleo.pk}/pause/", {"reason": "Coaching"}, format="json"
    )
    assert response.status_code == 502
    error = response.json()["error"]
    assert error["code"] == "pbx_refused" and "Interface not found" in error["message"]
    assert len(ami_floor.server.actions_named("QueuePause")) == 1
    entry = AuditEntry.objects.get(action="pbx.pause.refused")
    assert entry.data["error"] == "Interface not found" and entry.actor == cast.sam


@override_settings(CALLFLOOR_AMI_ACTION_TIMEOUT_S=1.0)
def test_an_action_left_unanswered_is_not_sent_again(cast, ami_floor, api):
    ami_floor.server.script_with("Originate", lambda action: None)
    response = api(cast.sam).post(
        f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "listen"}, format="json"
    )
    assert response.status_code == 504
    assert "may have been done" in response.json()["error"]["message"]
    assert len(ami_floor.server.actions_named("Originate")) == 1
    assert not Monitoring.objects.exists()
    assert AuditEntry.objects.filter(action="pbx.listen.no_answer").count() == 1


@override_settings(CALLFLOOR_AMI_ACTION_TIMEOUT_S=1.0)
def test_asterisk_down_answers_503_and_nothing_was_sent(cast, ami_floor, api):
    ami_floor.server.stop_listening()
    response = api(cast.sam).post(
        f"/api/floor/agents/{ami_floor.cleo.pk}/pause/", {"reason": "Coaching"}, format="json"
    )
    assert response.status_code == 503
    assert response.json()["error"]["code"] == "pbx_unreachable"
    assert not ami_floor.server.actions_named("QueuePause")
    # The secret never shows in what the person reads nor in the audit.
    assert ami_floor.server.secret not in response.content.decode()
    entry = AuditEntry.objects.get(action="pbx.pause.unreachable")
    assert ami_floor.server.secret not in str(entry.data)


def test_log_out_removes_the_agent_from_each_of_their_queues(cast, ami_floor, api):
    response = api(cast.sam).post(f"/api/floor/agents/{ami_floor.ann.pk}/log-out/")
    assert response.status_code == 200, response.content
    assert sorted(response.json()["queues"]) == ["billing", "cards"]
    removes = sent(ami_floor.server, "QueueRemove")
    assert sorted((r["Queue"], r["Interface"]) for r in removes) == [
        ("billing", "PJSIP/2004"),
        ("cards", "PJSIP/2004"),
    ]
    assert f"a{ami_floor.ann.pk}" not in floor_snapshot(site="main")["agents"]


def test_moving_three_agents_adds_them_first_then_removes_them(cast, ami_floor, api):
    agents = [ami_floor.ann, ami_floor.bob, ami_floor.cleo]
    response = api(cast.sam).post(
        "/api/floor/agents/move/",
        {
            "agents": [a.pk for a in agents],
            "from_queue": ami_floor.billing.pk,
            "to_queue": ami_floor.cards.pk,
            "penalty": 2,
        },
        format="json",
    )
    assert response.status_code == 200, response.content
    assert all(r["ok"] for r in response.json()["results"])
    # ann is in cards already: she is only taken out of billing.
    assert sent(ami_floor.server, "QueueAdd") == [
        {
            "Action": "QueueAdd",
            "Queue": "cards",
            "Interface": interface,
            "Penalty": "2",
            "MemberName": interface,
        }
        for interface in ("PJSIP/2005", "PJSIP/2006")
    ]
    assert [(r["Queue"], r["Interface"]) for r in sent(ami_floor.server, "QueueRemove")] == [
        ("billing", "PJSIP/2004"),
        ("billing", "PJSIP/2005"),
        ("billing", "PJSIP/2006"),
    ]
    for agent in agents:
        assert _row(agent)["queues"] == ["cards"]
    assert AuditEntry.objects.filter(action="pbx.queue_add").count() == 2
    assert AuditEntry.objects.filter(action="pbx.queue_remove").count() == 3


def test_an_agent_asterisk_will_not_add_keeps_their_old_queue(cast, ami_floor, api):
    def refuse_bob(action):
        if action["Interface"] == "PJSIP/2005":
            return {"Response": "Error", "Message": "Unable to add interface to queue"}, []
        return {"Response": "Success", "Message": "Added interface to queue"}, []

    ami_floor.server.script_with("QueueAdd", refuse_bob)
    response = api(cast.sam).post(
        "/api/floor/agents/move/",
        {
            "agents": [ami_floor.bob.pk, ami_floor.cleo.pk],
            "from_queue": ami_floor.billing.pk,
            "to_queue": ami_floor.cards.pk,
        },
        format="json",
    )
    results = {r["agent"]: r for r in response.json()["results"]}
    assert results[ami_floor.bob.pk]["ok"] is False
    assert "Unable to add interface to queue" in results[ami_floor.bob.pk]["message"]
    assert results[ami_floor.cleo.pk]["ok"] is True
    assert [r["Interface"] for r in sent(ami_floor.server, "QueueRemove")] == ["PJSIP/2006"]
    assert _row(ami_floor.bob)["queues"] == ["billing"]


def test_take_over_barges_in_and_finishing_it_hangs_the_leg_up(cast, ami_floor, api):
    client = api(cast.sam)
    response = client.post("/api/floor/takeovers/", {"agent": ami_floor.ann.pk}, format="json")
    assert response.status_code == 201, response.content
    takeover = Takeover.objects.get(pk=response.json()["id"])
    assert takeover.call_id == "1733480000.42"
    (originate,) = sent(ami_floor.server, "Originate")
    assert originate["Data"] == "PJSIP/2004-,qBE"
    leg = Monitoring.objects.get()
    assert leg.takeover == takeover
    assert AuditEntry.objects.filter(action="takeover.started").count() == 1
    row = _row(ami_floor.ann)
    assert row["takeover"]["id"] == takeover.pk and row["monitors"][0]["mode"] == "barge"

    response = client.post(f"/api/floor/takeovers/{takeover.pk}/finish/")
    assert response.status_code == 200
    assert sent(ami_floor.server, "Hangup") == [{"Action": "Hangup", "Channel": leg.channel_id}]
    leg.refresh_from_db()
    takeover.refresh_from_db()
    assert leg.finished_at is not None and takeover.finished_at is not None


def test_take_over_by_listening_first_then_barging(cast, ami_floor, api):
    client = api(cast.sam)
    response = client.post(
        "/api/floor/takeovers/", {"agent": ami_floor.ann.pk, "mode": "listen"}, format="json"
    )
    takeover = Takeover.objects.get(pk=response.json()["id"])
    listening = Monitoring.objects.get()
    response = client.post(
        f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "barge"}, format="json"
    )
    assert response.status_code == 201
    assert [o["Data"] for o in sent(ami_floor.server, "Originate")] == [
        "PJSIP/2004-,qE",
        "PJSIP/2004-,qBE",
    ]
    assert sent(ami_floor.server, "Hangup") == [
        {"Action": "Hangup", "Channel": listening.channel_id}
    ]
    barging = Monitoring.objects.get(finished_at__isnull=True)
    assert (barging.mode, barging.takeover) == ("barge", takeover)


def test_a_leg_already_gone_is_closed_without_an_error(cast, ami_floor, api):
    client = api(cast.sam)
    client.post(f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "listen"}, format="json")
    ami_floor.server.script("Hangup", response="Error", message="No such channel")
    leg = Monitoring.objects.get()
    response = client.post(f"/api/floor/monitorings/{leg.pk}/stop/")
    assert response.status_code == 200
    leg.refresh_from_db()
    assert leg.finished_at is not None
    assert _row(ami_floor.ann)["monitors"] == []


def test_the_pbx_reporting_the_move_afterwards_changes_nothing_more(cast, ami_floor, api):
    """The board moved at Asterisk's Success; the follower's QueueMemberAdded/Removed that
    follow are the same change and add no state, no queue twice."""
    import time

    from metrics.models import AgentState
    from metrics.telephony.ami.events import AmiTranslator
    from metrics.telephony.ami.services import ami_events_ingest

    api(cast.sam).post(
        "/api/floor/agents/move/",
        {
            "agents": [ami_floor.cleo.pk],
            "from_queue": ami_floor.billing.pk,
            "to_queue": ami_floor.cards.pk,
        },
        format="json",
    )
    states = AgentState.objects.filter(member="PJSIP/2006").count()
    now = time.time()
    member = {"Interface": "PJSIP/2006", "MemberName": "PJSIP/2006", "Membership": "dynamic"}
    translator = AmiTranslator()
    events = [
        *translator.translate(
            {"Event": "QueueMemberAdded", "Queue": "cards", **member, "Timestamp": f"{now}"},
            now=now,
        ),
        *translator.translate(
            {"Event": "QueueMemberRemoved", "Queue": "billing", **member, "Timestamp": f"{now}"},
            now=now,
        ),
    ]
    assert [e.name for e in events] == ["ADDMEMBER", "REMOVEMEMBER"]
    ami_events_ingest(source=ami_floor.source, events=events)
    assert _row(ami_floor.cleo)["queues"] == ["cards"]
    assert AgentState.objects.filter(member="PJSIP/2006").count() == states


def test_listening_and_its_end_rebuild_only_the_agents_card(
    cast, ami_floor, api, monkeypatch, django_capture_on_commit_callbacks
):
    """A monitoring names its agent: the refresh reads that card again (the whole floor is
    not rebuilt) and the kept floor shows who listens, then nobody, like a fresh snapshot."""
    from metrics.board import marks, push, tasks
    from metrics.board import state as floor_state

    monkeypatch.setattr(tasks.refresh_floor, "apply_async", lambda *a, **k: None)
    push.floor_push(site="main")
    marks.touched_pop(site="main")
    key, client = f"a{ami_floor.ann.pk}", api(cast.sam)

    def pushed() -> dict:
        assert marks.touched_pop(site="main") == {f"a:{ami_floor.ann.pk}"}
        marks.touched_add(site="main", tokens={f"a:{ami_floor.ann.pk}"})
        message = push.floor_push(site="main")
        assert message["type"] == "floor.delta"
        kept = floor_state._kept["main"].parts.snapshot
        assert kept == floor_snapshot(site="main", now=datetime.fromtimestamp(message["now"], UTC))
        return message["delta"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/api/floor/agents/{ami_floor.ann.pk}/monitor/", {"mode": "listen"}, format="json"
        )
    assert response.status_code == 201, response.content
    (shown,) = pushed()["set"]["agents"][key]["monitors"]
    assert (shown["mode"], shown["by"]) == ("listen", "Sam Supervisor")
    leg = Monitoring.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/api/floor/monitorings/{leg.pk}/stop/")
    assert response.status_code == 200, response.content
    assert pushed()["set"]["agents"][key]["monitors"] == []
