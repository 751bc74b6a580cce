"""How the history of training courses reads (see `callfloor.history`)."""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from callfloor.history import phrase, said

said("training.course_created", gettext_lazy("Created the training course"))
said("training.session_added", gettext_lazy("Added a training session"))


@phrase("training.material_added")
def _material(data) -> str:
    return _("Added the material %(title)s") % {"title": data.get("title", "")}


@phrase("training.invited")
def _invited(data) -> str:
    count = len(data.get("agents") or [])
    return ngettext("Invited %(count)s agent", "Invited %(count)s agents", count) % {"count": count}


@phrase("training.assigned")
def _assigned(data) -> str:
    return _("Assigned the training to %(team)s, due by %(date)s") % {
        "team": data.get("team_name", ""),
        "date": data.get("due_by", ""),
    }


said("training.checked_in", gettext_lazy("Checked in to a training session"))


@phrase("training.attendance_marked")
def _marked(data) -> str:
    if data.get("present"):
        return _("Marked %(agent)s present") % {"agent": data.get("agent_name", "")}
    return _("Marked %(agent)s absent") % {"agent": data.get("agent_name", "")}
