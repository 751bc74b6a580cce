"""Pages: notification channels (admins) and alert rules (supervisors, team leads)."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from agents.access import has_role, role_required, teams_led_by
from agents.roles import Role
from metrics.alerts import services
from metrics.alerts.addresses import AddressRefused
from metrics.alerts.forms import ChannelForm, RuleForm
from metrics.alerts.models import AlertChannel, AlertDelivery, AlertDeliveryAttempt, AlertRule
from metrics.board.snapshot import default_site

RULE_ROLES = (Role.SUPERVISOR, Role.ADMIN, Role.TEAM_LEAD)


def _save_channel(request, form, channel):
    try:
        services.channel_save(
            channel=form.save(commit=False), actor=request.user, secret=form.cleaned_data["secret"]
        )
    except AddressRefused as refused:
        form.add_error("url", str(refused))
        return False
    messages.success(request, _("Channel %(name)s saved.") % {"name": form.instance.name})
    return True


@role_required(Role.ADMIN)
def channels(request):
    form = ChannelForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and _save_channel(request, form, None):
        return redirect("alert-channels")
    rows = AlertChannel.objects.all()
    return render(request, "alerts/channels.html", {"form": form, "channels": rows})


@role_required(Role.ADMIN)
def channel(request, channel_id: int):
    row = get_object_or_404(AlertChannel, pk=channel_id)
    form = ChannelForm(request.POST or None, instance=row)
    if request.method == "POST" and form.is_valid() and _save_channel(request, form, row):
        return redirect("alert-channel", channel_id=row.pk)
    deliveries = AlertDelivery.objects.filter(channel=row).prefetch_related(
        Prefetch("tries", queryset=AlertDeliveryAttempt.objects.order_by("number"))
    )[:50]
    return render(
        request, "alerts/channel.html", {"form": form, "channel": row, "deliveries": deliveries}
    )


@require_POST
@role_required(Role.ADMIN)
def channel_test(request, channel_id: int):
    row = get_object_or_404(AlertChannel, pk=channel_id)
    services.channel_test(channel=row, actor=request.user)
    messages.success(request, _("A test message is on its way; see the delivery log below."))
    return redirect("alert-channel", channel_id=row.pk)


@require_POST
@role_required(Role.ADMIN)
def channel_delete(request, channel_id: int):
    row = get_object_or_404(AlertChannel, pk=channel_id)
    services.channel_delete(channel=row, actor=request.user)
    messages.success(request, _("Channel deleted."))
    return redirect("alert-channels")


def _site_wide(user) -> bool:
    return has_role(user, Role.SUPERVISOR, Role.ADMIN)


def _visible_rules(user):
    rows = AlertRule.objects.filter(site=default_site()).select_related("owner")
    rows = rows.prefetch_related("queues", "teams", "channels")
    return rows if _site_wide(user) else rows.filter(owner=user)


@role_required(*RULE_ROLES)
def rules(request):
    site_wide = _site_wide(request.user)
    led = None if site_wide else list(teams_led_by(request.user).values_list("pk", flat=True))
    form = RuleForm(request.POST or None, led_teams=led)
    if request.method == "POST" and form.is_valid():
        rule = form.save(commit=False)
        rule.site = default_site()
        rule.team_scope = not site_wide
        services.rule_save(
            rule=rule,
            actor=request.user,
            queues=form.cleaned_data["queues"],
            teams=form.cleaned_data["teams"],
            channels=form.cleaned_data["channels"],
        )
        messages.success(request, _("Rule %(name)s saved.") % {"name": rule.name})
        return redirect("alert-rules")
    return render(
        request,
        "alerts/rules.html",
        {"form": form, "rules": _visible_rules(request.user), "site_wide": site_wide},
    )


@require_POST
@role_required(*RULE_ROLES)
def rule_delete(request, rule_id: int):
    rule = get_object_or_404(AlertRule, pk=rule_id)
    if not _site_wide(request.user) and rule.owner_id != request.user.pk:
        raise PermissionDenied
    services.rule_delete(rule=rule, actor=request.user)
    messages.success(request, _("Rule deleted."))
    return redirect("alert-rules")
