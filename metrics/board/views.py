from django.shortcuts import render

from agents.access import has_role, role_required, roles_of, teams_led_by
from agents.models import Team
from agents.roles import Role
from metrics.board.actions import TAKEOVER_ROLES
from metrics.board.floor_settings import editable_queue_ids
from metrics.board.snapshot import default_site, feed_config, my_floor_context, viewer_for
from metrics.control.board import control_config
from metrics.models import Queue


@role_required(Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)
def floor(request):
    """The live wall board (`?tv=1`: full screen, large type, no controls, rotating pages)."""
    everything = has_role(request.user, Role.SUPERVISOR, Role.ADMIN)
    viewer = viewer_for(request.user)
    teams = Team.objects.all() if viewer.everything else teams_led_by(request.user)
    queues = Queue.objects.filter(site=default_site())
    if viewer.queue_ids is not None and not viewer.everything:
        queues = queues.filter(pk__in=viewer.queue_ids)
    config = {
        **feed_config(),
        "mode": "board",
        # Whose choices (muted alerts) this browser keeps: per user, not per machine.
        "user_key": f"u{request.user.pk}",
        "tv": request.GET.get("tv") == "1",
        "can_broadcast": everything,
        "can_act": True,
        # Take-over buttons show only where the API lets this user take over: the roles that
        # may (alerts name theirs in `action_roles`), and a team lead's own teams' agents.
        "roles": sorted(roles_of(request.user)),
        "can_take_over": has_role(request.user, *TAKEOVER_ROLES),
        "act_teams": None
        if everything
        else list(teams_led_by(request.user).values_list("pk", flat=True)),
        "teams": [{"id": t.pk, "name": t.name} for t in teams.order_by("name")],
        "queues": [{"id": q.pk, "name": q.name} for q in queues],
        # The settings panel (static/metrics/board-settings.js) for those who may change some.
        "settings_api": "/api/floor/settings/",
        "can_edit_settings": editable_queue_ids(request.user, default_site()) != frozenset(),
        "team": request.GET.get("team", ""),
        # The phone controls (static/metrics/floor-control.js): listen, pause, move.
        "control": control_config(user=request.user, site=default_site()),
        "queue": request.GET.get("queue", ""),
    }
    return render(request, "metrics/floor.html", {"config": config, "tv": config["tv"]})


@role_required(Role.AGENT)
def my_floor(request):
    """An agent's strip of the floor: their own state, the broadcasts, asking for help."""
    return render(request, "metrics/floor_me.html", my_floor_context())
