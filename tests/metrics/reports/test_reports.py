"""Queue, agent, team and site reports: the engine's figures by period, summed correctly."""

from __future__ import annotations

import io
from datetime import date

import pytest
from openpyxl import load_workbook

from metrics.formulas import round_figures
from metrics.models import Queue, QueueCall
from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history as reports
from metrics.reports import services as report_services
from metrics.reports.offline import build_report
from tests.conftest import shared_data
from tests.metrics.reports.report_data import Log, day, member

FREEPBX = "asterisk/freepbx-2010-queue_log"
FIGURES = [
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "service_level",
    "answer_rate",
    "abandon_rate",
    "asa_s",
    "avg_abandon_wait_s",
    "max_wait_s",
    "aht_s",
    "avg_talk_s",
    "transfer_rate",
]


@pytest.fixture
def source(db):
    from metrics.telephony.services import source_create

    return source_create(name="pbx-reports", kind="queue_log_file")[0]


def _lines(path):
    def open_lines():
        with open(path, encoding="utf-8") as handle:
            yield from handle

    return open_lines


def test_the_daily_queue_report_equals_the_offline_report(cast, settings):
    from django.core.management import call_command

    settings.CALLFLOOR_TIME_ZONE = "UTC"
    path = shared_data(FREEPBX)
    call_command(
        "import_queue_log", str(path), "--source", "freepbx", "--no-progress", stdout=io.StringIO()
    )
    with open(path, encoding="utf-8") as handle:
        events_text = [line for line in handle.read().splitlines() if line.strip()]
    offline = build_report(_lines(path), zone="UTC")

    report_services.call_facts_refresh(day=date(2010, 2, 22))
    queue = Queue.objects.get(name="9000")
    report = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2010, 2, 22), date(2010, 2, 22))
    )
    day_row = next(r for r in report.rows if not r["total"])
    expected = offline["days"]["9000"]["2010-02-22"]
    assert day_row["label"] == "2010-02-22"
    assert round_figures({k: day_row[k] for k in FIGURES}) == {k: expected[k] for k in FIGURES}
    for variant, value in expected["service_level_variants"].items():
        assert round(day_row[f"sl_{variant}"], 4) == value
    assert day_row["aht_components"] == expected["aht_components"] == ["talk"]
    # The log is one day, so the day's repeat-call rate is the offline whole-log figure.
    assert round(day_row["repeat_rate"], 4) == offline["queues"]["9000"]["repeat_call_rate"]
    assert day_row["repeat_rate"] == 0.5
    # The hand-worked figures of the log (21 offered, SL 6/18, ASA 143/8, AHT 45/7).
    assert (day_row["offered"], day_row["answered"], day_row["short_abandoned"]) == (21, 8, 2)
    assert round(day_row["service_level"], 4) == 0.3333
    assert day_row["asa_s"] == pytest.approx(17.875)
    assert day_row["aht_s"] == pytest.approx(45 / 7)

    # Ann owns member 2004: her agent report holds the offline figures of that member.
    agent = agent_reports.agent_report(agent=cast.ann_agent, span=report.range)
    total = agent.rows[-1]
    offline_agent = offline["agents"][member("2004")]
    assert total["handled"] == offline_agent["handled"] == 7
    assert round(total["aht_s"], 4) == offline_agent["aht_s"]
    assert total["missed_rings"] == offline_agent["missed_rings"] == 18
    # States still open at the end of the log count up to its last line, not up to today.
    first, last = (int(line.split("|")[0]) for line in (events_text[0], events_text[-1]))
    assert 0 < total["login_s"] <= last - first


