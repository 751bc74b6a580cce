"""The phone-system controls of the board: listen, whisper, barge, pause, log out, move.

Each service checks who acts on whom, sends its Manager actions once through
`transport.action_send`, and writes an audit row for what it asked and what Asterisk answered
(a refusal too). The board learns the agents' new states and queues from the PBX's own events
(the AMI follower); only the listening legs, which the PBX does not report as agent states,
are rows of ours (`Monitoring`).
"""

from __future__ import annotations

import re
import time
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from agents.models import Agent
from agents.selectors import user_extension
from agents.services import audit_record
from callfloor.errors import Conflict, DomainError
from metrics.board import actions
from metrics.board.signals import floor_changed_on_commit
from metrics.control import transport
from metrics.control.access import may_control_agent
from metrics.control.models import Monitoring, MonitorMode
from metrics.control.selectors import (
    ControlTarget,
    agent_control_target,
    no_control_reason,
    open_monitoring_of,
    queue_names,
    source_takes_control,
)
from metrics.models import Activity, AgentStatus, Queue, Takeover

# ChanSpy's options (Asterisk 16–22): q no beep nor channel name spoken to the supervisor,
# E hang up when the agent's channel hangs up; w whisper to the agent only, B barge into
# both sides of the call.
SPY_OPTIONS = {
    MonitorMode.LISTEN: "qE",
    MonitorMode.WHISPER: "qwE",
    MonitorMode.BARGE: "qBE",
}
# How long the supervisor's phone rings before the PBX gives up (Originate `Timeout`, ms).
RING_TIMEOUT_MS = 30000
ON_A_CALL = (Activity.ON_CALL, Activity.ON_HOLD)
_CONTROL_CHARS = re.compile(r"[\x00-\x1f\x7f]")


# -- shared steps ---------------------------------------------------------------------------------


def _target(*, actor: User, agent: Agent) -> ControlTarget:
    """The agent's control target once `actor` may act on them; 403 or 409 otherwise."""
    if not may_control_agent(actor, agent):
        raise DomainError(
            _("You may not use the phone controls on %(agent)s.") % {"agent": agent.display_name},
            code="permission_denied",
            status_code=403,
        )
    target = agent_control_target(agent=agent)
    if isinstance(target, str):
        raise DomainError(target, code="no_control", status_code=409)
    return target


def _send(
    *, actor: User, target: ControlTarget, audit: str, action: str, headers: dict[str, str]
) -> dict[str, str]:
    """Send one action once; audit it whatever Asterisk answers; a refusal becomes an error
    with Asterisk's own message."""
    data = {"action": action, **{k: v for k, v in headers.items() if k != "ChannelId"}}
    data["source"] = target.source.name
    try:
        answer = transport.action_send(source=target.source, action=action, headers=headers)
    except transport.PbxRefused as refused:
        _audit(actor, target.agent, f"{audit}.refused", {**data, "error": refused.message})
        raise DomainError(
            _("Asterisk refused %(action)s: %(message)s")
            % {"action": action, "message": refused.message or _("no reason given")},
            code="pbx_refused",
            status_code=502,
        ) from None
    except transport.PbxUnreachable as failure:
        _audit(actor, target.agent, f"{audit}.unreachable", {**data, "error": str(failure)})
        raise DomainError(
            _("The phone system cannot be reached (%(reason)s); nothing was sent.")
            % {"reason": str(failure)},
            code="pbx_unreachable",
            status_code=503,
        ) from None
    except transport.PbxNoAnswer as failure:
        _audit(actor, target.agent, f"{audit}.no_answer", {**data, "error": str(failure)})
        raise DomainError(
            _(
                "The phone system did not answer %(action)s in time: it may have been done. "
                "Look at the board before trying again."
            )
            % {"action": action},
            code="pbx_no_answer",
            status_code=504,
        ) from None
    _audit(actor, target.agent, audit, {**data, "response": answer.get("Message", "")})
    return answer


