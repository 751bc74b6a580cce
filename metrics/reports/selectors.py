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
    from django.db import connection

    from metrics.models import QueueCall, SurveyResult
    from metrics.reports.history import survey_scale
    from metrics.selectors import queue_today_bounds

    _low, high, top_box = survey_scale()
    if not queues:
        return {}
    # One grouped query for all queues (each with its own day), in plain SQL: this runs on
    # every push of the board, where the ORM's query building costs more than the query.
    by_day: dict[tuple, list] = defaultdict(list)
    for queue in queues:
        by_day[queue_today_bounds(queue, now)].append(queue.pk)
    ops = connection.ops
    today, params = [], [high - top_box]
    for (start, end), pks in by_day.items():
        today.append(
            f"(c.queue_id IN ({', '.join(['%s'] * len(pks))}) "
            "AND c.offered_at >= %s AND c.offered_at < %s)"
        )
        params += [*pks, ops.adapt_datetimefield_value(start), ops.adapt_datetimefield_value(end)]
    result, call = (
        ops.quote_name(SurveyResult._meta.db_table),
        ops.quote_name(QueueCall._meta.db_table),
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT c.queue_id, COUNT(r.id), "  # noqa: S608
            "SUM(CASE WHEN r.score > %s THEN 1 ELSE 0 END), AVG(r.score) "
            f"FROM {result} r JOIN {call} c ON c.id = r.queue_call_id "
            f"WHERE {' OR '.join(today)} GROUP BY c.queue_id",
            params,
        )
        rows = cursor.fetchall()
    return {
        queue_id: {
            "survey_n": n,
            "csat_top_box": int(top) / n,
            "csat_mean": float(mean),
        }
        for queue_id, n, top, mean in rows
        if n
    }
