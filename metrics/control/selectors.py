"""Reads of the controls: which source and interface act for an agent, and who listens to whom."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.utils.translation import gettext as _

from agents.models import Agent
from metrics.control.models import Monitoring
from metrics.models import (
    AgentState,
    AgentStatus,
    EngineMember,
    Queue,
    QueueAlias,
    TelephonySource,
)

# Kinds of source that take commands (the others only report what happens).
CONTROL_KINDS = frozenset({"ami"})


@dataclass(frozen=True)
class ControlTarget:
    """Where the commands for one agent go: their source; `member`, the name the source reports
    them by; `interface`, their queue member's interface (QueueAdd, QueuePause, QueueRemove);
    `device`, the phone whose channels ChanSpy listens to; and what the source says of them."""

    agent: Agent
    source: TelephonySource
    member: str
    interface: str
    device: str
    status: str
    activity: str
    call_id: str
    logins: list[str] = field(default_factory=list)


def member_interfaces(*, member: str, aliases: list[str]) -> tuple[str, str]:
    """The (queue interface, device) of a member.

    Asterisk names a queue member by its interface unless a MemberName was given, so a member
    name with a `/` (`PJSIP/2004`, `Local/2004@from-internal/n`) is the interface; otherwise
    it is the agent's telephony alias that is one, a Local channel first (FreePBX's queue
    members). The device ChanSpy listens to is the phone itself (`PJSIP/2004`) when the agent
    has one among their names, else the queue interface."""
    names = [n for n in [member, *sorted(aliases)] if "/" in n]
    if "/" in member:
        interface = member
    else:
        local = [n for n in names if n.startswith("Local/")]
        interface = (local or names or [member])[0]
    devices = [n for n in names if not n.startswith("Local/")]
    return interface, (devices[0] if devices else interface)


def source_takes_control(source: TelephonySource) -> bool:
    return source.kind in CONTROL_KINDS


def no_control_reason(source: TelephonySource) -> str:
    return _(
        "The telephony source %(source)s (%(kind)s) only reports what happens on the phones: "
        "it takes no commands. Listening in, pausing and moving agents need an Asterisk "
        "Manager (AMI) source."
    ) % {"source": source.name, "kind": source.get_kind_display()}


def agent_control_target(*, agent: Agent) -> ControlTarget | str:
    """The agent's control target, or why there is none (a sentence for the person)."""
    state = (
        AgentState.objects.filter(agent=agent, ended_at__isnull=True)
        .exclude(status=AgentStatus.LOGGED_OUT)
        .select_related("source")
        .order_by("-started_at", "-pk")
        .first()
    )
    if state is None:
        return _("%(agent)s is not logged in to the telephony.") % {"agent": agent.display_name}
    if not source_takes_control(state.source):
        return no_control_reason(state.source)
    engine = (
        EngineMember.objects.filter(source=state.source, member=state.member)
        .values_list("state", flat=True)
        .first()
    ) or {}
    interface, device = member_interfaces(
        member=state.member, aliases=list(agent.aliases.values_list("name", flat=True))
    )
    return ControlTarget(
        agent=agent,
        source=state.source,
        member=state.member,
        interface=interface,
        device=device,
        status=state.status,
        activity=state.activity,
        call_id=state.call_id,
        logins=[name for name in engine.get("logins") or [] if name != "*"],
    )


def queue_names(queue: Queue) -> set[str]:
    """The names the telephony may write for `queue`: its own and its aliases."""
    return {queue.name, *QueueAlias.objects.filter(queue=queue).values_list("name", flat=True)}


def open_monitorings(*, site: str, now: datetime) -> list[Monitoring]:
    return list(
        Monitoring.objects.filter(
            site=site, finished_at__isnull=True, started_at__gte=now - timedelta(hours=12)
        )
        .select_related("supervisor")
        .order_by("started_at", "pk")
    )


def open_monitoring_of(*, supervisor, agent: Agent | None = None) -> list[Monitoring]:
    rows = Monitoring.objects.filter(supervisor=supervisor, finished_at__isnull=True)
    if agent is not None:
        rows = rows.filter(agent=agent)
    return list(rows.order_by("started_at", "pk"))
