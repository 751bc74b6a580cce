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
            {"customer_ref": "C-1001", "pending": "Refund not posted", "severity": "high",
             "next_action": "Call the bank back", "owner": "Tom", "source_agent": cast.ann_agent},
            {"customer_ref": "C-1002", "pending": "Address change", "severity": "medium",
             "next_action": "Confirm by e-mail", "owner": "Tom"},
        ]
    values = {"shift_date": date(2026, 11, 23), "shift_name": "early",
              "summary": "Busy morning; billing run late.", "incidents": "Line 3 down 09:10-09:25",
              "notes": "Watch the refund queue."}
    values.update(extra)
    return services.handover_create(author=author, to_lead=to_lead, supervisor=cast.sam,
                                    cases=cases, **values)


@pytest.fixture
def handover(cast):
    return send_handover(cast)
