"""`manage.py backup PATH`: a consistent dump of the whole database (see agents/backup.py)."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.backup import BackupError, database_backup


class Command(BaseCommand):
    help = "Dump the whole database to PATH (pg_dump custom format, or a SQLite file)."

    def add_arguments(self, parser):
        parser.add_argument("path")

    def handle(self, *args, **options):
        try:
            size = database_backup(path=Path(options["path"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Backed up to {options['path']} ({size:,} bytes).")
