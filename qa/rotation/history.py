"""How the reviewer rotation's history reads (see `callfloor.history`)."""

from django.utils.translation import gettext as _

from callfloor.history import phrase
from qa.rotation.models import RotationMethod


@phrase("rotation.planned")
def _planned(data) -> str:
    method = data.get("method", "")
    how = str(RotationMethod(method).label) if method in RotationMethod.values else method
    return _("Planned %(reviewer)s as a reviewer for the week of %(week)s (%(how)s)") % {
        "reviewer": data.get("reviewer", ""),
        "week": data.get("week", ""),
        "how": how,
    }


@phrase("peer_review.assigned")
def _assigned(data) -> str:
    return _("Gave %(reviewer)s a peer's call to review") % {"reviewer": data.get("reviewer", "")}


@phrase("peer_review.submitted")
def _submitted(data) -> str:
    return _("Reviewed a call of %(agent)s as a peer") % {"agent": data.get("reviewed", "")}
