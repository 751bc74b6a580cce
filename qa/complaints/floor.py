"""Live escalations on the wall board's alert panel (registered in `ComplaintsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime

from django.urls import reverse

from qa.complaints.access import TAKEOVER_ROLES
from qa.complaints.models import LiveStatus
from qa.complaints.selectors import live_escalations_open


def live_escalation_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One red alert per live escalation still waiting for a supervisor (one query).

    A taken or closed escalation drops off the panel; the services send `floor_changed` after
    each transition, so the board follows at once.
    """
    link = reverse("complaint-escalations")
    alerts = []
    for live in live_escalations_open(site).filter(status=LiveStatus.OPEN):
        who = live.agent.display_name if live.agent else live.raised_by.get_username()
        queue = f" ({live.call.queue.name})" if live.call_id and live.call else ""
        alerts.append(
            {
                "key": f"live_escalation:{live.pk}",
                "kind": "live_escalation",
                "severity": "red",
                # Every board gets the same alert: each writes it in its own language from
                # the kind and params; the text stays for anything that does not know it.
                "text": f"{who}{queue}: customer asks for a supervisor — {live.reason}",
                "params": {
                    "who": who,
                    "queue": live.call.queue.name if live.call_id and live.call else "",
                    "reason": live.reason,
                },
                "since": round(live.raised_at.timestamp(), 3),
                "agent": f"a{live.agent_id}" if live.agent_id else None,
                "team_id": live.agent.team_id if live.agent else None,
                "live_id": live.pk,
                "link": link,
                "action": reverse("api-live-escalation-take", args=[live.pk]),
                "action_roles": list(TAKEOVER_ROLES),
            }
        )
    return alerts
