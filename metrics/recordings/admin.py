from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy

from agents.services import audit_record
from callfloor.admin_readonly import ReadOnlyAdmin
from metrics.alerts.secrets import secret_encrypt
from metrics.recordings.models import Recording, RecordingListen, RecordingStore


class RecordingStoreForm(forms.ModelForm):
    # Written, never shown: the stored value is encrypted and stays when this is left empty.
    secret = forms.CharField(
        label=gettext_lazy("password or token"),
        required=False,
        widget=forms.PasswordInput(render_value=False),
        help_text=gettext_lazy(
            "sent with the user name as Basic, alone as Bearer; leave empty to keep the stored one"
        ),
    )

    class Meta:
        model = RecordingStore
        fields = [
            "source",
            "kind",
            "directory",
            "file_pattern",
            "url_template",
            "username",
            "retention_days",
        ]


@admin.register(RecordingStore)
class RecordingStoreAdmin(admin.ModelAdmin):
    form = RecordingStoreForm
    list_display = ["source", "kind", "directory", "url_template", "retention_days"]
    list_filter = ["kind"]

    def save_model(self, request, obj, form, change):
        if form.cleaned_data.get("secret"):
            obj.secret_encrypted = secret_encrypt(plain=form.cleaned_data["secret"])
        super().save_model(request, obj, form, change)
        data = {k: str(form.cleaned_data.get(k)) for k in form.changed_data if k != "secret"}
        data["secret_changed"] = bool(form.cleaned_data.get("secret"))
        audit_record(actor=request.user, action="recording_store.saved", target=obj, data=data)


@admin.register(Recording)
class RecordingAdmin(ReadOnlyAdmin):
    list_display = ["call_id", "source", "location", "content_type", "linked_at"]
    list_filter = ["source"]
    search_fields = ["call_id", "location"]


@admin.register(RecordingListen)
class RecordingListenAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "call"]
    list_select_related = ["user", "call"]
    date_hierarchy = "at"
