"""Each channel's format against the vendors' documented payloads, signatures, retries and
the address checks, through a local endpoint that records what it receives."""

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, quote_plus, urlsplit

import pytest
from django.core import mail

from metrics.alerts import services
from metrics.alerts.addresses import AddressRefused, url_check
from metrics.alerts.models import AlertChannel, AlertDelivery, DeliveryStatus

T0 = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)
MESSAGE = {
    "title": "Alert: Longest wait over N seconds",
    "lines": ["Where: queue Billing"],
    "link": "https://floor.example/floor/?queue=1",
    "link_text": "Open the board",
}


def deliver(channel, *, now=T0, event="alert.raised"):
    event_body = services._event(event, {"subject": "queue_wait:q1"}, now=now)
    delivery = services.deliveries_create(channels=[channel], event=event_body, message=MESSAGE)[0]
    delay = services.delivery_attempt(delivery_id=delivery.pk, now=now)
    delivery.refresh_from_db()
    return delivery, delay


def test_wecom_gets_a_markdown_message(endpoint, make_channel):
    channel = make_channel("wecom", f"{endpoint.url}/cgi-bin/webhook/send?key=k1")
    delivery, _ = deliver(channel)
    [request] = endpoint.wait(1)
    assert request.path == "/cgi-bin/webhook/send?key=k1"
    body = json.loads(request.body)
    assert set(body) == {"msgtype", "markdown"} and body["msgtype"] == "markdown"
    assert set(body["markdown"]) == {"content"}
    content = body["markdown"]["content"]
    assert content.startswith("### Alert: Longest wait over N seconds")
    assert "> Where: queue Billing" in content
    assert "[Open the board](https://floor.example/floor/?queue=1)" in content
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 1


def test_dingtalk_is_signed_as_documented(endpoint, make_channel):
    secret = "SEC0123456789abcdef"
    channel = make_channel("dingtalk", f"{endpoint.url}/robot/send?access_token=tok", secret=secret)
    deliver(channel)
    [request] = endpoint.wait(1)
    parts = urlsplit(request.path)
    assert parts.path == "/robot/send"
    query = parse_qs(parts.query)
    assert query["access_token"] == ["tok"]
    stamp = query["timestamp"][0]
    assert int(stamp) == int(T0.timestamp() * 1000)  # milliseconds
    # The vendor's recipe: base64(HMAC-SHA256(secret, f"{timestamp}\n{secret}")), URL-encoded.
    expected = base64.b64encode(
        hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
    ).decode()
    assert query["sign"] == [expected]
    assert f"sign={quote_plus(expected)}" in parts.query
    body = json.loads(request.body)
    assert body["msgtype"] == "markdown"
    assert body["markdown"]["title"] == MESSAGE["title"]
    assert "Where: queue Billing" in body["markdown"]["text"]


def test_feishu_text_with_its_signature(endpoint, make_channel):
    secret = "feishu-secret"
    channel = make_channel("feishu", f"{endpoint.url}/open-apis/bot/v2/hook/abc", secret=secret)
    deliver(channel)
    [request] = endpoint.wait(1)
    body = json.loads(request.body)
    assert body["msg_type"] == "text"
    assert body["content"]["text"].splitlines()[0] == MESSAGE["title"]
    assert body["timestamp"] == str(int(T0.timestamp()))  # seconds
    key = f"{body['timestamp']}\n{secret}".encode()
    assert body["sign"] == base64.b64encode(hmac.new(key, b"", hashlib.sha256).digest()).decode()


def test_a_webhook_is_verifiable_with_the_documented_recipe(endpoint, make_channel):
    secret = "whsec-42"
    channel = make_channel("webhook", f"{endpoint.url}/hooks/callfloor", secret=secret)
    delivery, _ = deliver(channel)
    [request] = endpoint.wait(1)
    headers = {k.lower(): v for k, v in request.headers.items()}
    stamp = headers["x-callfloor-timestamp"]
    expected = hmac.new(
        secret.encode(), stamp.encode() + b"." + request.body, hashlib.sha256
    ).hexdigest()
    assert hmac.compare_digest(headers["x-callfloor-signature"], expected)
    event = json.loads(request.body)
    assert event["version"] == 1 and event["event"] == "alert.raised"
    assert headers["x-callfloor-event"] == "alert.raised"
    assert headers["x-callfloor-delivery"] == event["id"] == str(delivery.event_id)
    assert abs(int(stamp) - T0.timestamp()) < 1


