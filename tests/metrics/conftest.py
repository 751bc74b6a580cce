"""Fixtures for telephony: a source with its ingest token, and a helper to post events."""

from types import SimpleNamespace

import pytest


@pytest.fixture
def pbx(db):
    """A JSON-events telephony source of site `main` and its token."""
    from metrics.telephony.services import source_create

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


def file_lines(path):
    """A callable giving the lines of `path` afresh, as `build_report` wants."""

    def open_lines():
        with open(path, encoding="utf-8") as handle:
            yield from handle

    return open_lines
