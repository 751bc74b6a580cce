"""A small floor on an AMI source whose Asterisk is the scripted server of tests/ami."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from tests.ami.server import ami_server  # noqa: F401
from tests.metrics.board.conftest import (  # noqa: F401 - fixtures and helpers
    _fresh_floor_cache,
    event,
    ingest,
    live_board,
    source,
)

# What Asterisk 16–22 answers these actions when they succeed (app_queue.c, manager.c).
SUCCESS = {
    "Originate": "Originate successfully queued",
    "QueuePause": "Interface paused successfully",
    "QueueAdd": "Added interface to queue",
    "QueueRemove": "Removed interface from queue",
    "Hangup": "Channel Hungup",
}


@pytest.fixture
def ami_floor(cast, ami_server):  # noqa: F811
    """ann (PJSIP/2004) on a call in billing and cards, bob (PJSIP/2005, Cards) and cleo
    (PJSIP/2006, Billing) available in billing; sam's phone is 2001."""
    from agents import services
    from agents.models import UserPreferences
    from metrics.models import Queue, TelephonySource
    from metrics.telephony.ami.config import source_secret_set

    for action, message in SUCCESS.items():
        ami_server.script(action, message=message)
    pbx = TelephonySource(
        name="asterisk",
        kind="ami",
        site="main",
        ami_host=ami_server.host,
        ami_port=ami_server.port,
        ami_username=ami_server.username,
    )
    source_secret_set(source=pbx, secret=ami_server.secret)
    pbx.save()
    cleo = services.agent_create(
        username="cleo",
        display_name="Cleo Agent",
        employee_number="E2006",
        team=cast.billing,
        password=cast.password,
        aliases=["PJSIP/2006"],
    )
    for name in ("billing", "cards"):
        Queue.objects.get_or_create(name=name, defaults={"site": "main"})
    ingest(
        pbx,
        [
            event("agent_login", ago=600, member="PJSIP/2004", queue="billing"),
            event("agent_login", ago=600, member="PJSIP/2004", queue="cards"),
            event("agent_login", ago=600, member="PJSIP/2005", queue="billing"),
            event("agent_login", ago=600, member="PJSIP/2006", queue="billing"),
            event("call_queued", ago=60, call_id="1733480000.42", queue="billing", caller="+3221"),
            event(
                "call_answered",
                ago=50,
                call_id="1733480000.42",
                queue="billing",
                member="PJSIP/2004",
                wait_s=10,
            ),
        ],
    )
    UserPreferences.objects.create(user=cast.sam, extension="2001")
    UserPreferences.objects.create(user=cast.tina, extension="PJSIP/2002")
    return SimpleNamespace(
        source=pbx,
        server=ami_server,
        ann=cast.ann_agent,
        bob=cast.bob_agent,
        cleo=cleo,
        billing=Queue.objects.get(name="billing"),
        cards=Queue.objects.get(name="cards"),
    )


def sent(server, action: str) -> list[dict]:
    """The actions of that name the server received, without the ActionID (ours to choose)."""
    blocks = server.actions_named(action)
    return [{k: v for k, v in block.items() if k != "ActionID"} for block in blocks]
