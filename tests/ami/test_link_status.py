"""A down AMI connection shows on the board (alert, stale queues) and in /healthz; the secret
shows nowhere."""

from __future__ import annotations

import logging
from datetime import timedelta

import pytest
from django.test import Client
from django.utils import timezone

from metrics.board.snapshot import floor_snapshot
from metrics.models import Queue, TelephonySource
from metrics.telephony.ami.follower import AmiFollower
from metrics.telephony.ami.models import AmiLink
from metrics.telephony.ami.services import ami_link_set
from tests.ami.follow import FollowerThread, ami_source, wait_until

SECRET = "Sup3r-secret-manager-pass"


@pytest.fixture
def north(db):
    Queue.objects.create(name="support", site="main")
    Queue.objects.create(name="sales", site="main")
    source = TelephonySource.objects.create(
        name="north",
        kind="ami",
        ami_host="10.9.8.7",
        ami_username="callfloor",
        ami_secret_env="CALLFLOOR_TEST_AMI_SECRET",
    )
    source.queues.add(Queue.objects.get(name="support"))
    return source


def test_a_down_connection_raises_an_alert_and_marks_its_queues_stale(north):
    ami_link_set(source=north, state="down", message="cannot connect to 10.9.8.7:5038")
    snapshot = floor_snapshot(site="main")
    alerts = [a for a in snapshot["alerts"].values() if a["kind"] == "ami_down"]
    assert len(alerts) == 1 and alerts[0]["severity"] == "red"
    assert alerts[0]["params"] == {"name": "north"}
    tiles = {q["name"]: q for q in snapshot["queues"].values()}
    assert tiles["support"]["stale_source"] == "north"
    assert tiles["sales"]["stale_source"] is None
    # The reason (with the PBX's address) is for the admin and the log, not the board.
    assert "10.9.8.7" not in str(snapshot)


def test_a_connected_link_shows_nothing_until_its_follower_goes_quiet(north, settings):
    settings.CALLFLOOR_AMI_STALE_S = 60
    ami_link_set(source=north, state="connected")
    snapshot = floor_snapshot(site="main")
    assert not [a for a in snapshot["alerts"].values() if a["kind"] == "ami_down"]
    assert all(q["stale_source"] is None for q in snapshot["queues"].values())
    # A follower that died says nothing: its last sign of life grows old.
    AmiLink.objects.filter(source=north).update(seen_at=timezone.now() - timedelta(seconds=61))
    snapshot = floor_snapshot(site="main")
    assert [a["key"] for a in snapshot["alerts"].values() if a["kind"] == "ami_down"] == [
        f"ami_down:{north.pk}"
    ]


def test_the_admin_shows_the_connection_state_and_its_reason(north, cast):
    ami_link_set(source=north, state="down", message="login refused: Authentication failed")
    admin = Client()
    admin.force_login(cast.ada)
    page = admin.get("/admin/metrics/telephonysource/").content.decode()
    assert "login refused: Authentication failed" in page


def test_an_inactive_source_is_not_watched(north):
    ami_link_set(source=north, state="down")
    TelephonySource.objects.filter(pk=north.pk).update(active=False)
    assert not [
        a for a in floor_snapshot(site="main")["alerts"].values() if a["kind"] == "ami_down"
    ]


def test_healthz_names_each_ami_source_state_without_its_address(north, client):
    ami_link_set(source=north, state="down", message="cannot connect to 10.9.8.7:5038")
    response = client.get("/healthz")
    assert response.status_code == 200  # the web server itself is fine
    telephony = response.json()["telephony"]
    assert telephony["ok"] is False
    assert telephony["sources"]["north"]["state"] == "down"
    assert "10.9.8.7" not in response.content.decode()
    ami_link_set(source=north, state="connected")
    telephony = client.get("/healthz").json()["telephony"]
    assert telephony == {
        "ok": True,
        "sources": {
            "north": {
                "ok": True,
                "state": "connected",
                "since": telephony["sources"]["north"]["since"],
            }
        },
    }


def test_healthz_has_no_telephony_entry_without_ami_sources(db, client):
    assert "telephony" not in client.get("/healthz").json()


@pytest.mark.django_db(transaction=True)
def test_the_secret_appears_in_no_page_answer_or_log_line(ami_server, caplog, cast):
    ami_server.secret = SECRET
    source = ami_source(ami_server)
    caplog.set_level(logging.DEBUG)
    # A session that logs in, then one refused (the secret changed on the PBX).
    follower = AmiFollower(source=source, backoff=(0.1,), flush_s=0.05)
    running = FollowerThread(follower).start()
    try:
        wait_until(lambda: ami_server.logins == 1, what="logged in")
        ami_server.secret = "changed-on-the-pbx"
        ami_server.drop()
        wait_until(lambda: ami_server.failed_logins >= 1, what="a refused login")
    finally:
        running.stop()
    assert ami_server.actions_named("Login")[0]["Secret"] == SECRET  # it was sent to Asterisk
    admin = Client()
    admin.force_login(cast.ada)
    pages = [
        admin.get("/admin/metrics/telephonysource/"),
        admin.get(f"/admin/metrics/telephonysource/{source.pk}/change/"),
        admin.get("/admin/agents/auditentry/"),
        admin.get("/admin/admin/logentry/"),
        admin.get("/healthz"),
        admin.get("/api/floor/snapshot/"),
    ]
    for page in pages:
        assert page.status_code in (200, 404), page
        assert SECRET not in page.content.decode()
    assert SECRET not in str(floor_snapshot(site="main"))
    logged = "\n".join(record.getMessage() for record in caplog.records)
    assert "login refused" in logged
    assert SECRET not in logged
    assert SECRET not in str(list(AmiLink.objects.values()))
