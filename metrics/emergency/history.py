"""How the history of emergency plans and their activations reads (see `callfloor.history`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from callfloor.history import phrase, said

said("emergency_plan.created", gettext_lazy("Added the emergency plan"))
said("emergency_plan.updated", gettext_lazy("Changed the emergency plan"))
said("emergency.drill_scheduled", gettext_lazy("Scheduled a drill of the plan"))
said("emergency.drill_cancelled", gettext_lazy("Cancelled the scheduled drill"))


@phrase("emergency.started")
def _started(data: dict) -> str:
    if data.get("drill"):
        return _("Started the drill")
    return _("Started the emergency plan")


@phrase("emergency.step_ticked")
def _ticked(data: dict) -> str:
    return _("Ticked step %(position)s: %(text)s") % {
        "position": data.get("position", "?"),
        "text": data.get("text") or _("a move between queues"),
    }


@phrase("emergency.step_unticked")
def _unticked(data: dict) -> str:
    return _("Unticked step %(position)s: %(text)s") % {
        "position": data.get("position", "?"),
        "text": data.get("text") or _("a move between queues"),
    }


@phrase("emergency.note_added")
def _note(data: dict) -> str:
    return _("Noted: %(text)s") % {"text": data.get("text", "")}


@phrase("emergency.closed")
def _closed(data: dict) -> str:
    return _("Closed it. After-action note: %(note)s") % {"note": data.get("note", "")}


@phrase("emergency.attendance_marked")
def _attended(data: dict) -> str:
    return _("Marked %(name)s as taking part") % {"name": data.get("name", "")}


@phrase("emergency.attendance_unmarked")
def _not_attended(data: dict) -> str:
    return _("Took %(name)s off the attendance") % {"name": data.get("name", "")}
