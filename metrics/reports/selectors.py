"""Reads for the report pages: what a person may pick from, and the objects asked for."""

from collections import defaultdict

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404
from django.utils.translation import gettext as _

from agents.access import agent_of, has_role, team_leads_read_whole_floor, teams_led_by
from agents.models import Agent, Team
from agents.roles import Role
from callfloor.errors import DomainError
from metrics.models import Queue
from metrics.reports import access as report_access


def report_queues(*, queue_param: str | None) -> list[Queue]:
    """The queues of a queue report: one by id, or every queue when none is named."""
    if not queue_param:
        return list(Queue.objects.all())
    try:
        queue_id = int(queue_param)
    except ValueError:
        raise DomainError(_("Pick a queue from the list."), field="queue") from None
    queue = Queue.objects.filter(pk=queue_id).first()
    if queue is None:
        raise DomainError(_("There is no such queue."), field="queue")
    return [queue]


def report_agent(*, user, agent_id: int) -> Agent:
    agent = get_object_or_404(Agent.objects.select_related("team"), pk=agent_id)
    if not report_access.can_see_agent_report(user, agent):
        raise PermissionDenied
    return agent


def report_team(*, user, team_id: int) -> Team:
    team = get_object_or_404(Team, pk=team_id)
    if not report_access.can_see_team_report(user, team):
        raise PermissionDenied
    return team


def report_choices(*, user) -> dict:
    """The queues, teams and agents whose reports this person may open."""
    if report_access.can_see_all_reports(user):
        return {
            "queues": list(Queue.objects.all()),
            "teams": list(Team.objects.all()),
            "agents": list(Agent.objects.filter(active=True)),
        }
    teams = []
    if has_role(user, Role.TEAM_LEAD):
        teams = list(Team.objects.all() if team_leads_read_whole_floor() else teams_led_by(user))
    agents = list(Agent.objects.filter(team__in=teams, active=True))
    own = agent_of(user)
    if own is not None and has_role(user, Role.AGENT) and own not in agents:
        agents.append(own)
    return {"queues": [], "teams": teams, "agents": agents}


def queue_csat_today(*, queues, now) -> dict[int, dict]:
    """Per queue id, today's post-call survey figures for a wall-board tile (only queues with
    answers): `survey_n`, `csat_top_box` (share of top-box scores) and `csat_mean`."""
    from django.db.models import Avg, Count, Q

    from metrics.models import SurveyResult
    from metrics.reports.history import survey_scale
    from metrics.selectors import queue_today_bounds

    _low, high, top_box = survey_scale()
    if not queues:
        return {}
    # One grouped query for all queues (each with its own day): this runs on every push.
    by_day: dict[tuple, list] = defaultdict(list)
    for queue in queues:
        by_day[queue_today_bounds(queue, now)].append(queue.pk)
    today = Q()
    for (start, end), pks in by_day.items():
        today |= Q(
            queue_call__queue_id__in=pks,
            queue_call__offered_at__gte=start,
            queue_call__offered_at__lt=end,
        )
    rows = (
        SurveyResult.objects.filter(today)
        .values("queue_call__queue")
        .order_by()
        .annotate(
            n=Count("id"), top=Count("id", filter=Q(score__gt=high - top_box)), mean=Avg("score")
        )
    )
    return {
        row["queue_call__queue"]: {
            "survey_n": row["n"],
            "csat_top_box": row["top"] / row["n"],
            "csat_mean": row["mean"],
        }
        for row in rows
        if row["n"]
    }
