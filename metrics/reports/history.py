"""Historical reports: the KPI engine's rollups summed with pandas, per period in the site zone.

Every figure comes from `metrics.formulas`. Ingestion keeps the engine's counters per queue
interval (`QueueInterval`) and per agent day (`AgentDay`); a report sums those rows per queue /
agent and period with pandas and turns each sum into KPIs with `formulas.queue_figures` /
`formulas.agent_figures`.
So a day of a report is the same sum the wall board shows at the end of that day, a month of a
large centre reads a few thousand rows rather than millions of calls, and a team or site total
is computed from summed counters (call-weighted), never as a mean of means.

Facts about a call that are only known later (whether the caller called again within 24 h, the
FCR proxy of kpi.md, and the post-call survey) are kept in `CallFactsInterval`, rebuilt per day
by `metrics.reports.services.call_facts_refresh`.

The agent, team and site reports are in `metrics.reports.agents`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field, fields
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from django.conf import settings
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from callfloor import exports
from callfloor.errors import DomainError
from callfloor.query import FIRST_DAY, LAST_DAY
from callfloor.zone import site_zone
from metrics import formulas
from metrics.models import (
    CallFactsInterval,
    Outcome,
    Queue,
    QueueCall,
    QueueInterval,
    TelephonySource,
)

GRAINS = {"15": 15, "30": 30, "60": 60, "day": None, "week": None, "month": None}
MAX_RANGE_DAYS = 400
MAX_INTERVAL_DAYS = 31
# A call's extra facts, summed like the engine's counters.
EXTRA_FIELDS = (
    "repeat_known_n",
    "repeat_n",
    "survey_n",
    "survey_score_sum",
    "survey_top_n",
    "fcr_n",
    "fcr_yes_n",
)
SUM_COLUMNS = (*formulas.SUM_FIELDS, *EXTRA_FIELDS, "missed_rings", "unreachable_rings")


def survey_scale() -> tuple[int, int, int]:
    """(lowest, highest, top-box size) of the post-call survey score."""
    low, high = settings.CALLFLOOR_SURVEY_SCALE
    return low, high, settings.CALLFLOOR_SURVEY_TOP_BOX


# --- columns: one definition for the page, the CSV, the XLSX and the API ---------------------


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str  # text, count, ratio, seconds, duration (seconds shown as h:mm:ss), score


QUEUE_COLUMNS = [
    Column("offered", pgettext_lazy("count", "Offered"), "count"),
    Column("answered", pgettext_lazy("count", "Answered"), "count"),
    Column("abandoned", pgettext_lazy("count", "Abandoned"), "count"),
    Column("short_abandoned", gettext_lazy("Short abandons"), "count"),
    Column("timed_out", gettext_lazy("Timed out"), "count"),
    Column("unknown", gettext_lazy("Unknown end"), "count"),
    Column("waiting", gettext_lazy("Still waiting"), "count"),
    Column("service_level", gettext_lazy("Service level"), "ratio"),
    Column("sl_offered", gettext_lazy("SL offered"), "ratio"),
    Column("sl_ignore_abandons", gettext_lazy("SL ignore abandons"), "ratio"),
    Column("sl_abandons_positive", gettext_lazy("SL abandons positive"), "ratio"),
    Column("sl_answered_only", gettext_lazy("SL answered only"), "ratio"),
    Column("answer_rate", gettext_lazy("Answer rate"), "ratio"),
    Column("abandon_rate", gettext_lazy("Abandon rate"), "ratio"),
    Column("asa_s", gettext_lazy("ASA (s)"), "seconds"),
    Column("avg_abandon_wait_s", gettext_lazy("Avg abandon wait (s)"), "seconds"),
    Column("max_wait_s", gettext_lazy("Max wait (s)"), "seconds"),
    Column("aht_s", gettext_lazy("AHT (s)"), "seconds"),
    Column("avg_talk_s", gettext_lazy("Avg talk (s)"), "seconds"),
    Column("avg_hold_s", gettext_lazy("Avg hold (s)"), "seconds"),
    Column("avg_acw_s", gettext_lazy("Avg wrap-up (s)"), "seconds"),
    Column("transfer_rate", gettext_lazy("Transfer rate"), "ratio"),
    Column("repeat_rate", gettext_lazy("Repeat-call rate"), "ratio"),
    Column("csat_top_box", gettext_lazy("CSAT top-box"), "ratio"),
    Column("csat_mean", gettext_lazy("CSAT mean"), "score"),
    Column("survey_response_rate", gettext_lazy("Survey response rate"), "ratio"),
    Column("fcr", gettext_lazy("FCR"), "ratio"),
]

AGENT_COLUMNS = [
    Column("handled", gettext_lazy("Handled"), "count"),
    Column("aht_s", gettext_lazy("AHT (s)"), "seconds"),
    Column("avg_talk_s", gettext_lazy("Avg talk (s)"), "seconds"),
    Column("avg_hold_s", gettext_lazy("Avg hold (s)"), "seconds"),
    Column("avg_acw_s", gettext_lazy("Avg wrap-up (s)"), "seconds"),
    Column("occupancy", gettext_lazy("Occupancy"), "ratio"),
    Column("login_s", gettext_lazy("Login time"), "duration"),
    Column("not_ready_s", gettext_lazy("Not ready"), "duration"),
    Column("missed_rings", gettext_lazy("Missed rings"), "count"),
    Column("answered_within_3_rings", gettext_lazy("Answered within 3 rings"), "ratio"),
    Column("repeat_rate", gettext_lazy("Repeat-call rate"), "ratio"),
    Column("csat_top_box", gettext_lazy("CSAT top-box"), "ratio"),
    Column("csat_mean", gettext_lazy("CSAT mean"), "score"),
    Column("survey_response_rate", gettext_lazy("Survey response rate"), "ratio"),
    Column("fcr", gettext_lazy("FCR"), "ratio"),
]

ABANDONED_COLUMNS = [
    Column("offered_at", gettext_lazy("Entered queue"), "text"),
    Column("abandoned_at", gettext_lazy("Hung up"), "text"),
    Column("queue", gettext_lazy("Queue"), "text"),
    Column("caller", gettext_lazy("Caller"), "text"),
    Column("wait_s", gettext_lazy("Waited (s)"), "seconds"),
    Column("short", gettext_lazy("Short abandon"), "text"),
    Column("called_back", gettext_lazy("Called again"), "text"),
]


@dataclass
class ReportRange:
    start: date
    end: date  # inclusive
    grain: str = "day"

    @classmethod
    def parse(
        cls,
        *,
        start: str | None,
        end: str | None,
        grain: str | None = "day",
        today: date | None = None,
        opening_days: int = 7,
        opening_grain: str = "day",
    ) -> ReportRange:
        """Validate a range from request parameters; bad input raises `DomainError`.

        Without dates the range is the last `opening_days` days up to today; without a grain it
        is `opening_grain`, or days when that is an interval and the range is too long for one.
        """
        today = today or datetime.now(site_zone()).date()

        def day(text, name, default):
            if not text:
                return default
            try:
                value = date.fromisoformat(text)
            except ValueError:
                raise DomainError(_("Use a date like 2026-01-31."), field=name) from None
            if not FIRST_DAY <= value <= LAST_DAY:  # the zone and interval maths overflow
                raise DomainError(
                    _("Use a date between %(first)s and %(last)s.")
                    % {"first": FIRST_DAY, "last": LAST_DAY},
                    field=name,
                )
            return value

        first = day(start, "start", today - timedelta(days=opening_days - 1))
        last = day(end, "end", today)
        if last < first:
            raise DomainError(_("The end is before the start."), field="end")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise DomainError(
                _("A report covers at most %(days)s days.") % {"days": MAX_RANGE_DAYS}, field="end"
            )
        if not grain:
            grain = opening_grain
            if GRAINS.get(grain) and (last - first).days >= MAX_INTERVAL_DAYS:
                grain = "day"
        if grain not in GRAINS:
            raise DomainError(
                _("Choose one of %(grains)s.") % {"grains": ", ".join(GRAINS)}, field="grain"
            )
        if GRAINS[grain] and (last - first).days >= MAX_INTERVAL_DAYS:
            raise DomainError(
                _(
                    "Intervals cover at most %(days)s days; choose days, weeks or months for a "
                    "longer range."
                )
                % {"days": MAX_INTERVAL_DAYS},
                field="grain",
            )
        return cls(first, last, grain)

    def bounds(self, reset_hour: int = 0) -> tuple[datetime, datetime]:
        """UTC bounds of the local days of the range."""
        zone = site_zone()
        start = datetime.combine(self.start, time(reset_hour), zone)
        end = datetime.combine(self.end + timedelta(days=1), time(reset_hour), zone)
        return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))

    def label(self) -> str:
        return f"{self.start.isoformat()} – {self.end.isoformat()}"


@dataclass
class Report:
    """A finished report: what the page, the API, the CSV and the XLSX all show."""

    kind: str
    title: str
    range: ReportRange
    zone: str
    sl_definition: str
    columns: list[Column]
    rows: list[dict]  # each: {"label": str, "group": str, "total": bool, <column keys>}
    highlight: str = "service_level"
    target: float | None = None
    extra: dict = field(default_factory=dict)

    def highlighted(self) -> set[str]:
        """Columns to stand out: the headline figure and the queue's own SL variant."""
        return {self.highlight, self.extra.get("variant_key") or self.highlight}

    def about(self) -> list[tuple[str, str]]:
        """What the report covers, as (label, value) lines (an export's "About" sheet)."""
        return [
            (_("Report"), self.title),
            (_("Range"), self.range.label()),
            (_("By"), grain_label(self.range.grain)),
            (_("Time zone"), self.zone),
            (_("Service level"), self.sl_definition),
        ]

    def file_name(self, ext: str) -> tuple[str, str]:
        """The export's file name, naming the report, its range and its zone, and an ASCII one."""
        parts = (self.range.start.isoformat(), self.range.end.isoformat(), self.zone)
        return (
            exports.file_name(self.title, *parts, ext=ext),
            exports.file_name(f"{self.kind}-report", *parts, ext=ext),
        )

    def header_lines(self) -> list[str]:
        return [
            self.title,
            _("Range: %(range)s (by %(grain)s)")
            % {"range": self.range.label(), "grain": grain_label(self.range.grain)},
            _("Time zone: %(zone)s") % {"zone": self.zone},
            _("Service level: %(definition)s") % {"definition": self.sl_definition},
        ]


