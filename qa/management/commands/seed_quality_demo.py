"""Seed demo quality data on top of `seed_demo`: a scorecard, sampled and evaluated calls,
an appeal waiting for the team lead, next week's sampling rule and a featured great call."""

import os
import random
from datetime import time, timedelta
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from agents import demo
from agents import services as agent_services
from agents.roles import Role
from metrics.models import Outcome, Queue, QueueCall, TelephonySource
from metrics.recordings.demo import demo_recordings_seed
from qa import sampling, services
from qa.models import SampledCall, SamplingRule, Scorecard
from qa.moments.services import moment_pin
from qa.rotation import demo as rotation_demo


def _sections(words: dict) -> list[dict]:
    """The demo scorecard's sections (criteria without the demo's own `key`)."""
    return [
        {
            **section,
            "criteria": [{k: v for k, v in c.items() if k != "key"} for c in section["criteria"]],
        }
        for section in words["sections"]
    ]


def _title(words: dict, key: str) -> str:
    return next(
        c["title"] for section in words["sections"] for c in section["criteria"] if c["key"] == key
    )


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
        words = demo.text()
        if Scorecard.objects.filter(name=words["scorecard"]).exists():
            self.stdout.write("Quality demo data is there already.")
            return
        password = os.environ.get("CALLFLOOR_DEMO_PASSWORD") or "callfloor-demo"
        evaluator = User.objects.filter(username="qa2").first() or agent_services.user_create(
            username="qa2",
            password=password,
            roles=[Role.QA_ANALYST],
            first_name=words["people"]["qa2"].partition(" ")[0],
            last_name=words["people"]["qa2"].partition(" ")[2],
        )
        qa, agent = users["qa"], users["agent"].agent
        card = services.scorecard_create(
            name=words["scorecard"], actor=qa, sections=_sections(words)
        )
        version = services.scorecard_version_release(version=card.versions.get(), actor=qa)

        source, _ = TelephonySource.objects.get_or_create(
            name="demo-quality", defaults={"kind": "simulator"}
        )
        queue, _ = Queue.objects.get_or_create(name=words["teams"][0].lower())
        rng = random.Random(7)
        now = timezone.now()
        calls = []
        for n in range(24):
            offered = now - timedelta(days=1 + n % 7, hours=rng.randint(0, 8))
            talk = rng.randint(30, 420)
            call = QueueCall.objects.create(
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
            calls.append(call)
        # Synthetic recordings in a FreePBX-style directory, so that every call plays.
        demo_recordings_seed(
            source=source, calls=calls, directory=Path(settings.CALLFLOOR_RECORDINGS_DEMO_DIR)
        )

        today = services.local_today()
        # Last week's rule, as it was published before that week (demo history).
        past = services.sampling_rule_create(
            actor=qa,
            name=words["rule_last_week"],
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
        greeting_title = _title(words, "greeting")
        points = [
            {greeting_title: 0, _title(words, "empathy"): 2},
            {_title(words, "answer"): 3},
        ]
        for pick, deductions in zip(
            SampledCall.objects.filter(rule_id=past.pk, agent=agent), points, strict=False
        ):
            evaluation = services.evaluation_create(evaluator=evaluator, pick=pick)
            answers = {}
            for criterion in version.criteria():
                value = deductions.get(criterion.title, criterion.max_points)
                answers[str(criterion.pk)] = {
                    "points": value,
                    "comment": "" if value == criterion.max_points else words["deduction_comment"],
                }
            services.evaluation_set_answers(evaluation=evaluation, actor=evaluator, answers=answers)
            # The evaluator pins each deduction to a moment of the call (the demo recordings
            # are short: the first seconds).
            for offset, criterion in enumerate(
                c for c in version.criteria() if c.title in deductions
            ):
                moment_pin(
                    evaluation=evaluation,
                    actor=evaluator,
                    at_ms=2_000 + 2_000 * offset,
                    criterion_id=criterion.pk,
                )
            services.evaluation_release(evaluation=evaluation, actor=evaluator)
            if greeting_title in deductions:
                greeting = version.criteria().get(title=greeting_title)
                services.appeal_file(
                    evaluation=evaluation,
                    user=agent.user,
                    items=[
                        {
                            "criterion": greeting.pk,
                            "reason": words["appeal_reason"],
                            "moments": [{"at_ms": 3_000}],
                        }
                    ],
                )

        upcoming = services.sampling_rule_create(
            actor=qa,
            name=words["rule_next"],
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
            call=calls[3],
            anonymous=True,
            reason=words["great_call_reason"],
            highlight={"at_ms": 3_000},
        )
        services.great_call_feature(
            nomination=nomination, actor=users["supervisor"], note=words["great_call_note"]
        )
        rotation_demo.seed(
            agent=agent,
            lead=users["teamlead"],
            evaluator=evaluator,
            version=version,
            queue=queue,
            source=source,
        )
        self._complaints(words, users)
        from qa.coaching.demo import seed_coaching

        seed_coaching(
            lead=users["teamlead"],
            qa=qa,
            agent=agent,
            evaluation=agent.evaluations.filter(status="released").order_by("pk").first(),
        )
        from qa.quizzes import demo as quiz_demo

        quiz_demo.seed(qa=qa, agent=agent)
        self.stdout.write(
            self.style.SUCCESS(
                "Quality demo ready: scorecard, last week's sample and evaluations, an appeal for "
                "teamlead to screen, next week's rule, one featured great call, monthly tests "
                "(qa2 evaluates)."
            )
        )

    def _complaints(self, words: dict, users: dict) -> None:
        """The centre's own complaint categories, and a few cases in the demo's language."""
        from qa.complaints import services as complaint_services
        from qa.complaints.models import Category, RootCause

        for model, names in ((Category, words["categories"]), (RootCause, words["root_causes"])):
            for old, new in names.items():
                model.objects.filter(name=old).exclude(name=new).update(name=new)
        for case in words["complaints"]:
            category, _created = Category.objects.get_or_create(
                name=words["categories"].get(case["category"], case["category"])
            )
            complaint_services.complaint_create(
                actor=users["agent"],
                customer_name=case["customer_name"],
                customer_contact=case["customer_contact"],
                category=category,
                description=case["description"],
                severity=case["severity"],
            )
