"""Scheduling fixtures: handovers between the cast's team leads, shifts and agent states."""

from __future__ import annotations

from datetime import date

import pytest


def send_handover(cast, *, author=None, to_lead=None, cases=None, **extra):
    from scheduling import services

    author = author or cast.tina
    to_lead = to_lead or cast.tom
    if cases is None:
        cases = [
            {
                "customer_ref": "C-1001",
                "pending": "Refund not posted",
                "severity": "high",
                "next_action": "Call the bank back",
                "owner": "Tom",
                "source_agent": cast.ann_agent,
            },
            {
                "customer_ref": "C-1002",
                "pending": "Address change",
                "severity": "medium",
                "next_action": "Confirm by e-mail",
                "owner": "Tom",
            },
        ]
    values = {
        "shift_date": date(2026, 11, 23),
        "shift_name": "early",
        "summary": "Busy morning; billing run late.",
        "incidents": "Line 3 down 09:10-09:25",
        "notes": "Watch the refund queue.",
    }
    values.update(extra)
    return services.handover_create(
        author=author, to_lead=to_lead, supervisor=cast.sam, cases=cases, **values
    )


@pytest.fixture
def handover(cast):
    return send_handover(cast)


def at(day, hour: int, minute: int = 0):
    """A UTC datetime on `day` (a date)."""
    from datetime import UTC, datetime

    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC)


def make_shift(agent, start, end, *, activities=(), published=True):
    from django.utils import timezone

    from scheduling import services

    shift = services.shift_create(
        agent=agent,
        start=start,
        end=end,
        activities=[services.ActivityInput(kind, s, e) for kind, s, e in activities],
    )
    if published:
        shift.published_at = timezone.now()
        shift.save(update_fields=["published_at"])
    return shift


def give_skills(agent, *queue_names):
    from metrics.models import Queue
    from scheduling.models import Skill

    for name in queue_names:
        queue, _ = Queue.objects.get_or_create(name=name)
        Skill.objects.get_or_create(agent=agent, queue=queue)


@pytest.fixture
def floor(cast):
    """Ann and Cy in Billing (billing skill), Bob in Cards (cards skill), shifts in 3–4 days."""
    from datetime import timedelta

    from django.utils import timezone

    from agents import services

    cy = services.agent_create(
        username="cy",
        display_name="Cy Agent",
        employee_number="E2006",
        team=cast.billing,
        password=cast.password,
    )
    give_skills(cast.ann_agent, "billing")
    give_skills(cy, "billing")
    give_skills(cast.bob_agent, "cards")
    day3 = timezone.now().date() + timedelta(days=3)
    day4 = day3 + timedelta(days=1)
    cast.cy_agent, cast.cy = cy, cy.user
    cast.day3, cast.day4 = day3, day4
    cast.ann_shift = make_shift(cast.ann_agent, at(day3, 8), at(day3, 16))
    cast.cy_shift = make_shift(cy, at(day4, 8), at(day4, 16))
    cast.bob_shift = make_shift(cast.bob_agent, at(day4, 8), at(day4, 16))
    return cast