def test_the_team_aht_is_weighted_by_calls_not_a_mean_of_agent_means(cast, source):
    from agents.services import agent_create

    agent_create(
        username="cat",
        display_name="Cat Agent",
        employee_number="E2006",
        team=cast.billing,
        password=cast.password,
        aliases=[member("2006")],
    )
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=100)
    for _ in range(3):
        log.answered(queue="sales", ext="2006", wait=5, talk=10)
    log.ingest(source)

    report = agent_reports.team_report(
        team=cast.billing, span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    by_name = {row["label"]: row for row in report.rows}
    assert by_name["Ann Agent"]["aht_s"] == pytest.approx(100.0)
    assert by_name["Cat Agent"]["aht_s"] == pytest.approx(10.0)
    team = by_name["Team Billing"]
    assert team["handled"] == 4
    # (100 + 3 × 10) / 4 calls, not (100 + 10) / 2 agents.
    assert team["aht_s"] == pytest.approx(32.5)
    assert team["aht_s"] != pytest.approx((100.0 + 10.0) / 2)


def test_periods_of_every_grain_add_up_to_the_same_total(cast, source):
    log = Log(day(2026, 3, 30, 22))  # Monday 30 March → Wednesday 1 April
    for n in range(12):
        if n % 3 == 0:
            log.abandoned(queue="sales", wait=30, gap=3 * 3600)
        else:
            log.answered(queue="sales", ext="2004", wait=5 + n, talk=60, gap=3 * 3600)
    log.ingest(source)
    queue = Queue.objects.get(name="sales")
    totals = {}
    for grain in ("15", "30", "60", "day", "week", "month"):
        report = reports.queue_report(
            queues=[queue], span=reports.ReportRange(date(2026, 3, 30), date(2026, 4, 2), grain)
        )
        body = [r for r in report.rows if not r["total"]]
        assert sum(r["offered"] for r in body) == 12
        totals[grain] = report.rows[-1]
    assert {t["answered"] for t in totals.values()} == {8}
    assert {round(t["aht_s"], 6) for t in totals.values()} == {60.0}
    months = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 30), date(2026, 4, 2), "month")
    )
    assert [r["label"] for r in months.rows] == ["2026-03", "2026-04", "Total"]


def test_surveys_and_repeat_calls_give_csat_response_rate_and_fcr(cast, source):
    log = Log(day(2026, 3, 2))
    first = log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5551001")
    log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5551001")  # repeat
    third = log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5551002")
    log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5551003")
    log.ingest(source)
    answered = day(2026, 3, 2, 12)
    report_services.survey_record(
        source=source, call_id=first, score=5, resolved=False, answered_at=answered
    )
    report_services.survey_record(source=source, call_id=third, score=2, answered_at=answered)
    result, new = report_services.survey_record(
        source=source, call_id=third, score=2, answered_at=answered
    )
    assert not new and result.queue_call.call_id == third
    report_services.call_facts_refresh(day=date(2026, 3, 2))

    queue = Queue.objects.get(name="sales")
    total = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    ).rows[-1]
    assert total["repeat_rate"] == pytest.approx(1 / 4)
    assert total["survey_response_rate"] == pytest.approx(2 / 4)
    assert total["csat_top_box"] == pytest.approx(1 / 2)  # 5 is top-box (4–5), 2 is not
    assert total["csat_mean"] == pytest.approx(3.5)
    # FCR: first call said "not resolved"; the repeat and the other two have no answer, so
    # the proxy counts the repeat's own caller (5551001 did not call again after it) → 3 of 4.
    assert total["fcr"] == pytest.approx(3 / 4)
    agent_total = agent_reports.agent_report(
        agent=cast.ann_agent, span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    ).rows[-1]
    assert agent_total["csat_mean"] == pytest.approx(3.5)
    assert agent_total["fcr"] == pytest.approx(3 / 4)


def test_a_survey_score_outside_the_scale_is_refused(source):
    from callfloor.errors import DomainError

    with pytest.raises(DomainError) as error:
        report_services.survey_record(
            source=source, call_id="x.1", score=9, answered_at=day(2026, 3, 2)
        )
    assert error.value.field == "score"


