"""Complaint reports as pandas tables: ages, breaches, time to resolve, rates, weekly trend."""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from io import BytesIO

import numpy as np
import pandas as pd
from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from openpyxl import Workbook
from openpyxl.styles import Font

from callfloor import charts, exports
from callfloor.zone import site_zone
from metrics.models import Outcome, QueueCall
from qa.complaints.models import OPEN_STATUSES, Complaint, Severity, Tier

AGE_BUCKETS = [
    (0, 1, gettext_lazy("under 1 day")),
    (1, 3, gettext_lazy("1–3 days")),
    (3, 7, gettext_lazy("3–7 days")),
    (7, 30, gettext_lazy("7–30 days")),
    (30, 10**6, gettext_lazy("30 days or more")),
]
TABLES = {
    "open_by_age_tier": gettext_lazy("Open cases by age and tier"),
    "breaches": gettext_lazy("Breaches by severity"),
    "time_to_resolve": gettext_lazy("Time to resolve (hours) by category and severity"),
    "root_causes": gettext_lazy("Closed cases by root cause"),
    "rate_by_queue": gettext_lazy("Complaints per 1,000 calls by queue"),
    "rate_by_agent": gettext_lazy("Complaints per 1,000 calls by agent"),
    "trend_by_week": gettext_lazy("Complaints by week"),
}


@dataclass(frozen=True)
class Period:
    start: date  # first local day
    end: date  # last local day, inclusive

    @property
    def bounds(self) -> tuple[datetime, datetime]:
        zone = site_zone()
        return (
            datetime.combine(self.start, time(), tzinfo=zone),
            datetime.combine(self.end + timedelta(days=1), time(), tzinfo=zone),
        )

    @classmethod
    def last_weeks(cls, weeks: int = 12, *, today: date | None = None) -> "Period":
        today = today or timezone.localtime(timezone.now(), site_zone()).date()
        return cls(start=today - timedelta(weeks=weeks) + timedelta(days=1), end=today)


COLUMNS = (
    "id",
    "created_at",
    "status",
    "tier",
    "severity",
    "category__name",
    "queue_id",
    "agent_id",
    "resolved_at",
    "closed_at",
    "ack_breached_at",
    "resolve_breached_at",
    "root_cause__name",
)


def _cases(period: Period) -> pd.DataFrame:
    start, end = period.bounds
    rows = Complaint.objects.filter(created_at__gte=start, created_at__lt=end).values(*COLUMNS)
    columns = list(COLUMNS)
    frame = pd.DataFrame.from_records(list(rows), columns=columns)
    for column in [
        "created_at",
        "resolved_at",
        "closed_at",
        "ack_breached_at",
        "resolve_breached_at",
    ]:
        frame[column] = pd.to_datetime(frame[column], utc=True)
    return frame


def open_by_age_tier(*, now: datetime | None = None) -> pd.DataFrame:
    """Every open case now, counted by age bucket (rows) and tier (columns)."""
    now = now or timezone.now()
    rows = list(Complaint.objects.filter(status__in=OPEN_STATUSES).values("created_at", "tier"))
    frame = pd.DataFrame.from_records(rows, columns=["created_at", "tier"])
    age_days = (
        pd.Timestamp(now) - pd.to_datetime(frame["created_at"], utc=True)
    ).dt.total_seconds() / 86400
    edges = [b[0] for b in AGE_BUCKETS] + [AGE_BUCKETS[-1][1]]
    frame["age"] = pd.cut(
        age_days, bins=edges, right=False, labels=[str(b[2]) for b in AGE_BUCKETS]
    )
    frame["tier"] = frame["tier"].map(lambda t: str(Tier(t).label))
    table = pd.crosstab(frame["age"], frame["tier"], dropna=False)
    table = table.reindex(
        index=[str(b[2]) for b in AGE_BUCKETS], columns=[str(t) for t in Tier.labels], fill_value=0
    )
    table["total"] = table.sum(axis=1)
    return table.rename_axis(index="age", columns=None).reset_index()


