"""The alerts other apps raise — complaint escalation due, handover not acknowledged, telephony
source silent — fire once per condition and resolve when it clears, with a fake clock against
the floor as the board builds it; and the complaint/appeal integration events."""

from datetime import timedelta

import pytest
from django.core.cache import cache
from django.utils import timezone

from callfloor.zone import site_zone
from metrics.alerts.models import AlertChannel, AlertDelivery, AlertFiring, AlertRule
from tests.scheduling.conftest import send_handover


@pytest.fixture
def rule_to(cast):
    cache.clear()
    channel = AlertChannel.objects.create(name="ops", kind="webhook", url="https://8.8.8.8/h")

    def make(kind: str, threshold: float | None = None) -> AlertRule:
        rule = AlertRule.objects.create(
            name=f"{kind} rule", kind=kind, threshold=threshold, owner=cast.sam, cooldown_minutes=10
        )
        rule.channels.set([channel])
        return rule

    yield make
    cache.clear()


def evaluate_at(now) -> None:
    """What a push of the floor does: build the snapshot at `now`, evaluate the rules."""
    from metrics.alerts.services import alerts_evaluate
    from metrics.board.snapshot import floor_snapshot

    alerts_evaluate(site="main", snapshot=floor_snapshot(site="main", now=now), now=now)


def sent(rule) -> list[dict]:
    """The events queued for the rule's channel, oldest first."""
    return [
        d.payload
        for d in AlertDelivery.objects.filter(event__startswith="alert.").order_by("pk")
        if d.payload["event"]["data"]["rule"]["id"] == rule.pk
    ]


def test_a_complaint_escalation_due_fires_once_and_resolves_when_escalated(cast, new_case, rule_to):
    from qa.complaints.services import complaint_check_timers

    rule = rule_to("complaint_due", threshold=15)
    due = new_case.ack_due_at
    assert due is not None
    evaluate_at(due - timedelta(minutes=40))  # outside the board's 30-minute window
    evaluate_at(due - timedelta(minutes=20))  # on the board, not yet within the rule's 15
    assert sent(rule) == []
    evaluate_at(due - timedelta(minutes=10))
    evaluate_at(due - timedelta(minutes=5))  # the same condition: no second message
    [raised] = sent(rule)
    assert raised["event"]["event"] == "alert.raised"
    alert = raised["event"]["data"]["alert"]
    assert alert["kind"] == "complaint_due"
    assert alert["reason"] == new_case.reference
    assert alert["queue"]["name"] == "billing"
    assert 9 * 60 <= alert["figure"] <= 10 * 60
    text = str(raised)
    assert "Jane Doe" not in text and "7946" not in text  # no customer details
    assert raised["message"]["title"] == "Alert: Complaint escalation due"
    assert any("Escalation due in 10 min" in line for line in raised["message"]["lines"])
    assert any(new_case.reference in line for line in raised["message"]["lines"])

    evaluate_at(due + timedelta(seconds=30))  # overdue, not escalated yet: still the same
    assert len(sent(rule)) == 1
    [escalation] = complaint_check_timers(now=due + timedelta(seconds=40))
    assert escalation.complaint_id == new_case.pk
    evaluate_at(due + timedelta(minutes=1))
    raised, cleared = sent(rule)
    assert cleared["event"]["event"] == "alert.cleared"
    assert cleared["message"]["title"] == "Resolved: Complaint escalation due"
    assert AlertFiring.objects.get(rule=rule).cleared_at == due + timedelta(minutes=1)


def test_a_complaint_acknowledged_in_time_clears_its_due_alert(cast, new_case, rule_to):
    from qa.complaints.services import complaint_acknowledge

    rule = rule_to("complaint_due")  # the board's own window
    due = new_case.ack_due_at
    evaluate_at(due - timedelta(minutes=25))
    assert [p["event"]["event"] for p in sent(rule)] == ["alert.raised"]
    complaint_acknowledge(complaint=new_case, actor=cast.ann, now=due - timedelta(minutes=20))
    evaluate_at(due - timedelta(minutes=19))
    assert [p["event"]["event"] for p in sent(rule)] == ["alert.raised", "alert.cleared"]


