"""Both stores: a call id or reference never reaches another file, path or host."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from django.test import Client
from django.urls import reverse

from metrics.recordings import stores
from tests.qa.conftest import make_call
from tests.recordings.conftest import spool_path

CRAFTED = [
    "../1001",
    "..%2f1001",
    "%2e%2e%2f1001",
    "..",
    "a/b",
    "a\\b",
    "x@evil.example",
    "http://evil.example/x",
    "//evil.example/x",
    "evil.example:80",
    "1001?x=1",
    "1001#x",
    "1001\x00",
    " 1001",
    "",
]


def _get(user, call, **headers):
    client = Client()
    client.force_login(user)
    response = client.get(reverse("recordings:audio", kwargs={"call_id": call.pk}), **headers)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


# --- the pure checks ------------------------------------------------------------------------------


@pytest.mark.parametrize("crafted", CRAFTED)
def test_a_crafted_id_gives_no_address(crafted):
    template = "https://pbx.example/recordings/{call_id}.mp3"
    assert stores.template_url(template, call_id=crafted) is None
    assert stores.template_url(template, call_id="1001", recording=crafted) in (
        None,
        # An empty reference falls back to the call id.
        "https://pbx.example/recordings/1001.mp3" if crafted == "" else None,
    )


def test_a_plain_asterisk_uniqueid_gives_its_address():
    template = "https://pbx.example/rec?id={call_id}"
    assert stores.template_url(template, call_id="1733490000.123") == (
        "https://pbx.example/rec?id=1733490000.123"
    )


@pytest.mark.parametrize(
    "template",
    [
        "https://{call_id}.pbx.example/x",
        "https://user:pw@pbx.example/{call_id}",
        "ftp://pbx.example/{call_id}",
        "file:///var/spool/{call_id}",
        "https://pbx.example/{other}",
        "https://pbx.example/fixed",
        "pbx.example/{call_id}",
    ],
)
def test_a_template_that_could_move_host_is_refused(template):
    assert stores.template_problem(template)


@pytest.mark.parametrize(
    "location",
    ["../outside.wav", "/etc/passwd", "2026/../../outside.wav", "a//b.wav", "./a.wav", "a\\..\\b"],
)
def test_a_location_outside_the_directory_names_no_file(tmp_path, location):
    root = tmp_path / "monitor"
    (root / "2026").mkdir(parents=True)
    (tmp_path / "outside.wav").write_bytes(b"RIFF")
    assert stores.directory_file(directory=str(root), location=location) is None


def test_a_symlink_out_of_the_directory_is_not_followed(tmp_path):
    root = tmp_path / "monitor"
    root.mkdir()
    (tmp_path / "secret.wav").write_bytes(b"RIFF")
    os.symlink(tmp_path / "secret.wav", root / "link.wav")
    assert stores.directory_file(directory=str(root), location="link.wav") is None


@pytest.mark.parametrize(
    "pattern",
    ["/abs/{call_id}.{ext}", "../{call_id}.{ext}", "{yyyy}/{call_id}/x.{ext}", "{yyyy}/*.{ext}"],
)
def test_a_pattern_that_leaves_the_directory_or_lacks_the_call_is_refused(pattern):
    assert stores.pattern_problem(pattern)


# --- the directory store --------------------------------------------------------------------------


def test_a_reference_out_of_the_directory_is_refused_by_the_events_api(world, recorded, api):
    token = world.source.issue_token()
    world.source.save(update_fields=["token_hash"])
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    events = [
        {
            "id": f"e{n}",
            "type": "call_ended",
            "at": "2026-03-02T09:04:12Z",
            "call_id": "1001",
            "queue": "billing",
            "recording": reference,
        }
        for n, reference in enumerate(["../../etc/passwd", "/etc/passwd", "a/%2e%2e/b", "a\\b"])
    ]
    response = client.post("/api/telephony/events", {"events": events}, format="json")
    assert response.status_code == 200
    body = response.json()
    assert body["rejected"] == 4, body
    assert all("recording" in item["reason"] for item in body["results"])
    from metrics.recordings.models import Recording

    location = Recording.objects.get(source=world.source, call_id="1001").location
    assert ".." not in location and not location.startswith("/")


def test_a_stored_location_out_of_the_directory_is_never_served(cast, world, recorded):
    from metrics.recordings.models import Recording

    secret = recorded.spool.parent / "secret.wav"
    secret.write_bytes(b"RIFF-secret")
    Recording.objects.filter(call_id="1001").update(location="../secret.wav")
    response, body = _get(cast.ann, world.ann_call)
    assert response.status_code == 404
    assert b"secret" not in body


def test_the_events_api_links_a_call_to_the_file_it_names(world, recorded, api, cast):
    token = world.source.issue_token()
    world.source.save(update_fields=["token_hash"])
    call = make_call(world, cast.ann_agent, call_id="1002")
    path = spool_path(recorded.spool, call, name_prefix="custom-name-")
    path.write_bytes(b"RIFF" + bytes(100))
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    event = {
        "id": "ended-1002",
        "type": "call_ended",
        "at": call.ended_at.isoformat(),
        "call_id": "1002",
        "queue": "billing",
        "recording": str(path.relative_to(recorded.spool)),
    }
    body = client.post("/api/telephony/events", {"events": [event]}, format="json").json()
    assert body["rejected"] == 0, body
    response, data = _get(cast.ann, call)
    assert response.status_code == 200
    assert data == b"RIFF" + bytes(100)


def test_a_recording_on_an_agent_event_is_refused(world, api):
    token = world.source.issue_token()
    world.source.save(update_fields=["token_hash"])
    client = api()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    event = {
        "id": "login-1",
        "type": "agent_login",
        "at": "2026-03-02T09:00:00Z",
        "member": "PJSIP/2004",
        "recording": "x.wav",
    }
    body = client.post("/api/telephony/events", {"events": [event]}, format="json").json()
    assert body["rejected"] == 1
    assert "recording" in body["results"][0]["reason"]


# --- the URL-template store -----------------------------------------------------------------------


@pytest.fixture
def url_store(world, pbx_http):
    from metrics.recordings import services
    from metrics.recordings.models import StoreKind

    pbx_http.files["1001.mp3"] = bytes(range(256)) * 40
    return services.recording_store_set(
        source=world.source,
        actor=None,
        kind=StoreKind.URL_TEMPLATE,
        url_template=pbx_http.url + "/recordings/{call_id}.mp3",
        username="callfloor",
        secret="s3cret",
    )


def test_the_server_fetches_the_recording_with_the_source_s_credentials(
    cast, world, url_store, pbx_http
):
    from metrics.recordings.selectors import recording_for

    info = recording_for(user=cast.ann, call=world.ann_call)
    assert (info.status, info.content_type) == ("available", "audio/mpeg")
    response, body = _get(cast.ann, world.ann_call)
    assert response.status_code == 200
    assert body == pbx_http.files["1001.mp3"]
    assert response["Content-Type"] == "audio/mpeg"
    assert response["Cache-Control"] == "private, no-store"
    path, headers = pbx_http.seen[-1]
    assert path == "/recordings/1001.mp3"
    assert headers["Authorization"] == pbx_http.authorization
    assert url_store.secret_encrypted and "s3cret" not in url_store.secret_encrypted


def test_a_range_goes_through_to_the_store(cast, world, url_store, pbx_http):
    response, body = _get(cast.ann, world.ann_call, HTTP_RANGE="bytes=100-199")
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes 100-199/{len(pbx_http.files['1001.mp3'])}"
    assert body == pbx_http.files["1001.mp3"][100:200]
    assert pbx_http.seen[-1][1]["Range"] == "bytes=100-199"


def test_a_recording_the_store_lacks_is_missing_in_words(cast, world, url_store, pbx_http):
    del pbx_http.files["1001.mp3"]
    response, _body = _get(cast.ann, world.ann_call)
    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/plain")


# (PostgreSQL stores no NUL: that one is checked above, without a database.)
@pytest.mark.parametrize("crafted", [c for c in CRAFTED if c and "\x00" not in c])
def test_a_crafted_call_id_reaches_no_other_path_or_host(cast, world, url_store, pbx_http, crafted):
    from metrics.models import QueueCall
    from metrics.recordings.selectors import recording_for

    pbx_http.files["passwd"] = b"root:x:0:0"
    call = make_call(world, cast.ann_agent, call_id="tmp")
    QueueCall.objects.filter(pk=call.pk).update(call_id=crafted)
    call.refresh_from_db()
    assert recording_for(user=cast.ann, call=call).status == "missing"
    response, _body = _get(cast.ann, call)
    assert response.status_code == 404
    assert pbx_http.seen == [] and pbx_http.evil.seen == []


def test_a_crafted_reference_reaches_no_other_host(cast, world, url_store, pbx_http):
    from metrics.recordings.models import Recording

    url_store.url_template = pbx_http.url + "/recordings/{recording}"
    url_store.save()
    Recording.objects.create(
        source=world.source, call_id="1001", location=pbx_http.evil.url + "/recordings/1001.mp3"
    )
    response, _ = _get(cast.ann, world.ann_call)
    assert response.status_code == 404
    assert pbx_http.seen == [] and pbx_http.evil.seen == []


def test_a_redirect_to_another_host_is_not_followed(cast, world, url_store, pbx_http):
    pbx_http.redirect_to = pbx_http.evil.url + "/recordings/1001.mp3"
    pbx_http.evil.files["1001.mp3"] = b"from elsewhere"
    response, body = _get(cast.ann, world.ann_call)
    assert response.status_code == 404
    assert b"elsewhere" not in body
    assert len(pbx_http.seen) == 1 and pbx_http.evil.seen == []


def test_a_store_that_does_not_answer_is_a_502_in_words(cast, world, url_store, pbx_http):
    url_store.url_template = "http://127.0.0.1:9/recordings/{call_id}"
    url_store.save()
    response, _body = _get(cast.ann, world.ann_call)
    assert response.status_code == 502
    assert response["Content-Type"].startswith("text/plain")


def test_the_retention_applies_to_a_url_store_too(cast, world, url_store, pbx_http):
    from metrics.models import QueueCall

    url_store.retention_days = 7
    url_store.save()
    QueueCall.objects.filter(pk=world.ann_call.pk).update(
        offered_at=world.ann_call.offered_at - timedelta(days=8),
        ended_at=world.ann_call.ended_at - timedelta(days=8),
    )
    world.ann_call.refresh_from_db()
    response, _ = _get(cast.ann, world.ann_call)
    assert response.status_code == 410
    assert pbx_http.seen == []


def test_the_admin_sets_a_url_store_whose_secret_is_never_shown_again(cast, world, pbx_http):
    from agents.models import AuditEntry
    from metrics.alerts.secrets import secret_decrypt
    from metrics.recordings.models import RecordingStore

    client = Client()
    client.force_login(cast.ada)
    fields = {
        "source": world.source.pk,
        "kind": "url_template",
        "directory": "",
        "file_pattern": "{yyyy}/{mm}/{dd}/*-{call_id}.{ext}",
        "url_template": "https://{call_id}.pbx.example/",
        "username": "callfloor",
        "secret": "s3cret",
        "retention_days": "90",
    }
    refused = client.post("/admin/metrics/recordingstore/add/", fields)
    assert refused.status_code == 200 and not RecordingStore.objects.exists()
    fields["url_template"] = pbx_http.url + "/recordings/{call_id}.mp3"
    response = client.post("/admin/metrics/recordingstore/add/", fields)
    assert response.status_code == 302, response.content[:500]
    store = RecordingStore.objects.get()
    assert secret_decrypt(token=store.secret_encrypted) == "s3cret"
    page = client.get(f"/admin/metrics/recordingstore/{store.pk}/change/").content.decode()
    assert "s3cret" not in page and store.secret_encrypted not in page
    audit = AuditEntry.objects.get(action="recording_store.saved")
    assert audit.data["secret_changed"] is True and "s3cret" not in str(audit.data)
    # Saved again without a secret: the stored one stays.
    fields["secret"] = ""
    fields["retention_days"] = "30"
    client.post(f"/admin/metrics/recordingstore/{store.pk}/change/", fields)
    store.refresh_from_db()
    assert store.retention_days == 30
    assert secret_decrypt(token=store.secret_encrypted) == "s3cret"
