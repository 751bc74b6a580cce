"""Fixtures for telephony: a source with its ingest token, and a helper to post events."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def pbx(db):
    """A JSON-events telephony source of site `main` and its token."""
    from metrics.services import source_create

    source, token = source_create(name="pbx1", kind="http_json", site="main")
    return SimpleNamespace(source=source, token=token)


@pytest.fixture
def post_events(pbx):
    """`post_events(events, token=...)` → the response of POST /api/telephony/events."""
    from django.urls import reverse
    from rest_framework.test import APIClient

    def post(events, *, token=None, scheme="Bearer", body=None):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"{scheme} {token or pbx.token}")
        data = body if body is not None else {"events": events}
        return client.post(reverse("api-telephony-events"), data, format="json")

    return post


def ingest_file(path, *, source, layout="file", zone="UTC", batch=500):
    """Feed a queue_log file through events_ingest in batches (the DB path)."""
    from metrics.queue_log import read_lines
    from metrics.services import events_ingest

    with open(path, encoding="utf-8") as handle:
        events = list(read_lines(handle, layout=layout, zone=zone))
    for start in range(0, len(events), batch):
        events_ingest(source=source, events=events[start:start + batch])
    return events


def file_lines(path):
    """A callable giving the lines of `path` afresh, as `build_report` wants."""

    def open_lines():
        with open(path, encoding="utf-8") as handle:
            yield from handle

    return open_lines