def test_the_xlsx_names_the_report_range_zone_and_sl_definition(cast, source):
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.abandoned(queue="sales", wait=40)
    log.ingest(source)
    queue = Queue.objects.get(name="sales")
    report = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    book = load_workbook(io.BytesIO(report_exports.as_xlsx(report)))
    assert book.sheetnames == ["Queue", "About"]
    about = {row[0].value: row[1].value for row in book["About"].iter_rows()}
    assert about["Report"] == "Queue report: sales"
    assert about["Range"] == "2026-03-02 – 2026-03-02" and about["Time zone"] == "UTC"
    assert "answered within 20 s" in about["Service level"]
    assert "[offered]" in about["Service level"]
    assert about["Generated at"].endswith("UTC")
    sheet = book.active
    titles = [c.value for c in sheet[1]]
    assert titles[:3] == ["Group", "Period", "Offered"]
    sl = titles.index("Service level") + 1
    assert sheet.cell(row=2, column=sl).value == pytest.approx(0.5)
    assert sheet.cell(row=2, column=sl).number_format == "0.0%"
    assert sheet.cell(row=2, column=titles.index("Offered") + 1).value == 2
    marked = {c.value for c in sheet[1] if c.fill.fgColor.rgb.endswith("FFF3A8")}
    assert marked == {"Service level", "SL offered"}  # the queue's variant stands out
    text = report_exports.as_csv(report).decode("utf-8-sig")
    assert text.splitlines()[0].startswith("Group,Period,Offered,")
    assert ",0.5," in text


