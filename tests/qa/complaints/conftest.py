"""Complaint fixtures: categories, root causes, a queue with calls taken by the cast's agents."""

from datetime import timedelta
from types import SimpleNamespace

import pytest
from django.utils import timezone


@pytest.fixture
def floor(cast):
    """Billing queue calls answered by ann and bob, a few complaint categories and causes."""
    from metrics.models import Outcome, Queue, QueueCall, SourceKind, TelephonySource
    from qa.complaints.models import Category, RootCause

    source = TelephonySource.objects.create(name="pbx", kind=SourceKind.SIMULATOR)
    billing = Queue.objects.create(name="billing")
    cards = Queue.objects.create(name="cards")
    now = timezone.now()

    def call(queue, agent, minutes_ago, call_id):
        offered = now - timedelta(minutes=minutes_ago)
        return QueueCall.objects.create(
            source=source,
            call_id=call_id,
            queue=queue,
            caller="+441234567890",
            offered_at=offered,
            outcome=Outcome.ANSWERED,
            wait_s=12,
            member="PJSIP/2004",
            agent=agent,
            answered_at=offered + timedelta(seconds=12),
            talk_s=240,
            ended_at=offered + timedelta(minutes=5),
        )

    ann_call = call(billing, cast.ann_agent, 30, "1700000000.1")
    bob_call = call(cards, cast.bob_agent, 20, "1700000000.2")
    extra = [call(billing, cast.ann_agent, 60 + i, f"1700000001.{i}") for i in range(3)]
    return SimpleNamespace(
        source=source,
        billing=billing,
        cards=cards,
        ann_call=ann_call,
        bob_call=bob_call,
        extra_calls=extra,
        billing_errors=Category.objects.create(name="Billing error"),
        rudeness=Category.objects.create(name="Rude agent"),
        retired=Category.objects.create(name="Fax line", active=False),
        process=RootCause.objects.create(name="Process gap"),
        training=RootCause.objects.create(name="Coaching gap"),
    )


@pytest.fixture
def new_case(cast, floor):
    """A normal complaint ann logged from her call."""
    from qa.complaints import services

    return services.complaint_create(
        actor=cast.ann,
        customer_name="Jane Doe",
        customer_contact="+44 20 7946 0958",
        category=floor.billing_errors,
        description="Charged twice for March.",
        calls=[floor.ann_call],
    )


def walk_to_callback(case, actor):
    """Move a case from new to awaiting call-back."""
    from qa.complaints import services

    services.complaint_acknowledge(complaint=case, actor=actor)
    services.complaint_investigate(complaint=case, actor=actor)
    services.complaint_propose_resolution(
        complaint=case, actor=actor, resolution="Refund the second charge."
    )
    return services.complaint_await_callback(
        complaint=case, actor=actor, callback_at=timezone.now() + timedelta(hours=2)
    )
