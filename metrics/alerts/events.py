"""The integration events other apps publish (one call each, after their commit).

Each payload names ids, states and staff names only — never a caller's number, a customer's
details or free text typed by staff (a note, a reason). The shapes are documented in the
OpenAPI description (`metrics.alerts.openapi`) and versioned by `formats.WEBHOOK_VERSION`.
"""

from __future__ import annotations

from django.urls import reverse

from callfloor.numbers import format_score
from metrics.alerts.services import event_publish


def help_requested(request) -> None:
    event_publish(
        event="help.requested",
        data={
            "help_request": {"id": request.pk, "reason": request.reason, "site": request.site},
            "agent": {"id": request.agent_id, "name": request.agent.display_name},
            "team": {"id": request.agent.team_id} if request.agent.team_id else None,
        },
        summary=f"{request.agent.display_name}: {request.get_reason_display()}",
        link="/floor/",
    )


def complaint_escalated(complaint, escalation) -> None:
    event_publish(
        event="complaint.escalated",
        data={
            "complaint": {
                "id": complaint.pk,
                "reference": complaint.reference,
                "severity": complaint.severity,
                "tier": complaint.tier,
                "owner": complaint.owner.get_username(),
            },
            "escalation": {"id": escalation.pk},
        },
        summary=f"{complaint.reference} → {complaint.owner.get_username()}",
        link=reverse("complaint-detail", args=[complaint.pk]),
    )


def appeal_decided(appeal) -> None:
    event_publish(
        event="appeal.decided",
        data={
            "appeal": {
                "id": appeal.pk,
                "evaluation_id": appeal.evaluation_id,
                "status": appeal.status,
                "decided_at": appeal.decided_at.isoformat() if appeal.decided_at else None,
                "score_before": appeal.score_before,
                "score_after": appeal.score_after,
            }
        },
        summary=f"#{appeal.pk}: {format_score(appeal.score_before, localize=False)} → "
        f"{format_score(appeal.score_after, localize=False)}",
    )


def handover_changed(handover, *, event: str) -> None:
    """`handover.sent` or `handover.acknowledged`."""
    event_publish(
        event=event,
        data={
            "handover": {
                "id": handover.pk,
                "shift_date": handover.shift_date.isoformat(),
                "shift_name": handover.shift_name,
                "status": handover.status,
                "team_id": handover.team_id,
                "ack_due_at": handover.ack_due_at.isoformat(),
                "acknowledged_at": handover.acknowledged_at.isoformat()
                if handover.acknowledged_at
                else None,
            }
        },
        summary=f"{handover.shift_date:%Y-%m-%d} {handover.shift_name}",
    )