def _audit(actor: User, target, action: str, data: dict) -> None:
    with transaction.atomic():
        audit_record(actor=actor, action=action, target=target, data=data)


def _clean_text(value: str, *, field: str, limit: int = 80) -> str:
    value = _CONTROL_CHARS.sub(" ", value or "").strip()
    if len(value) > limit:
        raise DomainError(
            _("At most %(limit)s characters.") % {"limit": limit}, field=field, code="too_long"
        )
    return value


def _membership_now(*, target: ControlTarget, name: str, queue: str) -> None:
    """Apply a membership change Asterisk has just accepted (its Success Response) to the
    board at once, as the engine event the follower will make of the PBX's own
    QueueMemberAdded/Removed; that event then changes nothing more (a member already in a
    queue is not added twice)."""
    from metrics.queue_log import Event
    from metrics.telephony.services import event_window, events_ingest

    event = Event(
        ts=time.time(),
        seq=0,
        call_id="",
        queue=queue,
        member=target.member,
        name=name,
        key=f"control:{uuid.uuid4()}",
    )
    events_ingest(source=target.source, events=[event], window=event_window(live=True))


# -- listen, whisper, barge -----------------------------------------------------------------------


def supervisor_channel(*, user: User) -> str:
    """The channel the PBX rings for `user` (their extension as a dial string)."""
    extension = user_extension(user)
    if not extension:
        raise DomainError(
            _("Register your phone extension in your profile first: the PBX rings it."),
            code="no_extension",
            status_code=409,
        )
    if "/" in extension:
        return extension
    return settings.CALLFLOOR_SUPERVISOR_CHANNEL.format(extension=extension)


def spy_prefix(interface: str) -> str:
    """ChanSpy's channel prefix for an agent's interface: their channels and no other's.

    `PJSIP/2004` → `PJSIP/2004-` (its channels are `PJSIP/2004-0000002a`), and a Local member
    `Local/2004@from-internal/n` → `Local/2004@from-internal-`."""
    if interface.startswith("Local/") and interface.count("/") > 1:
        interface = interface.rsplit("/", 1)[0]
    return f"{interface}-"


def monitoring_start(
    *,
    actor: User,
    agent: Agent,
    mode: str,
    takeover: Takeover | None = None,
) -> Monitoring:
    """Ring `actor`'s phone and connect it to `agent`'s call in `mode` (ChanSpy).

    A leg `actor` already has open is hung up first (listen, then barge); it passes on its
    takeover, if any."""
    if mode not in MonitorMode.values:
        raise DomainError(
            _("Choose a mode: %(modes)s.") % {"modes": ", ".join(MonitorMode.values)}, field="mode"
        )
    target = _target(actor=actor, agent=agent)
    if target.activity not in ON_A_CALL:
        raise DomainError(
            _("%(agent)s is not on a call.") % {"agent": agent.display_name},
            code="not_on_call",
            status_code=409,
        )
    channel = supervisor_channel(user=actor)
    for previous in open_monitoring_of(supervisor=actor):
        takeover = takeover or previous.takeover
        monitoring_stop(actor=actor, monitoring=previous)
    channel_id = f"callfloor-{uuid.uuid4()}"
    prefix = spy_prefix(target.device)
    caller = _clean_text(f"{MonitorMode(mode).label}: {agent.display_name}", field="agent")
    _send(
        actor=actor,
        target=target,
        audit=f"pbx.{mode}",
        action="Originate",
        headers={
            "Channel": channel,
            "Application": "ChanSpy",
            "Data": f"{prefix},{SPY_OPTIONS[mode]}",
            "CallerID": f'"{caller}" <{agent.pk}>',
            "Timeout": str(RING_TIMEOUT_MS),
            "Async": "true",
            "ChannelId": channel_id,
        },
    )
    with transaction.atomic():
        monitoring = Monitoring.objects.create(
            site=target.source.site,
            source=target.source,
            agent=agent,
            supervisor=actor,
            mode=mode,
            call_id=target.call_id,
            channel=channel,
            channel_id=channel_id,
            spied=prefix,
            takeover=takeover,
        )
        # Only the agent's card shows it (`monitors`, a per-agent source's field).
        floor_changed_on_commit(
            sender=Monitoring, site=monitoring.site, agents=[monitoring.agent_id]
        )
    return monitoring