def interval_grain(queues: Iterable[Queue]) -> str:
    """The grain of the queues' own intervals (the finest when they differ; 15 min if none)."""
    minutes = min((q.interval_minutes for q in queues), default=15)
    return str(minutes) if str(minutes) in GRAINS else "15"


def grain_label(grain: str) -> str:
    if grain.isdigit():
        return _("%(minutes)s min") % {"minutes": grain}
    return str(GRAIN_LABELS.get(grain, grain))


GRAIN_LABELS = {
    "day": pgettext_lazy("report grain", "day"),
    "week": pgettext_lazy("report grain", "week"),
    "month": pgettext_lazy("report grain", "month"),
}


def sl_definition(queue: Queue | None) -> str:
    if queue is None:
        return _("each queue's own threshold and variant (see the queue rows)")
    return _(
        "%(variant)s [%(code)s], answered within %(threshold)s s, target %(target)s, short "
        "abandons under %(short)s s left out"
    ) % {
        "variant": queue.get_sl_variant_display(),
        "code": queue.sl_variant,
        "threshold": queue.sl_threshold_s,
        "target": f"{queue.sl_target:.0%}",
        "short": queue.short_abandon_s,
    }


# --- the later facts of answered calls (repeat calls, surveys) -------------------------------


def call_fact_rows(calls) -> pd.DataFrame:
    """Per answered call: its queue, agent, offered time and the later facts (as counters)."""
    _low, high, top_box = survey_scale()
    window = timedelta(hours=settings.CALLFLOOR_REPEAT_WINDOW_H)
    later = QueueCall.objects.filter(
        caller=OuterRef("caller"),
        offered_at__gt=OuterRef("offered_at"),
        offered_at__lte=OuterRef("offered_at") + window,
    )
    rows = (
        calls.filter(outcome=Outcome.ANSWERED)
        .annotate(called_again=Exists(later))
        .values(
            "queue_id",
            "agent_id",
            "caller",
            "offered_at",
            "called_again",
            "survey__score",
            "survey__resolved",
            "queue__interval_minutes",
        )
    )
    records = []
    for row in rows.iterator(chunk_size=20_000):
        score, resolved = row["survey__score"], row["survey__resolved"]
        # As `formulas.repeat_call_rate`: calls without a usable caller number are left out.
        known = row["caller"].lower() not in formulas.ANONYMOUS_CALLERS
        part = dict.fromkeys(EXTRA_FIELDS, 0)
        if known:
            part["repeat_known_n"] = 1
            part["repeat_n"] = int(row["called_again"])
        if score is not None:
            part["survey_n"] = 1
            part["survey_score_sum"] = score
            part["survey_top_n"] = int(score > high - top_box)
        # FCR: the customer's own answer where given, else the repeat-call proxy of kpi.md.
        if resolved is not None:
            part["fcr_n"], part["fcr_yes_n"] = 1, int(resolved)
        elif known:
            part["fcr_n"], part["fcr_yes_n"] = 1, int(not row["called_again"])
        part["queue_id"] = row["queue_id"]
        part["agent_id"] = row["agent_id"]
        part["start"] = formulas.interval_start(
            row["offered_at"].timestamp(), zone=site_zone(), minutes=row["queue__interval_minutes"]
        )
        records.append(part)
    return pd.DataFrame.from_records(
        records, columns=[*EXTRA_FIELDS, "queue_id", "agent_id", "start"]
    )


