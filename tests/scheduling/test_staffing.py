"""The staffing page: forecast from the queue's history, Erlang C requirement, scheduled agents."""

from datetime import date, timedelta

import pytest

from metrics.models import Outcome, Queue, QueueCall, TelephonySource
from scheduling import selectors
from tests.scheduling.conftest import at, give_skills, make_shift

pytestmark = pytest.mark.django_db

DAY = date(2026, 11, 16)  # a Monday


@pytest.fixture
def history(cast):
    """Four past Mondays with 100, 100, 120, 80 calls at 09:00–09:30 (AHT 180 s)."""
    source = TelephonySource.objects.create(name="pbx", kind="asterisk_file")
    queue = Queue.objects.create(
        name="billing", interval_minutes=30, sl_target=0.8, sl_threshold_s=20
    )
    rows = []
    for weeks, count in ((1, 100), (2, 100), (3, 120), (4, 80)):
        start = at(DAY - timedelta(weeks=weeks), 9)
        rows += [
            QueueCall(
                source=source,
                call_id=f"{weeks}-{i}",
                queue=queue,
                offered_at=start + timedelta(seconds=15 * i),
                outcome=Outcome.ANSWERED,
                talk_s=150,
                hold_s=10,
                acw_s=20,
            )
            for i in range(count)
        ]
    # The day itself: 90 calls arrived at 09:00.
    rows += [
        QueueCall(
            source=source,
            call_id=f"d-{i}",
            queue=queue,
            offered_at=at(DAY, 9) + timedelta(seconds=19 * i),
            outcome=Outcome.ANSWERED,
            talk_s=150,
            hold_s=10,
            acw_s=20,
        )
        for i in range(90)
    ]
    QueueCall.objects.bulk_create(rows)
    give_skills(cast.ann_agent, "billing")
    make_shift(
        cast.ann_agent,
        at(DAY, 8),
        at(DAY, 16),
        activities=[("break", at(DAY, 9, 10), at(DAY, 9, 25))],
    )
    make_shift(cast.bob_agent, at(DAY, 8), at(DAY, 16))  # not skilled in billing
    cast.queue = queue
    return cast


def test_a_monday_is_staffed_from_the_average_of_four_mondays(history):
    data = selectors.staffing_day(
        queue=history.queue, day=DAY, shrinkage=0.3, max_occupancy=1.0, now=at(DAY, 20)
    )
    assert data["aht_s"] == 180
    nine = next(r for r in data["rows"] if r["label"] == "09:00")
    assert nine["forecast"] == 100 and nine["actual"] == 90
    assert (nine["required"], nine["required_scheduled"]) == (14, 20)
    assert round(nine["service_level"], 3) == 0.888
    assert nine["scheduled"] == 0  # Ann is on her break at 09:15, Bob works other queues
    eight_thirty = next((r for r in data["rows"] if r["label"] == "08:30"), None)
    assert eight_thirty is None  # no history, no actual: the day shows the busy slots only
    assert [round(e.wape, 2) for e in data["backtest"]][-1] == 0.0  # 9 Nov: (100+120+80)/3 vs 100


def test_the_page_charts_required_against_scheduled(history, client):
    client.force_login(history.sam)
    response = client.get(f"/staffing/?queue={history.queue.pk}&day={DAY}")
    assert response.status_code == 200
    agents, calls = response.context["charts"]
    assert [s["name"] for s in agents["series"]] == [
        "required (with shrinkage)",
        "required on the phones",
        "scheduled",
        "logged in",
    ]
    nine = agents["labels"].index("09:00")
    assert agents["series"][0]["values"][nine] == 20 and agents["series"][1]["values"][nine] == 14
    assert [s["kind"] for s in calls["series"]] == ["bar", "line"]
    body = response.content.decode()
    assert '<script id="staffing-charts" type="application/json">' in body
    assert "<svg" not in body  # drawn in the browser from the data, not by the server
    assert client.get(f"/staffing/?queue={history.queue.pk}&shrinkage=2").status_code == 400


def test_the_api_answers_per_interval_and_names_a_bad_field(history, api):
    client = api(history.tina)
    response = client.get("/api/staffing/", {"queue": history.queue.pk, "day": str(DAY)})
    assert response.status_code == 200
    nine = next(r for r in response.json()["rows"] if r["start"].endswith("09:00:00Z"))
    assert nine["required"] == 14 and nine["required_scheduled"] == 20
    response = client.get("/api/staffing/", {"queue": history.queue.pk, "day": "monday"})
    assert response.status_code == 400 and "day" in response.json()["error"]["fields"]


