"""Histories read in words: every history line a person sees is a translated sentence, never an
audit code ("handover.case_confirmed") or a seat code ("Panel opinion (team_lead)")."""

import re
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import translation

from scheduling import selectors, services
from tests.scheduling.conftest import send_handover

pytestmark = pytest.mark.django_db(transaction=False)

ROOT = Path(__file__).resolve().parents[2]
AUDIT_CODE = re.compile(r"\b[a-z_]+\.[a-z_]+\b")
# Actions written with an f-string, expanded by hand: each must have words too.
DYNAMIC = [
    "handover.case_resolved",
    "handover.case_not_resolved",
    "swap.proposed",
    "swap.offered",
    "leave.approved",
    "leave.refused",
    "complaint.acknowledged",
    "complaint.investigating",
    "complaint.resolution_proposed",
    "complaint.awaiting_callback",
    "complaint.closed",
    "complaint.reopened",
    "complaint.ack_breached",
    "complaint.resolve_breached",
    "live_escalation.taken",
    "live_escalation.closed",
    "alert_channel.updated",
    "alert_rule.updated",
    "team.created",
    "evaluation.released",
]


def _history_cells(html: str) -> list[str]:
    table = html.split('data-testid="history"', 1)[1].split("</table>", 1)[0]
    rows = [row.split(">", 1)[1] for row in table.split("<tr")[2:]]
    return [re.sub(r"<[^>]+>", " ", row) for row in rows]


def _worked_handover(cast):
    handover = send_handover(cast)
    high = handover.cases.get(severity="high")
    services.handover_case_confirm(case=high, actor=cast.tom)
    services.handover_acknowledge(handover=handover, actor=cast.tom)
    services.handover_case_record_outcome(
        case=high, actor=cast.tom, outcome="resolved", note="Refund posted"
    )
    services.handover_addendum_add(handover=handover, actor=cast.tina, text="Bank confirmed")
    return handover


def test_the_handover_history_reads_in_words_not_audit_codes(cast):
    handover = _worked_handover(cast)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.sam)
    html = client.get(reverse("handover-detail", kwargs={"handover_id": handover.pk})).content
    rows = _history_cells(html.decode())
    assert len(rows) == 5
    text = " ".join(rows)
    assert not AUDIT_CODE.search(text), text
    assert "Confirmed the high-severity case C-1001" in text
    assert "Case C-1001 resolved: Refund posted" in text
    assert "Tom Lead" in text  # who, by name
    assert "Sent the handover to Tom Lead, supervisor Sam Supervisor copied" in text


@pytest.mark.parametrize(
    ("language", "words"),
    [("zh-hans", "确认了高严重度工单 C-1001"), ("zh-hant", "確認了高嚴重度工單 C-1001")],
)
def test_the_handover_history_is_translated(cast, language, words):
    handover = _worked_handover(cast)
    client = Client(HTTP_ACCEPT_LANGUAGE=language)
    client.force_login(cast.tom)
    html = client.get(reverse("handover-detail", kwargs={"handover_id": handover.pk})).content
    text = " ".join(_history_cells(html.decode()))
    assert words in text
    assert not re.search(r"Confirmed|Acknowledged|Sent the handover", text), text


def test_the_swap_history_reads_in_words(floor):
    cast = floor
    swap = services.swap_propose(
        requester=cast.ann_agent,
        shift=cast.ann_shift,
        colleague=cast.cy_agent,
        colleague_shift=cast.cy_shift,
    )
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(cast.ann)
    html = client.get(reverse("swap-detail", kwargs={"swap_id": swap.pk})).content.decode()
    text = " ".join(_history_cells(html))
    assert "Proposed the swap to a colleague" in text and "swap.proposed" not in text


def test_a_panel_opinion_names_the_seat_in_words_not_its_code():
    from callfloor.history import describe

    data = {"seat": "team_lead", "opinions": {"3": "uphold", "4": "reject"}}
    with translation.override("en"):
        text = describe("appeal.opinion", data)
    assert "team_lead" not in text and "Team lead" in text
    assert "1 item(s) to uphold, 1 to reject" in text
    with translation.override("zh-hans"):
        assert "组长" in describe("appeal.opinion", data)
    with translation.override("zh-hant"):
        assert "組長" in describe("appeal.opinion", data)


def test_an_appeal_history_reads_in_words_through_the_shared_renderer(cast):
    """The appeal and evaluation actions the appeal page lists all have sentences."""
    from agents.services import audit_record
    from callfloor.history import history_lines

    audit_record(actor=cast.quinn, action="appeal.explained", target=cast.billing)
    audit_record(
        actor=cast.sam,
        action="evaluation.score_revised",
        target=cast.billing,
        data={"score": 93.33, "previous_score": 86.67},
    )
    with translation.override("en"):
        lines = history_lines(selectors.audit_history(cast.billing))
    assert [line.text for line in lines] == [
        "Explained the deductions",
        "Revised the score from 86.67 to 93.33",
    ]
    assert [line.who for line in lines] == ["Quinn Analyst", "Sam Supervisor"]


def test_every_audited_action_has_words():
    """Scan the code for the actions written to the audit trail: each reads as a sentence."""
    from callfloor.history import has_phrase

    found = set(DYNAMIC)
    for path in ROOT.glob("*/**/*.py"):
        if any(part in {".venv", "tests", "migrations", "bench"} for part in path.parts):
            continue
        source = path.read_text(encoding="utf-8")
        for call in re.finditer(r"audit_record\((.*?)\n\s*\)", source, re.S):
            found.update(re.findall(r'action="([a-z_]+\.[a-z_]+)"', call.group(1)))
            found.update(re.findall(r'"([a-z_]+\.[a-z_]+)" if', call.group(1)))
        found.update(re.findall(r'audit_record\([^)]*action="([a-z_]+\.[a-z_]+)"', source))
    assert len(found) > 60
    missing = sorted(action for action in found if not has_phrase(action))
    assert not missing, missing