# --- reading the rollups ------------------------------------------------------------------------


def _queue_frame(queues: list[Queue], start: datetime, end: datetime) -> pd.DataFrame:
    """One row per queue interval: the engine's counters (`QueueInterval`) and the facts."""
    counters = list(
        QueueInterval.objects.filter(queue__in=queues, start__gte=start, start__lt=end).values(
            "queue_id", "start", *formulas.SUM_FIELDS, "max_wait_s", "hold_known", "acw_known"
        )
    )
    frame = pd.DataFrame.from_records(
        counters,
        columns=[
            "queue_id",
            "start",
            *formulas.SUM_FIELDS,
            "max_wait_s",
            "hold_known",
            "acw_known",
        ],
    )
    facts = list(
        CallFactsInterval.objects.filter(queue__in=queues, start__gte=start, start__lt=end).values(
            "queue_id", "start", *EXTRA_FIELDS
        )
    )
    facts_frame = pd.DataFrame.from_records(facts, columns=["queue_id", "start", *EXTRA_FIELDS])
    frame = frame.merge(facts_frame, on=["queue_id", "start"], how="left")
    frame[list(EXTRA_FIELDS)] = frame[list(EXTRA_FIELDS)].fillna(0)
    frame["start"] = pd.to_datetime(frame["start"], utc=True)
    return frame