def monitoring_stop(*, actor: User, monitoring: Monitoring) -> Monitoring:
    """Hang up the supervisor's leg (gone already: fine) and close the row."""
    if monitoring.finished_at is not None:
        raise Conflict(_("This listening has ended already."))
    if monitoring.supervisor_id != actor.pk and not may_control_agent(actor, monitoring.agent):
        raise DomainError(
            _("You may not use the phone controls on %(agent)s.")
            % {"agent": monitoring.agent.display_name},
            code="permission_denied",
            status_code=403,
        )
    if not source_takes_control(monitoring.source):
        raise DomainError(no_control_reason(monitoring.source), code="no_control", status_code=409)
    target = ControlTarget(
        agent=monitoring.agent,
        source=monitoring.source,
        member="",
        interface="",
        device="",
        status="",
        activity="",
        call_id=monitoring.call_id,
    )
    try:
        _send(
            actor=actor,
            target=target,
            audit="pbx.hangup",
            action="Hangup",
            headers={"Channel": monitoring.channel_id},
        )
    except DomainError as error:
        # The supervisor or the caller hung up already: the leg is gone, which was the point.
        if error.code != "pbx_refused" or "no such channel" not in error.message.lower():
            raise
    with transaction.atomic():
        Monitoring.objects.filter(pk=monitoring.pk, finished_at__isnull=True).update(
            finished_at=timezone.now()
        )
        # Only the agent's card shows it (`monitors`, a per-agent source's field).
        floor_changed_on_commit(
            sender=Monitoring, site=monitoring.site, agents=[monitoring.agent_id]
        )
    monitoring.refresh_from_db()
    return monitoring


# -- takeovers ------------------------------------------------------------------------------------


def takeover_start_on_pbx(
    *,
    actor: User,
    agent: Agent,
    mode: str = MonitorMode.BARGE,
    call_id: str = "",
    note: str = "",
    help_request=None,
) -> Takeover:
    """Take `agent`'s call over: on a source that takes commands, barge in (or listen first,
    `mode="listen"`, and barge from the card); the takeover is recorded as on any source."""
    if mode not in (MonitorMode.BARGE, MonitorMode.LISTEN):
        raise DomainError(_("Take over by barging in or by listening first."), field="mode")
    target = agent_control_target(agent=agent)
    if isinstance(target, str) or not may_control_agent(actor, agent):
        return actions.takeover_start(
            actor=actor, agent=agent, call_id=call_id, note=note, help_request=help_request
        )
    monitoring = monitoring_start(actor=actor, agent=agent, mode=mode)
    takeover = actions.takeover_start(
        actor=actor,
        agent=agent,
        call_id=call_id or monitoring.call_id,
        note=note,
        help_request=help_request,
    )
    Monitoring.objects.filter(pk=monitoring.pk).update(takeover=takeover)
    return takeover


def takeover_finish_on_pbx(*, actor: User, takeover: Takeover) -> Takeover:
    """Close the takeover (as on any source) and hang up the supervisor's legs it opened."""
    takeover = actions.takeover_finish(actor=actor, takeover=takeover)
    for monitoring in Monitoring.objects.filter(
        takeover=takeover, finished_at__isnull=True
    ).select_related("agent", "source"):
        monitoring_stop(actor=actor, monitoring=monitoring)
    return takeover


# -- pause, log out, move -------------------------------------------------------------------------


