"""`bench_reports`: time the reports for a month of a large centre, read from the rollups.

Fills an empty database with the rollups that ingestion would have written for a month of
queue calls (per queue interval, per agent day, agent states and call facts; no raw calls,
since reports never read them), then times each report. Run it through
`make bench-reports`, which starts a throwaway PostgreSQL.
"""

from __future__ import annotations

import csv
import random
import statistics
import time
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from tqdm import tqdm

from metrics import formulas
from metrics.reports import agents as agent_reports
from metrics.reports import exports as report_exports
from metrics.reports import history

SLOTS = 96  # 15-minute intervals of a day


def arrival_shape(path: Path | None) -> list[float]:
    """Share of a day's calls in each 15-minute slot (from a 5-minute arrivals CSV)."""
    totals = [0.0] * SLOTS
    if path is not None and path.is_file():
        with path.open() as handle:
            for row in csv.DictReader(handle):
                moment = datetime.fromisoformat(row["DateTime"].replace("Z", "+00:00"))
                totals[(moment.hour * 60 + moment.minute) // 15] += float(row["Calls"])
    if not any(totals):  # a working day from 07:00 to 21:00 with a late-morning peak
        totals = [
            max(0.0, 1 - abs(slot - 44) / 28) if 28 <= slot < 84 else 0.0 for slot in range(SLOTS)
        ]
    whole = sum(totals)
    return [t / whole for t in totals]


def interval_tally(calls: int, rng: random.Random) -> dict:
    """Plausible counters of `calls` queue calls (consistent: classes add up to outcomes)."""
    abandoned = round(calls * rng.uniform(0.04, 0.12))
    timed_out = round(calls * rng.uniform(0.0, 0.01))
    answered = max(0, calls - abandoned - timed_out)
    short = round(abandoned * 0.3)
    a_in = round(answered * rng.uniform(0.7, 0.92))
    b_in = round((abandoned - short) * 0.5)
    aht_n = answered
    return {
        "offered": calls,
        "answered": answered,
        "abandoned": abandoned,
        "short_abandoned": short,
        "timed_out": timed_out,
        "transferred": round(answered * 0.05),
        "a_in": a_in,
        "a_out": answered - a_in,
        "b_in": b_in,
        "b_out": abandoned - short - b_in,
        "x_in": 0,
        "x_out": timed_out,
        "answered_wait_sum": answered * rng.uniform(8, 25),
        "abandon_wait_sum": (abandoned - short) * rng.uniform(20, 60),
        "aht_n": aht_n,
        "talk_sum": aht_n * rng.uniform(180, 260),
        "hold_sum": aht_n * rng.uniform(10, 30),
        "acw_sum": aht_n * rng.uniform(20, 40),
        "ring_known_n": answered,
        "ring_fast_n": round(answered * 0.9),
        "max_wait_s": rng.uniform(60, 300) if calls else 0.0,
    }


class Command(BaseCommand):
    help = "Time the reports for a month of a 1,000-agent centre from stored rollups."

    def add_arguments(self, parser):
        parser.add_argument("--agents", type=int, default=1000)
        parser.add_argument("--queues", type=int, default=20)
        parser.add_argument("--days", type=int, default=30)
        parser.add_argument("--calls", type=int, default=3_000_000, help="in the month")
        parser.add_argument("--repeat", type=int, default=3, help="runs per report (median)")
        parser.add_argument("--arrivals", default="../shared/data/arrivals/bank-calls-2003.csv")
        parser.add_argument("--migrate", action="store_true", help="migrate the database first")

    def handle(self, *args, **options):
        if options["migrate"]:
            call_command("migrate", verbosity=0)
        from metrics.models import Queue

        if Queue.objects.exists():
            raise CommandError("bench_reports needs an empty database (it fills one)")
        started = time.perf_counter()
        first = date(2026, 3, 1)
        team, agent = self.fill(options, first)
        self.stdout.write(f"filled in {time.perf_counter() - started:.1f} s")
        last = first + timedelta(days=options["days"] - 1)
        month = history.ReportRange(first, last, "day")
        queue = Queue.objects.order_by("name").first()
        cases = [
            (
                "queue report, all queues, month by day",
                lambda: history.queue_report(queues=Queue.objects.all(), span=month),
            ),
            (
                "queue report, one queue, month by 15 min",
                lambda: history.queue_report(
                    queues=[queue], span=history.ReportRange(first, last, "15")
                ),
            ),
            ("site summary, month", lambda: agent_reports.site_report(span=month)),
            (
                "abandon heat map, all queues, month",
                lambda: history.abandon_heatmap(queues=Queue.objects.all(), span=month),
            ),
            (
                f"team report ({team.agents.count()} agents), month",
                lambda: agent_reports.team_report(team=team, span=month),
            ),
            (
                "agent report, month by day",
                lambda: agent_reports.agent_report(agent=agent, span=month),
            ),
            (
                "XLSX of the all-queue month by day",
                lambda: report_exports.as_xlsx(
                    history.queue_report(queues=Queue.objects.all(), span=month)
                ),
            ),
        ]
        offered = history.queue_report(queues=Queue.objects.all(), span=month).rows[-1]
        self.stdout.write(
            f"month: {offered['offered']:,} queue calls offered, "
            f"{options['agents']} agents, {options['queues']} queues"
        )
        self.stdout.write("| report | median of runs (s) | slowest (s) |")
        self.stdout.write("|---|---|---|")
        for name, run in cases:
            times = []
            for _ in range(options["repeat"]):
                tick = time.perf_counter()
                run()
                times.append(time.perf_counter() - tick)
            self.stdout.write(f"| {name} | {statistics.median(times):.2f} | {max(times):.2f} |")

    @transaction.atomic
    def fill(self, options, first: date):
        from django.contrib.auth import get_user_model

        from agents.models import Agent, Team
        from metrics.models import (
            AgentDay,
            AgentState,
            CallFactsInterval,
            Queue,
            QueueInterval,
            TelephonySource,
        )

        rng = random.Random(2026)
        shape = arrival_shape(Path(options["arrivals"]))
        days, n_agents = options["days"], options["agents"]
        per_day = options["calls"] / days
        source = TelephonySource.objects.create(name="bench", kind="simulator")
        queues = Queue.objects.bulk_create(
            [Queue(name=f"Q{n:02d}") for n in range(options["queues"])]
        )
        weights = [rng.uniform(0.5, 1.5) for _ in queues]
        weights = [w / sum(weights) for w in weights]
        users = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"agent{n:04d}") for n in range(n_agents)]
        )
        teams = Team.objects.bulk_create(
            [Team(name=f"Team {n:02d}") for n in range((n_agents + 19) // 20)]
        )
        agents = Agent.objects.bulk_create(
            [
                Agent(
                    user=user,
                    employee_number=f"B{n:05d}",
                    display_name=f"Agent {n:04d}",
                    team=teams[n // 20],
                )
                for n, user in enumerate(users)
            ]
        )

        intervals, facts, answered_by_day = [], [], defaultdict(int)
        for d in tqdm(range(days), desc="queue intervals", disable=None):
            midnight = datetime.combine(first + timedelta(days=d), datetime.min.time(), UTC)
            for queue, weight in zip(queues, weights, strict=True):
                for slot in range(SLOTS):
                    calls = round(per_day * weight * shape[slot] * rng.uniform(0.9, 1.1))
                    if not calls:
                        continue
                    start = midnight + timedelta(minutes=15 * slot)
                    tally = interval_tally(calls, rng)
                    answered_by_day[d] += tally["answered"]
                    intervals.append(
                        QueueInterval(
                            queue=queue, start=start, hold_known=True, acw_known=True, **tally
                        )
                    )
                    known = tally["answered"]
                    repeats = round(known * 0.12)
                    surveys = round(known * 0.2)
                    facts.append(
                        CallFactsInterval(
                            queue=queue,
                            start=start,
                            repeat_known_n=known,
                            repeat_n=repeats,
                            survey_n=surveys,
                            survey_score_sum=surveys * 4.1,
                            survey_top_n=round(surveys * 0.78),
                            fcr_n=known,
                            fcr_yes_n=known - repeats,
                        )
                    )
        QueueInterval.objects.bulk_create(intervals, batch_size=5000)
        CallFactsInterval.objects.bulk_create(facts, batch_size=5000)

        days_rows, agent_facts, states = [], [], []
        fields = [
            f
            for f in formulas.SUM_FIELDS
            if f in ("answered", "transferred", "aht_n", "ring_known_n", "ring_fast_n")
        ]
        for d in tqdm(range(days), desc="agent days", disable=None):
            midnight = datetime.combine(first + timedelta(days=d), datetime.min.time(), UTC)
            share = answered_by_day[d] / n_agents
            for agent in agents:
                handled = max(0, round(share * rng.uniform(0.7, 1.3)))
                row = {f: handled for f in fields}
                days_rows.append(
                    AgentDay(
                        source=source,
                        member=f"PJSIP/{agent.pk}",
                        agent=agent,
                        day=midnight.date(),
                        talk_sum=handled * rng.uniform(180, 260),
                        hold_sum=handled * 20.0,
                        acw_sum=handled * 30.0,
                        missed_rings=rng.randint(0, 6),
                        **row,
                    )
                )
                agent_facts.append(
                    CallFactsInterval(
                        agent=agent,
                        start=midnight,
                        repeat_known_n=handled,
                        repeat_n=round(handled * 0.12),
                        survey_n=round(handled * 0.2),
                        survey_score_sum=round(handled * 0.2) * 4.1,
                        fcr_n=handled,
                        fcr_yes_n=handled - round(handled * 0.12),
                    )
                )
                # A shift of alternating states from 08:00 (about 40 state changes).
                moment = midnight + timedelta(hours=8)
                for k in range(40):
                    length = timedelta(seconds=rng.uniform(300, 1000))
                    status, activity, reason = (
                        ("available", ("on_call", "idle", "wrap_up")[k % 3], "")
                        if k % 10
                        else ("not_ready", "idle", ("Break", "Lunch", "Training")[k % 3])
                    )
                    states.append(
                        AgentState(
                            source=source,
                            member=f"PJSIP/{agent.pk}",
                            agent=agent,
                            status=status,
                            activity=activity,
                            reason=reason,
                            started_at=moment,
                            ended_at=moment + length,
                        )
                    )
                    moment += length
            if len(states) > 200_000:
                AgentState.objects.bulk_create(states, batch_size=10_000)
                states = []
        AgentState.objects.bulk_create(states, batch_size=10_000)
        AgentDay.objects.bulk_create(days_rows, batch_size=5000)
        CallFactsInterval.objects.bulk_create(agent_facts, batch_size=5000)
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
        return teams[0], agents[0]
