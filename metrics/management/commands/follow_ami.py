"""`follow_ami --source NAME`: follow an Asterisk Manager Interface source, reconnecting."""

import asyncio
import signal

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from metrics.management.arguments import positive_float, source_name
from metrics.models import SourceKind, TelephonySource
from metrics.telephony.ami.config import AmiNotConfigured, ami_settings
from metrics.telephony.ami.follower import AmiFollower


class Command(BaseCommand):
    help = (
        "Follow an AMI telephony source: log in to Asterisk's manager, rebuild the queues' "
        "state from QueueStatus, turn queue and call events into calls and agent states, and "
        "reconnect with a growing back-off whenever the connection drops."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--source", required=True, type=source_name, help="telephony source name"
        )
        parser.add_argument(
            "--heartbeat", type=positive_float, default=20.0, help="seconds between Pings"
        )

    def handle(self, *args, **options):
        source = TelephonySource.objects.filter(name=options["source"]).first()
        if source is None or source.kind != SourceKind.AMI:
            raise CommandError(
                _("No AMI source named %(name)s (add it in the admin, kind AMI).")
                % {"name": options["source"]}
            )
        try:
            settings = ami_settings(source)
        except AmiNotConfigured as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"Following AMI source {source.name} at {settings.host}:{settings.port} "
            f"as {settings.username}."
        )
        del settings
        follower = AmiFollower(source=source, heartbeat_s=options["heartbeat"])
        asyncio.run(self._run(follower))

    async def _run(self, follower: AmiFollower) -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        await follower.run(stop)
