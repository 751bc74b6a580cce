"""The board's event: the floor of a site changed.

`floor_changed` is sent after a transaction that changed queue calls, agent states or what
the board shows of other apps has committed (kwargs: `site`, the site slug, and `touched`:
what changed, see `floor_changed_on_commit`). The board's tasks listen to it
(`metrics.board.tasks.on_floor_changed`). Writers call `floor_changed_on_commit`.
"""

from collections.abc import Iterable

from django.db import transaction
from django.dispatch import Signal

from metrics.board.marks import touched_tokens

floor_changed = Signal()
# Sent after each push of a site's floor (kwargs: `site`, `snapshot`, `now`); the alert rules
# listen to it (`metrics.alerts.tasks.on_floor_pushed`).
floor_pushed = Signal()


def floor_changed_on_commit(
    *,
    sender: type,
    site: str,
    members: Iterable[str] | None = None,
    agents: Iterable[int] | None = None,
    queues: Iterable[int] | None = None,
    sections: Iterable[str] | None = None,
) -> None:
    """Tell the boards of `site` that the floor changed, once the current transaction commits.

    Name what changed so that the refresh rebuilds only that (`metrics.board.state`): the
    telephony `members` (names as the telephony writes them) and `agents` (ids) whose state or
    figures changed, the `queues` (ids) whose calls changed, and `sections` of the board read
    whole (`help`, `broadcasts`, `emergencies`, `alerts` — the alert sources' —, `takeovers`).
    A change that names nothing rebuilds the whole floor.
    """
    touched = touched_tokens(members=members, agents=agents, queues=queues, sections=sections)
    transaction.on_commit(lambda: floor_changed.send(sender=sender, site=site, touched=touched))
