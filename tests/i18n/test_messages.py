"""Notifications and e-mails reach each person in the language they chose."""

import io
import re
from datetime import date

import pytest
from openpyxl import load_workbook

from agents import services as agent_services
from agents.models import Notification
from tests.metrics.reports.report_data import Log, day

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def test_an_inbox_notice_is_written_in_its_recipients_language(cast):
    from qa.complaints import services as complaints

    agent_services.user_language_set(user=cast.sam, language="zh-hans")
    agent_services.user_language_set(user=cast.tina, language="zh-hant")
    complaints.live_escalation_raise(actor=cast.ann, reason="客户要求主管")
    sam = Notification.objects.get(recipient=cast.sam).text
    tina = Notification.objects.filter(recipient=cast.tina).first()
    assert "客户要求主管接听" in sam
    if tina is not None:  # leads are told when their team is concerned
        assert "客戶要求主管接聽" in tina.text
    # Someone who chose no language reads the site's language.
    quinn_or_other = Notification.objects.exclude(recipient__in=[cast.sam, cast.tina]).first()
    if quinn_or_other is not None:
        assert "customer asks for a supervisor" in quinn_or_other.text


def test_the_notice_text_follows_each_recipient_not_the_sender(cast):
    agent_services.user_language_set(user=cast.sam, language="zh-hans")
    from django.utils.translation import gettext

    agent_services.notify(recipients=[cast.sam, cast.quinn], text=lambda: gettext("Appeal filed"))
    texts = dict(Notification.objects.values_list("recipient__username", "text"))
    assert texts == {"sam": "已提交申诉", "quinn": "Appeal filed"}


def test_the_daily_summary_goes_out_in_each_recipients_language(cast, mailoutbox):
    from metrics.models import SummaryRecipient
    from metrics.reports.tasks import send_daily_summary
    from metrics.telephony.services import source_create

    for user, email, language in (
        (cast.sam, "sam@example.com", "zh-hans"),
        (cast.tina, "tina@example.com", "zh-hant"),
        (cast.quinn, "quinn@example.com", ""),
    ):
        user.email = email
        user.save(update_fields=["email"])
        SummaryRecipient.objects.create(user=user)
        agent_services.user_language_set(user=user, language=language)
    log = Log(day(2026, 3, 2))
    log.answered(queue="sales", ext="2004", wait=5, talk=60)
    log.ingest(source_create(name="pbx-summary", kind="queue_log_file")[0])

    assert send_daily_summary(date(2026, 3, 2).isoformat()) == 3
    by_recipient = {tuple(m.to): m for m in mailoutbox}
    simplified = by_recipient[("sam@example.com",)]
    assert simplified.subject == "callfloor 每日汇总 2026-03-02"
    assert "站点汇总" in simplified.body and "呼入量: 1" in simplified.body
    book = load_workbook(io.BytesIO(simplified.attachments[0][1]))
    assert book.active.cell(row=1, column=1).value == "分组"  # the header row comes first
    assert book["说明"].cell(row=1, column=2).value == "站点汇总"  # the About sheet names it
    traditional = by_recipient[("tina@example.com",)]
    assert "站點彙總" in traditional.body
    english = by_recipient[("quinn@example.com",)]
    assert "Site summary" in english.body and not HAN.search(english.body)
