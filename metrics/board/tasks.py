"""The wall board's tasks and its dirty marks (thin: they call the push path).

A committed change of the floor sends `floor_changed` (see `metrics.board.signals`);
`on_floor_changed` marks its site dirty, which schedules one `refresh_floor` per coalescing
window: at once when no push of the site started within the window, else for the window's end
(or hands the site to the in-process scheduler when embedded).
"""

import logging

from celery import shared_task

from metrics.board import marks, push

log = logging.getLogger(__name__)


@shared_task(name="metrics.refresh_floor", ignore_result=True)
def refresh_floor(site: str, trailing: bool = False) -> None:
    """Push the floor of `site` to its boards (scheduled by a committed change).

    `trailing`: scheduled for the end of a window that a push had opened; it sends nothing
    when that push already showed every change (`push.floor_push(quiet=True)`)."""
    push.floor_push(site=site, quiet=trailing)


@shared_task(name="metrics.floor_heartbeat", ignore_result=True)
def floor_heartbeat() -> None:
    """Push every site, changed or not, so boards know the feed is alive (and read again
    what depends on the clock: `metrics.board.state`); what was marked is pushed before
    (`push.floor_beat`)."""
    for site in push.floor_sites():
        push.floor_beat(site=site)


def floor_mark_dirty(*, site: str, touched: set[str] | None = None) -> None:
    """Remember what changed (`touched`, tokens of `marks.touched_tokens`; None: everything)
    and schedule one refresh of `site` (no-op when one is due): at once when no push of the
    site started within the coalescing window, else when the window ends."""
    marks.touched_add(site=site, tokens=touched or {marks.FULL})
    scheduler = push.local_scheduler
    if scheduler is not None:
        scheduler.mark(site)
        return
    if push.refresh_claim(site=site):
        delay = push.refresh_delay(site=site)
        if delay > 0:
            refresh_floor.apply_async(args=[site, True], countdown=delay)
        else:
            # No ETA: the worker runs it as soon as it takes it from the queue.
            refresh_floor.apply_async(args=[site])


def on_floor_changed(sender, *, site: str, touched: set[str] | None = None, **kwargs) -> None:
    """`floor_changed` receiver (sent after commit).

    The change is stored by now: a push that fails must not fail the write that caused it
    (the next change or heartbeat pushes the floor again).
    """
    try:
        floor_mark_dirty(site=site, touched=touched)
    except Exception:
        log.exception("could not schedule a refresh of the floor of %s", site)


def on_floor_model_changed(sender, *, instance, **kwargs) -> None:
    """`post_save`/`post_delete` of a queue (created by the telephony naming it, or edited,
    moved or deleted in the admin) or of a team (its lead changed): the next push of every
    site rebuilds its floor whole, as the kept floors hold the queue rows and the teams'
    leads they were built with. Both change rarely. The change itself schedules no push
    (the next change or the heartbeat pushes; a batch that created a queue marks its site)."""
    from django.db import transaction

    own = {instance.site} if isinstance(getattr(instance, "site", None), str) else set()

    def mark() -> None:
        for site in own | set(push.floor_sites()):
            marks.touched_add(site=site, tokens={marks.FULL})

    # The sites are read once the change is committed (a queue created in a batch's
    # transaction is then among them). A failure here must not fail the write that caused it
    # (the heartbeat compares the queues too).
    transaction.on_commit(mark, robust=True)
