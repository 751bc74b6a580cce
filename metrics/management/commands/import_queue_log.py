"""`import_queue_log PATH --source NAME`: bulk import of an Asterisk queue_log."""

import os
from argparse import ArgumentTypeError
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.translation import gettext
from tqdm import tqdm

from metrics.board.signals import floor_changed
from metrics.management.arguments import positive_int, source_name, zone_name
from metrics.models import SourceKind, TelephonySource
from metrics.telephony.files import BATCH_LINES, FileCounts, file_mark, ingest_file
from metrics.telephony.services import sources_advance


def source_for(name: str, *, layout: str, zone: str | None) -> TelephonySource:
    """The source of that name (made when new); `zone` (checked by the argument's type)
    replaces its stored zone. A stored zone this server does not know stops the command
    with a clear error unless `zone` repairs it."""
    kind = SourceKind.QUEUE_LOG_DB if layout == "db" else SourceKind.QUEUE_LOG_FILE
    source, _ = TelephonySource.objects.get_or_create(
        name=name, defaults={"kind": kind, "time_zone": zone or "UTC"}
    )
    if zone and source.time_zone != zone:
        source.time_zone = zone
        source.save(update_fields=["time_zone"])
    try:
        zone_name(source.time_zone)
    except ArgumentTypeError as error:
        raise CommandError(
            gettext("Source %(source)s: its stored time zone: %(error)s; give --tz to set one.")
            % {"source": source.name, "error": error}
        ) from None
    return source


class Command(BaseCommand):
    help = (
        "Import an Asterisk queue_log into the database: resumable (it continues after the "
        "last imported line of the same file) and idempotent (a line already imported "
        "changes nothing)."
    )

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--source", required=True, type=source_name, help="telephony source name"
        )
        parser.add_argument("--layout", default="file", choices=["file", "db"])
        parser.add_argument("--tz", type=zone_name, help="zone of a db-layout log's local times")
        parser.add_argument(
            "--from-start",
            action="store_true",
            help="read the whole file again (lines already imported are skipped anyway)",
        )
        parser.add_argument("--batch", type=positive_int, default=BATCH_LINES)
        parser.add_argument("--no-progress", action="store_true")

    def handle(self, *args, **options):
        path = Path(options["path"]).resolve()
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        source = source_for(options["source"], layout=options["layout"], zone=options["tz"])
        stat = os.stat(path)
        offset = line_no = 0
        resumable = (
            source.follow_path == str(path)
            and source.follow_inode == stat.st_ino
            and source.follow_offset <= stat.st_size
            and options["layout"] == "file"
            and file_mark(path, source.follow_offset) == source.follow_mark
        )
        if resumable and not options["from_start"]:
            offset, line_no = source.follow_offset, source.follow_line
            if offset:
                self.stdout.write(f"Resuming after line {line_no} (byte {offset}).")
        counts = FileCounts()
        with tqdm(
            total=stat.st_size,
            initial=offset,
            unit="B",
            unit_scale=True,
            disable=options["no_progress"],
            desc=path.name,
            file=self.stderr._out,
        ) as bar:

            def progress(position: int) -> None:
                bar.update(position - bar.n)

            ingest_file(
                source=source,
                path=path,
                layout=options["layout"],
                zone=options["tz"] or source.time_zone,
                offset=offset,
                line_no=line_no,
                batch_lines=options["batch"],
                counts=counts,
                progress=progress,
            )
        TelephonySource.objects.filter(pk=source.pk).update(import_counts=counts.as_dict())
        # Calls that ended near the end of the file: their wrap-up window has passed since.
        # (Calls still waiting at its end keep the file's now: history, not a lost line.)
        sources_advance(now=timezone.now(), sources=[source], stale=False)
        if counts.used:
            # Batches of history do not signal the floor one by one (see HISTORY_S).
            floor_changed.send(sender=TelephonySource, site=source.site)
        self.stdout.write(counts.summary())