def _local(starts: pd.Series) -> pd.Series:
    return pd.to_datetime(starts, utc=True).dt.tz_convert(settings.CALLFLOOR_TIME_ZONE)


def _day_periods(days: pd.Series, grain: str) -> pd.Series:
    if grain == "week":
        return days.map(lambda d: f"{d.isocalendar().year}-W{d.isocalendar().week:02d}")
    if grain == "month":
        return days.map(lambda d: d.strftime("%Y-%m"))
    return days.map(lambda d: d.isoformat())


def _periods(starts: pd.Series, grain: str, reset_hour: int) -> pd.Series:
    """The label of the period of each interval start, in the site zone."""
    local = _local(starts)
    minutes = GRAINS[grain]
    if minutes:
        # Floor on the wall clock (no re-localising, so no ambiguous hour at a DST change).
        floored = (local.dt.minute // minutes * minutes).map("{:02d}".format)
        return local.dt.strftime("%Y-%m-%d %H:") + floored
    return _day_periods((local - pd.Timedelta(hours=reset_hour)).dt.date, grain)


def _components(frame: pd.DataFrame) -> list[str]:
    """Components of AHT the source supplied in this window (kpi.md: never invent a zero)."""
    if not len(frame):
        return formulas.aht_components(saw_hold=False, saw_acw=False)
    return formulas.aht_components(
        saw_hold=bool(frame["hold_known"].any()), saw_acw=bool(frame["acw_known"].any())
    )


def _tally(sums: dict) -> formulas.Tally:
    return formulas.Tally(
        **{name: sums.get(name, 0) or 0 for name in (*formulas.SUM_FIELDS, "max_wait_s")}
    )


def _ratio(num, den):
    return None if not den else num / den


def _extra_figures(sums: dict, components: list[str]) -> dict:
    answered = sums.get("answered", 0)
    aht_n = sums.get("aht_n", 0)
    return {
        "avg_hold_s": _ratio(sums.get("hold_sum", 0), aht_n) if "hold" in components else None,
        "avg_acw_s": _ratio(sums.get("acw_sum", 0), aht_n) if "acw" in components else None,
        "repeat_rate": _ratio(sums.get("repeat_n", 0), sums.get("repeat_known_n", 0)),
        "csat_top_box": _ratio(sums.get("survey_top_n", 0), sums.get("survey_n", 0)),
        "csat_mean": _ratio(sums.get("survey_score_sum", 0), sums.get("survey_n", 0)),
        "survey_response_rate": _ratio(sums.get("survey_n", 0), answered),
        "fcr": _ratio(sums.get("fcr_yes_n", 0), sums.get("fcr_n", 0)),
    }


def queue_row(
    sums: dict, queue: Queue, components: list[str], waiting: list[tuple[float, bool]] = ()
) -> dict:
    """Every queue KPI of one window from its summed counters (`formulas.queue_figures`) and the
    calls still waiting at the report's now (`(wait_s, past its queue's threshold)` each)."""
    figures = formulas.queue_figures(
        _tally(sums),
        waiting=[wait for wait, _late in waiting],
        waiting_out=sum(1 for _wait, late in waiting if late),
        threshold=queue.sl_threshold_s,
        variant=queue.sl_variant,
        components=components,
    )
    # Every one-number figure; the count of transfers has no column (the rate has).
    row = {key: figures[key] for key in formulas.QUEUE_NUMBERS if key != "transferred"}
    for variant, value in figures["service_level_variants"].items():
        row[f"sl_{variant}"] = value
    row["aht_components"] = figures["aht_components"]
    row.update(_extra_figures(sums, components))
    return row


# Counters that are counts (pandas sums mixed columns as floats; counts stay integers).
COUNT_FIELDS = frozenset(
    [f.name for f in fields(formulas.Tally) if f.type in ("int", int)]
    + [
        "repeat_known_n",
        "repeat_n",
        "survey_n",
        "survey_top_n",
        "fcr_n",
        "fcr_yes_n",
        "missed_rings",
        "unreachable_rings",
    ]
)


def _counts(sums: dict) -> dict:
    return {k: (round(v) if k in COUNT_FIELDS else float(v)) for k, v in sums.items()}


def _sum_columns(frame: pd.DataFrame) -> list[str]:
    return [c for c in SUM_COLUMNS if c in frame]


def _sum_groups(frame: pd.DataFrame, keys: list[str]) -> dict[tuple, dict]:
    if frame.empty:
        return {}
    grouped = frame.groupby(keys, sort=True)
    sums = grouped[_sum_columns(frame)].sum()
    if "max_wait_s" in frame:
        sums["max_wait_s"] = grouped["max_wait_s"].max()
    out = {}
    for key, values in sums.iterrows():
        out[key if isinstance(key, tuple) else (key,)] = _counts(values.to_dict())
    return out


def _total(frame: pd.DataFrame) -> dict:
    if frame.empty:
        return {}
    sums = frame[_sum_columns(frame)].sum().to_dict()
    if "max_wait_s" in frame:
        sums["max_wait_s"] = float(frame["max_wait_s"].max())
    return _counts(sums)


# --- the reports --------------------------------------------------------------------------------


def _still_waiting(
    queues: list[Queue], start: datetime, end: datetime, now: datetime | None
) -> tuple[list[dict], list[dict]]:
    """The range's calls still waiting at the report's now, as the offline report counts them
    at its now (kpi.md): one that waited `stale_after_s` is `unknown` (a row of counters for
    its interval), the others are waits at now, each marked when past its queue's threshold.
    The report's now is `now` when given, else each call's source clock (the time of its last
    event, as the offline report's now is its last line; what came later is not known yet)."""
    from metrics.selectors import stale_call, stale_contribution

    by_pk = {q.pk: q for q in queues}
    zone = site_zone()
    clocks = {} if now is not None else _source_clocks()
    counters, waits = [], []
    for queue_id, source_id, offered_at in QueueCall.objects.filter(
        queue__in=queues, outcome=Outcome.WAITING, offered_at__gte=start, offered_at__lt=end
    ).values_list("queue_id", "source_id", "offered_at"):
        queue = by_pk[queue_id]
        at = now or clocks.get(source_id) or timezone.now()
        interval = formulas.interval_start(
            offered_at.timestamp(), zone=zone, minutes=queue.interval_minutes
        )
        if stale_call(offered_at, queue.stale_after_s, at):
            counters.append(
                {
                    "queue_id": queue_id,
                    "start": interval,
                    "hold_known": False,
                    "acw_known": False,
                    **stale_contribution(queue),
                }
            )
        else:
            wait = max(0.0, (at - offered_at).total_seconds())
            waits.append(
                {
                    "queue_id": queue_id,
                    "start": interval,
                    "wait": (wait, wait > queue.sl_threshold_s),
                }
            )
    return counters, waits


def _waits_by(waits: list[dict], keys: list) -> dict:
    grouped: dict = {}
    for item in waits:
        grouped.setdefault(tuple(item[k] for k in keys), []).append(item["wait"])
    return grouped


def queue_report(
    *, queues: Iterable[Queue], span: ReportRange, now: datetime | None = None
) -> Report:
    """Each queue by period, then its total; several queues also get site rows.

    Read from the interval rollups, so a month of a large centre sums a few thousand rows per
    queue rather than its calls; the calls still waiting at the report's now (`now`, default
    each source's clock) count as the offline report counts them at its now.
    """
    queues = list(queues)
    single = queues[0] if len(queues) == 1 else None
    start, end = span.bounds(single.day_reset_hour if single else 0)
    frame = _queue_frame(queues, start, end)
    stale, waits = _still_waiting(queues, start, end, now)
    if stale:
        extra = pd.DataFrame.from_records(stale)
        extra["start"] = pd.to_datetime(extra["start"], utc=True)
        frame = pd.concat([frame, extra], ignore_index=True)
        numeric = [c for c in frame.columns if c not in ("queue_id", "start")]
        frame[numeric] = frame[numeric].fillna(0)
        frame["hold_known"] = frame["hold_known"].astype(bool)
        frame["acw_known"] = frame["acw_known"].astype(bool)
    if waits:
        starts = pd.Series([w["start"] for w in waits])
    rows: list[dict] = []
    for queue in queues:
        mine = frame[frame["queue_id"] == queue.pk]
        components = _components(mine)
        if len(mine):
            mine = mine.assign(period=_periods(mine["start"], span.grain, queue.day_reset_hour))
        if waits:
            periods = _periods(starts, span.grain, queue.day_reset_hour)
            for item, period in zip(waits, periods, strict=True):
                item["period"] = period
        waiting = _waits_by([w for w in waits if w["queue_id"] == queue.pk], ["period"])
        for (period,), sums in _sum_groups(mine, ["period"]).items():
            rows.append(
                {
                    "label": period,
                    "group": queue.name,
                    "total": False,
                    **queue_row(sums, queue, components, waiting.get((period,), [])),
                }
            )
        rows.append(
            {
                "label": _("Total"),
                "group": queue.name,
                "total": True,
                **queue_row(
                    _total(mine),
                    queue,
                    components,
                    [w["wait"] for w in waits if w["queue_id"] == queue.pk],
                ),
            }
        )
    if single is None and queues:
        # Thresholds differ per queue, so site rows sum the per-queue counters (each call was
        # classed by its own queue's threshold); the service level shown is the default
        # variant of kpi.md.
        site = Queue(name="site", sl_variant=formulas.VARIANTS[0])
        components = _components(frame)
        if len(frame):
            frame = frame.assign(period=_periods(frame["start"], span.grain, 0))
        if waits:
            for item, period in zip(waits, _periods(starts, span.grain, 0), strict=True):
                item["period"] = period
        waiting = _waits_by(waits, ["period"])
        for (period,), sums in _sum_groups(frame, ["period"]).items():
            rows.append(
                {
                    "label": period,
                    "group": _("All queues"),
                    "total": False,
                    **queue_row(sums, site, components, waiting.get((period,), [])),
                }
            )
        rows.append(
            {
                "label": _("Site total"),
                "group": _("All queues"),
                "total": True,
                **queue_row(_total(frame), site, components, [w["wait"] for w in waits]),
            }
        )
    name = single.name if single else _("all queues")
    return Report(
        kind="queue",
        title=_("Queue report: %(name)s") % {"name": name},
        range=span,
        zone=settings.CALLFLOOR_TIME_ZONE,
        sl_definition=sl_definition(single),
        columns=QUEUE_COLUMNS,
        rows=rows,
        target=single.sl_target if single else None,
        extra={
            "queue_ids": [q.pk for q in queues],
            "variant_key": f"sl_{single.sl_variant}" if single else None,
        },
    )


def _source_clocks() -> dict[int, pd.Timestamp]:
    """The time of each source's last event: what is known of a state still open."""
    now = datetime.now(UTC)
    clocks = {}
    for pk, state in TelephonySource.objects.values_list("pk", "engine_state"):
        clock = (state or {}).get("clock")
        clocks[pk] = pd.Timestamp(min(datetime.fromtimestamp(clock, UTC), now) if clock else now)
    return clocks


def abandoned_report(*, queues: Iterable[Queue], span: ReportRange) -> Report:
    """Abandoned calls (who hung up, when, after how long) for call-backs, newest first."""
    queues = list(queues)
    start, end = span.bounds()
    zone = site_zone()
    later = QueueCall.objects.filter(
        caller=OuterRef("caller"), offered_at__gt=OuterRef("offered_at")
    )
    calls = (
        QueueCall.objects.filter(
            queue__in=queues, outcome=Outcome.ABANDONED, offered_at__gte=start, offered_at__lt=end
        )
        .annotate(called_again=Exists(later))
        .select_related("queue")
        .order_by("-offered_at")
    )
    rows = []
    for call in calls[:5000]:
        wait = call.wait_s or 0.0
        gone = call.offered_at + timedelta(seconds=wait)
        rows.append(
            {
                "label": call.call_id,
                "group": call.queue.name,
                "total": False,
                "offered_at": call.offered_at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                "abandoned_at": gone.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                "queue": call.queue.name,
                "caller": call.caller or "(unknown)",
                "wait_s": call.wait_s,
                "short": _("yes") if wait < call.queue.short_abandon_s else _("no"),
                "called_back": _("yes") if call.caller and call.called_again else _("no"),
            }
        )
    return Report(
        kind="abandoned",
        title=_("Abandoned calls"),
        range=span,
        zone=settings.CALLFLOOR_TIME_ZONE,
        sl_definition=_("not applicable"),
        columns=ABANDONED_COLUMNS,
        rows=rows,
        highlight="",
    )


# --- charts data ----------------------------------------------------------------------------------


def abandon_heatmap(*, queues: Iterable[Queue], span: ReportRange) -> list[list[float | None]]:
    """Abandon rate by weekday (Mon..Sun) × local hour (0..23), from the interval rollups."""
    start, end = span.bounds()
    frame = _queue_frame(list(queues), start, end)
    grid: list[list[float | None]] = [[None] * 24 for _ in range(7)]
    if frame.empty:
        return grid
    local = _local(frame["start"])
    frame = frame.assign(weekday=local.dt.weekday, hour=local.dt.hour)
    for (weekday, hour), sums in _sum_groups(frame, ["weekday", "hour"]).items():
        figures = formulas.queue_figures(
            _tally(sums), threshold=0, variant="offered", components=["talk"]
        )
        grid[int(weekday)][int(hour)] = figures["abandon_rate"]
    return grid
