"""Seed demo schedules on top of `seed_demo`: skills, two weeks of shifts, a handover."""

import os
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents import demo
from agents import services as agent_services
from agents.models import Team
from agents.roles import Role
from callfloor.zone import site_zone
from metrics.models import Queue
from scheduling import services
from scheduling.models import Handover, Shift, Skill

DEFAULT_PASSWORD = "callfloor-demo"  # demo only; CALLFLOOR_DEMO_PASSWORD overrides


class Command(BaseCommand):
    help = "Add demo skills, shifts (this week published, next week draft) and a handover."

    @transaction.atomic
    def handle(self, *args, **options):
        teams = list(Team.objects.order_by("name"))
        if not teams:
            raise CommandError("Run seed_demo first: there are no teams.")
        zone = site_zone()
        monday = timezone.localdate(timezone=zone)
        monday -= timedelta(days=monday.weekday())
        created = 0
        for number, team in enumerate(teams):
            queue, _ = Queue.objects.get_or_create(name=team.name.lower())
            # Every fifth agent also works the next team's queue (they count in both tiles).
            also, _ = Queue.objects.get_or_create(
                name=teams[(number + 1) % len(teams)].name.lower()
            )
            for index, agent in enumerate(team.agents.filter(active=True).order_by("pk")):
                Skill.objects.get_or_create(agent=agent, queue=queue)
                if index % 5 == 4:
                    Skill.objects.get_or_create(agent=agent, queue=also)
                if Shift.objects.filter(
                    agent=agent, start__gte=datetime.combine(monday, time(0), tzinfo=zone)
                ).exists():
                    continue
                begin = time(7 + index % 3, 0)
                for offset in range(12):
                    day = monday + timedelta(days=offset)
                    if day.weekday() >= 5:
                        continue
                    start = datetime.combine(day, begin, tzinfo=zone)
                    services.shift_create(
                        agent=agent,
                        start=start,
                        end=start + timedelta(hours=8, minutes=30),
                        activities=[
                            services.ActivityInput(
                                "break",
                                start + timedelta(hours=2),
                                start + timedelta(hours=2, minutes=15),
                            ),
                            services.ActivityInput(
                                "lunch",
                                start + timedelta(hours=4),
                                start + timedelta(hours=4, minutes=30),
                            ),
                        ],
                    )
                    created += 1
            Shift.objects.filter(
                agent__team=team,
                published_at__isnull=True,
                start__lt=datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone),
            ).update(published_at=timezone.now())
        self._handover(teams)
        self.stdout.write(
            self.style.SUCCESS(
                f"Scheduling demo ready: {created} new shifts; next week is a draft to publish."
            )
        )

    def _handover(self, teams) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        words = demo.text()
        outgoing = User.objects.filter(groups__name=Role.TEAM_LEAD).order_by("pk").first()
        supervisor = User.objects.filter(groups__name=Role.SUPERVISOR).order_by("pk").first()
        if outgoing is None or supervisor is None or Handover.objects.exists():
            return
        incoming = User.objects.filter(username="teamlead2").first()
        if incoming is None:
            password = os.environ.get("CALLFLOOR_DEMO_PASSWORD") or DEFAULT_PASSWORD
            incoming = agent_services.user_create(
                username="teamlead2",
                password=password,
                roles=[Role.TEAM_LEAD],
                first_name=words["people"]["teamlead2"].partition(" ")[0],
                last_name=words["people"]["teamlead2"].partition(" ")[2],
            )
        second = next((t for t in teams if t.lead_id is None), None)
        if second is not None:
            second.lead = incoming
            second.save(update_fields=["lead"])
        first_agent = Team.objects.filter(lead=outgoing).first()
        source = first_agent.agents.first() if first_agent else None
        services.handover_create(
            author=outgoing,
            to_lead=incoming,
            supervisor=supervisor,
            shift_date=timezone.localdate(timezone=site_zone()),
            shift_name=words["shift_name"],
            summary=words["handover_summary"],
            incidents=words["handover_incidents"],
            notes=words["handover_notes"],
            cases=[
                {
                    "customer_ref": reference,
                    "severity": severity,
                    "source_agent": source,
                    **case,
                }
                for reference, severity, case in zip(
                    ["CUST-40213", "CUST-40877"],
                    ["high", "medium"],
                    words["handover_cases"],
                    strict=True,
                )
            ],
        )
        self.stdout.write("Handover from teamlead to teamlead2 (password as for seed_demo).")
