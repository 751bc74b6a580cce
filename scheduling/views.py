from django.shortcuts import render

from agents.access import role_required
from agents.roles import Role


@role_required(Role.TEAM_LEAD, Role.SUPERVISOR, Role.ADMIN)
def handovers(request):
    return render(request, "scheduling/handovers.html")
