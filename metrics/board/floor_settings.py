"""Settings a supervisor changes from the board: per queue service level and wait alerts, and
the site's alert thresholds (long call, long wrap-up, break allowances).

Each change is validated (a `DomainError` naming the field and the reason), audited with the
values before and after, recomputes the queue's interval rollups when a setting they were
counted with changed (as the admin's Queue save does), and reaches every open board through
the next push (`floor_changed_on_commit`).

Who: supervisors and admins everything; a team lead the queues their teams work, when the
site's `team_leads_edit_queues` is on; nobody else.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.db import transaction
from django.utils.translation import gettext as _

from agents.access import has_role, teams_led_by
from agents.roles import Role
from agents.services import audit_record
from callfloor.errors import DomainError
from metrics.board.bands import floor_settings_of, site_bands
from metrics.board.models import FloorSettings
from metrics.board.signals import floor_changed_on_commit
from metrics.models import UNREACHABLE_TARGET, Queue, SLVariant, reachable_target
from metrics.telephony import services as telephony

# The queue settings that the interval rollups were counted with (see metrics.admin).
ROLLUP_SETTINGS = ("sl_threshold_s", "short_abandon_s", "interval_minutes", "ring_fast_s")
QUEUE_FIELDS = (
    "sl_variant",
    "sl_target",
    "sl_red",
    "sl_threshold_s",
    "short_abandon_s",
    "wait_amber_s",
    "wait_red_s",
)
SITE_FIELDS = ("long_call_s", "long_wrap_up_s", "break_allowances", "team_leads_edit_queues")
MAX_SECONDS = 24 * 3600


# -- reads --------------------------------------------------------------------------------------


def site_thresholds(row: FloorSettings) -> dict:
    current = site_bands(row.site, row)
    return {
        "long_call_s": current["on_call"][1],
        "long_wrap_up_s": current["wrap_up"][1],
        "break_allowances": current["not_ready"],
        "team_leads_edit_queues": row.team_leads_edit_queues,
    }


def queue_settings(queue: Queue) -> dict:
    return {name: getattr(queue, name) for name in QUEUE_FIELDS}


# -- who may ------------------------------------------------------------------------------------


def can_edit_site(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def editable_queue_ids(user, site: str) -> frozenset[int] | None:
    """The queues `user` may change on `site` (None: every queue)."""
    if can_edit_site(user):
        return None
    if not has_role(user, Role.TEAM_LEAD) or not floor_settings_of(site).team_leads_edit_queues:
        return frozenset()
    return frozenset(
        Queue.objects.filter(site=site, teams__in=teams_led_by(user))
        .values_list("pk", flat=True)
        .distinct()
    )


def can_edit_queue(user, queue: Queue) -> bool:
    allowed = editable_queue_ids(user, queue.site)
    return allowed is None or queue.pk in allowed


# -- validation ---------------------------------------------------------------------------------


def _seconds(field: str, value, *, low: int = 0) -> int:
    if isinstance(value, bool) or not isinstance(value, int | float) or value != int(value):
        raise DomainError(_("Give a whole number of seconds."), field=field)
    if not low <= int(value) <= MAX_SECONDS:
        raise DomainError(
            _("Give between %(low)s and %(high)s seconds.") % {"low": low, "high": MAX_SECONDS},
            field=field,
        )
    return int(value)


def _share(field: str, value) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise DomainError(_("Give a share between 0 and 1 (0.8 is 80 %)."), field=field)
    if not 0 < value <= 1:
        raise DomainError(_("Give a share between 0 and 1 (0.8 is 80 %)."), field=field)
    return float(value)


def _queue_changes(queue: Queue, changes: dict) -> dict:
    unknown = sorted(set(changes) - set(QUEUE_FIELDS))
    if unknown:
        raise DomainError(_("This setting cannot be changed here."), field=unknown[0])
    clean = {}
    for field, value in changes.items():
        if field == "sl_variant":
            if value not in SLVariant.values:
                raise DomainError(_("Unknown service-level definition."), field=field)
            clean[field] = value
        elif field in ("sl_target", "sl_red"):
            clean[field] = _share(field, value)
            if field == "sl_target" and not reachable_target(clean[field]):
                raise DomainError(str(UNREACHABLE_TARGET), field=field)
        else:
            clean[field] = _seconds(field, value, low=1 if field == "sl_threshold_s" else 0)
    after = {**queue_settings(queue), **clean}
    if after["sl_red"] > after["sl_target"]:
        raise DomainError(
            _("The red mark must not be above the target."),
            field="sl_red" if "sl_red" in clean else "sl_target",
        )
    if after["wait_amber_s"] >= after["wait_red_s"]:
        raise DomainError(
            _("The amber wait must be shorter than the red wait."),
            field="wait_amber_s" if "wait_amber_s" in clean else "wait_red_s",
        )
    return clean


def _site_changes(changes: dict) -> dict:
    unknown = sorted(set(changes) - set(SITE_FIELDS))
    if unknown:
        raise DomainError(_("This setting cannot be changed here."), field=unknown[0])
    clean: dict = {}
    for field, value in changes.items():
        if field == "team_leads_edit_queues":
            if not isinstance(value, bool):
                raise DomainError(_("Give true or false."), field=field)
            clean[field] = value
        elif field == "break_allowances":
            if not isinstance(value, dict) or len(value) > 50:
                raise DomainError(_("Give a reason → seconds map."), field=field)
            allowances = {}
            for reason, seconds in value.items():
                if not isinstance(reason, str) or not reason.strip() or len(reason) > 50:
                    raise DomainError(_("A reason needs a name of 1–50 characters."), field=field)
                allowances[reason.strip()] = _seconds(f"{field}.{reason}", seconds, low=1)
            clean[field] = allowances
        else:
            clean[field] = None if value is None else _seconds(field, value, low=1)
    return clean


# -- writes -------------------------------------------------------------------------------------


def queue_settings_update(*, actor: User, queue: Queue, changes: dict) -> Queue:
    """Change a queue's service-level and wait-alert settings from the board."""
    if not can_edit_queue(actor, queue):
        raise DomainError(
            _("You may change the settings of your own teams' queues only."),
            code="permission_denied",
            status_code=403,
        )
    with transaction.atomic():
        queue = Queue.objects.select_for_update().get(pk=queue.pk)
        clean = _queue_changes(queue, changes)
        before = queue_settings(queue)
        changed = [name for name, value in clean.items() if before[name] != value]
        if not changed:
            return queue
        for name in changed:
            setattr(queue, name, clean[name])
        queue.save(update_fields=changed)
        audit_record(
            actor=actor,
            action="queue.settings_changed",
            target=queue,
            data={
                "before": {name: before[name] for name in changed},
                "after": {name: clean[name] for name in changed},
            },
        )
        # Today's and past intervals were counted with the old threshold: count them again.
        if set(changed) & set(ROLLUP_SETTINGS):
            telephony.queue_rollups_rebuild(queue=queue)
        floor_changed_on_commit(sender=Queue, site=queue.site)
    return queue


def floor_settings_update(*, actor: User, site: str, changes: dict) -> FloorSettings:
    """Change a site's alert thresholds (supervisors and admins)."""
    if not can_edit_site(actor):
        raise DomainError(
            _("Only supervisors change the floor's alert thresholds."),
            code="permission_denied",
            status_code=403,
        )
    clean = _site_changes(changes)
    with transaction.atomic():
        row, _created = FloorSettings.objects.select_for_update().get_or_create(site=site)
        before = {name: getattr(row, name) for name in clean}
        changed = [name for name, value in clean.items() if before[name] != value]
        if not changed:
            return row
        for name in changed:
            setattr(row, name, clean[name])
        row.save()
        audit_record(
            actor=actor,
            action="floor_settings.changed",
            target=row,
            data={
                "before": {name: before[name] for name in changed},
                "after": {name: clean[name] for name in changed},
            },
        )
        floor_changed_on_commit(sender=FloorSettings, site=site)
    return row
