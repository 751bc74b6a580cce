""" "Required now" on the wall board's queue tiles (registered in `SchedulingConfig.ready`)."""

from __future__ import annotations

from datetime import datetime

from django.core.cache import cache
from django.utils import timezone

from callfloor.zone import site_zone
from scheduling.forecast import bucket


def _key(queue, now: datetime) -> str:
    start = bucket(timezone.localtime(now, site_zone()), queue.interval_minutes)
    return f"scheduling:required-now:{queue.pk}:{queue.interval_minutes}:{start.isoformat()}"


def required_now_tiles(*, site: str, queues, now: datetime) -> dict[int, dict]:
    """Per queue, the agents the current interval's forecast needs (Erlang C).

    The forecast changes only with the interval, so each queue's figure is worked out once per
    interval and cached; a snapshot then costs one cache read, however many queues.
    """
    from scheduling.selectors import staffing_now

    keys = {queue.pk: _key(queue, now) for queue in queues}
    cached = cache.get_many(list(keys.values()))
    out = {}
    for queue in queues:
        key = keys[queue.pk]
        if key not in cached:
            try:
                required = staffing_now(queue=queue, now=now)["required"]
            except ValueError:  # a target Erlang C cannot reach (100 %)
                required = None
            cache.set(key, required, timeout=queue.interval_minutes * 60)
            cached[key] = required
        out[queue.pk] = {"required_now": cached[key]}
    return out
