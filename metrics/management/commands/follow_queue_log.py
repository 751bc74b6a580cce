"""`follow_queue_log PATH --source NAME`: tail a live queue_log into the database."""

import contextlib
import time
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import DatabaseError, InterfaceError, OperationalError, connection
from django.utils import timezone

from metrics.management.arguments import positive_float, source_name, zone_name
from metrics.management.commands.import_queue_log import source_for
from metrics.telephony.files import FileCounts, follow_step
from metrics.telephony.services import sources_advance


class Command(BaseCommand):
    help = (
        "Follow a live Asterisk queue_log: resumes at the stored position after a restart, "
        "reads on across a rotation (queue_log → queue_log.1) or a truncation, and never "
        "counts a line twice."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--source", required=True, type=source_name, help="telephony source name"
        )
        parser.add_argument("--layout", default="file", choices=["file", "db"])
        parser.add_argument("--tz", type=zone_name, help="zone of a db-layout log's local times")
        parser.add_argument(
            "--interval", type=positive_float, default=1.0, help="seconds between reads"
        )
        parser.add_argument("--once", action="store_true", help="read what is new, then stop")

    def handle(self, *args, **options):
        path = Path(options["path"]).resolve()
        source = source_for(options["source"], layout=options["layout"], zone=options["tz"])
        zone = options["tz"] or source.time_zone
        self.stdout.write(
            f"Following {path} for source {source.name} from line {source.follow_line}."
        )
        retry_s = 0.0
        while True:
            try:
                counts = follow_step(
                    source=source,
                    path=path,
                    layout=options["layout"],
                    zone=zone,
                    counts=FileCounts(),
                )
                if counts.read:
                    self.stdout.write(counts.summary())
                # A quiet log still lets the after-call-work windows of its calls pass. Calls
                # that never end are the clock task's (`advance_clocks`): a follower may be
                # reading history, and a waiting call's last line may be the next one it reads.
                sources_advance(now=timezone.now(), sources=[source], stale=False)
                retry_s = 0.0
            except (OperationalError, InterfaceError) as error:
                if options["once"]:
                    raise
                # The database is away (stopped, restarting, failing over): nothing read since
                # the last commit counts; it is read again from the stored position once the
                # database answers.
                with contextlib.suppress(DatabaseError):
                    connection.close()
                retry_s = min(MAX_RETRY_S, max(options["interval"], retry_s * 2 or 0.5))
                reason = (str(error).strip().splitlines() or [type(error).__name__])[0]
                self.stderr.write(
                    f"The database is unavailable ({reason}); "
                    f"trying again in {retry_s:.1f} s from the position stored with the last batch."
                )
                time.sleep(retry_s)
                continue
            if options["once"]:
                return
            try:
                time.sleep(options["interval"])
            except KeyboardInterrupt:
                return


MAX_RETRY_S = 5.0  # the longest wait between tries while the database is away