def test_required_now_stands_next_to_staffed_now(history):
    source = TelephonySource.objects.get()
    from metrics.models import AgentState

    AgentState.objects.create(
        source=source,
        member="PJSIP/2004",
        agent=history.ann_agent,
        status="available",
        started_at=at(DAY, 8, 55),
    )
    AgentState.objects.create(
        source=source,
        member="PJSIP/2005",
        agent=history.bob_agent,
        status="available",
        started_at=at(DAY, 8, 55),
    )  # not skilled
    now = selectors.staffing_now(queue=history.queue, now=at(DAY, 9, 10))
    assert now["interval_start"].hour == 9 and now["interval_start"].minute == 0
    assert now["forecast_calls"] == 100  # (100 + 100 + 120 + 80) / 4
    assert now["required"] == 14 and now["staffed"] == 1


def test_the_boards_required_now_of_many_queues_is_each_queues_own_in_a_few_queries(
    history, django_assert_max_num_queries
):
    """The wall board asks for "required now" of every queue once a minute: the queues are
    worked out together (a query per interval length, not a dozen per queue), and each gets
    what it gets alone — its own history, interval length, run rate and waiting calls."""
    from django.core.cache import cache

    from scheduling.floor import required_now_tiles

    source = TelephonySource.objects.get(name="pbx")
    quiet = Queue.objects.create(name="quiet", interval_minutes=30, sl_target=0.8)
    short = Queue.objects.create(name="short", interval_minutes=15, sl_target=0.9)
    QueueCall.objects.bulk_create(
        [
            QueueCall(
                source=source,
                call_id=f"s-{weeks}-{i}",
                queue=short,
                offered_at=at(DAY - timedelta(weeks=weeks), 9) + timedelta(seconds=40 * i),
                outcome=Outcome.ANSWERED,
                talk_s=240,
            )
            for weeks in (1, 2)
            for i in range(30)
        ]
        + [
            QueueCall(
                source=source,
                call_id=f"w-{i}",
                queue=short,
                offered_at=at(DAY, 9, 9) + timedelta(seconds=5 * i),
                outcome=Outcome.WAITING,
            )
            for i in range(6)
        ]
    )
    queues = [history.queue, quiet, short]
    now = at(DAY, 9, 10)
    alone = {q.pk: selectors.staffing_now(queue=q, now=now)["required"] for q in queues}
    assert alone[history.queue.pk] == 14 and alone[quiet.pk] == 0
    assert alone[short.pk] > 0  # (its history, its interval, six callers waiting)
    cache.clear()
    with django_assert_max_num_queries(2):  # two interval lengths
        tiles = required_now_tiles(site="main", queues=queues, now=now)
    assert {pk: tile["required_now"] for pk, tile in tiles.items()} == alone


def test_a_target_no_number_of_agents_reaches_is_refused_with_its_reason(history, client, api):
    """A queue stored with a 100 % target (before targets were checked) gets a clear answer
    from the staffing page and API, in the reader's language, instead of a server error; a
    new 100 % target is refused where it is set, and by the model's check (the admin)."""
    from django.core.exceptions import ValidationError

    Queue.objects.filter(pk=history.queue.pk).update(sl_target=1.0)
    client.force_login(history.sam)
    response = client.get(f"/staffing/?queue={history.queue.pk}&day={DAY}")
    assert response.status_code == 400
    body = response.content.decode()
    assert 'data-testid="staffing-refused"' in body and "100 %" in body
    assert "staffing-table" not in body
    response = client.get(
        f"/staffing/?queue={history.queue.pk}&day={DAY}", HTTP_ACCEPT_LANGUAGE="zh-hans"
    )
    assert response.status_code == 400
    assert "服务水平目标" in response.content.decode() and "大屏" in response.content.decode()
    response = api(history.tina).get("/api/staffing/", {"queue": history.queue.pk, "day": str(DAY)})
    assert response.status_code == 400
    assert "100 %" in response.json()["error"]["fields"]["queue"][0]
    queue = Queue.objects.get(pk=history.queue.pk)
    for target in (1.0, 0.0, 1.2):
        queue.sl_target = target
        with pytest.raises(ValidationError) as refused:
            queue.full_clean()
        assert "sl_target" in refused.value.message_dict
    queue.sl_target = 0.99
    queue.full_clean()
