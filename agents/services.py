"""Writes for people, teams, the audit trail and notifications."""

from collections.abc import Callable, Iterable, Sequence

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import models, transaction
from django.dispatch import Signal
from django.utils import timezone, translation
from django.utils.translation import gettext
from django.utils.translation import gettext as _

from agents.models import (
    Agent,
    AuditEntry,
    Notification,
    PasswordChangeRequired,
    Team,
    TelephonyAlias,
    UserPreferences,
)
from agents.roles import Role
from callfloor.errors import DomainError

User = get_user_model()

# Sent after an agent's aliases change (kwargs: agent, aliases), so that telephony history
# recorded under a member name can be attributed to the agent who now owns it.
agent_aliases_changed = Signal()


def audit_record(
    *, actor: User, action: str, target: models.Model, data: dict | None = None
) -> AuditEntry:
    """Write one audit row for a state or score change of `target`."""
    return AuditEntry.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        action=action,
        object_type=target._meta.label_lower,
        object_id=str(target.pk),
        data=data or {},
    )


def notify(
    *, recipients: Iterable, text: str | Callable[[], str], link: str = "", kind: str = ""
) -> int:
    """Put a notification in each recipient's inbox (duplicates and None are skipped).

    `text` may be a function that writes the message: it is called once per recipient in the
    recipient's own language, so everyone reads the inbox in the language they chose.
    """
    seen: set[int] = set()
    rows = []
    users = [user for user in recipients if user is not None]
    languages = user_languages(users=users)
    for user in users:
        if user.pk in seen:
            continue
        seen.add(user.pk)
        if callable(text):
            with translation.override(languages.get(user.pk) or settings.LANGUAGE_CODE):
                body = str(text())
        else:
            body = str(text)
        rows.append(Notification(recipient=user, text=body[:500], link=link, kind=kind))
    Notification.objects.bulk_create(rows)
    return len(rows)


def notification_mark_read(*, user: User, notification_ids: Sequence[int] | None = None) -> int:
    """Mark the user's notifications read (all unread ones when no ids are given)."""
    qs = Notification.objects.filter(recipient=user, read_at__isnull=True)
    if notification_ids is not None:
        qs = qs.filter(pk__in=notification_ids)
    return qs.update(read_at=timezone.now())


def user_create(
    *,
    username: str,
    password: str | None,
    roles: Sequence[str],
    first_name: str = "",
    last_name: str = "",
    email: str = "",
) -> User:
    if User.objects.filter(username__iexact=username).exists():
        raise DomainError(
            _("The user name %(username)s is taken.") % {"username": repr(username)},
            field="username",
        )
    unknown = set(roles) - set(Role.values)
    if unknown:
        raise DomainError(
            _("Unknown role(s): %(join)s.") % {"join": ", ".join(sorted(unknown))}, field="roles"
        )
    user = User(username=username, first_name=first_name, last_name=last_name, email=email)
    if password:
        user.set_password(password)
    else:
        user.set_unusable_password()
    # Administrators and supervisors use the Django admin (supervisors read-only).
    user.is_staff = Role.ADMIN in roles or Role.SUPERVISOR in roles
    user.save()
    # The groups come from a data migration; get_or_create keeps this working on a flushed
    # database (transactional tests) too.
    user.groups.set([Group.objects.get_or_create(name=role)[0] for role in roles])
    return user


def team_create(*, name: str, lead=None) -> Team:
    if Team.objects.filter(name__iexact=name).exists():
        raise DomainError(
            _("A team named %(name)s exists already.") % {"name": repr(name)}, field="name"
        )
    return Team.objects.create(name=name, lead=lead)


def _check_aliases(aliases: Sequence[str], *, agent: Agent | None) -> list[str]:
    cleaned = []
    for alias in aliases:
        alias = alias.strip()
        if not alias:
            raise DomainError(_("A telephony alias cannot be empty."), field="aliases")
        if alias in cleaned:
            raise DomainError(
                _("The alias %(alias)s is listed twice.") % {"alias": repr(alias)}, field="aliases"
            )
        cleaned.append(alias)
    taken = TelephonyAlias.objects.filter(name__in=cleaned)
    if agent is not None:
        taken = taken.exclude(agent=agent)
    clash = taken.select_related("agent").first()
    if clash is not None:
        raise DomainError(
            _("The alias %(clash_name)s belongs to %(display_name)s already.")
            % {"clash_name": repr(clash.name), "display_name": clash.agent.display_name},
            field="aliases",
        )
    return cleaned


