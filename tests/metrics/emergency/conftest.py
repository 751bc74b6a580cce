"""Fixtures of emergency plans: a site-wide plan for a system failure with a queue move, and
a plan that concerns Cards only (tom's team)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

# The board's live server (its web process pushes the board) and its fresh cache per test.
from tests.metrics.board.conftest import _fresh_floor_cache, live_board  # noqa: F401


def make_plan(cast, *, title="System failure", teams=(), steps=None, active=True, roles=None):
    from metrics.emergency.services import emergency_plan_save

    return emergency_plan_save(
        actor=cast.sam,
        title=title,
        trigger="system_failure",
        when="The CRM does not answer for two minutes.",
        broadcast_text="CRM down: take details on paper, promise a call-back.",
        teams=list(teams),
        active=active,
        roles=roles
        if roles is not None
        else [
            {"duty": "Calls IT and the site manager", "role": "supervisor"},
            {"duty": "Hands out the paper forms", "person": cast.tina},
        ],
        steps=steps
        or [
            {"text": "Call the IT hotline"},
            {"text": "Hand out paper call sheets"},
            {"text": "Tell waiting callers about the delay"},
        ],
    )


@pytest.fixture
def plans(cast):
    from metrics.models import Queue

    billing = Queue.objects.create(name="billing", site="main")
    site_wide = make_plan(
        cast,
        steps=[
            {"text": "Call the IT hotline"},
            {"text": "", "agent": cast.bob_agent, "queue": billing, "move": "add"},
            {"text": "Hand out paper call sheets"},
        ],
    )
    cards_only = make_plan(cast, title="Cards flood", teams=[cast.cards])
    return SimpleNamespace(site_wide=site_wide, cards_only=cards_only, billing=billing)


@pytest.fixture
def sue(cast):
    """A second supervisor."""
    from agents import services
    from agents.roles import Role

    return services.user_create(
        username="sue",
        password=cast.password,
        roles=[Role.SUPERVISOR],
        first_name="Sue",
        last_name="Second",
    )
