"""PostgreSQL away: the events API answers 503 with Retry-After, and a resend stores it all.

Two real faults, without stopping the shared test server: the database is unreachable (a port
nobody listens on: what a stopped server looks like to a new connection) and the server ends our
open connection under us (what a restart looks like to a pooled connection).
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.urls import reverse
from rest_framework.test import APIClient

from metrics.models import CallEvent, QueueCall
from metrics.telephony.services import source_create
from tests.services import free_port

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

BATCH = [
    {
        "id": "e1",
        "type": "call_queued",
        "at": "2026-03-02T09:00:00Z",
        "call_id": "c1",
        "queue": "billing",
        "caller": "+3225550101",
    },
    {
        "id": "e2",
        "type": "call_answered",
        "at": "2026-03-02T09:00:12Z",
        "call_id": "c1",
        "queue": "billing",
        "member": "PJSIP/2004",
        "wait_s": 12,
    },
    {
        "id": "e3",
        "type": "call_ended",
        "at": "2026-03-02T09:04:12Z",
        "call_id": "c1",
        "queue": "billing",
        "member": "PJSIP/2004",
        "talk_s": 240,
    },
]


@pytest.fixture
def token():
    if connection.vendor != "postgresql":
        pytest.fail("the database fault tests need PostgreSQL (run through make test)")
    return source_create(name="pbx1", kind="http_json", site="main")[1]


def post(token: str):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.post(reverse("api-telephony-events"), {"events": BATCH}, format="json")


def assert_unavailable(response) -> None:
    assert response.status_code == 503, response.content[:300]
    assert int(response["Retry-After"]) > 0
    error = response.json()["error"]
    assert error["code"] == "unavailable" and "nothing was stored" in error["message"]


def test_unreachable_database_is_a_503_and_the_resend_loses_nothing(token):
    real_port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = str(free_port())
    try:
        for _ in range(3):
            assert_unavailable(post(token))
    finally:
        connection.close()
        connection.settings_dict["PORT"] = real_port
    assert CallEvent.objects.count() == 0
    body = post(token).json()
    assert body["accepted"] == 3 and body["rejected"] == 0
    call = QueueCall.objects.get(call_id="c1")
    assert (call.outcome, call.wait_s, call.talk_s) == ("answered", 12, 240)
    assert post(token).json()["duplicates"] == 3  # a second resend doubles nothing


def test_a_connection_ended_by_the_server_is_a_503_then_the_next_request_works(token):
    connection.ensure_connection()
    victim = connection.connection.info.backend_pid
    import psycopg2

    params = connection.get_connection_params()
    with psycopg2.connect(**params) as other, other.cursor() as cursor:
        cursor.execute("SELECT pg_terminate_backend(%s)", [victim])
        assert cursor.fetchone()[0] is True
    other.close()
    assert_unavailable(post(token))
    assert CallEvent.objects.count() == 0
    assert post(token).json()["accepted"] == 3
    assert CallEvent.objects.count() == 3