def member_pause(*, actor: User, agent: Agent, reason: str) -> None:
    """Pause `agent` in every queue with `reason` (QueuePause, Paused true)."""
    reason = _clean_text(reason, field="reason")
    if not reason:
        raise DomainError(_("Give the reason for the pause."), field="reason")
    target = _target(actor=actor, agent=agent)
    if target.status == AgentStatus.NOT_READY:
        raise Conflict(
            _("%(agent)s is paused already (%(reason)s).")
            % {"agent": agent.display_name, "reason": reason}
        )
    _send(
        actor=actor,
        target=target,
        audit="pbx.pause",
        action="QueuePause",
        headers={"Interface": target.interface, "Paused": "true", "Reason": reason},
    )


def member_unpause(*, actor: User, agent: Agent) -> None:
    """Make `agent` available again in every queue (QueuePause, Paused false)."""
    target = _target(actor=actor, agent=agent)
    if target.status != AgentStatus.NOT_READY:
        raise Conflict(_("%(agent)s is not paused.") % {"agent": agent.display_name})
    _send(
        actor=actor,
        target=target,
        audit="pbx.unpause",
        action="QueuePause",
        headers={"Interface": target.interface, "Paused": "false"},
    )


def member_log_out(*, actor: User, agent: Agent) -> list[str]:
    """Take `agent` out of every queue they are in (QueueRemove, one per queue): the queues
    left. Stops at the first refusal (the queues left before it are named in the audit)."""
    target = _target(actor=actor, agent=agent)
    if not target.logins:
        raise Conflict(
            _("The phone system reports no queue for %(agent)s.") % {"agent": agent.display_name}
        )
    removed = []
    for queue in target.logins:
        _send(
            actor=actor,
            target=target,
            audit="pbx.log_out",
            action="QueueRemove",
            headers={"Queue": queue, "Interface": target.interface},
        )
        _membership_now(target=target, name="REMOVEMEMBER", queue=queue)
        removed.append(queue)
    return removed


@dataclass
class MoveResult:
    agent: Agent
    ok: bool
    message: str = ""


def members_move(
    *,
    actor: User,
    agents: list[Agent],
    to_queue: Queue,
    from_queue: Queue | None = None,
    penalty: int = 0,
) -> list[MoveResult]:
    """Add each agent to `to_queue` with `penalty` (QueueAdd), then take them out of
    `from_queue` (QueueRemove) when one is named — never out of the old queue before they are
    in the new one. Every agent is checked before anything is sent; then each gets its own
    result (one agent refused by Asterisk does not stop the others)."""
    if not agents:
        raise DomainError(_("Choose at least one agent."), field="agents")
    if from_queue is not None and from_queue.pk == to_queue.pk:
        raise DomainError(_("Choose two different queues."), field="to_queue")
    if not 0 <= penalty <= 1000:
        raise DomainError(_("A penalty from 0 to 1000."), field="penalty")
    targets = [_target(actor=actor, agent=agent) for agent in agents]
    to_names = queue_names(to_queue)
    from_names = queue_names(from_queue) if from_queue is not None else set()
    results = []
    for target in targets:
        in_target = [name for name in target.logins if name in to_names]
        leaving = [name for name in target.logins if name in from_names]
        try:
            if not in_target:
                _send(
                    actor=actor,
                    target=target,
                    audit="pbx.queue_add",
                    action="QueueAdd",
                    headers={
                        "Queue": to_queue.name,
                        "Interface": target.interface,
                        "Penalty": str(penalty),
                        # The name the source reports them by: the follower's
                        # QueueMemberAdded then names the same member.
                        "MemberName": target.member,
                    },
                )
                _membership_now(target=target, name="ADDMEMBER", queue=to_queue.name)
            for name in leaving:
                _send(
                    actor=actor,
                    target=target,
                    audit="pbx.queue_remove",
                    action="QueueRemove",
                    headers={"Queue": name, "Interface": target.interface},
                )
                _membership_now(target=target, name="REMOVEMEMBER", queue=name)
        except DomainError as error:
            results.append(MoveResult(agent=target.agent, ok=False, message=error.message))
        else:
            results.append(MoveResult(agent=target.agent, ok=True))
    return results