def test_a_handover_not_acknowledged_by_its_deadline_fires_once_then_resolves(cast, rule_to):
    from scheduling.services import handover_acknowledge

    rule = rule_to("handover_unacknowledged", threshold=5)
    handover = send_handover(cast, cases=[])
    due = handover.ack_due_at
    evaluate_at(due - timedelta(minutes=1))
    evaluate_at(due + timedelta(minutes=2))  # late, within the rule's 5 minutes of grace
    assert sent(rule) == []
    evaluate_at(due + timedelta(minutes=6))
    evaluate_at(due + timedelta(minutes=8))
    [raised] = sent(rule)
    alert = raised["event"]["data"]["alert"]
    assert alert["kind"] == "handover_unacknowledged"
    assert alert["reason"] == f"{handover.shift_date:%Y-%m-%d} early"
    assert alert["since"] == pytest.approx(due.timestamp())
    assert any("Not acknowledged 6 min after its deadline" in x for x in raised["message"]["lines"])

    handover_acknowledge(handover=handover, actor=cast.tom, now=due + timedelta(minutes=9))
    evaluate_at(due + timedelta(minutes=10))
    assert [p["event"]["event"] for p in sent(rule)] == ["alert.raised", "alert.cleared"]


def test_a_silent_telephony_source_fires_once_then_resolves_when_it_posts(
    cast, pbx, post_events, rule_to, settings
):
    from metrics.models import TelephonySource
    from tests.metrics.board.conftest import event

    settings.CALLFLOOR_SOURCE_SILENT_S = 60
    rule = rule_to("source_silent", threshold=120)
    last = timezone.now() - timedelta(minutes=10)
    TelephonySource.objects.filter(pk=pbx.source.pk).update(events_until=last)
    TelephonySource.objects.create(
        name="old-pbx", kind="http_json", active=False, events_until=last
    )
    evaluate_at(last + timedelta(seconds=90))  # on the board (60 s), not over the rule's 120 s
    assert sent(rule) == []
    evaluate_at(last + timedelta(seconds=150))
    evaluate_at(last + timedelta(seconds=200))
    [raised] = sent(rule)  # the active source only, once
    alert = raised["event"]["data"]["alert"]
    assert alert["kind"] == "source_silent" and alert["reason"] == "pbx1"
    assert alert["figure"] == pytest.approx(150, abs=1) and alert["limit"] == 120
    assert any("No event for 150 s (limit 120 s)" in x for x in raised["message"]["lines"])

    response = post_events([event("agent_login", ago=1, member="PJSIP/2004")])
    assert response.status_code in (200, 201, 202), response.content
    assert response.json()["accepted"] == 1, response.content
    evaluate_at(timezone.now())
    assert [p["event"]["event"] for p in sent(rule)] == ["alert.raised", "alert.cleared"]


def test_the_board_shows_the_new_alerts_in_words(cast, new_case, rule_to, settings):
    from metrics.board.snapshot import floor_snapshot

    settings.CALLFLOOR_COMPLAINT_DUE_MIN = 30
    handover = send_handover(cast, cases=[])
    now = max(new_case.ack_due_at, handover.ack_due_at) + timedelta(minutes=1)
    alerts = floor_snapshot(site="main", now=now)["alerts"]
    kinds = {a["kind"]: a for a in alerts.values()}
    assert f"{new_case.reference}: escalation overdue by" in kinds["complaint_due"]["text"]
    assert kinds["complaint_due"]["severity"] == "red"
    assert "Jane Doe" not in str(kinds["complaint_due"])
    assert "not acknowledged" in kinds["handover_unacknowledged"]["text"]
    assert "C-1001" not in str(alerts)
    # Another site sees neither.
    assert floor_snapshot(site="east", now=now)["alerts"] == {}


def test_the_new_alerts_send_their_values_for_each_board_to_word(cast, new_case, pbx, settings):
    """The text is in the language of the process that pushed the floor; each board words the
    alert in its own from the kind and these values (codes, names and numbers, never words)."""
    from metrics.board.snapshot import floor_snapshot
    from metrics.models import TelephonySource

    settings.CALLFLOOR_COMPLAINT_DUE_MIN = 30
    settings.CALLFLOOR_SOURCE_SILENT_S = 60
    handover = send_handover(cast, cases=[])
    now = max(new_case.ack_due_at, handover.ack_due_at) + timedelta(minutes=1, seconds=20)
    TelephonySource.objects.filter(pk=pbx.source.pk).update(
        events_until=now - timedelta(minutes=12, seconds=30)
    )
    alerts = floor_snapshot(site="main", now=now)["alerts"]
    kinds = {a["kind"]: a for a in alerts.values()}
    due = timezone.localtime(handover.ack_due_at, site_zone())
    assert kinds["handover_unacknowledged"]["params"] == {
        "shift": f"{handover.shift_date:%Y-%m-%d} early",
        "lead": "Tom Lead",
        "due": f"{due:%H:%M}",
    }
    assert kinds["source_silent"]["params"] == {"name": "pbx1", "minutes": 12}
    overdue_s = (now - new_case.ack_due_at).total_seconds()
    assert kinds["complaint_due"]["params"] == {
        "ref": new_case.reference,
        "minutes": int(overdue_s) // 60,
        "overdue": True,
        "timer": "acknowledge",
    }
    # Read again at the same moment, the alerts are the same (the kept floor is compared with a
    # fresh read).
    assert floor_snapshot(site="main", now=now)["alerts"] == alerts


