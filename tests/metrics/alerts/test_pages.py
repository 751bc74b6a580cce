"""The channel and rule pages: write-only secrets, refused addresses, a team lead's scope."""

from django.test import Client
from django.urls import reverse

from metrics.alerts.models import AlertChannel, AlertDelivery, AlertRule


def login(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_an_admin_saves_a_webhook_whose_secret_is_never_shown_again(cast):
    client = login(cast.ada)
    response = client.post(
        reverse("alert-channels"),
        {
            "name": "crm hook",
            "kind": "webhook",
            "url": "https://8.8.8.8/hooks/callfloor",
            "secret": "s3cret-value-never-shown",
            "events": ["alert.raised", "handover.sent"],
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    channel = AlertChannel.objects.get(name="crm hook")
    assert channel.events == ["alert.raised", "handover.sent"]
    for page in (reverse("alert-channels"), reverse("alert-channel", args=[channel.pk])):
        html = client.get(page).content.decode()
        assert "s3cret-value-never-shown" not in html
        assert channel.secret_encrypted not in html
    # Saving again without a secret keeps the stored one.
    before = channel.secret_encrypted
    client.post(
        reverse("alert-channel", args=[channel.pk]),
        {"name": "crm hook", "kind": "webhook", "url": "https://8.8.8.8/h", "enabled": "on"},
    )
    channel.refresh_from_db()
    assert channel.secret_encrypted == before and channel.url == "https://8.8.8.8/h"


def test_a_channel_to_the_metadata_address_is_refused_with_its_reason(cast):
    response = login(cast.ada).post(
        reverse("alert-channels"),
        {"name": "meta", "kind": "webhook", "url": "https://169.254.169.254/x", "enabled": "on"},
    )
    assert response.status_code == 200
    assert "169.254.169.254" in response.content.decode()
    assert not AlertChannel.objects.exists()


def test_the_test_button_queues_a_test_message(cast):
    channel = AlertChannel.objects.create(name="mail", kind="email", emails="a@example.com")
    response = login(cast.ada).post(reverse("alert-channel-test", args=[channel.pk]))
    assert response.status_code == 302
    assert AlertDelivery.objects.get(channel=channel).event == "test"


def test_a_team_lead_sets_rules_for_their_own_teams_only(cast):
    from metrics.models import Queue

    channel = AlertChannel.objects.create(name="mail", kind="email", emails="a@example.com")
    client = login(cast.tina)
    page = client.get(reverse("alert-rules")).content.decode()
    assert "Billing" in page and ">Cards<" not in page.replace(" Cards", "")
    refused = client.post(
        reverse("alert-rules"),
        {"name": "cards", "kind": "break_overrun", "teams": [cast.cards.pk],
         "channels": [channel.pk], "cooldown_minutes": 15, "language": "en"},
    )  # fmt: skip
    assert refused.status_code == 200 and not AlertRule.objects.exists()
    ok = client.post(
        reverse("alert-rules"),
        {"name": "breaks", "kind": "break_overrun", "threshold": 20, "channels": [channel.pk],
         "cooldown_minutes": 15, "language": "en", "enabled": "on"},
    )  # fmt: skip
    assert ok.status_code == 302
    rule = AlertRule.objects.get(name="breaks")
    assert rule.team_scope and rule.owner == cast.tina
    from metrics.alerts.services import rule_spec

    Queue.objects.create(name="nobody's")
    spec = rule_spec(rule)
    assert spec.team_ids == frozenset({cast.billing.pk})
    # Tom's rules are not Tina's to see or delete.
    other = AlertRule.objects.create(name="tom's", kind="queue_sl", owner=cast.tom, team_scope=True)
    assert "tom&#x27;s" not in client.get(reverse("alert-rules")).content.decode()
    assert client.post(reverse("alert-rule-delete", args=[other.pk])).status_code == 403
    assert client.post(reverse("alert-rule-delete", args=[rule.pk])).status_code == 302
