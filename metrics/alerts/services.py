"""The writes of alerts: channels, rules, evaluating a floor, publishing events, deliveries.

Nothing here runs in the request or ingestion path on the network: evaluation only writes
rows, and deliveries go out from a Celery task (`metrics.alerts.tasks.deliver`) after commit,
so a slow or dead endpoint never delays ingestion or the board.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Iterable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

from celery import current_app
from django.conf import settings
from django.core.cache import cache
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from agents.services import audit_record
from callfloor.zone import site_zone
from metrics.alerts import formats, messages, rules
from metrics.alerts.addresses import AddressRefused, url_check
from metrics.alerts.models import (
    AlertChannel,
    AlertDelivery,
    AlertDeliveryAttempt,
    AlertFiring,
    AlertRule,
    ChannelKind,
    DeliveryStatus,
)
from metrics.alerts.secrets import channel_secret, secret_encrypt
from metrics.board.bands import bands

log = logging.getLogger(__name__)

# The integration events a channel may subscribe to (besides its rules' alerts).
EVENTS = (
    "alert.raised",
    "alert.cleared",
    "help.requested",
    "complaint.escalated",
    "appeal.decided",
    "handover.sent",
    "handover.acknowledged",
)
ROBOTS = (ChannelKind.WECOM, ChannelKind.DINGTALK, ChannelKind.FEISHU)
LEASE_S = 60.0


def retry_base_s() -> float:
    return float(getattr(settings, "CALLFLOOR_ALERTS_RETRY_BASE_S", 30.0))


def max_attempts() -> int:
    return int(getattr(settings, "CALLFLOOR_ALERTS_MAX_ATTEMPTS", 6))


def retry_delay_s(attempts: int) -> float:
    """Exponential back-off after `attempts` failed attempts: base, 2×base, 4×base… (≤ 1 h)."""
    return min(retry_base_s() * 2 ** (attempts - 1), 3600.0)


# -- channels -----------------------------------------------------------------------------------


def channel_save(
    *,
    channel: AlertChannel,
    actor,
    secret: str | None = None,
) -> AlertChannel:
    """Create or update `channel` (checked: its URL may be used); `secret` replaces the stored
    one when given (None or "" keeps it)."""
    if channel.kind != ChannelKind.EMAIL:
        url_check(channel.url, allow_private=channel.allow_private)
    if secret:
        channel.secret_encrypted = secret_encrypt(plain=secret)
    creating = channel.pk is None
    if creating:
        channel.created_by = actor
    channel.save()
    audit_record(
        actor=actor,
        target=channel,
        action="alert_channel.created" if creating else "alert_channel.updated",
        data={"kind": channel.kind, "name": channel.name, "secret_changed": bool(secret)},
    )
    return channel


def channel_delete(*, channel: AlertChannel, actor) -> None:
    audit_record(
        actor=actor, target=channel, action="alert_channel.deleted", data={"name": channel.name}
    )
    channel.delete()


def channel_test(*, channel: AlertChannel, actor) -> AlertDelivery:
    """Queue a test message to `channel` (sent like any other, logged in its deliveries)."""
    message = messages.event_message(
        event="test",
        summary=f"{channel.name} ({channel.get_kind_display()})",
        link="/floor/",
    )
    event = _event("test", {"channel": channel.name, "requested_by": actor.get_username()})
    return deliveries_create(channels=[channel], event=event, message=message)[0]


# -- rules --------------------------------------------------------------------------------------


def rule_save(*, rule: AlertRule, actor, queues, teams, channels) -> AlertRule:
    creating = rule.pk is None
    if creating:
        rule.owner = actor
    rule.save()
    rule.queues.set(queues)
    rule.teams.set(teams)
    rule.channels.set(channels)
    audit_record(
        actor=actor,
        target=rule,
        action="alert_rule.created" if creating else "alert_rule.updated",
        data={"kind": rule.kind, "name": rule.name},
    )
    return rule


def rule_delete(*, rule: AlertRule, actor) -> None:
    audit_record(actor=actor, target=rule, action="alert_rule.deleted", data={"name": rule.name})
    rule.delete()


def rule_spec(rule: AlertRule) -> rules.RuleSpec:
    """The pure description of `rule`, its scope narrowed to a team lead's teams."""
    from agents.models import Team
    from metrics.board.snapshot import queues_of_teams

    queue_ids = frozenset(q.pk for q in rule.queues.all()) or None
    team_ids = frozenset(t.pk for t in rule.teams.all()) or None
    if rule.team_scope:
        led = frozenset(Team.objects.filter(lead=rule.owner_id).values_list("pk", flat=True))
        team_ids = (team_ids & led) if team_ids is not None else led
        reach = queues_of_teams(team_ids)
        queue_ids = (queue_ids & reach) if queue_ids is not None else reach
    return rules.RuleSpec(
        id=rule.pk,
        kind=rule.kind,
        threshold=rule.threshold,
        queue_ids=queue_ids,
        team_ids=team_ids,
        start=rule.start_time,
        end=rule.end_time,
        days=tuple(rule.days or ()),
        cooldown_s=rule.cooldown_minutes * 60.0,
    )