# -- integration events -----------------------------------------------------------------------


def subscribe(*events) -> AlertChannel:
    return AlertChannel.objects.create(
        name="crm", kind="webhook", url="https://8.8.8.8/h", events=list(events)
    )


def test_a_complaint_escalated_is_published_without_customer_details(
    cast, new_case, django_capture_on_commit_callbacks
):
    from qa.complaints.services import complaint_escalate

    channel = subscribe("complaint.escalated")
    with django_capture_on_commit_callbacks(execute=True):
        escalation = complaint_escalate(
            complaint=new_case, actor=cast.tina, reason="Customer 07946 0958 threatens press"
        )
    [delivery] = AlertDelivery.objects.filter(channel=channel)
    event = delivery.payload["event"]
    assert event["event"] == "complaint.escalated" and event["version"] == 1
    data = event["data"]
    assert data["complaint"] == {
        "id": new_case.pk,
        "reference": new_case.reference,
        "severity": "normal",
        "tier": escalation.to_tier,
        "owner": escalation.to_owner.get_username(),
    }
    assert data["escalation"] == {"id": escalation.pk}
    text = str(delivery.payload)
    for detail in ("Jane Doe", "7946", "Charged twice", "threatens"):
        assert detail not in text
    assert delivery.payload["message"]["title"] == "Complaint escalated"


def test_an_appeal_is_published_when_decided_not_when_filed(
    cast, world, ann_evaluation, django_capture_on_commit_callbacks
):
    from qa import services
    from tests.qa.test_appeals import all_opinions, at_panel

    channel = subscribe("appeal.decided")
    with django_capture_on_commit_callbacks(execute=True):
        appeal = at_panel(cast, world, ann_evaluation)
        all_opinions(cast, appeal)
    assert not AlertDelivery.objects.filter(channel=channel).exists()  # filed, not decided
    items = list(appeal.items.all())
    with django_capture_on_commit_callbacks(execute=True):
        services.appeal_decide(
            appeal=appeal,
            actor=cast.sam,
            decisions=[
                {"item": i.pk, "decision": "rejected", "reason": "Caller +4420 said so"}
                for i in items
            ],
        )
    [delivery] = AlertDelivery.objects.filter(channel=channel)
    event = delivery.payload["event"]
    assert event["event"] == "appeal.decided" and event["version"] == 1
    appeal.refresh_from_db()
    assert event["data"] == {
        "appeal": {
            "id": appeal.pk,
            "evaluation_id": ann_evaluation.pk,
            "status": "decided",
            "decided_at": appeal.decided_at.isoformat(),
            "score_before": appeal.score_before,
            "score_after": appeal.score_after,
        }
    }
    assert appeal.score_after == appeal.score_before  # every criterion rejected
    assert "4420" not in str(delivery.payload)  # no reasons typed by staff
    assert delivery.payload["message"]["title"] == "Appeal decided"


def test_acknowledging_a_handover_tells_the_board_only_its_alerts_changed(
    cast, django_capture_on_commit_callbacks
):
    """The board then reads its alert sources again rather than rebuilding the whole floor."""
    from metrics.board.signals import floor_changed
    from scheduling.services import handover_acknowledge

    handover = send_handover(cast, cases=[])
    marks = []

    def receiver(sender, site, **kwargs):
        marks.append((site, kwargs.get("touched")))

    floor_changed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            handover_acknowledge(handover=handover, actor=cast.tom)
    finally:
        floor_changed.disconnect(receiver)
    assert marks and all(touched == {"s:alerts"} for _, touched in marks)
