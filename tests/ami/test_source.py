"""An AMI source: its manager account in the admin, the secret encrypted and write-only."""

from __future__ import annotations

import pytest
from django.test import Client

from agents.models import AuditEntry
from metrics.models import TelephonySource
from metrics.telephony.ami.config import AmiNotConfigured, ami_settings

SECRET = "Sup3r-secret-manager-pass"


@pytest.fixture
def admin_client(cast):
    client = Client()
    client.force_login(cast.ada)
    return client


def ami_form(**changes) -> dict:
    data = {
        "name": "asterisk-north",
        "kind": "ami",
        "site": "main",
        "time_zone": "UTC",
        "follow_path": "",
        "ami_host": "10.1.2.3",
        "ami_port": "5038",
        "ami_username": "callfloor",
        "ami_secret": SECRET,
        "ami_secret_env": "",
        "active": "on",
    }
    data.update(changes)
    return data


def test_the_secret_is_stored_encrypted_and_never_shown_again(admin_client):
    response = admin_client.post("/admin/metrics/telephonysource/add/", ami_form(), follow=True)
    assert response.status_code == 200
    source = TelephonySource.objects.get(name="asterisk-north")
    assert source.ami_secret_encrypted and SECRET not in source.ami_secret_encrypted
    assert ami_settings(source).secret == SECRET
    assert SECRET not in repr(ami_settings(source))
    page = admin_client.get(f"/admin/metrics/telephonysource/{source.pk}/change/")
    assert page.status_code == 200
    assert SECRET not in page.content.decode()
    assert source.ami_secret_encrypted not in page.content.decode()
    entry = AuditEntry.objects.get(action="telephony_source.ami_secret_set")
    assert SECRET not in str(entry.data)


def test_saving_without_a_secret_keeps_the_saved_one(admin_client):
    admin_client.post("/admin/metrics/telephonysource/add/", ami_form(), follow=True)
    source = TelephonySource.objects.get(name="asterisk-north")
    response = admin_client.post(
        f"/admin/metrics/telephonysource/{source.pk}/change/",
        ami_form(ami_secret="", ami_port="5039"),
        follow=True,
    )
    assert response.status_code == 200
    source.refresh_from_db()
    assert source.ami_port == 5039
    assert ami_settings(source).secret == SECRET


def test_an_ami_source_needs_its_host_user_and_secret(admin_client):
    response = admin_client.post(
        "/admin/metrics/telephonysource/add/",
        ami_form(ami_host="", ami_username="", ami_secret=""),
    )
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors
    assert set(errors) >= {"ami_host", "ami_username", "ami_secret"}
    assert not TelephonySource.objects.filter(name="asterisk-north").exists()


def test_a_line_break_in_the_secret_is_refused(admin_client):
    response = admin_client.post(
        "/admin/metrics/telephonysource/add/", ami_form(ami_secret="abc\r\nAction: Originate")
    )
    assert "ami_secret" in response.context["adminform"].form.errors


def test_the_secret_may_come_from_the_environment(db, monkeypatch):
    monkeypatch.setenv("CALLFLOOR_AMI_NORTH_SECRET", SECRET)
    source = TelephonySource.objects.create(
        name="north",
        kind="ami",
        ami_host="127.0.0.1",
        ami_username="callfloor",
        ami_secret_env="CALLFLOOR_AMI_NORTH_SECRET",
    )
    assert ami_settings(source).secret == SECRET
    monkeypatch.delenv("CALLFLOOR_AMI_NORTH_SECRET")
    with pytest.raises(AmiNotConfigured):
        ami_settings(source)


def test_a_source_of_another_kind_has_no_ami_settings(db):
    source = TelephonySource.objects.create(name="files", kind="queue_log_file")
    with pytest.raises(AmiNotConfigured):
        ami_settings(source)


def test_follow_ami_refuses_a_source_that_is_not_an_ami_source(db):
    from django.core.management import CommandError, call_command

    TelephonySource.objects.create(name="files", kind="queue_log_file")
    with pytest.raises(CommandError, match="No AMI source named files"):
        call_command("follow_ami", "--source", "files")
    TelephonySource.objects.create(name="north", kind="ami", ami_host="127.0.0.1")
    with pytest.raises(CommandError, match="lacks its AMI host, user name or secret"):
        call_command("follow_ami", "--source", "north")
