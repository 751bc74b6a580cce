"""Seed the demo's emergency plans on top of `seed_demo`: a flood of calls on the first team's
queue (two agents of the next team join it), a CRM or network failure, and a drill of the
failure plan held three weeks ago (ticked, attended and closed with its after-action note)."""

from contextlib import contextmanager
from datetime import timedelta
from unittest import mock

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents.models import Team
from agents.roles import Role
from metrics.emergency import demo, services
from metrics.emergency.models import EmergencyPlan
from metrics.models import Queue


@contextmanager
def as_of(moment):
    """Run the services as at `moment` (the past drill's rows and timeline keep its times)."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


class Command(BaseCommand):
    help = "Add two demo emergency plans and one past drill (safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        users = {u.username: u for u in get_user_model().objects.filter(is_active=True)}
        teams = list(Team.objects.order_by("pk"))
        if "supervisor" not in users or len(teams) < 2:
            raise CommandError("Run seed_demo first: there is no demo floor.")
        words = demo.text()
        supervisor = users["supervisor"]
        flooded = Queue.objects.filter(name=teams[0].name.lower()).first()
        if flooded is None:
            raise CommandError("Run seed_demo first: the demo queues are missing.")

        def roles(rows):
            return [
                {"duty": duty, "person": users.get(who[1:])}
                if who.startswith("@")
                else {"duty": duty, "role": who if who in Role.values else ""}
                for who, duty in rows
            ]

        flood = words["flood"]
        title = flood["title"].format(queue=flooded.name)
        if not EmergencyPlan.objects.filter(title=title).exists():
            helpers = list(teams[1].agents.filter(active=True).order_by("pk")[:2])
            services.emergency_plan_save(
                actor=supervisor,
                title=title,
                trigger="call_flood",
                when=flood["when"].format(queue=flooded.name),
                broadcast_text=flood["broadcast"].format(queue=flooded.name),
                teams=teams[:2],
                roles=roles(flood["roles"]),
                steps=[
                    {"text": flood["steps"][0]},
                    *[
                        {"text": "", "agent": agent, "queue": flooded, "move": "add"}
                        for agent in helpers
                    ],
                    *[{"text": step} for step in flood["steps"][1:]],
                ],
            )

        outage = words["outage"]
        plan = EmergencyPlan.objects.filter(title=outage["title"]).first()
        if plan is None:
            plan = services.emergency_plan_save(
                actor=supervisor,
                title=outage["title"],
                trigger="system_failure",
                when=outage["when"],
                broadcast_text=outage["broadcast"],
                roles=roles(outage["roles"]),
                steps=[{"text": step} for step in outage["steps"]],
            )
            self._past_drill(plan, users, outage["drill_note"])
        self.stdout.write(self.style.SUCCESS("Demo emergency plans ready."))

    def _past_drill(self, plan, users, note) -> None:
        start = timezone.now().replace(hour=9, minute=30, second=0, microsecond=0) - timedelta(
            days=21
        )
        supervisor, lead = users["supervisor"], users.get("teamlead", users["supervisor"])
        with as_of(start - timedelta(days=7)):
            drill = services.drill_schedule(actor=supervisor, plan=plan, scheduled_for=start)
        with as_of(start):
            services.drill_start(actor=supervisor, activation=drill)
        # Minutes after the start at which each step was ticked, and by whom.
        ticks = [(2, supervisor), (4, lead), (10, supervisor), (12, lead), (25, lead)]
        for step, (minutes, who) in zip(drill.steps.order_by("position"), ticks, strict=False):
            with as_of(start + timedelta(minutes=minutes, seconds=17)):
                services.activation_step_tick(actor=who, step=step)
        with as_of(start + timedelta(minutes=26)):
            for username in ("agent", "agent2", "qa"):
                if username in users:
                    services.drill_attendance_mark(
                        actor=supervisor, activation=drill, person=users[username]
                    )
        with as_of(start + timedelta(minutes=31)):
            services.activation_close(actor=supervisor, activation=drill, note=note)
