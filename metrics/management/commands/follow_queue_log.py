"""`follow_queue_log PATH --source NAME`: tail a live queue_log into the database."""

import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.utils import timezone

from metrics.files import FileCounts, follow_step
from metrics.management.commands.import_queue_log import source_for
from metrics.services import sources_advance


class Command(BaseCommand):
    help = (
        "Follow a live Asterisk queue_log: resumes at the stored position after a restart, "
        "reads on across a rotation (queue_log → queue_log.1) or a truncation, and never "
        "counts a line twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--source", required=True, help="telephony source name")
        parser.add_argument("--layout", default="file", choices=["file", "db"])
        parser.add_argument("--tz", help="zone of a db-layout log's local times")
        parser.add_argument("--interval", type=float, default=1.0, help="seconds between reads")
        parser.add_argument("--once", action="store_true", help="read what is new, then stop")

    def handle(self, *args, **options):
        path = Path(options["path"]).resolve()
        source = source_for(options["source"], layout=options["layout"], zone=options["tz"])
        zone = options["tz"] or source.time_zone
        self.stdout.write(
            f"Following {path} for source {source.name} from line {source.follow_line}."
        )
        while True:
            counts = follow_step(
                source=source, path=path, layout=options["layout"], zone=zone, counts=FileCounts()
            )
            if counts.read:
                self.stdout.write(counts.summary())
            # A quiet log still lets the after-call-work windows of its calls pass.
            sources_advance(now=timezone.now(), sources=[source])
            if options["once"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return
