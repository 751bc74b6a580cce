"""The scheduling demo seed runs on top of the demo floor, and twice without harm."""

import pytest
from django.core.management import call_command

from scheduling.models import Handover, LeaveRequest, LeaveStatus, Shift, Skill

pytestmark = pytest.mark.django_db


def test_the_demo_seed_adds_shifts_skills_and_a_handover_once():
    call_command("seed_demo", agents=6, verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    shifts = Shift.objects.count()
    assert shifts > 0 and Skill.objects.count() == 6
    assert Shift.objects.filter(published_at__isnull=True).exists()
    handover = Handover.objects.get()
    assert handover.cases.count() == 2 and handover.to_lead.username == "teamlead2"
    call_command("seed_scheduling_demo", verbosity=0)
    assert Shift.objects.count() == shifts and Handover.objects.count() == 1


def test_the_demo_schedules_every_agent_five_days_a_week_and_staffs_every_day():
    from datetime import timedelta

    from django.utils import timezone

    from agents.models import Team
    from callfloor.zone import site_zone
    from scheduling import selectors

    call_command("seed_demo", agents=9, verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    zone = site_zone()
    today = timezone.localdate(timezone=zone)
    week = [today + timedelta(days=n) for n in range(7)]
    worked: dict[int, int] = {}
    for shift in Shift.objects.filter(start__date__gte=today):
        day = timezone.localtime(shift.start, zone).date()
        if day in week:
            worked[shift.agent_id] = worked.get(shift.agent_id, 0) + 1
    assert sorted(set(worked.values())) == [5] and len(worked) == 9
    # Every team has agents on shift on each of the seven days (the floor never closes) …
    for team in Team.objects.all():
        for day in week:
            sheet = selectors.attendance_day(team=team, day=day)
            scheduled = [r for r in sheet["rows"] if r["shift"] is not None]
            assert scheduled, (team.name, day)
            # … so the attendance sheet speaks of them against a shift, never "not scheduled".
            assert {r["attendance"].status for r in scheduled} <= {"scheduled", "absent"}
    # Some leave to decide on the Leave page, and some decided.
    assert LeaveRequest.objects.filter(status=LeaveStatus.REQUESTED).exists()
    assert LeaveRequest.objects.exclude(status=LeaveStatus.REQUESTED).exists()


def test_the_demo_history_shows_late_early_leave_absence_and_adherence_per_agent_and_day():
    from datetime import timedelta

    from django.utils import timezone

    from agents.models import Team
    from callfloor.zone import site_zone
    from scheduling import selectors

    call_command("seed_demo", agents=30, verbosity=0)
    call_command("seed_scheduling_demo", verbosity=0)
    call_command("seed_floor_history", "--weeks", "1", verbosity=0)
    today = timezone.localdate(timezone=site_zone())
    records, adherence = [], []
    for team in Team.objects.all():
        for back in range(1, 8):
            for row in selectors.attendance_day(team=team, day=today - timedelta(days=back))[
                "rows"
            ]:
                records.append(row["attendance"])
                if row["adherence"] is not None:
                    adherence.append(row["adherence"].ratio)
    statuses = {r.status for r in records}
    assert "unscheduled" not in statuses and {"present", "off"} <= statuses
    assert any(r.late for r in records) and any(r.early_leave for r in records)
    assert any(r.status == "absent" for r in records)
    assert adherence and 0.8 < sum(adherence) / len(adherence) <= 1