def test_the_abandoned_list_shows_who_hung_up_and_whether_they_called_again(cast, source):
    log = Log(day(2026, 3, 2))
    log.abandoned(queue="sales", wait=40, caller="5559001")
    log.abandoned(queue="sales", wait=3, caller="5559002")
    log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5559001")
    log.ingest(source)
    report = reports.abandoned_report(
        queues=Queue.objects.all(), span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    rows = {r["caller"]: r for r in report.rows}
    assert rows["5559001"]["wait_s"] == 40 and rows["5559001"]["called_back"] == "yes"
    assert rows["5559002"]["short"] == "yes" and rows["5559002"]["called_back"] == "no"
    assert QueueCall.objects.filter(outcome="abandoned").count() == 2


def test_the_daily_summary_mails_the_site_summary_to_the_recipients(cast, source, mailoutbox):
    from metrics.models import SummaryRecipient

    cast.sam.email = "sam@example.com"
    cast.sam.save(update_fields=["email"])
    SummaryRecipient.objects.create(user=cast.sam)
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.ingest(source)
    from metrics.reports.tasks import send_daily_summary

    assert send_daily_summary("2026-03-02") == 1
    assert len(mailoutbox) == 1
    message = mailoutbox[0]
    assert message.to == ["sam@example.com"]
    assert "Site summary" in message.body and "Offered: 1" in message.body
    name, content, _ = message.attachments[0]
    assert name == "site-summary-2026-03-02.xlsx"
    book = load_workbook(io.BytesIO(content))
    assert book["About"].cell(row=1, column=2).value == "Site summary"
    assert book.active.cell(row=1, column=1).value == "Group"


def test_bad_ranges_are_refused_with_the_field(cast, api):
    client = api(cast.sam)
    response = client.get("/api/reports/queues/", {"start": "2026-02-30"})
    assert response.status_code == 400
    assert response.json()["error"]["fields"] == {"start": ["Use a date like 2026-01-31."]}
    response = client.get("/api/reports/queues/", {"start": "2026-03-05", "end": "2026-03-01"})
    assert response.status_code == 400 and "end" in response.json()["error"]["fields"]
    response = client.get("/api/reports/queues/", {"grain": "year"})
    assert "grain" in response.json()["error"]["fields"]
    response = client.get("/api/reports/queues/", {"queue": "nine"})
    assert "queue" in response.json()["error"]["fields"]
    page = client.get("/reports/queues/", {"export": "pdf"})
    assert page.status_code == 400 and b"Export as csv or xlsx" in page.content


def test_the_api_gives_the_page_figures(cast, source, api):
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.ingest(source)
    body = (
        api(cast.sam)
        .get("/api/reports/queues/", {"start": "2026-03-02", "end": "2026-03-02"})
        .json()
    )
    assert body["time_zone"] == "UTC" and body["grain"] == "day"
    site = body["rows"][-1]
    assert site["label"] == "Total" and site["offered"] == 1 and site["aht_s"] == 60.0
    mine = (
        api(cast.ann)
        .get(
            f"/api/reports/agents/{cast.ann_agent.pk}/",
            {"start": "2026-03-02", "end": "2026-03-02"},
        )
        .json()
    )
    assert mine["rows"][-1]["handled"] == 1


def test_counts_stay_integers_in_every_export(cast, source, api):
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.abandoned(queue="sales", wait=30)
    log.ingest(source)
    report = reports.queue_report(
        queues=Queue.objects.all(), span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    for row in report.rows:
        assert all(type(row[key]) is int for key in ("offered", "answered", "abandoned"))
    assert ",2,1,1," in report_exports.as_csv(report).decode()


def test_the_agent_report_has_occupancy_login_and_not_ready_time_by_reason(cast, source):
    from openpyxl import load_workbook as load

    ext = member("2004")
    lines = [
        f"1772438400|NONE|sales|{ext}|ADDMEMBER|",  # 08:00 logs in
        "1772439000|c1|sales|NONE|ENTERQUEUE||5551000|1",
        f"1772439010|c1|sales|{ext}|CONNECT|10|chan|4",  # 08:10:10 on call
        f"1772439310|c1|sales|{ext}|COMPLETECALLER|10|300|1",  # 08:15:10 (300 s talk)
        f"1772439311|NONE|sales|{ext}|PAUSE|ACW",  # wrap-up 60 s
        f"1772439371|NONE|sales|{ext}|UNPAUSE|",
        f"1772440800|NONE|sales|{ext}|PAUSE|Lunch",  # 08:40 lunch 30 min
        f"1772442600|NONE|sales|{ext}|UNPAUSE|",
        f"1772443200|NONE|sales|{ext}|PAUSE|Training",  # 09:20 training 10 min
        f"1772443800|NONE|sales|{ext}|UNPAUSE|",
        f"1772445600|NONE|sales|{ext}|REMOVEMEMBER|",  # 10:00 logs out
    ]
    from metrics.queue_log import read_lines
    from metrics.telephony.services import events_ingest

    events_ingest(source=source, events=list(read_lines(lines, layout="file", zone="UTC")))
    report = agent_reports.agent_report(
        agent=cast.ann_agent, span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    total = report.rows[-1]
    assert total["handled"] == 1 and total["aht_s"] == pytest.approx(360.0)
    assert total["login_s"] == pytest.approx(7200.0)
    assert total["not_ready_by_reason"] == {"Lunch": 1800.0, "Training": 600.0}
    # busy 300 + 60; available idle = 7200 − 2400 not ready − 360 busy.
    assert total["occupancy"] == pytest.approx(360 / (360 + 4440))
    assert total["answered_within_3_rings"] == 1.0
    sheet = load(io.BytesIO(report_exports.as_xlsx(report))).active
    titles = [c.value for c in sheet[1]]
    assert "Not ready: Lunch" in titles
    lunch = sheet.cell(row=sheet.max_row, column=titles.index("Not ready: Lunch") + 1)
    # A spreadsheet duration: openpyxl reads it back as a timedelta.
    assert lunch.value.total_seconds() == pytest.approx(1800)
    assert lunch.number_format == "[h]:mm:ss"
    assert report_exports.display(total["login_s"], "duration") == "2:00:00"


def test_intervals_and_days_follow_the_site_zone_across_a_dst_change(cast, source, settings):
    settings.CALLFLOOR_TIME_ZONE = "Europe/Brussels"
    # 29 March 2026: clocks go from 02:00 to 03:00 (UTC+1 → UTC+2).
    log = Log(day(2026, 3, 28, 22))  # 23:00 local on the 28th
    for _ in range(4):
        log.answered(queue="sales", ext="2004", wait=5, talk=60, gap=3600)
    log.ingest(source)
    queue = Queue.objects.get(name="sales")
    by_hour = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 28), date(2026, 3, 29), "60")
    )
    assert [r["label"] for r in by_hour.rows] == [
        "2026-03-28 23:00",
        "2026-03-29 00:00",
        "2026-03-29 01:00",
        "2026-03-29 03:00",
        "Total",
    ]
    by_day = reports.queue_report(
        queues=[queue], span=reports.ReportRange(date(2026, 3, 28), date(2026, 3, 29))
    )
    assert [(r["label"], r["offered"]) for r in by_day.rows] == [
        ("2026-03-28", 1),
        ("2026-03-29", 3),
        ("Total", 4),
    ]


