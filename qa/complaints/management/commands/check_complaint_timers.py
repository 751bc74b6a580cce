"""Run the complaint timer check once (what Celery beat does every minute)."""

from django.core.management.base import BaseCommand

from qa.complaints import services


class Command(BaseCommand):
    help = "Escalate complaint cases whose acknowledge or resolve time ran out (idempotent)."

    def handle(self, *args, **options):
        escalated = services.complaint_check_timers()
        for escalation in escalated:
            self.stdout.write(
                f"{escalation.complaint.reference}: {escalation.get_kind_display().lower()}, "
                f"now with {escalation.to_owner.get_username()} "
                f"({escalation.get_to_tier_display().lower()})"
            )
        self.stdout.write(f"{len(escalated)} case(s) escalated.")