def breaches(cases: pd.DataFrame) -> pd.DataFrame:
    grouped = (
        cases.assign(
            ack=cases["ack_breached_at"].notna(),
            resolve=cases["resolve_breached_at"].notna(),
            any=cases["ack_breached_at"].notna() | cases["resolve_breached_at"].notna(),
        )
        .groupby("severity")
        .agg(
            cases=("id", "count"),
            acknowledge_breaches=("ack", "sum"),
            resolve_breaches=("resolve", "sum"),
            breached=("any", "sum"),
        )
    )
    order = ["low", "normal", "high", "critical"]
    grouped = grouped.reindex(order, fill_value=0).astype(int)
    grouped["breach_rate"] = (
        grouped["breached"] / grouped["cases"].where(grouped["cases"] > 0)
    ).round(3)
    return grouped.rename_axis("severity").reset_index()


def time_to_resolve(cases: pd.DataFrame) -> pd.DataFrame:
    done = cases[cases["resolved_at"].notna()].copy()
    columns = ["category", "severity", "resolved", "median_hours", "mean_hours", "max_hours"]
    if done.empty:
        return pd.DataFrame(columns=columns)
    done["hours"] = (done["resolved_at"] - done["created_at"]).dt.total_seconds() / 3600
    table = done.groupby(["category__name", "severity"])["hours"].agg(
        resolved="count", median_hours="median", mean_hours="mean", max_hours="max"
    )
    table = table.round(2).reset_index().rename(columns={"category__name": "category"})
    return table[columns]


def root_causes(cases: pd.DataFrame) -> pd.DataFrame:
    """Closed cases per root cause, split by category, most frequent cause first."""
    closed = cases[cases["root_cause__name"].notna()]
    if closed.empty:
        return pd.DataFrame(columns=["root_cause", "total"])
    table = pd.crosstab(closed["root_cause__name"], closed["category__name"])
    table["total"] = table.sum(axis=1)
    table = table.sort_values("total", ascending=False)
    return table.rename_axis(index="root_cause", columns=None).reset_index()


def _rate(complaints: pd.Series, calls: dict, names: dict, key: str) -> pd.DataFrame:
    frame = pd.DataFrame(
        {
            key: pd.Series(names),
            "calls": pd.Series(calls, dtype="int64"),
            "complaints": complaints,
        }
    )
    frame = frame.fillna({"calls": 0, "complaints": 0})
    frame[["calls", "complaints"]] = frame[["calls", "complaints"]].astype(int)
    frame = frame[(frame["calls"] > 0) | (frame["complaints"] > 0)]
    frame["per_1000_calls"] = (
        frame["complaints"] * 1000 / frame["calls"].where(frame["calls"] > 0)
    ).round(2)
    frame[key] = frame[key].fillna("(unknown)")
    return frame.sort_values(
        ["per_1000_calls", "complaints"], ascending=False, na_position="first"
    ).reset_index(drop=True)


def rate_by_queue(cases: pd.DataFrame, period: Period) -> pd.DataFrame:
    from metrics.models import Queue

    start, end = period.bounds
    calls = dict(
        QueueCall.objects.filter(offered_at__gte=start, offered_at__lt=end)
        .values("queue")
        .annotate(n=Count("id"))
        .values_list("queue", "n")
    )
    names = dict(Queue.objects.values_list("id", "name"))
    complaints = cases.dropna(subset=["queue_id"]).groupby("queue_id")["id"].count()
    complaints.index = complaints.index.astype(int)
    return _rate(complaints, calls, names, "queue")


