"""Seed demo schedules on top of `seed_demo`: skills, shifts from today to the end of next week
(five days a week, the floor open every day), a handover and some leave requests."""

import os
from datetime import datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents import demo as demo_words
from agents import services as agent_services
from agents.models import Agent, Team
from agents.roles import Role
from callfloor.zone import site_zone
from metrics.models import Queue
from scheduling import demo, services
from scheduling.models import Handover, Shift, Skill

DEFAULT_PASSWORD = "callfloor-demo"  # demo only; CALLFLOOR_DEMO_PASSWORD overrides


class Command(BaseCommand):
    help = (
        "Add demo skills, shifts (this week published, next week draft), a handover and leave "
        "requests."
    )

    @transaction.atomic
    def handle(self, *args, **options):
        teams = list(Team.objects.order_by("name"))
        if not teams:
            raise CommandError("Run seed_demo first: there are no teams.")
        zone = site_zone()
        today = timezone.localdate(timezone=zone)
        monday = today - timedelta(days=today.weekday())
        # From today to the end of next week; the weeks before are seed_floor_history's.
        days = [
            today + timedelta(days=n) for n in range((monday + timedelta(days=14) - today).days)
        ]
        position = {
            pk: n
            for n, pk in enumerate(
                Agent.objects.filter(active=True).order_by("pk").values_list("pk", flat=True)
            )
        }
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
                    agent=agent, start__gte=datetime.combine(today, time(0), tzinfo=zone)
                ).exists():
                    continue
                for day in days:
                    begin = demo.demo_shift_start(position[agent.pk], day)
                    if begin is None:
                        continue
                    start = datetime.combine(day, begin, tzinfo=zone)
                    services.shift_create(
                        agent=agent,
                        start=start,
                        end=start + timedelta(hours=demo.SHIFT_HOURS),
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
            # This week is published; next week is a draft for the team lead to publish.
            Shift.objects.filter(
                agent__team=team,
                published_at__isnull=True,
                start__lt=datetime.combine(monday + timedelta(days=7), time(0), tzinfo=zone),
            ).update(published_at=timezone.now())
        self._handover(teams)
        self._leave(today)
        from scheduling.training.demo import seed_training

        self.stdout.write(seed_training(teams))
        self.stdout.write(
            self.style.SUCCESS(
                f"Scheduling demo ready: {created} new shifts; next week is a draft to publish."
            )
        )

    def _leave(self, today) -> None:
        """A few leave requests for the Leave page: one to decide per team, one approved, one
        refused."""
        from django.contrib.auth import get_user_model

        from scheduling.models import LeaveRequest

        if LeaveRequest.objects.exists():
            return
        supervisor = (
            get_user_model().objects.filter(groups__name=Role.SUPERVISOR).order_by("pk").first()
        )
        words = demo.leave_words()
        for number, team in enumerate(Team.objects.order_by("name")):
            agents = list(team.agents.filter(active=True).order_by("pk")[:3])
            for offset, agent in enumerate(agents):
                first = today + timedelta(days=9 + 4 * number + 2 * offset)
                leave = services.leave_request(
                    agent=agent,
                    first_day=first,
                    last_day=first + timedelta(days=offset),
                    kind=("annual", "personal", "training")[offset],
                    reason=words["reasons"][offset],
                    today=today,
                )
                decider = team.lead or supervisor
                if offset == 1 and decider is not None:
                    services.leave_decide(leave=leave, actor=decider, approve=True, today=today)
                elif offset == 2 and decider is not None:
                    services.leave_decide(
                        leave=leave,
                        actor=decider,
                        approve=False,
                        reason=words["refusal"],
                        today=today,
                    )

    def _handover(self, teams) -> None:
        from django.contrib.auth import get_user_model

        User = get_user_model()
        words = demo_words.text()
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
