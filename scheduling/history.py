"""How the history of handovers, leftover cases, swaps, leave and shifts reads (see
`callfloor.history`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from callfloor.history import phrase, said


@phrase("handover.sent")
def _sent(data) -> str:
    count = len(data.get("cases") or [])
    return ngettext(
        "Sent the handover to %(lead)s, supervisor %(supervisor)s copied: %(count)s open case",
        "Sent the handover to %(lead)s, supervisor %(supervisor)s copied: %(count)s open cases",
        count,
    ) % {
        "lead": data.get("to_lead_name") or data.get("to_lead", ""),
        "supervisor": data.get("supervisor_name") or data.get("supervisor", ""),
        "count": count,
    }


said("handover.edited", gettext_lazy("Changed the text of the handover before it was fixed"))


@phrase("handover.case_confirmed")
def _confirmed(data) -> str:
    return _("Confirmed the high-severity case %(case)s") % {"case": data.get("customer_ref", "")}


@phrase("handover.acknowledged")
def _acknowledged(data) -> str:
    count = len(data.get("addenda") or [])
    if count:
        text = ngettext(
            "Acknowledged the handover and %(count)s addition sent before it",
            "Acknowledged the handover and %(count)s additions sent before it",
            count,
        ) % {"count": count}
    else:
        text = _("Acknowledged the handover")
    if data.get("late"):
        text = _("%(text)s (after the time it was due)") % {"text": text}
    return text


@phrase("handover.addendum")
def _addendum(data) -> str:
    if data.get("after_acknowledgement"):
        return _("Added a correction or addition after the acknowledgement")
    return _("Added a correction or addition")


said("handover.addendum_acknowledged", gettext_lazy("Acknowledged a later addition"))


@phrase("handover.case_resolved")
def _resolved(data) -> str:
    return _("Case %(case)s resolved: %(note)s") % {
        "case": data.get("customer_ref", ""),
        "note": data.get("note", ""),
    }


@phrase("handover.case_not_resolved")
def _not_resolved(data) -> str:
    return _("Case %(case)s not resolved: %(note)s") % {
        "case": data.get("customer_ref", ""),
        "note": data.get("note", ""),
    }


said("handover.closed", gettext_lazy("Closed the handover: every case has an outcome"))
said(
    "handover.overdue_alerted",
    gettext_lazy("Not acknowledged in time: the supervisor was alerted"),
)


@phrase("leftover_case.submitted")
def _left_submitted(data) -> str:
    return _("Handed the unfinished case %(case)s to the team lead") % {
        "case": data.get("customer_ref", "")
    }


@phrase("leftover_case.carried")
def _left_carried(data) -> str:
    return _("Carried the case %(case)s into the handover to the next shift") % {
        "case": data.get("customer_ref", "")
    }


@phrase("leftover_case.reassigned")
def _left_reassigned(data) -> str:
    return _("Reassigned the case %(case)s to %(colleague)s") % {
        "case": data.get("customer_ref", ""),
        "colleague": data.get("to", ""),
    }


@phrase("leftover_case.closed")
def _left_closed(data) -> str:
    return _("Closed the case %(case)s: %(note)s") % {
        "case": data.get("customer_ref", ""),
        "note": data.get("note", ""),
    }


said("swap.proposed", gettext_lazy("Proposed the swap to a colleague"))
said("swap.offered", gettext_lazy("Offered the shift to any eligible colleague"))
said("swap.accepted", gettext_lazy("Accepted the swap"))
said("swap.declined", gettext_lazy("Declined the swap"))
said("swap.cancelled", gettext_lazy("Cancelled the swap"))
said("swap.approved", gettext_lazy("Approved the swap"))
said("swap.expired", gettext_lazy("The swap expired"))


@phrase("swap.refused")
def _swap_refused(data) -> str:
    if data.get("reason"):
        return _("Refused the swap: %(reason)s") % {"reason": data["reason"]}
    return _("Refused the swap")


said("leave.requested", gettext_lazy("Asked for leave"))
said("leave.cancelled", gettext_lazy("Cancelled the leave request"))
said("leave.approved", gettext_lazy("Approved the leave"))


@phrase("leave.refused")
def _leave_refused(data) -> str:
    if data.get("reason"):
        return _("Refused the leave: %(reason)s") % {"reason": data["reason"]}
    return _("Refused the leave")


said("shift.created", gettext_lazy("Added a shift"))
said("shift.changed", gettext_lazy("Changed a shift"))
said("shift.deleted", gettext_lazy("Removed a shift"))
said("schedule.week_published", gettext_lazy("Published the week's schedule"))
said("briefing.filed", gettext_lazy("Filed the briefing minutes"))


@phrase("skill.added")
def _skill_added(data) -> str:
    return _("Gave the agent the skill of queue %(queue)s") % {"queue": data.get("queue", "")}


@phrase("skill.changed")
def _skill_changed(data) -> str:
    return _("Changed a skill from queue %(before)s to queue %(after)s") % {
        "before": (data.get("before") or {}).get("queue", ""),
        "after": (data.get("after") or {}).get("queue", ""),
    }


@phrase("skill.removed")
def _skill_removed(data) -> str:
    return _("Took the skill of queue %(queue)s from the agent") % {"queue": data.get("queue", "")}


import scheduling.training.history  # noqa: E402, F401  (the training sentences)
