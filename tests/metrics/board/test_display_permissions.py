"""Wall displays and the board's settings panel: every endpoint × every role (and anonymous).

Displays are registered, listed and revoked by supervisors and admins; a display's board opens
for anyone holding its link (no login), never for a revoked one. The settings panel reads for
floor managers; queue settings change for supervisors and admins, and for a team lead on their
own teams' queues when the site allows it; the site's alert thresholds for supervisors and
admins only.
"""

import pytest

from tests.permissions import Case, cases_by_role, check_case

FORBIDDEN = 403
SUPERVISORS = {"supervisor": 200, "admin": 200}


def _display(cast, *, revoked=False):
    from metrics.board import displays

    display, token = displays.display_create(actor=cast.sam, name="Hall TV", site="main")
    if revoked:
        displays.display_revoke(actor=cast.sam, display=display)
    return display, token


def _queue(cast, team, *, leads_may_edit=True):
    from metrics.board.models import FloorSettings
    from metrics.models import Queue

    FloorSettings.objects.update_or_create(
        site="main", defaults={"team_leads_edit_queues": leads_may_edit}
    )
    queue, _ = Queue.objects.get_or_create(name=f"q-{team.name}", site="main")
    queue.teams.add(team)
    return queue


MATRIX = [
    Case("displays", api=False, expect={"anonymous": 302, **SUPERVISORS}, default=FORBIDDEN),
    Case(
        "displays",
        method="post",
        api=False,
        data={"name": "Hall TV", "site": "main", "language": "en", "layout": "full"},
        expect={"anonymous": 302, "supervisor": 201, "admin": 201},
        default=FORBIDDEN,
    ),
    Case(
        "display-revoke",
        method="post",
        api=False,
        kwargs=lambda c: {"display_id": _display(c)[0].pk},
        expect={"anonymous": 302, "supervisor": 302, "admin": 302},
        default=FORBIDDEN,
    ),
    # Anyone holding the link sees the display's board; a revoked link opens nothing.
    Case(
        "display-board",
        api=False,
        kwargs=lambda c: {"token": _display(c)[1]},
        default=200,
    ),
    Case(
        "display-board",
        api=False,
        kwargs=lambda c: {"token": _display(c, revoked=True)[1]},
        default=404,
    ),
    Case("display-board", api=False, kwargs={"token": "not-a-token"}, default=404),
    Case(
        "api-floor-settings",
        expect={"anonymous": 403, "agent": 403, "qa_analyst": 403},
        default=200,
    ),
    Case(
        "api-floor-settings-site",
        method="patch",
        data={"long_call_s": 900},
        expect=SUPERVISORS,
        default=FORBIDDEN,
    ),
    # Billing is tina's team: she may change its queue when the site allows team leads to.
    Case(
        "api-floor-settings-queue",
        method="patch",
        data={"sl_threshold_s": 30},
        kwargs=lambda c: {"queue_id": _queue(c, c.billing).pk},
        expect={**SUPERVISORS, "team_lead": 200},
        default=FORBIDDEN,
    ),
    Case(
        "api-floor-settings-queue",
        method="patch",
        data={"sl_threshold_s": 30},
        kwargs=lambda c: {"queue_id": _queue(c, c.billing, leads_may_edit=False).pk},
        expect=SUPERVISORS,
        default=FORBIDDEN,
    ),
    # Cards is tom's team, not tina's.
    Case(
        "api-floor-settings-queue",
        method="patch",
        data={"sl_threshold_s": 30},
        kwargs=lambda c: {"queue_id": _queue(c, c.cards).pk},
        expect=SUPERVISORS,
        default=FORBIDDEN,
    ),
]


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, case, role):
    check_case(case, cast, role)
