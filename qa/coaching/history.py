"""How the history of coaching sessions reads (see `callfloor.history`)."""

from django.utils.translation import gettext_lazy, ngettext

from callfloor.history import phrase, said


@phrase("coaching.created")
def _created(data) -> str:
    count = int(data.get("actions") or 0)
    return ngettext(
        "Held the coaching session and agreed %(count)s action",
        "Held the coaching session and agreed %(count)s actions",
        count,
    ) % {"count": count}


said("coaching.acknowledged", gettext_lazy("Acknowledged the coaching session"))


@phrase("coaching.followed_up")
def _followed_up(data) -> str:
    done, not_done = int(data.get("done") or 0), int(data.get("not_done") or 0)
    return ngettext(
        "Followed up the coaching session: %(done)s of %(count)s action done",
        "Followed up the coaching session: %(done)s of %(count)s actions done",
        done + not_done,
    ) % {"done": done, "count": done + not_done}
