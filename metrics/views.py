from django.shortcuts import render

from agents.access import role_required
from agents.roles import Role


@role_required(Role.SUPERVISOR, Role.TEAM_LEAD, Role.ADMIN)
def floor(request):
    return render(request, "metrics/floor.html")
