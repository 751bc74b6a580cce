"""Seed weeks of demo floor history: queue calls with their interval rollups, past published
shifts and the agents' logins, so that the forecast, "required now", the Staffing page, the
reports, attendance and adherence show real figures on a fresh demo.

The calls follow the simulator's arrival profile and load (`simulate_floor`), so today's live
arrivals match the forecast made from them. Rows go in with bulk inserts (a few seconds on
SQLite); running it again adds nothing once history exists.
"""

from __future__ import annotations

import math
import random
from collections import defaultdict
from datetime import UTC, datetime, time, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.utils import timezone

from agents.models import Agent
from callfloor.zone import site_zone
from metrics import formulas
from metrics.management.arguments import positive_float, positive_int
from metrics.management.commands.simulate_floor import AHT_S, DEFAULT_PROFILE, _shared
from metrics.models import (
    AgentState,
    AgentStatus,
    Outcome,
    Queue,
    QueueCall,
    QueueInterval,
    SourceKind,
    TelephonySource,
)
from metrics.telephony.simulator import rate_function, read_profile

SOURCE = "demo-history"
BATCH = 5000


class Command(BaseCommand):
    help = (
        "Seed weeks of demo history (calls, rollups, past shifts and logins) before today; "
        "run after seed_demo and seed_scheduling_demo."
    )

    def add_arguments(self, parser):
        parser.add_argument("--weeks", type=positive_int, default=5)
        parser.add_argument("--load", type=positive_float, default=0.65)
        parser.add_argument("--profile", help="five-minute arrival counts (CSV: DateTime,Calls)")
        parser.add_argument("--seed", type=int, default=7)

    def handle(self, *args, weeks: int, load: float, profile: str | None, seed: int, **opts):
        queues = list(Queue.objects.filter(site="main").order_by("pk"))
        agents = list(Agent.objects.filter(active=True).order_by("pk"))
        if not queues or not agents:
            raise CommandError("Run seed_demo and seed_scheduling_demo first.")
        source, created = TelephonySource.objects.get_or_create(
            name=SOURCE, defaults={"kind": SourceKind.SIMULATOR, "site": "main", "active": False}
        )
        if not created and QueueCall.objects.filter(source=source).exists():
            self.stdout.write("Floor history is there already.")
            return
        zone = site_zone()
        today = timezone.localdate(timezone=zone)
        first = today - timedelta(weeks=weeks)
        rng = random.Random(seed)
        rate = rate_function(
            read_profile(profile or _shared(DEFAULT_PROFILE)),
            agents=len(agents),
            aht_s=AHT_S,
            load=load,
        )
        with transaction.atomic():
            calls = self._calls(source, queues, agents, first, today, rate, rng, zone)
            shifts = self._shifts(source, agents, first, today, rng, zone)
        # The repeat-call counters' first run reads the last two days of calls: here, rather
        # than in the server's first floor refresh while the telephony posts its first events.
        from metrics.repeat_calls import repeat_calls_catch_up

        repeat_calls_catch_up()
        self.stdout.write(
            self.style.SUCCESS(
                f"Floor history: {calls} calls over {weeks} weeks, {shifts} past shifts worked."
            )
        )

    def _calls(self, source, queues, agents, first, today, rate, rng, zone) -> int:
        """Every queue's calls of each past day, from the arrival rate, with their rollups.

        Written as plain rows (`executemany`): a model instance per call would cost more than
        the rest of the demo's start."""
        share = 1 / len(queues)
        members = [(f"PJSIP/{2001 + n}", a.pk) for n, a in enumerate(agents)]
        start = datetime.combine(first, time(0), tzinfo=zone)
        end = datetime.combine(today, time(0), tzinfo=zone)
        tallies: dict[tuple[int, datetime], formulas.Tally] = defaultdict(formulas.Tally)
        adapt = connection.ops.adapt_datetimefield_value
        now = adapt(timezone.now())
        columns = (
            "source_id, call_id, queue_id, caller, offered_at, outcome, wait_s, member, "
            "agent_id, answered_at, ring_s, talk_s, hold_s, acw_s, ended_at, transferred, cut, "
            "recording_id, updated_at"
        )
        sql = (
            f"INSERT INTO {QueueCall._meta.db_table} ({columns}) "  # noqa: S608
            f"VALUES ({', '.join(['%s'] * 19)})"
        )
        rows: list[tuple] = []
        total = serial = 0
        moment = start
        with connection.cursor() as cursor:
            while moment < end:
                ts = moment.timestamp()
                for queue in queues:
                    length = queue.interval_minutes * 60
                    threshold, short = queue.sl_threshold_s, queue.short_abandon_s
                    for _ in range(_poisson(rng, rate(ts) * length * share)):
                        serial += 1
                        offered = ts + rng.uniform(0, length)
                        caller = f"+3225{rng.randrange(100000, 999999)}"
                        at = adapt(datetime.fromtimestamp(offered, UTC))
                        if rng.random() < 0.08:
                            wait = round(rng.uniform(1, 150), 3)
                            facts = formulas.CallFacts(
                                Outcome.ABANDONED, wait, None, None, None, None, False, False, False
                            )
                            rows.append(
                                (
                                    source.pk,
                                    f"hist.{serial}",
                                    queue.pk,
                                    caller,
                                    at,
                                    Outcome.ABANDONED,
                                    wait,
                                    "",
                                    None,
                                    None,
                                    None,
                                    None,
                                    None,
                                    None,
                                    None,
                                    False,
                                    False,
                                    "",
                                    now,
                                )
                            )
                        else:
                            wait = round(rng.expovariate(1 / 10), 3)
                            ring = round(rng.uniform(2, 8), 3)
                            talk = round(rng.lognormvariate(math.log(170), 0.5), 3)
                            acw = round(rng.expovariate(1 / 25), 3)
                            member, agent_id = members[rng.randrange(len(members))]
                            answered = offered + wait
                            facts = formulas.CallFacts(
                                Outcome.ANSWERED, wait, ring, talk, None, acw, True, False, False
                            )
                            rows.append(
                                (
                                    source.pk,
                                    f"hist.{serial}",
                                    queue.pk,
                                    caller,
                                    at,
                                    Outcome.ANSWERED,
                                    wait,
                                    member,
                                    agent_id,
                                    adapt(datetime.fromtimestamp(answered, UTC)),
                                    ring,
                                    talk,
                                    None,
                                    acw,
                                    adapt(datetime.fromtimestamp(answered + talk + acw, UTC)),
                                    False,
                                    False,
                                    "",
                                    now,
                                )
                            )
                        interval = formulas.interval_start(
                            offered, zone=zone, minutes=queue.interval_minutes
                        )
                        tallies[(queue.pk, interval)].add(
                            formulas.contribution(
                                facts,
                                threshold=threshold,
                                short_abandon=short,
                                fast_ring=queue.ring_fast_s,
                            )
                        )
                if len(rows) >= BATCH:
                    cursor.executemany(sql, rows)
                    total += len(rows)
                    rows = []
                moment += timedelta(minutes=15)
            cursor.executemany(sql, rows)
            total += len(rows)
        QueueInterval.objects.bulk_create(
            [
                QueueInterval(queue_id=pk, start=at, acw_known=True, **tally.as_dict())
                for (pk, at), tally in tallies.items()
                if tally.offered
            ],
            batch_size=BATCH,
            ignore_conflicts=True,
        )
        return total

    def _shifts(self, source, agents, first, today, rng, zone) -> int:
        """Published shifts of the days before today (the pattern seed_scheduling_demo plans
        from today on) and the agents' logins against them: most on time, some late, a few
        absent."""
        from scheduling.demo import SHIFT_HOURS, demo_shift_start
        from scheduling.models import Shift, ShiftActivity

        shifts, activities, states = [], [], []
        day = first
        while day < today:
            for index, agent in enumerate(agents):
                starts = demo_shift_start(index, day)
                if starts is None:
                    continue  # a day off
                begin = datetime.combine(day, starts, tzinfo=zone)
                shift = Shift(
                    agent=agent,
                    start=begin,
                    end=begin + timedelta(hours=SHIFT_HOURS),
                    published_at=begin - timedelta(days=7),
                )
                shifts.append(shift)
                activities.append((shift, "break", begin + timedelta(hours=2), 15))
                activities.append((shift, "lunch", begin + timedelta(hours=4), 30))
                if rng.random() < 0.03:
                    continue  # absent
                late = rng.choice([0, 0, 0, 0, 1, 2, 4, 9]) * 60 + rng.uniform(-240, 50)
                came = begin + timedelta(seconds=late)
                pause = begin + timedelta(hours=2, seconds=rng.uniform(-120, 240))
                back = pause + timedelta(minutes=15, seconds=rng.uniform(-60, 300))
                lunch = begin + timedelta(hours=4, seconds=rng.uniform(-60, 180))
                lunch_back = lunch + timedelta(minutes=30, seconds=rng.uniform(-60, 240))
                left = shift.end + timedelta(seconds=rng.uniform(-300, 600))
                member = f"PJSIP/{2001 + index}"
                for status, reason, since, until in (
                    (AgentStatus.AVAILABLE, "", came, pause),
                    (AgentStatus.NOT_READY, "Break", pause, back),
                    (AgentStatus.AVAILABLE, "", back, lunch),
                    (AgentStatus.NOT_READY, "Lunch", lunch, lunch_back),
                    (AgentStatus.AVAILABLE, "", lunch_back, left),
                ):
                    states.append(
                        AgentState(
                            source=source,
                            member=member,
                            agent=agent,
                            status=status,
                            reason=reason,
                            started_at=since,
                            ended_at=until,
                        )
                    )
            day += timedelta(days=1)
        Shift.objects.bulk_create(shifts, batch_size=BATCH)
        ShiftActivity.objects.bulk_create(
            [
                ShiftActivity(
                    shift=shift, kind=kind, start=start, end=start + timedelta(minutes=minutes)
                )
                for shift, kind, start, minutes in activities
            ],
            batch_size=BATCH,
        )
        AgentState.objects.bulk_create(states, batch_size=BATCH)
        return len(shifts)


def _poisson(rng: random.Random, mean: float) -> int:
    """A Poisson count (Knuth's method; the means here are small)."""
    if mean <= 0:
        return 0
    if mean > 30:
        return max(0, round(rng.gauss(mean, math.sqrt(mean))))
    limit, k, p = math.exp(-mean), 0, rng.random()
    while p > limit:
        k += 1
        p *= rng.random()
    return k
