"""The phone controls: every endpoint × every role (and anonymous).

Supervisors act on the whole site; a team lead (tina, Billing) on Billing's agents only (ann),
never on Cards' (bob), and not at all when the site says "none"; agents, QA analysts and admins
never. Here the agents' source is a queue_log file, which takes no commands: whoever may act
gets 409 with the reason, and nothing reaches a phone system (see test_controls.py for the
actions sent to a scripted Asterisk).
"""

import pytest

from tests.metrics.board.conftest import event, ingest
from tests.permissions import Case, cases_by_role, check_case

NO_CONTROL = 409
REFUSED = {"anonymous": 403, "agent": 403, "qa_analyst": 403, "admin": 403}
ANN = {**REFUSED, "team_lead": NO_CONTROL, "supervisor": NO_CONTROL}
BOB = {**REFUSED, "team_lead": 403, "supervisor": NO_CONTROL}
LEADS_NONE = {"CALLFLOOR_PBX_CONTROL_TEAM_LEADS": "none"}
LEADS_SITE = {"CALLFLOOR_PBX_CONTROL_TEAM_LEADS": "site"}


def _ann(cast):
    return {"agent_id": cast.ann_agent.pk}


def _bob(cast):
    return {"agent_id": cast.bob_agent.pk}


def _monitoring(cast, agent):
    from metrics.control.models import Monitoring
    from metrics.models import TelephonySource

    return {
        "monitoring_id": Monitoring.objects.create(
            source=TelephonySource.objects.get(name="pbx-log"),
            agent=agent,
            supervisor=cast.sam,
            mode="listen",
            channel="PJSIP/2001",
            channel_id=f"callfloor-test-{agent.pk}",
            spied="PJSIP/2004-",
        ).pk
    }


def _agent_cases(url_name, data=None):
    return [
        Case(url_name, method="post", data=data, kwargs=_ann, expect=ANN, label="own team"),
        Case(url_name, method="post", data=data, kwargs=_bob, expect=BOB, label="other team"),
        Case(
            url_name,
            method="post",
            data=data,
            kwargs=_ann,
            expect={**ANN, "team_lead": 403},
            settings=LEADS_NONE,
            label="own team",
        ),
        Case(
            url_name,
            method="post",
            data=data,
            kwargs=_bob,
            expect={**BOB, "team_lead": NO_CONTROL},
            settings=LEADS_SITE,
            label="other team",
        ),
    ]


def _move(cast, agent):
    from metrics.models import Queue

    billing, cards = Queue.objects.get(name="billing"), Queue.objects.get(name="cards")
    return {"agents": [agent.pk], "from_queue": billing.pk, "to_queue": cards.pk}


MATRIX = [
    *_agent_cases("api-floor-agent-monitor", {"mode": "listen"}),
    *_agent_cases("api-floor-agent-pause", {"reason": "Coaching"}),
    *_agent_cases("api-floor-agent-unpause"),
    *_agent_cases("api-floor-agent-log-out"),
    Case(
        "api-floor-agents-move",
        method="post",
        data=lambda c: _move(c, c.ann_agent),
        expect=ANN,
        label="own team",
    ),
    Case(
        "api-floor-agents-move",
        method="post",
        data=lambda c: _move(c, c.bob_agent),
        expect=BOB,
        label="other team",
    ),
    Case(
        "api-floor-monitoring-stop",
        method="post",
        kwargs=lambda c: _monitoring(c, c.ann_agent),
        expect=ANN,
        label="own team",
    ),
    Case(
        "api-floor-monitoring-stop",
        method="post",
        kwargs=lambda c: _monitoring(c, c.bob_agent),
        # sam's own leg: he may hang it up; tina may not touch Cards'.
        expect=BOB,
        label="other team",
    ),
    Case("profile", api=False, expect={"anonymous": 302}, default=200),
]


@pytest.fixture
def report_only_floor(cast):
    """ann and bob logged in to billing on a queue_log source, ann on a call."""
    from metrics.models import Queue
    from metrics.telephony.services import source_create

    source, _token = source_create(name="pbx-log", kind="queue_log_file", site="main")
    Queue.objects.get_or_create(name="cards", defaults={"site": "main"})
    ingest(
        source,
        [
            event("agent_login", ago=300, member="PJSIP/2004", queue="billing"),
            event("agent_login", ago=300, member="PJSIP/2005", queue="billing"),
            event("call_queued", ago=60, call_id="c1", queue="billing", caller="+3221"),
            event("call_answered", ago=50, call_id="c1", queue="billing", member="PJSIP/2004"),
        ],
    )
    return source


@pytest.mark.parametrize(
    ("case", "role"), cases_by_role(MATRIX), ids=lambda v: v.id() if hasattr(v, "id") else v
)
def test_permission_matrix(cast, report_only_floor, case, role):
    check_case(case, cast, role)


def test_a_report_only_source_answers_409_with_the_reason(cast, report_only_floor, api):
    from agents.models import AuditEntry

    response = api(cast.sam).post(
        f"/api/floor/agents/{cast.ann_agent.pk}/pause/", {"reason": "Coaching"}, format="json"
    )
    assert response.status_code == 409
    error = response.json()["error"]
    assert error["code"] == "no_control"
    assert "pbx-log" in error["message"] and "takes no commands" in error["message"]
    assert not AuditEntry.objects.filter(action__startswith="pbx.").exists()
