from django.contrib import admin, messages
from django.utils.formats import localize
from django.utils.timezone import localtime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from agents.services import audit_record
from callfloor.admin_readonly import ReadOnlyAdmin
from metrics.models import AgentDay, AgentState, Queue, QueueAlias, QueueCall, TelephonySource
from metrics.telephony import services
from metrics.telephony.ami.forms import TelephonySourceForm
from metrics.telephony.ami.models import AmiLink

ROLLUP_SETTINGS = ("sl_threshold_s", "short_abandon_s", "interval_minutes", "ring_fast_s")


class QueueAliasInline(admin.TabularInline):
    model = QueueAlias
    extra = 1


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["name", "site", "sl_threshold_s", "sl_target", "sl_variant", "interval_minutes"]
    list_filter = ["site", "sl_variant"]
    search_fields = ["name", "aliases__name"]
    filter_horizontal = ["teams"]
    inlines = [QueueAliasInline]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        data = {k: form.cleaned_data.get(k) for k in form.changed_data if k != "acw_reasons"}
        if "teams" in data:
            data["teams"] = sorted(team.name for team in data["teams"])
        audit_record(actor=request.user, action="queue.saved", target=obj, data=data)
        # The rollups were counted with the old thresholds or interval length.
        if change and set(form.changed_data) & set(ROLLUP_SETTINGS):
            rows = services.queue_rollups_rebuild(queue=obj)
            self.message_user(
                request,
                _("Recomputed %(rows)s interval rollups of %(queue)s.")
                % {"rows": rows, "queue": obj},
            )
        if change and "ring_fast_s" in form.changed_data:
            days = services.agent_days_fast_rings_rebuild(queue=obj)
            self.message_user(
                request, _("Recounted the fast answers of %(days)s agent days.") % {"days": days}
            )


@admin.register(TelephonySource)
class TelephonySourceAdmin(admin.ModelAdmin):
    form = TelephonySourceForm
    list_display = ["name", "kind", "site", "active", "follow_path", "follow_line", "connection"]
    list_filter = ["kind", "site", "active"]
    readonly_fields = [
        "token_hash",
        "follow_offset",
        "follow_inode",
        "follow_line",
        "created_at",
        "connection",
    ]
    actions = ["issue_token"]

    @admin.display(description=gettext_lazy("AMI connection"))
    def connection(self, obj):
        """The follower's last word on the connection (state, since when, why it is down)."""
        link = AmiLink.objects.filter(source=obj).first()
        if link is None:
            return "–"
        text = f"{link.get_state_display()} · {localize(localtime(link.since))}"
        return f"{text} · {link.message}" if link.message else text

    def save_model(self, request, obj, form, change):
        token = None if change else obj.issue_token()
        super().save_model(request, obj, form, change)
        if form.cleaned_data.get("ami_secret"):
            # The row says that the secret changed, never what it is.
            audit_record(actor=request.user, action="telephony_source.ami_secret_set", target=obj)
        if token:
            audit_record(actor=request.user, action="telephony_source.token_issued", target=obj)
            self.message_user(
                request,
                _("Ingest token of %(source)s (shown once): %(token)s")
                % {"source": obj, "token": token},
                messages.WARNING,
            )

    @admin.action(description=gettext_lazy("Issue a new ingest token (the old one stops working)"))
    def issue_token(self, request, queryset):
        for source in queryset:
            token = services.source_token_rotate(source=source, actor=request.user)
            self.message_user(
                request,
                _("Ingest token of %(source)s (shown once): %(token)s")
                % {"source": source, "token": token},
                messages.WARNING,
            )


# Telephony truth comes only from ingestion (one event stream per source, counted once):
# calls, agent states and daily counters are shown here, never added, changed or deleted.
# Events, interval rollups and the engine's state rows are not registered at all.


@admin.register(QueueCall)
class QueueCallAdmin(ReadOnlyAdmin):
    list_display = ["call_id", "queue", "offered_at", "outcome", "wait_s", "member", "agent"]
    list_filter = ["outcome", "queue"]
    search_fields = ["call_id", "caller", "member"]
    date_hierarchy = "offered_at"
    list_select_related = ["queue", "agent"]


@admin.register(AgentState)
class AgentStateAdmin(ReadOnlyAdmin):
    list_display = ["member", "agent", "status", "reason", "activity", "started_at", "ended_at"]
    list_filter = ["status", "activity"]
    search_fields = ["member"]


@admin.register(AgentDay)
class AgentDayAdmin(ReadOnlyAdmin):
    """Per-member daily counters; a member without an agent is unmapped: add it as an alias."""

    list_display = ["day", "member", "agent", "answered", "missed_rings", "unreachable_rings"]
    list_filter = ["day", ("agent", admin.EmptyFieldListFilter)]
    search_fields = ["member"]


# The admin's autodiscovery imports `metrics.admin`; the report side registers its own models.
from metrics.recordings import admin as recordings_admin  # noqa: E402, F401
from metrics.reports import admin as reports_admin  # noqa: E402, F401
