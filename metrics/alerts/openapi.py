"""The webhook payloads in the OpenAPI description (version 1; `SPECTACULAR_SETTINGS`).

Every request a webhook channel receives is a POST of an `Event` as JSON, signed: the header
`X-Callfloor-Signature` is hex(HMAC-SHA256(secret, f"{X-Callfloor-Timestamp}.{body}")).
"""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, OpenApiWebhook, extend_schema
from rest_framework import serializers

from metrics.alerts.formats import WEBHOOK_VERSION

SIGNING = _(
    "POSTed as JSON to the channel's URL. Headers: `X-Callfloor-Event` (the event name), "
    "`X-Callfloor-Delivery` (the event id; every retry repeats it, so drop repeats by it), "
    "`X-Callfloor-Timestamp` (Unix seconds; refuse one older than five minutes) and "
    "`X-Callfloor-Signature` = hex HMAC-SHA256 under the channel's secret of "
    '`f"{timestamp}.{body}"` (the raw body bytes). Answer with a 2xx status; anything else is '
    "retried with exponential back-off. Payload version: %(version)s."
) % {"version": WEBHOOK_VERSION}


class _Named(serializers.Serializer):
    id = serializers.IntegerField(allow_null=True)
    name = serializers.CharField()


class AlertData(serializers.Serializer):
    kind = serializers.CharField(help_text="the rule's alert kind, e.g. queue_wait")
    figure = serializers.FloatField(allow_null=True, help_text="the current figure")
    limit = serializers.FloatField(allow_null=True, help_text="the rule's limit")
    since = serializers.FloatField(allow_null=True, help_text="Unix seconds")
    queue = _Named(allow_null=True)
    agent = _Named(allow_null=True)
    team = _Named(allow_null=True)
    reason = serializers.CharField(help_text="a not-ready reason or help reason, else empty")


class _Rule(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class AlertEventData(serializers.Serializer):
    rule = _Rule()
    subject = serializers.CharField(help_text="stable while the condition lasts")
    alert = AlertData()
    raised_at = serializers.DateTimeField()
    link = serializers.CharField(help_text="the wall board, filtered to the subject")


def _event(name: str, data) -> type[serializers.Serializer]:
    fields = {
        "version": serializers.IntegerField(help_text=f"{WEBHOOK_VERSION}"),
        "id": serializers.UUIDField(),
        "event": serializers.ChoiceField(choices=[name]),
        "occurred_at": serializers.DateTimeField(),
        "data": data,
    }
    title = "".join(part.title() for part in name.replace(".", "_").split("_"))
    return type(f"{title}Event", (serializers.Serializer,), fields)


def _hook(name: str, summary: str, data) -> OpenApiWebhook:
    return OpenApiWebhook(
        name=name,
        decorator=extend_schema(
            summary=summary,
            description=SIGNING,
            request=_event(name, data),
            responses={200: OpenApiResponse(description=str(_("received")))},
        ),
    )


ALERT_RAISED = _hook("alert.raised", "An alert rule's condition began", AlertEventData())
ALERT_CLEARED = _hook("alert.cleared", "An alert rule's condition ended", AlertEventData())
HELP_REQUESTED = _hook("help.requested", "An agent asked for help", serializers.DictField())
COMPLAINT_ESCALATED = _hook(
    "complaint.escalated", "A complaint was escalated", serializers.DictField()
)
APPEAL_DECIDED = _hook("appeal.decided", "A QA appeal was decided", serializers.DictField())
HANDOVER_SENT = _hook("handover.sent", "A shift handover was sent", serializers.DictField())
HANDOVER_ACKNOWLEDGED = _hook(
    "handover.acknowledged", "A shift handover was acknowledged", serializers.DictField()
)