# -- evaluation ---------------------------------------------------------------------------------


def alerts_evaluate(*, site: str, snapshot: dict, now: datetime) -> int:
    """Compare the rules of `site` with its floor; write firings and queue their messages.

    Runs after each push of the floor (`floor_pushed`); at most one evaluation of a site at a
    time (a concurrent one is skipped: the next push evaluates again). Returns the number of
    transitions.
    """
    if not _rules_enabled(site):
        return 0
    lock = f"callfloor:alerts:evaluate:{site}"
    if not cache.add(lock, "1", timeout=30):
        return 0
    try:
        active = list(
            AlertRule.objects.filter(site=site, enabled=True).prefetch_related(
                "queues", "teams", "channels"
            )
        )
        if not active:
            return 0
        open_rows = AlertFiring.objects.filter(rule__in=active, cleared_at__isnull=True)
        open_by_rule: dict[int, dict[str, AlertFiring]] = {}
        for row in open_rows:
            open_by_rule.setdefault(row.rule_id, {})[row.subject] = row
        zone = site_zone()
        count = 0
        for rule in active:
            opened = open_by_rule.get(rule.pk, {})
            transitions = rules.evaluate(
                rule_spec(rule),
                snapshot,
                now=now,
                zone=zone,
                open_firings={
                    s: rules.OpenFiring(s, f.raised_at.timestamp(), f.notified, f.detail)
                    for s, f in opened.items()
                },
                last_notified=lambda subjects, rule=rule: _last_notified(rule, subjects),
                bands=bands(),
            )
            if transitions:
                _apply(rule, transitions, opened, now)
                count += len(transitions)
        return count
    finally:
        cache.delete(lock)


def _rules_enabled(site: str) -> bool:
    """Whether `site` has an enabled rule: one plain SQL statement, as this runs after every
    push of the board and most sites have none."""
    table = connection.ops.quote_name(AlertRule._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT 1 FROM {table} WHERE site = %s AND enabled LIMIT 1",  # noqa: S608
            [site],
        )
        return cursor.fetchone() is not None


def _last_notified(rule: AlertRule, subjects: Iterable[str]) -> dict[str, float]:
    rows = (
        AlertFiring.objects.filter(rule=rule, subject__in=list(subjects), notified=True)
        .values("subject")
        .annotate(last=Max("raised_at"))
    )
    return {row["subject"]: row["last"].timestamp() for row in rows}


def _condition_data(condition: rules.Condition) -> dict:
    return {
        "kind": condition.kind,
        "figure": condition.figure,
        "limit": condition.limit,
        "since": condition.since,
        "queue": {"id": condition.queue_id, "name": condition.queue}
        if condition.queue_id
        else None,
        "agent": {"id": condition.agent_id, "name": condition.agent}
        if condition.agent_id or condition.agent
        else None,
        "team": {"id": condition.team_id, "name": condition.team} if condition.team_id else None,
        "reason": condition.reason,
    }


def _condition_of(detail: dict) -> rules.Condition:
    queue, agent, team = detail.get("queue") or {}, detail.get("agent") or {}, detail.get("team")
    return rules.Condition(
        subject="",
        kind=detail.get("kind", ""),
        figure=detail.get("figure"),
        limit=detail.get("limit"),
        since=detail.get("since"),
        queue_id=queue.get("id"),
        queue=queue.get("name", ""),
        agent_id=agent.get("id"),
        agent=agent.get("name", ""),
        team_id=(team or {}).get("id"),
        team=(team or {}).get("name", ""),
        reason=detail.get("reason", ""),
    )


