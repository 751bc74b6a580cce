"""The offline queue_log report: a file in, the KPIs of kpi.md out (no Django, no database)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from metrics import formulas, kpi
from metrics.queue_log import (
    Event,
    LineCounts,
    LineError,
    Rejected,
    parse_file_line,
    read_lines,
)


def _file_is_ordered(lines: Iterable[str]) -> bool:
    last = float("-inf")
    for text in lines:
        head = text.partition("|")[0]
        try:
            ts = float(head)
        except ValueError:
            continue
        if ts < last:
            return False
        last = ts
    return True


def _grouped(events: Iterable[Event], counts: LineCounts) -> Iterator[Event]:
    """Events of equal time in canonical order, each natural key once (duplicates are equal
    lines, so they always share a time)."""
    group: list[Event] = []
    for event in events:
        if group and event.ts != group[0].ts:
            yield from _flush(group, counts)
            group = []
        group.append(event)
    yield from _flush(group, counts)


def _flush(group: list[Event], counts: LineCounts) -> Iterator[Event]:
    seen: set[str] = set()
    group.sort(key=Event.sort_key)
    for event in group:
        if event.key in seen:
            counts.duplicates += 1
            counts.ignored += 1
            continue
        seen.add(event.key)
        yield event


def ordered_events(
    open_lines: Callable[[], Iterable[str]],
    *,
    layout: str,
    zone: str,
    until: float | None,
    counts: LineCounts,
) -> Iterator[Event]:
    """Parse, order by (time, event order, line) and de-duplicate the lines of a log.

    An ordered file (the usual case) streams; anything else is read whole and sorted.
    """
    if layout == "file" and _file_is_ordered(open_lines()):
        return _ordered_file_events(open_lines(), counts=counts, until=until)
    else:
        source = sorted(
            read_lines(open_lines(), layout=layout, zone=zone, counts=counts, until=until),
            key=Event.sort_key,
        )
    return _grouped(source, counts)


def _ordered_file_events(
    lines: Iterable[str], *, counts: LineCounts, until: float | None
) -> Iterator[Event]:
    """`_grouped(read_lines(lines, …))` of a file in time order, in one loop: the same
    events, counts and rejections without a generator step per line between them."""
    parse, rejected, flush = parse_file_line, counts.rejected, _flush
    group: list[Event] = []
    group_ts = None
    read = 0
    try:
        for number, text in enumerate(lines, start=1):
            if not text or text.isspace():
                continue  # (`read_lines` skips a line whose strip is empty)
            try:
                # Keys only find the same line twice here: the line's text serves.
                event = parse(text, number, digest=False)
            except LineError as error:
                read += 1
                rejected.append(Rejected(number, str(error)))
                continue
            ts = event.ts
            if until is not None and ts > until:
                continue
            read += 1
            if ts != group_ts:
                if len(group) == 1:
                    yield group[0]  # alone in its second: nothing to order or repeat
                elif group:
                    yield from flush(group, counts)
                group = [event]
                group_ts = ts
            else:
                group.append(event)
        if len(group) == 1:
            yield group[0]
        elif group:
            yield from flush(group, counts)
    finally:
        counts.read += read


# An interval row of the report holds the headline figures only (each queue and each day has
# every figure, `formulas.QUEUE_FIGURES`); its keys are part of the report's JSON.
INTERVAL_FIGURES = (
    "offered",
    "answered",
    "abandoned",
    "short_abandoned",
    "timed_out",
    "waiting",
    "service_level",
    "asa_s",
    "aht_s",
)


# A time this close to its minute's end is the next minute's to `datetime` (it rounds to the
# microsecond): never answered from, nor kept in, its minute's cache.
_MINUTE_END = 59.999999
# The minutes `Report.local` keeps (about 10 weeks; ≈ 20 MB).
LOCAL_MINUTES_MAX = 100_000


class Report:
    """Folds calls, rings and intervals from an `Engine` into the report's tallies."""

    def __init__(
        self,
        *,
        threshold: float,
        short_abandon: float,
        variant: str,
        interval_minutes: int,
        site_zone: str,
        day_reset_hour: int = 0,
        fast_ring: float = formulas.THREE_RINGS_S,
    ) -> None:
        self.threshold = threshold
        self.short_abandon = short_abandon
        self.fast_ring = fast_ring
        self.variant = variant
        self.minutes = interval_minutes
        self.zone = ZoneInfo(site_zone)
        self.reset_hour = day_reset_hour
        self.queues: dict[str, formulas.Tally] = defaultdict(formulas.Tally)
        self.days: dict[tuple[str, str], formulas.Tally] = defaultdict(formulas.Tally)
        self.intervals: dict[tuple[str, datetime], formulas.Tally] = defaultdict(formulas.Tally)
        self.agents: dict[str, formulas.Tally] = defaultdict(formulas.Tally)
        self.missed: dict[str, int] = defaultdict(int)
        self.unreachable: dict[str, int] = defaultdict(int)
        self.busy: dict[str, float] = defaultdict(float)
        self.idle: dict[str, float] = defaultdict(float)
        self.waiting: list[kpi.Call] = []
        # For the repeat-call rate: every call's caller and time, and the answered ones.
        self.offered_by_caller: dict[str, list[float]] = defaultdict(list)
        self.answered_callers: dict[str, list[tuple[str, float]]] = defaultdict(list)
        self.repeat_window_s = 24 * 3600.0
        self._local: dict[int, tuple[str, datetime]] = {}

    def take(self, engine: kpi.Engine, *, final_now: float | None = None) -> None:
        calls, intervals, rings = engine.drain()
        for call in calls:
            if call.finished:
                self.add_call(call)
        for ring in rings:
            # Every member rung for a queue call is listed, even with no missed ring.
            (self.missed if ring.missed else self.unreachable)[ring.member] += 1
            self.missed.setdefault(ring.member, 0)
            self.agents.setdefault(ring.member, formulas.Tally())
        for interval in intervals:
            self.add_interval(interval, final_now or engine.clock)
        if final_now is not None:
            for call in engine.calls.values():
                self.add_call(call)
                if call.outcome == formulas.WAITING:
                    self.waiting.append(call)
            for interval in engine.open_intervals():
                self.add_interval(interval, final_now)

    def add_call(self, call: kpi.Call) -> None:
        if call.caller:
            self.offered_by_caller[call.caller].append(call.offered_ts)
            if call.outcome == formulas.ANSWERED:
                self.answered_callers[call.queue].append((call.caller, call.offered_ts))
        part = formulas.contribution(
            call.facts(),
            threshold=self.threshold,
            short_abandon=self.short_abandon,
            fast_ring=self.fast_ring,
        )
        day, start = self.local(call.offered_ts)
        self.queues[call.queue].add_part(part)
        self.days[(call.queue, day)].add_part(part)
        self.intervals[(call.queue, start)].add_part(part)
        if call.outcome == formulas.ANSWERED and call.member:
            self.agents[call.member].add_part(part)
            self.missed.setdefault(call.member, 0)

    def local(self, ts: float) -> tuple[str, datetime]:
        """(`day(ts)`, the start of the interval holding `ts`): worked out once per minute of
        UTC time (zone offsets, reset hours and interval starts are whole minutes; a zone
        with an offset in seconds is not kept)."""
        minute, second = divmod(ts, 60)
        found = self._local.get(minute) if second < _MINUTE_END else None
        if found is None:
            found = (
                self.day(ts),
                formulas.interval_start(ts, zone=self.zone, minutes=self.minutes),
            )
            offset = datetime.fromtimestamp(ts, self.zone).utcoffset()
            if second < _MINUTE_END and offset is not None and offset.seconds % 60 == 0:
                if len(self._local) >= LOCAL_MINUTES_MAX:
                    self._local.clear()  # (a log of years: the minutes of its last weeks)
                self._local[minute] = found
        return found

    def add_interval(self, interval: kpi.Interval, now: float) -> None:
        busy, idle = formulas.occupancy_seconds(interval, now)
        self.busy[interval.member] += busy
        self.idle[interval.member] += idle

    def day(self, ts: float) -> str:
        return formulas.day_label(ts, zone=self.zone, reset_hour=self.reset_hour)

    def figures(self, now: float, components: list[str], logged_members: set[str]) -> dict:
        def waits(pred) -> list[float]:
            return [max(0.0, now - c.offered_ts) for c in self.waiting if pred(c)]

        def queue(tally: formulas.Tally, pred) -> dict:
            return formulas.queue_figures(
                tally,
                waiting=waits(pred),
                threshold=self.threshold,
                variant=self.variant,
                components=components,
            )

        queues = {
            name: queue(t, lambda c, n=name: c.queue == n)
            for name, t in sorted(self.queues.items())
        }
        for times in self.offered_by_caller.values():
            times.sort()
        for name, figures in queues.items():
            figures["repeat_call_rate"] = formulas.repeat_call_rate(
                self.answered_callers.get(name, []),
                self.offered_by_caller,
                window_s=self.repeat_window_s,
            )
        # Each waiting call's day and interval, worked out once (not once per row).
        local = {id(c): self.local(c.offered_ts) for c in self.waiting}
        days: dict[str, dict] = defaultdict(dict)
        for (name, day), t in sorted(self.days.items()):
            days[name][day] = queue(
                t, lambda c, n=name, d=day: c.queue == n and local[id(c)][0] == d
            )
        intervals: dict[str, list] = defaultdict(list)
        for (name, start), t in sorted(self.intervals.items()):

            def inside(c, n=name, s=start):
                return c.queue == n and local[id(c)][1] == s

            figures = queue(t, inside)
            intervals[name].append(
                {
                    "start": start.strftime("%Y-%m-%dT%H:%M:%SZ"),
                    **{k: figures[k] for k in INTERVAL_FIGURES},
                }
            )
        agents = {}
        for member in sorted(self.missed):
            logged = member in logged_members
            agents[member] = formulas.agent_figures(
                self.agents[member],
                missed=self.missed[member],
                unreachable=self.unreachable.get(member, 0),
                components=components,
                busy_s=self.busy[member] if logged else None,
                idle_s=self.idle[member] if logged else None,
            )
        return {
            "queues": queues,
            "days": dict(days),
            "intervals": dict(intervals),
            "agents": agents,
        }


