"""`queue_log_report PATH [--json]`: the KPIs of an Asterisk queue_log, without a database."""

import json
from datetime import UTC, datetime
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from metrics import formulas, kpi
from metrics.management.arguments import (
    non_negative_float,
    non_negative_int,
    positive_float,
    positive_int,
    zone_name,
)
from metrics.queue_log import MAX_EPOCH
from metrics.reports.columnar import report_of_file


def parse_now(text: str) -> float:
    """ISO 8601 (naive means UTC) or epoch seconds, from 1970 to the end of year 9999."""
    try:
        value = float(text)
    except ValueError:
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise CommandError(f"--now: not an ISO 8601 time or epoch seconds: {text!r}") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=UTC)
        value = moment.timestamp()
    if not 0 <= value < MAX_EPOCH:  # also refuses nan and inf
        raise CommandError(f"--now: not a time between 1970 and the year 9999: {text!r}")
    return value


# The columns of the table (`--json` gives every figure): what fits a terminal's line.
TABLE_QUEUE_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "waiting",
    "service_level",
    "answer_rate",
    "abandon_rate",
    "asa_s",
    "max_wait_s",
    "aht_s",
)
TABLE_AGENT_FIGURES = ("handled", "aht_s", "missed_rings", "unreachable_rings", "occupancy")


def _fmt(value) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:.4g}" if abs(value) < 1 else f"{value:.1f}"
    return str(value)


class Command(BaseCommand):
    help = "Print the KPIs of an Asterisk queue_log (see the KPI contract); needs no database."
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("path")
        parser.add_argument("--json", action="store_true", help="print one JSON document")
        parser.add_argument("--now", help="ISO 8601 or epoch seconds (default: the last line)")
        parser.add_argument(
            "--threshold", type=non_negative_int, default=20, help="SL threshold T (s)"
        )
        parser.add_argument("--short-abandon", type=non_negative_int, default=5, help="S (s)")
        parser.add_argument(
            "--stale-after",
            type=positive_int,
            default=int(kpi.DEFAULT_STALE_AFTER_S),
            help="a call still waiting this many seconds after it was offered is unknown",
        )
        parser.add_argument("--variant", default="offered", choices=formulas.VARIANTS)
        parser.add_argument("--layout", default="file", choices=["file", "db"])
        parser.add_argument(
            "--tz", default="UTC", type=zone_name, help="zone of a db-layout log's times"
        )
        parser.add_argument(
            "--site-tz", type=zone_name, help="zone of days and intervals (default: --tz)"
        )
        parser.add_argument("--interval", type=int, default=15, choices=[15, 30, 60])
        parser.add_argument(
            "--three-rings",
            type=non_negative_float,
            default=15,
            help="ring time (s) up to which an answer counts as within three rings",
        )
        parser.add_argument(
            "--repeat-window",
            type=positive_float,
            default=24,
            help="hours within which a caller calling again is a repeat call",
        )

    def handle(self, *args, **options):
        path = Path(options["path"])
        if not path.is_file():
            raise CommandError(f"no such file: {path}")
        try:
            report = report_of_file(
                path,
                layout=options["layout"],
                zone=options["tz"],
                site_zone=options["site_tz"] or options["tz"],
                now=parse_now(options["now"]) if options["now"] else None,
                threshold=options["threshold"],
                short_abandon=options["short_abandon"],
                stale_after=options["stale_after"],
                variant=options["variant"],
                interval_minutes=options["interval"],
                repeat_window_h=options["repeat_window"],
                fast_ring=options["three_rings"],
            )
        except (ValueError, KeyError) as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report, indent=2))
            return
        self.stdout.write(self.table(report))

    def table(self, report: dict) -> str:
        lines = report["lines"]
        out = [
            f"now {report['now']} · lines read {lines['read']}, used {lines['used']}, "
            f"ignored {lines['ignored']}, rejected {len(lines['rejected'])}",
            f"T={report['settings']['threshold_s']}s S={report['settings']['short_abandon_s']}s"
            f" variant={report['settings']['variant']}",
            "",
        ]
        cols = TABLE_QUEUE_FIGURES
        out.append("queue".ljust(12) + "".join(c[:12].rjust(13) for c in cols))
        for name, fig in report["queues"].items():
            out.append(name[:12].ljust(12) + "".join(_fmt(fig[c]).rjust(13) for c in cols))
        out.append("")
        acols = TABLE_AGENT_FIGURES
        out.append("agent".ljust(32) + "".join(c.rjust(18) for c in acols))
        for name, fig in report["agents"].items():
            out.append(name[:32].ljust(32) + "".join(_fmt(fig[c]).rjust(18) for c in acols))
        for rejected in lines["rejected"]:
            out.append(f"rejected line {rejected['line']}: {rejected['reason']}")
        return "\n".join(out) + "\n"