def rate_by_agent(cases: pd.DataFrame, period: Period, *, agents: Q | None = None) -> pd.DataFrame:
    """One row per agent with calls or complaints; only the agents `agents` (a Q over Agent)
    selects, when given (the reader's own team for a team lead)."""
    from agents.models import Agent

    readable = Agent.objects.all() if agents is None else Agent.objects.filter(agents)
    start, end = period.bounds
    calls = dict(
        QueueCall.objects.filter(
            offered_at__gte=start, offered_at__lt=end, outcome=Outcome.ANSWERED, agent__isnull=False
        )
        .filter(agent__in=readable)
        .values("agent")
        .annotate(n=Count("id"))
        .values_list("agent", "n")
    )
    names = dict(readable.values_list("id", "display_name"))
    complaints = cases.dropna(subset=["agent_id"]).groupby("agent_id")["id"].count()
    complaints.index = complaints.index.astype(int)
    complaints = complaints[complaints.index.isin(list(names))]
    return _rate(complaints, calls, names, "agent")


def trend_by_week(cases: pd.DataFrame, period: Period) -> pd.DataFrame:
    zone = settings.CALLFLOOR_TIME_ZONE
    first = period.start - timedelta(days=period.start.weekday())
    weeks = pd.date_range(first, period.end, freq="7D").date
    if cases.empty:
        counts = pd.DataFrame(index=weeks, columns=["complaints", "breached", "closed"])
    else:
        local = cases["created_at"].dt.tz_convert(zone)
        week = (local.dt.normalize() - pd.to_timedelta(local.dt.day_of_week, unit="D")).dt.date
        counts = (
            cases.assign(
                week=week,
                breached=cases["ack_breached_at"].notna() | cases["resolve_breached_at"].notna(),
                closed=cases["status"].eq("closed"),
            )
            .groupby("week")
            .agg(complaints=("id", "count"), breached=("breached", "sum"), closed=("closed", "sum"))
        )
        counts = counts.reindex(weeks)
    counts = counts.fillna(0).astype(int)
    return counts.rename_axis("week_starting").reset_index()


def build(
    period: Period, *, now: datetime | None = None, agents: Q | None = None
) -> dict[str, pd.DataFrame]:
    """Every report table for the period (open cases are counted as of now). `agents` (a Q over
    Agent, None for all) limits the per-agent rows to the agents the reader may read."""
    cases = _cases(period)
    return {
        "open_by_age_tier": open_by_age_tier(now=now),
        "breaches": breaches(cases),
        "time_to_resolve": time_to_resolve(cases),
        "root_causes": root_causes(cases),
        "rate_by_queue": rate_by_queue(cases, period),
        "rate_by_agent": rate_by_agent(cases, period, agents=agents),
        "trend_by_week": trend_by_week(cases, period),
    }


# The tables' column headers as people read them (in the reader's language).
COLUMN_LABELS = {
    "age": gettext_lazy("age"),
    "total": gettext_lazy("total"),
    "severity": gettext_lazy("severity"),
    "cases": gettext_lazy("cases"),
    "acknowledge_breaches": gettext_lazy("acknowledge breaches"),
    "resolve_breaches": gettext_lazy("resolve breaches"),
    "breached": gettext_lazy("breached"),
    "breach_rate": gettext_lazy("breach rate"),
    "category": gettext_lazy("category"),
    "resolved": gettext_lazy("resolved"),
    "median_hours": gettext_lazy("median hours"),
    "mean_hours": gettext_lazy("mean hours"),
    "max_hours": gettext_lazy("max hours"),
    "root_cause": gettext_lazy("root cause"),
    "queue": gettext_lazy("queue"),
    "agent": gettext_lazy("agent"),
    "calls": gettext_lazy("calls"),
    "complaints": gettext_lazy("complaints"),
    "per_1000_calls": gettext_lazy("per 1,000 calls"),
    "week_starting": gettext_lazy("week starting"),
    "closed": gettext_lazy("closed"),
}


def column_label(column) -> str:
    return str(COLUMN_LABELS.get(column, str(column).replace("_", " ")))


