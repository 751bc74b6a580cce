"""CALLFLOOR_LANGUAGE=zh-hans make demo seeds a Chinese floor; English stays the default."""

import re

import pytest
from django.core.management import call_command

from agents.models import Agent, Team
from metrics.models import Queue
from qa.complaints.models import Category, Complaint
from qa.models import Appeal, Evaluation, Scorecard
from scheduling.models import Handover

pytestmark = pytest.mark.django_db
HAN = re.compile(r"[\u4e00-\u9fff]")


def seed(monkeypatch):
    monkeypatch.setenv("CALLFLOOR_DEMO_PASSWORD", "demo-pass-123")
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_quality_demo", verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)


def test_the_chinese_demo_is_a_chinese_floor(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hans"
    seed(monkeypatch)
    assert list(Team.objects.values_list("name", flat=True)) == ["信用卡", "房贷", "账单"]
    assert set(Queue.objects.values_list("name", flat=True)) >= {"账单", "信用卡", "房贷"}
    names = list(Agent.objects.values_list("display_name", flat=True))
    assert len(names) == 6 and all(HAN.fullmatch(name[0]) and " " not in name for name in names)
    handover = Handover.objects.get()
    assert HAN.search(handover.summary) and HAN.search(handover.cases.first().pending)
    evaluation = Evaluation.objects.filter(answers__isnull=False).first()
    comments = [a.get("comment", "") for a in evaluation.answers.values() if a.get("comment")]
    assert comments and all(HAN.search(c) for c in comments)
    assert HAN.search(Appeal.objects.get().items.get().reason)
    assert Scorecard.objects.get().name == "服务来电"
    assert Complaint.objects.count() == 2
    assert all(HAN.search(c.description) for c in Complaint.objects.all())
    assert Category.objects.filter(name="账单与收费").exists()


def test_the_traditional_demo_writes_taiwan_and_hong_kong_characters(settings, monkeypatch):
    settings.LANGUAGE_CODE = "zh-hant"
    seed(monkeypatch)
    assert set(Team.objects.values_list("name", flat=True)) == {"帳單", "信用卡", "房貸"}
    assert "佇列" in Handover.objects.get().summary


def test_the_default_demo_stays_english(monkeypatch):
    seed(monkeypatch)
    assert set(Team.objects.values_list("name", flat=True)) == {"Billing", "Cards", "Mortgages"}
    assert not HAN.search(Handover.objects.get().summary)
    assert not Complaint.objects.exists()
