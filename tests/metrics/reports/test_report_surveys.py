"""Post-call surveys arrive in the telephony events batch and reach the reports."""

from datetime import date

from metrics.models import Queue, SurveyResult
from metrics.reports import history as reports
from metrics.reports import services as report_services


def _call(n: int, *, score=None, resolved=None, survey_first=False):
    call = f"1772442000.{n}"
    events = [
        {
            "id": f"e{n}-1",
            "type": "call_queued",
            "at": "2026-03-02T09:00:00Z",
            "call_id": call,
            "queue": "billing",
            "caller": f"+3225550{n:03d}",
        },
        {
            "id": f"e{n}-2",
            "type": "call_answered",
            "at": "2026-03-02T09:00:10Z",
            "call_id": call,
            "queue": "billing",
            "member": "PJSIP/2004",
            "wait_s": 10,
        },
        {
            "id": f"e{n}-3",
            "type": "call_ended",
            "at": "2026-03-02T09:04:10Z",
            "call_id": call,
            "queue": "billing",
            "member": "PJSIP/2004",
            "talk_s": 240,
        },
    ]
    survey = {
        "id": f"s{n}",
        "type": "call_surveyed",
        "at": "2026-03-02T09:06:00Z",
        "call_id": call,
        "score": score,
    }
    if resolved is not None:
        survey["resolved"] = resolved
    return [survey, *events] if survey_first else [*events, survey]


def test_a_survey_in_the_events_batch_rates_its_call(cast, pbx, post_events):
    response = post_events(_call(1, score=5, resolved=True))
    assert response.status_code == 200
    body = response.json()
    assert body["accepted"] == 4 and body["rejected"] == 0
    assert body["results"][3] == {"index": 3, "id": "s1", "status": "accepted", "reason": ""}
    survey = SurveyResult.objects.get(call_id="1772442000.1")
    assert survey.score == 5 and survey.resolved is True
    assert survey.queue_call.member == "PJSIP/2004"

    again = post_events(_call(1, score=5, resolved=True)).json()
    assert [r["status"] for r in again["results"]] == ["duplicate"] * 4
    assert SurveyResult.objects.count() == 1


def test_a_bad_survey_is_rejected_and_loses_nothing_else(cast, pbx, post_events):
    body = post_events(_call(2, score=9)).json()
    assert body["accepted"] == 3 and body["rejected"] == 1
    assert body["results"][3]["reason"] == "score: The score must be between 1 and 5."
    body = post_events(
        [{"id": "s3", "type": "call_surveyed", "at": "2026-03-02T09:06:00Z", "score": 4}]
    ).json()
    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["reason"].startswith("call_id:")


def test_a_survey_listed_before_its_call_in_the_batch_still_rates_it(cast, pbx, post_events):
    body = post_events(_call(5, score=4, survey_first=True)).json()
    assert body["accepted"] == 4
    assert SurveyResult.objects.get(call_id="1772442000.5").queue_call is not None


def test_a_survey_sent_before_its_call_is_linked_when_the_facts_are_rebuilt(cast, pbx, post_events):
    events = _call(4, score=2, resolved=False, survey_first=True)
    assert post_events(events[:1]).json()["accepted"] == 1
    assert post_events(events[1:]).json()["accepted"] == 3
    assert SurveyResult.objects.get(call_id="1772442000.4").queue_call is None
    report_services.call_facts_refresh(day=date(2026, 3, 2))
    assert SurveyResult.objects.get(call_id="1772442000.4").queue_call is not None
    total = reports.queue_report(
        queues=Queue.objects.filter(name="billing"),
        span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2)),
    ).rows[-1]
    assert total["csat_mean"] == 2.0 and total["csat_top_box"] == 0.0
    assert total["fcr"] == 0.0 and total["survey_response_rate"] == 1.0


def test_todays_csat_for_a_wall_board_tile(cast, pbx, post_events):
    from datetime import UTC, datetime

    from metrics.reports.selectors import queue_csat_today

    post_events(_call(6, score=5) + _call(7, score=3))
    billing = Queue.objects.get(name="billing")
    tiles = queue_csat_today(queues=[billing], now=datetime(2026, 3, 2, 18, tzinfo=UTC))
    assert tiles == {billing.pk: {"survey_n": 2, "csat_top_box": 0.5, "csat_mean": 4.0}}
    assert queue_csat_today(queues=[billing], now=datetime(2026, 3, 3, 9, tzinfo=UTC)) == {}


def test_the_survey_scale_and_top_box_are_settings(cast, pbx, post_events, settings):
    settings.CALLFLOOR_SURVEY_SCALE = (0, 10)
    settings.CALLFLOOR_SURVEY_TOP_BOX = 3  # 8, 9 and 10 are satisfied
    body = post_events(_call(8, score=8) + _call(9, score=7) + _call(10, score=10)).json()
    assert body["rejected"] == 0
    report_services.call_facts_refresh(day=date(2026, 3, 2))
    total = reports.queue_report(
        queues=Queue.objects.filter(name="billing"),
        span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2)),
    ).rows[-1]
    assert total["csat_top_box"] == 2 / 3
    assert total["csat_mean"] == 25 / 3


def test_a_survey_naming_a_call_with_a_control_character_is_rejected(cast, pbx, post_events):
    # The same rule as every telephony text: a survey stored under such a call id broke the
    # spreadsheet exports of its report.
    survey = {
        "id": "s9",
        "type": "call_surveyed",
        "at": "2026-03-02T09:06:00Z",
        "call_id": "1772442000.9\x1b",
        "score": 4,
    }
    body = post_events([survey]).json()
    assert body["results"][0]["status"] == "rejected"
    assert body["results"][0]["reason"] == "call_id: A call id holds no control character."
    assert not SurveyResult.objects.exists()
