"""How the peer nominations' history reads (see `callfloor.history`)."""

from django.utils.translation import gettext as _

from callfloor.history import phrase


@phrase("peer_nomination.created")
def _created(data) -> str:
    return _("Nominated %(agent)s for the month's recognition") % {"agent": data.get("nominee", "")}


@phrase("peer_nomination.confirmed")
def _confirmed(data) -> str:
    return _("Confirmed the nomination of %(agent)s") % {"agent": data.get("nominee", "")}
