"""Integration events: a subscribed channel gets help requests and handovers, with no free text
typed on the floor."""

from metrics.alerts.models import AlertChannel, AlertDelivery
from tests.scheduling.conftest import send_handover


def subscribe(*events) -> AlertChannel:
    return AlertChannel.objects.create(
        name="crm", kind="webhook", url="https://8.8.8.8/h", events=list(events)
    )


def test_a_help_request_is_published_without_its_note(cast, django_capture_on_commit_callbacks):
    from metrics.board.actions import help_request_create

    channel = subscribe("help.requested")
    AlertChannel.objects.filter(pk=channel.pk).update(name="crm-help")
    subscribe("handover.sent")
    with django_capture_on_commit_callbacks(execute=True):
        help_request_create(
            user=cast.ann, reason="difficult_customer", note="caller 13800001111 angry"
        )
    delivery = AlertDelivery.objects.get(channel=channel)
    event = delivery.payload["event"]
    assert event["event"] == "help.requested" and event["version"] == 1
    assert event["data"]["agent"]["name"] == "Ann Agent"
    assert "13800001111" not in str(delivery.payload)
    assert AlertDelivery.objects.count() == 1  # the handover channel got nothing


def test_a_handover_sent_and_acknowledged_is_published(cast, django_capture_on_commit_callbacks):
    from scheduling.services import handover_acknowledge

    channel = subscribe("handover.sent", "handover.acknowledged")
    with django_capture_on_commit_callbacks(execute=True):
        handover = send_handover(cast, cases=[])
    with django_capture_on_commit_callbacks(execute=True):
        handover_acknowledge(handover=handover, actor=handover.to_lead)
    events = [d.payload["event"] for d in AlertDelivery.objects.filter(channel=channel)]
    assert sorted(e["event"] for e in events) == ["handover.acknowledged", "handover.sent"]
    assert {e["data"]["handover"]["id"] for e in events} == {handover.pk}


def test_the_webhooks_are_in_the_openapi_description(cast):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_login(cast.ada)
    schema = client.get("/api/schema/?format=json").json()
    hooks = schema["webhooks"]
    assert {"alert.raised", "alert.cleared", "help.requested", "handover.sent"} <= set(hooks)
    raised = hooks["alert.raised"]["post"]
    assert "X-Callfloor-Signature" in raised["description"]
    body = raised["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert body.endswith("/AlertRaisedEvent")
    assert "version" in schema["components"]["schemas"]["AlertRaisedEvent"]["properties"]
