"""Who may hear a call's recording: the quality rules of who may read its evaluations."""

from __future__ import annotations

from agents.access import agent_of, leads_agent, reads_every_agent
from metrics.models import QueueCall
from qa.access import can_view_evaluation
from qa.models import CalibrationSession, Evaluation, GreatCall, NominationStatus, PanelMember


def can_hear_call(user, call: QueueCall) -> bool:
    """The agent hears their own calls; whoever reads the agent (QA analysts, supervisors,
    admins, the agent's team lead) hears them too. Others hear a call through what they may
    read about it: an evaluation of it (peers' released evaluations while the centre has
    transparency on; the evaluator their own), the appeal panel they sit on, the calibration
    session they take part in, or the library when it is featured there.
    """
    if not getattr(user, "is_authenticated", False):
        return False
    if reads_every_agent(user):
        return True
    if call.agent_id is not None:
        own = agent_of(user)
        if own is not None and own.pk == call.agent_id:
            return True
        if leads_agent(user, call.agent):
            return True
    if PanelMember.objects.filter(user=user, appeal__evaluation__call=call).exists():
        return True
    if CalibrationSession.objects.filter(call=call, participants=user).exists():
        return True
    if GreatCall.objects.filter(call=call, status=NominationStatus.FEATURED).exists():
        return True
    evaluations = Evaluation.objects.filter(call=call).select_related("agent")
    return any(
        evaluation.evaluator_id == user.pk or can_view_evaluation(user, evaluation)
        for evaluation in evaluations
    )