def labelled(frame: pd.DataFrame) -> pd.DataFrame:
    """The table with its headers and severities in the reader's language."""
    if "severity" in frame.columns:
        frame = frame.assign(
            severity=frame["severity"].map(
                lambda v: str(Severity(v).label) if v in Severity.values else v
            )
        )
    return frame.rename(columns={c: column_label(c) for c in frame.columns})


def sheet_name(name: str) -> str:
    """A table's title as an Excel sheet name (31 characters, none of []:*?/\\)."""
    title = str(TABLES.get(name, name))
    return "".join(" " if ch in "[]:*?/\\" else ch for ch in title)[:31]


def _table_rows(frame: pd.DataFrame) -> list[list]:
    """The header and the rows of a table as plain Python values (NaN → None)."""
    clean = frame.astype(object).where(frame.notna(), None)
    rows = [[str(column) for column in frame.columns]]
    for values in clean.itertuples(index=False):
        rows.append([v.item() if isinstance(v, np.generic) else v for v in values])
    return rows


def to_csv(frame: pd.DataFrame) -> bytes:
    return exports.csv_bytes(_table_rows(labelled(frame)))


def file_name(period: Period, *, table: str | None = None, ext: str) -> tuple[str, str]:
    """An export's file name (the reader's words) and its ASCII form: what, range and zone."""
    parts = (period.start.isoformat(), period.end.isoformat(), settings.CALLFLOOR_TIME_ZONE)
    title = TABLES[table] if table else _("Complaint reports")
    return (
        exports.file_name(title, *parts, ext=ext),
        exports.file_name("complaints", table, *parts, ext=ext),
    )


def about(period: Period) -> list[tuple[str, str]]:
    """What a complaint export covers (its "About" sheet)."""
    return [
        (_("Report"), _("Complaint reports")),
        (_("Range"), f"{period.start.isoformat()} – {period.end.isoformat()}"),
        (_("Time zone"), settings.CALLFLOOR_TIME_ZONE),
        (_("Open cases"), _("counted as of the time the file was generated")),
    ]


def to_xlsx(tables: dict[str, pd.DataFrame], *, period: Period | None = None) -> bytes:
    book = Workbook()
    book.remove(book.active)
    bold = Font(bold=True)
    for name, frame in tables.items():
        sheet = book.create_sheet(title=sheet_name(name))
        exports.xlsx_rows(sheet, _table_rows(labelled(frame)))
        for cell in sheet[1]:
            cell.font = bold
    if period is not None:
        exports.about_sheet(book, about(period))
    buffer = BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def day_text(day: date) -> str:
    """A day as the reports write it on the page, in the reader's locale's date format (the
    same for the tables and the chart)."""
    return date_format(day, "DATE_FORMAT")


def page_rows(frame: pd.DataFrame) -> list[list]:
    """A table's rows for the page: days in the locale's format, empty where undefined."""
    clean = frame.astype(object).where(frame.notna(), "")
    return [
        [day_text(v) if isinstance(v, date) else v for v in row] for row in clean.values.tolist()
    ]


def trend_chart(frame: pd.DataFrame) -> dict:
    """Complaints and breached complaints per week (the weekly trend table as a chart)."""
    return charts.chart(
        key="complaints-by-week",
        title=TABLES["trend_by_week"],
        labels=[day_text(d) for d in frame["week_starting"]],
        series=[
            charts.series(
                key="complaints",
                name=_("complaints"),
                kind="bar",
                values=[int(v) for v in frame["complaints"]],
            ),
            charts.series(
                key="breached",
                name=_("breached"),
                kind="bar",
                tone="bad",
                values=[int(v) for v in frame["breached"]],
            ),
        ],
    )


def records(frame: pd.DataFrame) -> list[dict]:
    """JSON-friendly rows (NaN → None, dates → ISO strings)."""
    clean = frame.astype(object).where(frame.notna(), None)
    out = []
    for row in clean.to_dict(orient="records"):
        out.append({k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in row.items()})
    return out
