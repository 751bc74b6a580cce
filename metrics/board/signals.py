"""The board's event: the floor of a site changed.

`floor_changed` is sent after a transaction that changed queue calls, agent states or what
the board shows of other apps has committed (kwargs: `site`, the site slug). The board's
tasks listen to it (`metrics.board.tasks.on_floor_changed`). Writers call
`floor_changed_on_commit`.
"""

from django.db import transaction
from django.dispatch import Signal

floor_changed = Signal()
# Sent after each push of a site's floor (kwargs: `site`, `snapshot`, `now`); the alert rules
# listen to it (`metrics.alerts.tasks.on_floor_pushed`).
floor_pushed = Signal()


def floor_changed_on_commit(*, sender: type, site: str) -> None:
    """Tell the boards of `site` that the floor changed, once the current transaction commits."""
    transaction.on_commit(lambda: floor_changed.send(sender=sender, site=site))