@transaction.atomic
def _apply(rule: AlertRule, transitions: list, opened: dict, now: datetime) -> None:
    channels = [c for c in rule.channels.all() if c.enabled]
    for transition in transitions:
        if transition.state == "raised":
            condition = transition.condition
            detail = _condition_data(condition)
            with transaction.atomic():
                created = AlertFiring.objects.filter(
                    rule=rule, subject=transition.subject, cleared_at__isnull=True
                ).exists()
                if created:
                    continue
                AlertFiring.objects.create(
                    rule=rule,
                    subject=transition.subject,
                    raised_at=now,
                    notified=transition.notify,
                    detail=detail,
                )
        else:
            firing = opened[transition.subject]
            updated = AlertFiring.objects.filter(pk=firing.pk, cleared_at__isnull=True).update(
                cleared_at=now
            )
            if not updated:
                continue
            detail = firing.detail
            condition = _condition_of(detail)
        if not transition.notify or not channels:
            continue
        message = messages.transition_message(
            transition=transition,
            condition=condition,
            rule_name=rule.name,
            language=rule.language,
            now_s=now.timestamp(),
        )
        event = _event(
            "alert.raised" if transition.state == "raised" else "alert.cleared",
            {
                "rule": {"id": rule.pk, "name": rule.name},
                "subject": transition.subject,
                "alert": detail,
                "raised_at": datetime.fromtimestamp(
                    transition.raised_at or now.timestamp(), tz=UTC
                ).isoformat(),
                "link": message["link"],
            },
            now=now,
        )
        deliveries_create(channels=channels, event=event, message=message)


# -- events and deliveries ----------------------------------------------------------------------


def _event(name: str, data: dict, *, now: datetime | None = None) -> dict:
    return {
        "version": formats.WEBHOOK_VERSION,
        "id": str(uuid.uuid4()),
        "event": name,
        "occurred_at": (now or timezone.now()).isoformat(),
        "data": data,
    }


def event_publish(*, event: str, data: dict, summary: str = "", link: str = "") -> int:
    """Send integration `event` to the channels subscribed to it (after the current commit).

    `data` must carry no caller numbers or customer details: ids, states and staff names.
    """

    def publish() -> None:
        try:
            channels = [
                c for c in AlertChannel.objects.filter(enabled=True) if event in (c.events or [])
            ]
            if channels:
                message = messages.event_message(event=event, summary=summary, link=link)
                deliveries_create(channels=channels, event=_event(event, data), message=message)
        except Exception:
            log.exception("could not publish the %s event", event)

    transaction.on_commit(publish)
    return 0


def deliveries_create(*, channels, event: dict, message: dict) -> list[AlertDelivery]:
    now = timezone.now()
    rows = AlertDelivery.objects.bulk_create(
        AlertDelivery(
            channel=channel,
            event=event["event"],
            event_id=event["id"],
            payload={"event": event, "message": message},
            created_at=now,
        )
        for channel in channels
    )
    ids = [row.pk for row in rows]
    transaction.on_commit(lambda: deliveries_dispatch(ids=ids))
    return rows


# Embedded mode and eager tests run Celery tasks in the caller: deliveries then go to these
# threads instead, so the caller (an ingestion, a push) never waits for an endpoint.
DELIVER_TASK = "metrics.alerts.deliver"  # the name of `metrics.alerts.tasks.deliver`
_local = ThreadPoolExecutor(max_workers=4, thread_name_prefix="alerts-delivery")


def _local_attempt(delivery_id: int) -> None:
    try:
        delay = delivery_attempt(delivery_id=delivery_id)
    except Exception:
        log.exception("delivery %s failed", delivery_id)
        delay = None
    finally:
        connection.close()  # this thread's own connection
    if delay is not None:
        timer = threading.Timer(delay, lambda: _local.submit(_local_attempt, delivery_id))
        timer.daemon = True
        timer.start()


