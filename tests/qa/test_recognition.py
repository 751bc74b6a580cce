"""Recognition beyond the QA score: a featured call reaches the whole centre (one inbox thread,
the board's broadcast band); agents nominate colleagues and leads confirm."""

import pytest

from agents.models import AuditEntry, Notification
from agents.selectors import notification_threads
from callfloor.errors import Conflict, DomainError
from callfloor.history import describe
from metrics.board.snapshot import current_broadcasts, default_site
from qa import selectors, services
from qa.recognition import services as recognition
from qa.recognition.models import PeerNominationStatus
from tests.qa.quizzes.conftest import bank, closed_quiz  # noqa: F401 (the fixture)

pytestmark = pytest.mark.django_db


def _feature(cast, agent, recording_id):
    nomination = services.great_call_nominate(
        user=cast.tina, agent=agent, recording_id=recording_id, reason="Calmed an angry caller"
    )
    return services.great_call_feature(nomination=nomination, actor=cast.sam, note="Textbook")


def test_a_featured_call_reaches_everyone_in_one_thread_and_on_the_board(cast, world):
    _feature(cast, cast.ann_agent, "rec-1")
    everyone = [cast.sam, cast.tina, cast.tom, cast.quinn, cast.ada, cast.bob, world.quincy]
    for user in everyone:
        told = Notification.objects.get(recipient=user, kind="qa.library")
        assert told.text == "A great call by Ann Agent is featured in the library."
    assert Notification.objects.get(recipient=cast.ann, kind="qa.library").text == (
        "One of your calls is featured in the great-call library."
    )
    standing = current_broadcasts(site=default_site())
    assert [b.text for b in standing] == [
        "Great call: Ann Agent's call is featured in the library."
    ]
    assert standing[0].expires_at is not None
    # A second featured call: the inbox keeps the library's news as one thread.
    _feature(cast, cast.bob_agent, "rec-2")
    threads = [t for t in notification_threads(cast.tom) if t.latest.kind == "qa.library"]
    assert len(threads) == 1 and len(threads[0].earlier) == 1 and threads[0].unread == 2
    assert "Bob Agent" in threads[0].latest.text
    assert AuditEntry.objects.filter(action="greatcall.featured").count() == 2
    assert AuditEntry.objects.filter(action="broadcast.sent").count() == 2


def test_an_agent_nominates_a_colleague_and_their_lead_confirms(cast, world, api):
    cast.bob_agent.team = cast.billing
    cast.bob_agent.save(update_fields=["team"])
    with pytest.raises(DomainError, match="not yourself"):
        recognition.peer_nomination_create(user=cast.ann, nominee=cast.ann_agent, reason="Me")
    with pytest.raises(DomainError) as refused:
        recognition.peer_nomination_create(user=cast.tina, nominee=cast.bob_agent, reason="Kind")
    assert refused.value.status_code == 403
    response = api(cast.ann).post(
        "/api/qa/recognition/nominations/",
        {"nominee": cast.bob_agent.pk, "reason": "Covered my queue when I was ill"},
        format="json",
    )
    assert response.status_code == 201, response.content
    nomination_id = response.json()["id"]
    again = api(cast.ann).post(
        "/api/qa/recognition/nominations/",
        {"nominee": cast.bob_agent.pk, "reason": "Again"},
        format="json",
    )
    assert again.status_code == 409
    created = AuditEntry.objects.get(action="peer_nomination.created")
    assert describe(created.action, created.data) == (
        "Nominated Bob Agent for the month's recognition"
    )
    assert Notification.objects.filter(recipient=cast.tina, kind="qa.recognition").exists()
    # Not yet confirmed: nobody reads it among the month's recognitions.
    assert api(cast.bob).get("/api/qa/recognition/").json()["confirmed"] == []
    assert [n["id"] for n in api(cast.tina).get("/api/qa/recognition/").json()["pending"]] == [
        nomination_id
    ]
    assert api(cast.tom).get("/api/qa/recognition/").json()["pending"] == []  # not his team
    url = f"/api/qa/recognition/nominations/{nomination_id}/confirm/"
    assert api(cast.tom).post(url).status_code == 403
    assert api(cast.bob).post(url).status_code == 403
    assert api(cast.tina).post(url).status_code == 200
    assert api(cast.sam).post(url).status_code == 409
    confirmed = api(cast.bob).get("/api/qa/recognition/").json()["confirmed"]
    assert [n["nominee_name"] for n in confirmed] == ["Bob Agent"]
    assert confirmed[0]["status"] == PeerNominationStatus.CONFIRMED
    assert AuditEntry.objects.get(action="peer_nomination.confirmed").actor == cast.tina
    assert Notification.objects.filter(recipient=cast.bob, kind="qa.recognition").exists()


def test_the_recognition_page_ranks_the_months_most_featured(cast, world, client):
    _feature(cast, cast.bob_agent, "rec-1")
    _feature(cast, cast.bob_agent, "rec-2")
    _feature(cast, cast.ann_agent, "rec-3")
    client.force_login(cast.ann)
    page = client.get("/qa/recognition/").content.decode()
    ranking = page[page.index('data-testid="most-featured"') :]
    assert ranking.index("Bob Agent") < ranking.index("Ann Agent")
    assert "2 featured calls" in ranking
    # Last month had none.
    page = client.get("/qa/recognition/?month=2020-01").content.decode()
    assert "No call was featured this month." in page
    with pytest.raises(Conflict):
        services.great_call_feature(nomination=selectors.library_featured().first(), actor=cast.sam)


def test_the_recognition_page_shows_the_best_improvement_in_tests(cast, bank, client):  # noqa: F811
    """From the monthly tests: Ann went from 1 of 3 in October to 3 of 3 in November."""
    from datetime import datetime

    from callfloor.zone import site_zone

    zone = site_zone()
    for title, month, scores in [
        ("October", 10, {cast.ann_agent: 1, cast.bob_agent: 3}),
        ("November", 11, {cast.ann_agent: 3, cast.bob_agent: 2}),
    ]:
        closed_quiz(
            cast,
            bank.questions,
            title=title,
            team=None,
            closes_at=datetime(2026, month, 20, 12, tzinfo=zone),
            scores=scores,
        )
    client.force_login(cast.bob)
    page = client.get("/qa/recognition/?month=2026-11").content.decode()
    best = page[page.index('data-testid="most-improved"') :].split("</ol>")[0]
    assert "Ann Agent" in best and "33.3 → 100.0" in best and "Bob Agent" not in best
    page = client.get("/qa/recognition/?month=2026-10").content.decode()
    assert "No agent improved on last month" in page
