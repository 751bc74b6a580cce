"""The great-call library: nominate a call, feature a nomination."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from metrics.board.actions import broadcast_send
from metrics.models import QueueCall
from qa.models import (
    GreatCall,
    NominationStatus,
)
from qa.moments.services import clean_moment, great_call_highlight
from qa.services.common import notify_people

# How long the board's broadcast band announces a featured call.
FEATURE_BROADCAST_HOURS = 8


@transaction.atomic
def great_call_nominate(
    *,
    user: User,
    reason: str,
    agent: Agent | None = None,
    call: QueueCall | None = None,
    recording_id: str = "",
    anonymous: bool = False,
    highlight: dict | None = None,
) -> GreatCall:
    """`highlight` ({"at_ms", "note"}) is the moment of the call the nominator points at."""
    reason = reason.strip()
    if not reason:
        raise DomainError(_("Say what makes this call great."), field="reason")
    if call is not None:
        if call.agent_id is None:
            raise DomainError(_("This call has no agent."), field="call")
        agent = call.agent
        recording_id = recording_id or call.recording_id
    if agent is None:
        raise DomainError(_("Name whose call it is."), field="agent")
    if call is None and recording_id:
        # A recording id the telephony knows names its call, so the library can play it.
        call = QueueCall.objects.filter(recording_id=recording_id, agent=agent).first()
    if call is None and not recording_id:
        raise DomainError(_("Name the call or its recording id."), field="recording_id")
    moment = None
    if highlight is not None:
        moment = clean_moment(
            at_ms=highlight.get("at_ms"),
            note=highlight.get("note", ""),
            call=call,
            field="highlight",
        )
    nomination = GreatCall.objects.create(
        call=call,
        recording_id=recording_id,
        agent=agent,
        nominated_by=user,
        anonymous=anonymous,
        reason=reason,
    )
    audit_record(
        actor=user, action="greatcall.nominated", target=nomination, data={"anonymous": anonymous}
    )
    if moment is not None:
        great_call_highlight(nomination=nomination, actor=user, moment=moment)
    return nomination


@transaction.atomic
def great_call_feature(*, nomination: GreatCall, actor: User, note: str = "") -> GreatCall:
    changed = GreatCall.objects.filter(pk=nomination.pk, status=NominationStatus.NOMINATED).update(
        status=NominationStatus.FEATURED,
        featured_by=actor,
        featured_at=timezone.now(),
        feature_note=note.strip(),
    )
    if not changed:
        raise Conflict(_("This call is featured already."))
    nomination.refresh_from_db()
    audit_record(actor=actor, action="greatcall.featured", target=nomination)
    featured_agent = nomination.agent
    notify_people(
        recipients=[featured_agent.user],
        kind="qa.library",
        text=lambda: _("One of your calls is featured in the great-call library."),
        link=reverse("qa-library"),
    )
    # The whole centre and its leaders hear of it; one link, so every inbox keeps the
    # library's news together as one thread.
    notify_people(
        recipients=User.objects.filter(is_active=True, groups__isnull=False)
        .exclude(pk=featured_agent.user_id)
        .distinct(),
        kind="qa.library",
        text=lambda: (
            _("A great call by %(agent)s is featured in the library.")
            % {"agent": featured_agent.display_name}
        ),
        link=reverse("qa-library"),
    )
    with translation.override(settings.LANGUAGE_CODE):  # the board speaks the site's language
        broadcast_send(
            actor=actor,
            text=_("Great call: %(agent)s's call is featured in the library.")
            % {"agent": featured_agent.display_name},
            expires_at=timezone.now() + timedelta(hours=FEATURE_BROADCAST_HOURS),
        )
    return nomination
