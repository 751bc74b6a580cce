"""Seed demo quality data on top of `seed_demo`: a scorecard, sampled and evaluated calls,
an appeal waiting for the team lead, next week's sampling rule and a featured great call."""

import os
import random
from datetime import time, timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents import services as agent_services
from agents.roles import Role
from metrics.models import Outcome, Queue, QueueCall, TelephonySource
from qa import sampling, services
from qa.models import SampledCall, SamplingRule, Scorecard

SECTIONS = [
    {
        "title": "Opening",
        "weight": 1,
        "criteria": [
            {
                "title": "Greeting",
                "max_points": 2,
                "guidance": "Company name and own name within the first five seconds.",
            },
            {
                "title": "Identification",
                "max_points": 2,
                "critical": "section",
                "guidance": "Two security questions before any account detail.",
            },
        ],
    },
    {
        "title": "Resolution",
        "weight": 2,
        "criteria": [
            {
                "title": "Correct answer",
                "kind": "scale",
                "max_points": 5,
                "guidance": "5: complete and correct; 3: correct but incomplete; 0: wrong.",
            },
            {"title": "Empathy", "kind": "scale", "max_points": 3},
            {
                "title": "Compliance notice",
                "max_points": 1,
                "critical": "evaluation",
                "allow_na": False,
                "guidance": "The recording notice is read before the call ends.",
            },
        ],
    },
    {
        "title": "Closing",
        "weight": 1,
        "criteria": [
            {"title": "Summary", "max_points": 2},
            {"title": "Further help offered", "max_points": 1},
        ],
    },
]


class Command(BaseCommand):
    help = "Add demo quality data (run seed_demo first; safe to run again)."

    @transaction.atomic
    def handle(self, *args, **options):
        User = get_user_model()
        users = {
            u.username: u
            for u in User.objects.filter(username__in=["qa", "teamlead", "supervisor", "agent"])
        }
        if len(users) < 4 or not hasattr(users["agent"], "agent"):
            raise CommandError("Run `manage.py seed_demo` first.")
        if Scorecard.objects.filter(name="Service call").exists():
            self.stdout.write("Quality demo data is there already.")
            return
        password = os.environ.get("CALLFLOOR_DEMO_PASSWORD") or "callfloor-demo"
        evaluator = User.objects.filter(username="qa2").first() or agent_services.user_create(
            username="qa2",
            password=password,
            roles=[Role.QA_ANALYST],
            first_name="Quentin",
            last_name="Second",
        )
        qa, agent = users["qa"], users["agent"].agent
        card = services.scorecard_create(name="Service call", actor=qa, sections=SECTIONS)
        version = services.scorecard_version_release(version=card.versions.get(), actor=qa)

        source, _ = TelephonySource.objects.get_or_create(
            name="demo-quality", defaults={"kind": "simulator"}
        )
        queue, _ = Queue.objects.get_or_create(name="billing")
        rng = random.Random(7)
        now = timezone.now()
        for n in range(24):
            offered = now - timedelta(days=1 + n % 7, hours=rng.randint(0, 8))
            talk = rng.randint(30, 420)
            QueueCall.objects.create(
                source=source,
                call_id=f"demo-{n}",
                queue=queue,
                offered_at=offered,
                outcome=Outcome.ANSWERED,
                wait_s=rng.randint(2, 60),
                agent=agent,
                answered_at=offered + timedelta(seconds=10),
                talk_s=talk,
                ended_at=offered + timedelta(seconds=10 + talk),
                recording_id=f"REC-{9000 + n}",
            )

        today = services.local_today()
        # Last week's rule, as it was published before that week (demo history).
        past = services.sampling_rule_create(
            actor=qa,
            name="Billing, last week",
            team=agent.team,
            scorecard_version=version,
            queues=[queue],
            calls_per_agent=2,
            min_talk_s=60,
            period_start=today + timedelta(days=1),
            period_end=today + timedelta(days=7),
        )
        SamplingRule.objects.filter(pk=past.pk).update(
            period_start=today - timedelta(days=7), period_end=today - timedelta(days=1)
        )
        past.refresh_from_db()
        SamplingRule.objects.filter(pk=past.pk).update(
            status="published",
            published_at=now - timedelta(days=8),
            published_by=qa,
            definition_hash=sampling.definition_hash(
                past.published_spec(), past.definition_extra()
            ),
        )
        services.sampling_rule_draw(rule=SamplingRule.objects.get(pk=past.pk), actor=qa)
        points = [{"Greeting": 0, "Empathy": 2}, {"Correct answer": 3}]
        for pick, deductions in zip(
            SampledCall.objects.filter(rule_id=past.pk, agent=agent), points, strict=False
        ):
            evaluation = services.evaluation_create(evaluator=evaluator, pick=pick)
            answers = {}
            for criterion in version.criteria():
                value = deductions.get(criterion.title, criterion.max_points)
                answers[str(criterion.pk)] = {
                    "points": value,
                    "comment": "" if value == criterion.max_points else "See the recording.",
                }
            services.evaluation_set_answers(evaluation=evaluation, actor=evaluator, answers=answers)
            services.evaluation_release(evaluation=evaluation, actor=evaluator)
            if "Greeting" in deductions:
                greeting = version.criteria().get(title="Greeting")
                services.appeal_file(
                    evaluation=evaluation,
                    user=agent.user,
                    items=[
                        {
                            "criterion": greeting.pk,
                            "reason": "I gave the company name; the line was noisy at first.",
                        }
                    ],
                )

        upcoming = services.sampling_rule_create(
            actor=qa,
            name="Billing, second call after 11:00",
            team=agent.team,
            scorecard_version=version,
            queues=[queue],
            method="nth_after",
            calls_per_agent=0,
            nth=2,
            after=time(11, 0),
            min_talk_s=60,
            period_start=today + timedelta(days=1),
            period_end=today + timedelta(days=7),
        )
        services.sampling_rule_publish(rule=upcoming, actor=qa)
        nomination = services.great_call_nominate(
            user=agent.user,
            agent=agent,
            recording_id="REC-9003",
            anonymous=True,
            reason="Calmed a caller who had been cut off twice, and solved it in one call.",
        )
        services.great_call_feature(
            nomination=nomination, actor=users["supervisor"], note="Textbook de-escalation."
        )
        self.stdout.write(
            self.style.SUCCESS(
                "Quality demo ready: scorecard, last week's sample and evaluations, an appeal for "
                "teamlead to screen, next week's rule, one featured great call (qa2 evaluates)."
            )
        )