# The events that tell a member's occupancy (a login, a pause); only these names are counted
# by the engine among those starting with PAUSE or UNPAUSE.
_LOGGING = kpi.LOGINS | {"PAUSE", "PAUSEALL", "UNPAUSE", "UNPAUSEALL"}


def iso(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def build_report(
    open_lines: Callable[[], Iterable[str]],
    *,
    layout: str = "file",
    zone: str = "UTC",
    site_zone: str | None = None,
    now: float | None = None,
    threshold: float = 20,
    short_abandon: float = 5,
    variant: str = "offered",
    interval_minutes: int = 15,
    acw_reasons=kpi.DEFAULT_ACW_REASONS,
    repeat_window_h: float = 24,
    fast_ring: float = formulas.THREE_RINGS_S,
    stale_after: float = kpi.DEFAULT_STALE_AFTER_S,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """The whole report of kpi.md (`open_lines()` must give the lines afresh on each call)."""
    if variant not in formulas.VARIANTS:
        raise ValueError(f"unknown service level variant {variant!r}")
    counts = LineCounts()
    engine = kpi.Engine(acw_reasons=acw_reasons, stale_default=stale_after)
    report = Report(
        threshold=threshold,
        short_abandon=short_abandon,
        variant=variant,
        interval_minutes=interval_minutes,
        site_zone=site_zone or zone,
        fast_ring=fast_ring,
    )
    report.repeat_window_s = repeat_window_h * 3600
    # Members with a login or pause line: only their occupancy is known.
    logged_members: set[str] = set()
    for n, event in enumerate(
        ordered_events(open_lines, layout=layout, zone=zone, until=now, counts=counts), start=1
    ):
        try:
            used = engine.feed(event)
        except LineError as error:
            counts.rejected.append(Rejected(event.seq, str(error)))
            continue
        if used:
            counts.used += 1
            if event.name in _LOGGING:
                logged_members.add(event.member)
        else:
            counts.ignored += 1
        if n % 50_000 == 0:
            report.take(engine)
            if progress:
                progress(n)
    final = now if now is not None else engine.clock
    engine.advance(final)
    report.take(engine, final_now=final)
    counts.rejected.sort(key=lambda r: r.line)
    components = formulas.aht_components(saw_hold=engine.saw_hold, saw_acw=engine.saw_acw)
    return report_document(
        final=iso(final),
        counts=counts.as_dict(),
        threshold=threshold,
        short_abandon=short_abandon,
        variant=variant,
        interval_minutes=interval_minutes,
        repeat_window_h=repeat_window_h,
        fast_ring=fast_ring,
        stale_after=stale_after,
        body=report.figures(final, components, logged_members),
    )


def report_document(
    *,
    final: str,
    counts: dict,
    threshold: float,
    short_abandon: float,
    variant: str,
    interval_minutes: int,
    repeat_window_h: float,
    fast_ring: float,
    stale_after: float,
    body: dict,
    rounded=formulas.round_figures,
) -> dict:
    """The report's JSON document (kpi.md, "The offline report contract")."""
    return rounded(
        {
            "now": final,
            "lines": counts,
            "settings": {
                "threshold_s": threshold,
                "short_abandon_s": short_abandon,
                "variant": variant,
                "interval_minutes": interval_minutes,
                "repeat_window_h": repeat_window_h,
                "three_rings_s": fast_ring,
                "stale_after_s": stale_after,
            },
            **body,
        }
    )