@transaction.atomic
def agent_create(
    *,
    username: str,
    display_name: str,
    employee_number: str,
    team: Team | None,
    aliases: Sequence[str] = (),
    password: str | None = None,
    roles: Sequence[str] = (Role.AGENT,),
    actor: User | None = None,
) -> Agent:
    """Create a user with the agent role and their floor profile."""
    if Agent.objects.filter(employee_number=employee_number).exists():
        raise DomainError(
            _("Employee number %(number)s is taken.") % {"number": repr(employee_number)},
            field="employee_number",
        )
    cleaned = _check_aliases(aliases, agent=None)
    first, _sep, last = display_name.partition(" ")
    user = user_create(
        username=username, password=password, roles=roles, first_name=first, last_name=last
    )
    agent = Agent.objects.create(
        user=user, employee_number=employee_number, display_name=display_name, team=team
    )
    TelephonyAlias.objects.bulk_create(TelephonyAlias(agent=agent, name=a) for a in cleaned)
    audit_record(
        actor=actor,
        action="agent.created",
        target=agent,
        data={"team": team.pk if team else None, "aliases": cleaned},
    )
    return agent


@transaction.atomic
def agent_update(
    *,
    agent: Agent,
    actor: User | None = None,
    display_name: str | None = None,
    employee_number: str | None = None,
    team: Team | bool | None = False,
    active: bool | None = None,
    aliases: Sequence[str] | None = None,
) -> Agent:
    """Change an agent's profile; `team=False` means "leave the team as it is"."""
    changes: dict = {}
    fields = []
    if employee_number is not None and employee_number != agent.employee_number:
        if Agent.objects.filter(employee_number=employee_number).exclude(pk=agent.pk).exists():
            raise DomainError(
                f"Employee number {employee_number!r} is taken.", field="employee_number"
            )
        agent.employee_number = employee_number
        fields.append("employee_number")
        changes["employee_number"] = employee_number
    if display_name is not None and display_name != agent.display_name:
        agent.display_name = display_name
        fields.append("display_name")
        changes["display_name"] = display_name
    if team is not False and team != agent.team:
        agent.team = team
        fields.append("team")
        changes["team"] = team.pk if team else None
    if active is not None and active != agent.active:
        agent.active = active
        fields.append("active")
        changes["active"] = active
    if fields:
        agent.save(update_fields=fields)
    if aliases is not None:
        cleaned = _check_aliases(aliases, agent=agent)
        current = set(agent.aliases.values_list("name", flat=True))
        if set(cleaned) != current:
            agent.aliases.exclude(name__in=cleaned).delete()
            TelephonyAlias.objects.bulk_create(
                TelephonyAlias(agent=agent, name=a) for a in cleaned if a not in current
            )
            changes["aliases"] = cleaned
            agent_aliases_changed.send(sender=Agent, agent=agent, aliases=cleaned)
    if changes:
        audit_record(actor=actor, action="agent.updated", target=agent, data=changes)
    return agent


def user_languages(*, users) -> dict[int, str]:
    """The chosen language of each of `users` by user id (missing: they chose none)."""
    ids = [user.pk for user in users if getattr(user, "pk", None)]
    if not ids:
        return {}
    return dict(
        UserPreferences.objects.filter(user_id__in=ids)
        .exclude(language="")
        .values_list("user_id", "language")
    )


def user_language(*, user) -> str:
    """The language `user` chose ("" when they have not: their browser decides)."""
    if user is None or not getattr(user, "pk", None):
        return ""
    return (
        UserPreferences.objects.filter(user_id=user.pk).values_list("language", flat=True).first()
        or ""
    )


def user_language_set(*, user, language: str) -> str:
    """Store the language `user` reads callfloor in ("" to follow the browser again)."""
    if language and language not in {code for code, _name in settings.LANGUAGES}:
        raise DomainError(
            gettext("This language is not offered."), field="language", code="unknown_language"
        )
    UserPreferences.objects.update_or_create(user=user, defaults={"language": language})
    return language


@transaction.atomic
def user_extension_set(*, user: User, extension: str) -> str:
    """Store the phone `user` listens in from ("" to clear it); audited."""
    from agents.models import EXTENSION_PATTERN

    extension = (extension or "").strip()
    if extension and not EXTENSION_PATTERN.match(extension):
        raise DomainError(
            gettext(
                "Give an extension (2001) or a dial string (PJSIP/2001): letters, digits and "
                "_ * # + @ / . : - only."
            ),
            field="extension",
        )
    preferences, _created = UserPreferences.objects.get_or_create(user=user)
    before = preferences.extension
    if before != extension:
        preferences.extension = extension
        preferences.save(update_fields=["extension"])
        audit_record(
            actor=user,
            action="user.extension_set",
            target=preferences,
            data={"from": before, "to": extension},
        )
    return extension


def user_require_password_change(*, user: User, actor: User) -> bool:
    """Send `user` to the password-change page until they choose a new password."""
    _required, created = PasswordChangeRequired.objects.get_or_create(
        user=user, defaults={"required_by": actor}
    )
    if created:
        audit_record(actor=actor, action="user.password_change_required", target=user)
    return created


def user_password_changed(*, user: User) -> None:
    """`user` chose a new password (changed or reset it): a required change is done."""
    required = PasswordChangeRequired.objects.filter(user=user).delete()[0] > 0
    audit_record(
        actor=user, action="user.password_changed", target=user, data={"required": required}
    )
