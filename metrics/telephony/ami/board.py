"""An AMI source's connection on the wall board (an alert, a stale banner on its queues) and
in /healthz (registered in `MetricsConfig.ready`)."""

from __future__ import annotations

from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils.translation import gettext as _

from metrics.models import Queue, QueueCall, SourceKind, TelephonySource
from metrics.telephony.ami.models import AmiLink
from metrics.telephony.ami.services import ami_link_is_up


def link_stale_s() -> float:
    """A connected follower not heard from for this long is taken as gone
    (`CALLFLOOR_AMI_STALE_S`; it pings every 20 s)."""
    return float(getattr(settings, "CALLFLOOR_AMI_STALE_S", 90))


def _ami_sources_on(site: str) -> bool:
    """Whether `site` has an active AMI source."""
    table = connection.ops.quote_name(TelephonySource._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE site = %s AND kind = %s AND active LIMIT 1",  # noqa: S608
            [site, SourceKind.AMI],
        )
        return cursor.fetchone() is not None


def ami_links_down(
    *, site: str | None, now: datetime
) -> list[tuple[TelephonySource, AmiLink | None]]:
    """The active AMI sources (of `site`, or all) whose connection is not up now."""
    # One plain query when there is none (every push of a site without AMI sources asks, and
    # building the ORM's query would cost more than running it).
    if site is not None and not _ami_sources_on(site):
        return []
    sources = TelephonySource.objects.filter(kind=SourceKind.AMI, active=True)
    if site is not None:
        sources = sources.filter(site=site)
    found = list(sources.order_by("name"))
    if not found:
        return []
    links = {
        link.source_id: link
        for link in AmiLink.objects.filter(source_id__in=[source.pk for source in found])
    }
    limit = link_stale_s()
    return [
        (source, links.get(source.pk))
        for source in found
        if not ami_link_is_up(links.get(source.pk), now=now, stale_after_s=limit)
    ]


def ami_link_floor_alerts(*, site: str, now: datetime) -> list[dict]:
    """One red alert per AMI source of `site` whose connection is down (or its follower gone)."""
    alerts = []
    for source, link in ami_links_down(site=site, now=now):
        since = link.since if link is not None else source.created_at
        alerts.append(
            {
                "key": f"ami_down:{source.pk}",
                "kind": "ami_down",
                "severity": "red",
                "text": _(
                    "Telephony source %(name)s: no connection to Asterisk; its figures are stale"
                )
                % {"name": source.name},
                "params": {"name": source.name},
                "since": round(since.timestamp(), 3),
                "subject_name": source.name,
            }
        )
    return alerts


def ami_stale_tiles(*, site: str, queues: list[Queue], now: datetime) -> dict[int, dict]:
    """Per queue fed by an AMI source that is down: `stale_source`, that source's name.

    A source's queues are the ones it is limited to, else those its calls came in on, else
    (a source with no call yet) every queue of its site.
    """
    down = ami_links_down(site=site, now=now)
    if not down:
        return {}
    ids = {q.pk for q in queues}
    tiles: dict[int, dict] = {}
    for source, _link in down:
        fed = set(source.queues.values_list("pk", flat=True)) or set(
            QueueCall.objects.filter(source=source).values_list("queue_id", flat=True).distinct()
        )
        for pk in (fed or ids) & ids:
            tiles.setdefault(pk, {"stale_source": source.name})
    return tiles


def ami_health(*, now: datetime) -> dict | None:
    """The /healthz entry of the AMI sources (None when there is none): each source's state,
    never its address or messages (the health check answers anyone)."""
    sources = list(TelephonySource.objects.filter(kind=SourceKind.AMI, active=True))
    if not sources:
        return None
    down = {source.pk for source, _link in ami_links_down(site=None, now=now)}
    links = {link.source_id: link for link in AmiLink.objects.filter(source__in=sources)}
    states = {}
    for source in sources:
        link = links.get(source.pk)
        states[source.name] = {
            "ok": source.pk not in down,
            "state": "connected" if source.pk not in down else (link.state if link else "down"),
            "since": link.since.isoformat() if link else None,
        }
    return {"ok": not down, "sources": states}
