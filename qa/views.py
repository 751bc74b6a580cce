from django.shortcuts import render

from agents.access import role_required
from agents.roles import Role


@role_required(Role.AGENT)
def my_quality(request):
    return render(request, "qa/my_quality.html")


@role_required(Role.QA_ANALYST, Role.SUPERVISOR, Role.ADMIN)
def worklist(request):
    return render(request, "qa/worklist.html")