def deliveries_dispatch(*, ids: list[int], delay_s: float = 0.0) -> None:
    """Queue one delivery task per id (`metrics.alerts.tasks.deliver`, sent by its name: the
    tasks call these services, not the other way round)."""
    for delivery_id in ids:
        if getattr(settings, "CELERY_TASK_ALWAYS_EAGER", False):
            _local.submit(_local_attempt, delivery_id)
        else:
            current_app.send_task(DELIVER_TASK, args=[delivery_id], countdown=delay_s or None)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> float | None:
    """One attempt to deliver; logs it. Returns the delay before the next attempt, or None.

    The attempt is claimed first (a lease on the row), so a task that runs twice, or the beat
    that picks up forgotten deliveries, never sends the same attempt twice at once.
    """
    now = now or timezone.now()
    claimed = AlertDelivery.objects.filter(
        Q(next_attempt_at__isnull=True) | Q(next_attempt_at__lte=now),
        pk=delivery_id,
        status=DeliveryStatus.PENDING,
    ).update(attempts=F("attempts") + 1, next_attempt_at=now + timedelta(seconds=LEASE_S))
    if not claimed:
        return None
    delivery = AlertDelivery.objects.select_related("channel").get(pk=delivery_id)
    started = time.monotonic()
    ok, code, error = _send(delivery, now)
    took = int((time.monotonic() - started) * 1000)
    finished = timezone.now() if now is None else now
    AlertDeliveryAttempt.objects.create(
        delivery=delivery,
        number=delivery.attempts,
        at=now,
        ok=ok,
        status_code=code,
        error=error,
        duration_ms=took,
    )
    delay = None
    if ok:
        fields = {"status": DeliveryStatus.SENT, "sent_at": finished, "last_error": ""}
        fields["next_attempt_at"] = None
    elif delivery.attempts >= max_attempts():
        fields = {"status": DeliveryStatus.FAILED, "last_error": error, "next_attempt_at": None}
    else:
        delay = retry_delay_s(delivery.attempts)
        fields = {"last_error": error, "next_attempt_at": now + timedelta(seconds=delay)}
    AlertDelivery.objects.filter(pk=delivery.pk).update(**fields)
    return delay


def _send(delivery: AlertDelivery, now: datetime) -> tuple[bool, int | None, str]:
    from metrics.alerts import transport

    channel = delivery.channel
    if not channel.enabled:
        return False, None, "the channel is disabled"
    event, message = delivery.payload["event"], delivery.payload["message"]
    try:
        if channel.kind == ChannelKind.EMAIL:
            recipients = [e.strip() for e in channel.emails.splitlines() if e.strip()]
            send_mail(
                subject=f"[callfloor] {message['title']}",
                message=formats.message_text(message),
                from_email=None,
                recipient_list=recipients,
            )
            return True, None, ""
        secret = channel_secret(channel)
        if channel.kind == ChannelKind.WEBHOOK:
            request = formats.webhook_request(
                url=channel.url, secret=secret, event=event, now_s=now.timestamp()
            )
        else:
            request = formats.robot_request(
                kind=channel.kind,
                url=channel.url,
                secret=secret,
                message=message,
                now_s=now.timestamp(),
            )
        outcome = transport.post(request, allow_private=channel.allow_private)
    except AddressRefused as refused:
        return False, None, f"refused: {refused}"[:500]
    except Exception as error:  # a broken endpoint must never break the worker
        return False, None, f"{type(error).__name__}: {error}"[:500]
    if outcome.ok and channel.kind in ROBOTS:
        problem = _robot_problem(outcome.body)
        if problem:
            return False, outcome.status_code, problem
    return outcome.ok, outcome.status_code, outcome.error


def _robot_problem(body: bytes) -> str:
    """The robots answer 200 with an error code in the body ("errcode" or "code", 0 is ok)."""
    import json

    try:
        answer = json.loads(body or b"{}")
    except ValueError:
        return ""
    if not isinstance(answer, dict):
        return ""
    code = answer.get("errcode", answer.get("code", 0))
    if code not in (0, None, "0"):
        return f"robot error {code}: {answer.get('errmsg') or answer.get('msg') or ''}"[:500]
    return ""


def deliveries_due(*, now: datetime | None = None) -> list[int]:
    """Pending deliveries whose next attempt is due (a lost task, a restart): their ids."""
    now = now or timezone.now()
    stale = now - timedelta(seconds=LEASE_S)
    return list(
        AlertDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            Q(next_attempt_at__lte=now) | Q(next_attempt_at__isnull=True, created_at__lte=stale)
        )
        .values_list("pk", flat=True)[:500]
    )
