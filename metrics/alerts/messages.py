"""The human-readable message of a transition or an event, in the rule's language.

A message says what, where, since when and the current figure, and links to the board. It
carries names of queues, agents and teams only: never a caller's number, a customer's
details or free text typed on the floor (a help note, an escalation's reason).
"""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callfloor.numbers import percent_under
from callfloor.zone import site_zone
from metrics.alerts.models import AlertKind
from metrics.alerts.rules import Condition, Transition

_UNSAFE = str.maketrans({c: " " for c in "[]<>()`*#\r\n"})


def plain(value: str) -> str:
    """A name as plain text in every robot's markdown (no links, markup or line breaks)."""
    return " ".join(str(value).translate(_UNSAFE).split())[:120]


def absolute(path: str) -> str:
    base = getattr(settings, "CALLFLOOR_BASE_URL", "") or ""
    return base.rstrip("/") + path


def board_link(condition: Condition | None) -> str:
    path = reverse("floor")
    if (
        condition is not None
        and condition.queue_id
        and condition.kind
        in (
            "queue_sl",
            "queue_wait",
            "calls_waiting",
        )
    ):
        path += f"?queue={condition.queue_id}"
    elif condition is not None and condition.team_id:
        path += f"?team={condition.team_id}"
    return absolute(path)


# What a source alert is about, named by its `subject_name`: a complaint's reference, a
# handover's shift, a telephony source's name (never a customer's details).
_SUBJECTS = {
    "complaint_due": gettext_lazy("complaint %(name)s"),
    "handover_unacknowledged": gettext_lazy("handover %(name)s"),
    "source_silent": gettext_lazy("telephony source %(name)s"),
}


def _clock(epoch: float | None) -> str:
    if epoch is None:
        return ""
    return datetime.fromtimestamp(epoch, site_zone()).strftime("%H:%M:%S")


def _figure(condition: Condition) -> str:
    kind, value, limit = condition.kind, condition.figure, condition.limit
    if value is None:
        return ""
    if kind == "queue_sl":
        return _("Service level %(level)s %% (target %(target).0f %%)") % {
            "level": percent_under(value, limit or 0),
            "target": (limit or 0) * 100,
        }
    if kind == "queue_wait":
        return _("Longest wait %(wait)d s (limit %(limit)d s)") % {
            "wait": value,
            "limit": limit or 0,
        }
    if kind == "calls_waiting":
        return _("%(n)d calls waiting (limit %(limit)d)") % {"n": value, "limit": limit or 0}
    if kind == "help":
        return _("Open for %(s)d s") % {"s": value}
    if kind == "complaint_due":
        if value >= 0:
            return _("Escalation due in %(min)d min") % {"min": -(-value // 60)}
        return _("Escalation overdue by %(min)d min") % {"min": -value // 60}
    if kind == "handover_unacknowledged":
        return _("Not acknowledged %(min)d min after its deadline") % {"min": value // 60}
    if kind == "source_silent":
        return _("No event for %(s)d s (limit %(limit)d s)") % {"s": value, "limit": limit or 0}
    return _("For %(min).0f min (limit %(limit).0f min)") % {
        "min": value / 60,
        "limit": (limit or 0) / 60,
    }


def transition_message(
    *, transition: Transition, condition: Condition, rule_name: str, language: str, now_s: float
) -> dict:
    """Title, lines and link of a raised or resolved alert, in `language`."""
    with translation.override(language or settings.LANGUAGE_CODE):
        what = (
            str(AlertKind(condition.kind).label)
            if condition.kind in AlertKind.values
            else (condition.kind)
        )
        if transition.state == "raised":
            title = _("Alert: %(what)s") % {"what": what}
        else:
            title = _("Resolved: %(what)s") % {"what": what}
        lines = []
        where = []
        if condition.queue:
            where.append(_("queue %(name)s") % {"name": plain(condition.queue)})
        if condition.agent:
            where.append(_("agent %(name)s") % {"name": plain(condition.agent)})
        if condition.team:
            where.append(_("team %(name)s") % {"name": plain(condition.team)})
        if condition.reason and condition.kind in ("break_overrun", "help"):
            where.append(plain(condition.reason))
        subject = _SUBJECTS.get(condition.kind)
        if condition.reason and subject:
            where.insert(0, str(subject) % {"name": plain(condition.reason)})
        if where:
            lines.append(_("Where: %(where)s") % {"where": ", ".join(where)})
        since = condition.since if condition.since is not None else transition.raised_at
        if since is not None:
            lines.append(_("Since: %(time)s") % {"time": _clock(since)})
        if transition.state == "raised":
            figure = _figure(condition)
            if figure:
                lines.append(_("Now: %(figure)s") % {"figure": figure})
        else:
            lines.append(_("Cleared at %(time)s") % {"time": _clock(now_s)})
        lines.append(_("Rule: %(name)s") % {"name": plain(rule_name)})
        return {
            "title": title,
            "lines": lines,
            "link": board_link(condition),
            "link_text": _("Open the board"),
        }


def event_message(*, event: str, summary: str, link: str, language: str = "") -> dict:
    """The message of an integration event (or a test message) for a human channel."""
    with translation.override(language or settings.LANGUAGE_CODE):
        titles = {
            "alert.raised": _("Alert raised"),
            "alert.cleared": _("Alert cleared"),
            "help.requested": _("Help requested"),
            "complaint.escalated": _("Complaint escalated"),
            "appeal.decided": _("Appeal decided"),
            "handover.sent": _("Handover sent"),
            "handover.acknowledged": _("Handover acknowledged"),
            "test": _("Test message from callfloor"),
        }
        return {
            "title": titles.get(event, event),
            "lines": [plain(summary)] if summary else [],
            "link": absolute(link) if link else "",
            "link_text": _("Open in callfloor"),
        }