def test_a_500_is_retried_with_back_off_and_each_attempt_is_logged(
    endpoint, make_channel, settings
):
    settings.CALLFLOOR_ALERTS_RETRY_BASE_S = 10
    endpoint.statuses = [500, 500]
    channel = make_channel("webhook", f"{endpoint.url}/h", secret="s")
    delivery, delay = deliver(channel)
    assert delay == 10 and delivery.status == DeliveryStatus.PENDING

    def attempt(seconds):
        return services.delivery_attempt(
            delivery_id=delivery.pk, now=T0 + timedelta(seconds=seconds)
        )

    assert attempt(5) is None
    assert len(endpoint.requests) == 1  # not due yet
    assert attempt(10) == 20
    assert attempt(30) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and delivery.attempts == 3
    tries = list(delivery.tries.values_list("number", "ok", "status_code"))
    assert tries == [(1, False, 500), (2, False, 500), (3, True, 200)]
    assert len(endpoint.requests) == 3
    # Every attempt carries the same event (a receiver can drop repeats by its id).
    assert len({r.headers["X-Callfloor-Delivery"] for r in endpoint.requests}) == 1


def test_a_delivery_gives_up_after_its_attempts(endpoint, make_channel, settings):
    settings.CALLFLOOR_ALERTS_MAX_ATTEMPTS = 2
    endpoint.statuses = [503, 503]
    channel = make_channel("webhook", f"{endpoint.url}/h")
    delivery, delay = deliver(channel)
    services.delivery_attempt(delivery_id=delivery.pk, now=T0 + timedelta(seconds=delay))
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.last_error.startswith("HTTP 503")


def test_a_robot_error_code_in_a_200_answer_is_a_failure(endpoint, make_channel):
    endpoint.answer = {"errcode": 310000, "errmsg": "sign not match"}
    channel = make_channel("dingtalk", f"{endpoint.url}/robot/send?access_token=t", secret="x")
    delivery, delay = deliver(channel)
    assert delay is not None
    assert "310000" in delivery.last_error and "sign not match" in delivery.last_error


def test_email_goes_through_django_mail(make_channel):
    channel = make_channel("email", emails="lead@example.com\nnight@example.com")
    delivery, _ = deliver(channel)
    assert delivery.status == DeliveryStatus.SENT
    [sent] = mail.outbox
    assert sent.to == ["lead@example.com", "night@example.com"]
    assert sent.subject == "[callfloor] Alert: Longest wait over N seconds"
    assert "Where: queue Billing" in sent.body


@pytest.mark.parametrize(
    "url",
    [
        "https://127.0.0.1/hook",
        "https://169.254.169.254/latest/meta-data",
        "https://[::1]/hook",
        "https://localhost/hook",
        "https://10.1.2.3/hook",
        "https://[::ffff:127.0.0.1]/hook",
    ],
)
def test_own_network_addresses_are_refused_unless_allowed(url):
    with pytest.raises(AddressRefused):
        url_check(url, allow_private=False)
    assert url_check(url, allow_private=True)[3]


def test_plain_http_and_credentials_in_the_url_are_refused(settings):
    settings.DEBUG = False
    with pytest.raises(AddressRefused, match="https"):
        url_check("http://8.8.8.8/hook", allow_private=False)
    with pytest.raises(AddressRefused, match="user name"):
        url_check("https://u:p@8.8.8.8/hook", allow_private=False)
    with pytest.raises(AddressRefused, match="https"):
        url_check("ftp://8.8.8.8/hook", allow_private=False)
    assert url_check("https://8.8.8.8/hook", allow_private=False)[3] == "8.8.8.8"


def test_saving_a_channel_to_a_private_address_is_refused(cast):
    channel = AlertChannel(name="meta", kind="webhook", url="https://169.254.169.254/")
    with pytest.raises(AddressRefused):
        services.channel_save(channel=channel, actor=cast.ada, secret="s")
    assert not AlertChannel.objects.exists()


def test_the_address_is_checked_again_when_sending(endpoint, make_channel):
    channel = make_channel("webhook", f"{endpoint.url}/h")
    AlertChannel.objects.filter(pk=channel.pk).update(allow_private=False)
    channel.refresh_from_db()
    delivery, _ = deliver(channel)
    assert delivery.status == DeliveryStatus.PENDING
    assert delivery.last_error.startswith("refused:")
    assert endpoint.requests == []


def test_the_secret_is_stored_encrypted(cast):
    channel = AlertChannel(name="hook", kind="webhook", url="https://8.8.8.8/h")
    services.channel_save(channel=channel, actor=cast.ada, secret="very-secret-value")
    stored = AlertChannel.objects.get(pk=channel.pk)
    assert "very-secret-value" not in stored.secret_encrypted and stored.secret_encrypted
    from metrics.alerts.secrets import channel_secret

    assert channel_secret(stored) == "very-secret-value"
    services.channel_save(channel=stored, actor=cast.ada, secret="")  # kept when left empty
    assert channel_secret(AlertChannel.objects.get(pk=channel.pk)) == "very-secret-value"
    assert AlertDelivery.objects.count() == 0


def test_deliveries_are_queued_by_the_name_of_the_registered_delivery_task():
    from celery import current_app

    from metrics.alerts import services, tasks

    assert services.DELIVER_TASK in current_app.tasks
    assert current_app.tasks[services.DELIVER_TASK].name == tasks.deliver.name