def test_telephony_text_never_becomes_a_spreadsheet_formula(cast, source):
    log = Log(day(2026, 3, 2))
    log.abandoned(queue='=HYPERLINK("http://evil")', wait=40, caller="=cmd /C calc!A0")
    log.abandoned(queue='=HYPERLINK("http://evil")', wait=40, caller="+3225550101")
    log.ingest(source)
    report = reports.abandoned_report(
        queues=Queue.objects.all(), span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
    )
    text = report_exports.as_csv(report).decode()
    assert ",'=cmd /C calc!A0," in text and ",\"'=HYPERLINK" in text
    assert ",+3225550101," in text  # a phone number stays as it is
    sheet = load_workbook(io.BytesIO(report_exports.as_xlsx(report))).active
    values = [c.value for row in sheet.iter_rows(min_row=2) for c in row]
    assert "=cmd /C calc!A0" in values
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)


def test_a_range_of_intervals_is_at_most_a_month():
    from callfloor.errors import DomainError

    assert reports.ReportRange.parse(start="2026-03-01", end="2026-03-31", grain="15").grain == "15"
    with pytest.raises(DomainError) as error:
        reports.ReportRange.parse(start="2026-03-01", end="2026-04-01", grain="15")
    assert error.value.field == "grain"
    assert (
        reports.ReportRange.parse(start="2026-01-01", end="2026-12-31", grain="month").grain
        == "month"
    )


def test_other_apps_add_agent_columns_through_the_hook(cast, source):
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.ingest(source)

    def qa_average(*, agents, start, end):
        return {agent.pk: {"qa_average": 0.9} for agent in agents}

    column = reports.Column("qa_average", "QA average", "ratio")
    agent_reports.register_agent_report_hook([column], qa_average)
    try:
        report = agent_reports.team_report(
            team=cast.billing, span=reports.ReportRange(date(2026, 3, 2), date(2026, 3, 2))
        )
    finally:
        agent_reports.AGENT_REPORT_HOOKS.pop()
    assert report.columns[-1] == column
    ann = next(r for r in report.rows if r["label"] == "Ann Agent")
    assert ann["qa_average"] == 0.9
    assert "QA average" in report_exports.as_csv(report).decode()


def test_the_hourly_task_rebuilds_todays_repeat_call_facts(cast, source):
    from datetime import UTC, datetime, timedelta

    from metrics.reports.tasks import refresh_call_facts

    log = Log(datetime.now(UTC).replace(minute=0, second=0, microsecond=0) - timedelta(hours=1))
    log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5557000", gap=60)
    log.answered(queue="sales", ext="2004", wait=5, talk=60, caller="5557000", gap=60)
    log.ingest(source)
    today = datetime.now(UTC).date()
    span = reports.ReportRange(today - timedelta(days=1), today)
    before = reports.queue_report(queues=Queue.objects.all(), span=span).rows[-1]
    assert before["answered"] == 2 and before["repeat_rate"] is None
    assert refresh_call_facts() >= 2
    after = reports.queue_report(queues=Queue.objects.all(), span=span).rows[-1]
    assert after["repeat_rate"] == 0.5


def test_admins_manage_summary_recipients_and_surveys_in_the_admin(cast):
    from django.test import Client

    client = Client()
    client.force_login(cast.ada)
    assert client.get("/admin/metrics/summaryrecipient/add/").status_code == 200
    assert client.get("/admin/metrics/surveyresult/").status_code == 200
