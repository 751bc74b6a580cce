"""Run the telephony simulator against callfloor, in real time, as a PBX would."""

from __future__ import annotations

import json
import time
import urllib.error
import urllib.request
import uuid

from django.core.management.base import BaseCommand, CommandError

from agents.models import TelephonyAlias
from metrics.management.arguments import non_negative_float, non_negative_int, positive_float
from metrics.models import Queue, SourceKind, TelephonySource
from metrics.telephony.simulator import FloorSimulator, rate_function, read_profile

DEFAULT_PROFILE = "arrivals/bank-calls-2003.csv"
SOURCE = "simulator"
# The simulator's mean handling time (talk around three minutes, a few long calls, wrap-up).
AHT_S = 250


def _shared(relative: str):
    import os
    from pathlib import Path

    from django.conf import settings

    roots = [
        os.environ.get("CALLFLOOR_SHARED_DATA", ""),
        settings.BASE_DIR.parent / "shared" / "data",
        "/work/shared/data",
    ]
    for root in roots:
        if root and (Path(root) / relative).is_file():
            return Path(root) / relative
    raise CommandError(f"The arrival profile {relative} was not found; pass --profile PATH.")


class Command(BaseCommand):
    help = (
        "Simulate a floor (arrivals shaped by a day's profile, agents who ring, talk, wrap "
        "up, take breaks and miss rings) and send its events like a PBX: over HTTP to "
        "--url with the source's token, or straight into the ingestion service."
    )

    def add_arguments(self, parser):
        parser.add_argument("--url", help="post to this callfloor (e.g. http://127.0.0.1:8000)")
        parser.add_argument("--profile", help="five-minute arrival counts (CSV: DateTime,Calls)")
        parser.add_argument(
            "--warmup",
            type=non_negative_float,
            default=30,
            help="minutes of history to play at once before real time",
        )
        parser.add_argument(
            "--duration",
            type=non_negative_float,
            default=0,
            help="stop after this many seconds of real time (0: run on)",
        )
        parser.add_argument(
            "--load",
            type=positive_float,
            default=0.65,
            help="offered load at the busiest slot, per agent (0.65: service level around "
            "80 %% in 20 s, with dips)",
        )
        parser.add_argument(
            "--agents", type=non_negative_int, default=0, help="at most this many agents"
        )
        parser.add_argument(
            "--tick", type=positive_float, default=0.5, help="seconds between batches"
        )
        parser.add_argument("--seed", type=int, default=None)

    def handle(self, *args, **opts):
        profile = read_profile(opts["profile"] or _shared(DEFAULT_PROFILE))
        members = self._members(opts["agents"])
        names = list(
            Queue.objects.filter(site="main").order_by("pk").values_list("name", flat=True)
        )
        membership = self._membership(members, names) if names else None
        if membership:
            # Each queue's calls in proportion to the agents who work it.
            queues = {q: float(sum(q in m for m in membership.values()) or 1) for q in names}
        else:
            queues = {q: 1.0 for q in names} or {"billing": 3.0, "cards": 2.0, "mortgages": 1.0}
        send = self._sender(opts["url"])
        now = time.time()
        simulator = FloorSimulator(
            members=members,
            queues=queues,
            start=now - opts["warmup"] * 60,
            rate=rate_function(profile, agents=len(members), aht_s=AHT_S, load=opts["load"]),
            seed=opts["seed"],
            prefix=f"sim{uuid.uuid4().hex[:8]}",
            membership=membership,
        )
        self.stdout.write(
            f"Simulating {len(members)} agents on {', '.join(queues)}; "
            f"playing {opts['warmup']:.0f} min of history first."
        )
        stop = now + opts["duration"] if opts["duration"] else None
        total = 0
        events = simulator.advance(time.time())
        for start in range(0, len(events), 1000):
            total += send(events[start : start + 1000])
        self.stdout.write(f"History sent: {total} events. Now in real time (Ctrl-C stops).")
        try:
            while stop is None or time.time() < stop:
                time.sleep(opts["tick"])
                events = simulator.advance(time.time())
                if events:
                    total += send(events)
        except KeyboardInterrupt:
            pass
        self.stdout.write(f"Sent {total} events.")

    def _membership(self, members: list[str], queues: list[str]) -> dict[str, list[str]] | None:
        """The queues each member works: its agent's skills, else its team's queues."""
        from scheduling.models import Skill

        agent_of = dict(
            TelephonyAlias.objects.filter(name__in=members).values_list("name", "agent_id")
        )
        skills: dict[int, list[str]] = {}
        for agent_id, queue in Skill.objects.filter(queue__name__in=queues).values_list(
            "agent_id", "queue__name"
        ):
            skills.setdefault(agent_id, []).append(queue)
        teams: dict[int, list[str]] = {}
        for agent_id, queue in Queue.objects.filter(
            name__in=queues, teams__agents__pk__in=list(agent_of.values())
        ).values_list("teams__agents__pk", "name"):
            teams.setdefault(agent_id, []).append(queue)
        found = {}
        for member in members:
            agent = agent_of.get(member)
            found[member] = sorted(skills.get(agent) or teams.get(agent) or queues)
        return found

    def _members(self, limit: int) -> list[str]:
        seen: dict[int, str] = {}
        for alias in TelephonyAlias.objects.filter(
            agent__active=True, name__startswith="PJSIP/"
        ).order_by("agent_id"):
            seen.setdefault(alias.agent_id, alias.name)
        members = list(seen.values())
        if limit:
            members = members[:limit]
        if not members:
            raise CommandError("No agents with a PJSIP/ alias: run `manage.py seed_demo` first.")
        return members

    def _source(self) -> tuple[TelephonySource, str]:
        from metrics.telephony.services import source_create, source_token_rotate

        source = TelephonySource.objects.filter(name=SOURCE).first()
        if source is None:
            return source_create(name=SOURCE, kind=SourceKind.SIMULATOR)
        return source, source_token_rotate(source=source)

    def _sender(self, url: str | None):
        source, token = self._source()
        if not url:
            from metrics.telephony.api import EventInput, event_from_input
            from metrics.telephony.services import events_ingest

            def ingest(batch: list[dict]) -> int:
                normalised = []
                for index, raw in enumerate(batch):
                    item = EventInput(data=raw)
                    item.is_valid(raise_exception=True)
                    normalised.append(event_from_input(item.validated_data, index))
                return events_ingest(source=source, events=normalised).accepted

            return ingest

        if not url.startswith(("http://", "https://")):
            raise CommandError("--url must be an http(s) address.")
        endpoint = url.rstrip("/") + "/api/telephony/events"

        def post(batch: list[dict]) -> int:
            body = json.dumps({"events": batch}).encode()
            for attempt in range(120):
                request = urllib.request.Request(  # noqa: S310 - http(s) checked above
                    endpoint,
                    data=body,
                    method="POST",
                    headers={
                        "Content-Type": "application/json",
                        "Authorization": f"Bearer {token}",
                    },
                )
                try:
                    with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
                        return json.load(response)["accepted"]
                except urllib.error.HTTPError as error:
                    if error.code == 503:  # "nothing was stored, try again shortly"
                        self.stdout.write(f"{endpoint}: busy (503), sending the batch again")
                        time.sleep(1)
                        continue
                    raise CommandError(f"{endpoint}: {error.code} {error.read()[:300]!r}") from None
                except OSError:
                    if attempt == 0:
                        self.stdout.write(f"Waiting for {endpoint} …")
                    time.sleep(1)
            raise CommandError(f"{endpoint} did not answer.")

        return post
