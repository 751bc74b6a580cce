"""`manage.py restore PATH --yes`: replace the database's contents with a backup."""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from agents.backup import BackupError, database_restore


class Command(BaseCommand):
    help = "Replace everything in the database with the backup at PATH (made by `backup`)."

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument(
            "--yes", action="store_true", help="confirm: the current contents are lost"
        )

    def handle(self, *args, **options):
        if not options["yes"]:
            raise CommandError("restore replaces all data: run it again with --yes")
        try:
            database_restore(path=Path(options["path"]))
        except BackupError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"Restored from {options['path']}.")
