"""Seed a demo floor: three teams, about forty agents with aliases, one user per role."""

import os

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db import transaction

from agents import demo, services
from agents.models import Agent, Team
from agents.roles import Role

DEFAULT_PASSWORD = "callfloor-demo"

ROLE_USERS = [
    ("supervisor", [Role.SUPERVISOR]),
    ("teamlead", [Role.TEAM_LEAD]),
    # The second lead takes the handover of seed_scheduling_demo and leads Cards.
    ("teamlead2", [Role.TEAM_LEAD]),
    ("qa", [Role.QA_ANALYST]),
    # The second analyst evaluates the featured call of seed_quality_demo.
    ("qa2", [Role.QA_ANALYST]),
    ("admin", [Role.ADMIN]),
]
# Agents who can log in: the first two of Billing (agents 0 and 3 of the round robin), so a
# shift swap can be asked by one and accepted by the other.
AGENT_USERS = {0: "agent", 3: "agent2"}


def demo_users() -> list[tuple[str, str]]:
    """Every demo user who can log in, with what they are (in the order to try them)."""
    from agents.models import Agent

    people = demo.text()["people"]
    users = [(username, people[username]) for username, _roles in ROLE_USERS]
    for username in AGENT_USERS.values():
        agent = Agent.objects.filter(user__username=username).select_related("team").first()
        if agent is not None:
            team = agent.team.name if agent.team else "no team"
            users.append((username, f"{agent.display_name}, agent in {team}"))
    return users


class Command(BaseCommand):
    help = "Create the demo floor (safe to run again: existing rows are kept)."

    def add_arguments(self, parser):
        parser.add_argument("--agents", type=int, default=40)
        parser.add_argument(
            "--users", action="store_true", help="only print the demo users and their password"
        )

    def handle(self, *args, agents: int, users: bool, **options):
        password = os.environ.get("CALLFLOOR_DEMO_PASSWORD") or DEFAULT_PASSWORD
        if not users:
            self._seed(password, agents)
        self._print_users(password)

    def _print_users(self, password: str) -> None:
        port = os.environ.get("PORT") or "8000"
        self.stdout.write(f"Log in at http://127.0.0.1:{port}/accounts/login/ as any of:")
        for username, what in demo_users():
            self.stdout.write(f"  {username:<11} password: {password}   {what}")

    @transaction.atomic
    def _seed(self, password: str, agents: int) -> None:
        words = demo.text()
        User = get_user_model()
        users = {}
        for username, roles in ROLE_USERS:
            name = words["people"][username]
            user = User.objects.filter(username=username).first()
            if user is None:
                first, _, last = name.partition(" ")
                user = services.user_create(
                    username=username,
                    password=password,
                    roles=roles,
                    first_name=first,
                    last_name=last,
                )
            users[username] = user

        teams = []
        for index, name in enumerate(words["teams"]):
            team = Team.objects.filter(name=name).first() or services.team_create(name=name)
            if index == 0 and team.lead_id is None:
                team.lead = users["teamlead"]
                team.save(update_fields=["lead"])
            teams.append(team)

        # The demo user "agent" is the first agent of the first team.
        created = 0
        for n in range(agents):
            extension = 2001 + n
            number = f"E{extension}"
            if Agent.objects.filter(employee_number=number).exists():
                continue
            username = AGENT_USERS.get(n, f"agent{extension}")
            first, last = words["first"], words["last"]
            display = demo.display_name(first[n % len(first)], last[(n * 7) % len(last)])
            services.agent_create(
                username=username,
                display_name=display,
                employee_number=number,
                team=teams[n % len(teams)],
                password=password if n in AGENT_USERS else None,
                aliases=[
                    f"Local/{extension}@from-internal/n",
                    f"PJSIP/{extension}",
                    f"Agent/{extension}",
                ],
            )
            created += 1

        # The queues of the demo floor (the telephony simulator calls into these).
        from metrics.models import Queue

        # Each team works the queue of its name (its lead's board shows that queue).
        for team in teams:
            queue, _ = Queue.objects.get_or_create(
                name=team.name.lower(), defaults={"site": "main"}
            )
            queue.teams.add(team)

        self.stdout.write(
            self.style.SUCCESS(
                f"Demo floor ready: {Team.objects.count()} teams, {Agent.objects.count()} agents "
                f"({created} new)."
            )
        )
