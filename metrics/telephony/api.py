"""Telephony API: JSON events in from any ACD or CTI bridge (thin views over services)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.utils import OpenApiExample, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from agents.access import HasRole
from agents.roles import Role
from callfloor.errors import DomainError
from metrics import selectors
from metrics.kpi import DEFAULT_ACW_REASONS
from metrics.queue_log import Event
from metrics.recordings import services as recording_services
from metrics.reports import api as report_api
from metrics.telephony import services
from metrics.telephony.access import IsTelephonySource, SourceTokenAuthentication

MAX_EVENTS = 1000
MAX_BYTES = 1024 * 1024


class SourceTokenScheme(OpenApiAuthenticationExtension):
    target_class = "metrics.telephony.access.SourceTokenAuthentication"
    name = "sourceToken"

    def get_security_definition(self, auto_schema):
        return {
            "type": "http",
            "scheme": "bearer",
            "description": "The ingest token of a telephony source (`Bearer` or `Token`).",
        }


# Each event type, with what it needs besides its time: (a call: call_id and queue, a member).
_EVENT_NEEDS: dict[str, tuple[bool, bool]] = {
    "call_queued": (True, False),
    "call_ringing": (True, True),
    "call_answered": (True, True),
    "call_abandoned": (True, False),
    "call_timed_out": (True, False),
    "call_left_empty": (True, False),
    "call_left_key": (True, False),
    "call_ended": (True, False),
    "call_transferred": (True, False),
    "hold_started": (True, False),
    "hold_ended": (True, False),
    "wrap_up_started": (False, True),
    "wrap_up_ended": (False, True),
    "ring_missed": (True, True),
    "agent_login": (False, True),
    "agent_logout": (False, True),
    "agent_status": (False, True),
    "agent_activity": (False, True),
}
EVENT_TYPES = list(_EVENT_NEEDS)
_NEEDS_CALL = {t for t, (call, _) in _EVENT_NEEDS.items() if call}
_NEEDS_MEMBER = {t for t, (_, member) in _EVENT_NEEDS.items() if member}


def _n(value: float | None, scale: float = 1.0) -> str:
    return "" if value is None else repr(value * scale)


class EventInput(serializers.Serializer):
    """One event of a batch; numbers are seconds, `null` or absent when unknown."""

    id = serializers.CharField(
        max_length=200, help_text=gettext_lazy("the source's own event id (unique)")
    )
    type = serializers.ChoiceField(choices=EVENT_TYPES)
    at = serializers.DateTimeField(help_text=gettext_lazy("when it happened, ISO 8601 with a zone"))
    call_id = serializers.CharField(max_length=100, required=False, allow_blank=True)
    queue = serializers.CharField(max_length=100, required=False, allow_blank=True)
    member = serializers.CharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("the agent's telephony name (an alias)"),
    )
    caller = serializers.CharField(max_length=100, required=False, allow_blank=True)
    wait_s = serializers.FloatField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy("time in queue; measured from call_queued when absent"),
    )
    ring_s = serializers.FloatField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "ring time of this attempt (call_answered, ring_missed); measured from the "
            "member's call_ringing when absent"
        ),
    )
    talk_s = serializers.FloatField(
        min_value=0,
        required=False,
        allow_null=True,
        help_text=gettext_lazy(
            "talk time of the call, hold excluded (hold comes from hold_started/ended); "
            "measured from the events when absent"
        ),
    )
    key = serializers.CharField(max_length=10, required=False, allow_blank=True)
    target = serializers.CharField(max_length=100, required=False, allow_blank=True)
    status = serializers.ChoiceField(
        choices=["available", "not_ready", "logged_out"], required=False
    )
    reason = serializers.CharField(max_length=100, required=False, allow_blank=True)
    activity = serializers.ChoiceField(choices=["idle", "wrap_up"], required=False)
    recording = serializers.CharField(
        max_length=500,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy(
            "where the source's recording store has this call's recording (call_ended): a "
            "path under its directory, or the {recording} of its address template"
        ),
    )

    def validate_recording(self, value: str) -> str:
        problem = value and recording_services.reference_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value

    def validate(self, attrs):
        kind = attrs["type"]
        if kind in _NEEDS_CALL and not (attrs.get("call_id") and attrs.get("queue")):
            raise serializers.ValidationError(
                _("%(kind)s needs call_id and queue") % {"kind": kind}
            )
        if kind in _NEEDS_MEMBER and not attrs.get("member"):
            raise serializers.ValidationError(_("%(kind)s needs member") % {"kind": kind})
        if kind == "agent_status" and "status" not in attrs:
            raise serializers.ValidationError(_("agent_status needs status"))
        if kind == "agent_status" and attrs["status"] == "not_ready" and not attrs.get("reason"):
            raise serializers.ValidationError(_("agent_status not_ready needs a reason"))
        if attrs.get("recording") and kind not in _NEEDS_CALL:
            raise serializers.ValidationError(_("only a call's event carries a recording"))
        if kind == "agent_activity" and "activity" not in attrs:
            raise serializers.ValidationError(_("agent_activity needs activity (idle, wrap_up)"))
        return attrs


def event_from_input(attrs: dict, index: int) -> Event:
    """Translate one validated JSON event into the engine's vocabulary."""
    kind = attrs["type"]
    queue = attrs.get("queue", "")
    wait, talk = attrs.get("wait_s"), attrs.get("talk_s")
    acw = DEFAULT_ACW_REASONS[0]
    name, data = {
        "call_queued": ("ENTERQUEUE", ("", attrs.get("caller", ""))),
        # The member's phone starts ringing for the call (queue_log has no such line).
        "call_ringing": ("RINGSTART", ()),
        "call_answered": ("CONNECT", (_n(wait), "", _n(attrs.get("ring_s")))),
        "call_abandoned": ("ABANDON", ("", "", _n(wait))),
        "call_timed_out": ("EXITWITHTIMEOUT", ("", "", _n(wait))),
        "call_left_empty": ("EXITEMPTY", ("", "", _n(wait))),
        "call_left_key": ("EXITWITHKEY", (attrs.get("key", ""), "", "", _n(wait))),
        "call_ended": ("COMPLETEAGENT", ("", _n(talk))),
        "call_transferred": ("TRANSFER", (attrs.get("target", ""), "", "", _n(talk))),
        "hold_started": ("HOLD", ()),
        "hold_ended": ("UNHOLD", ()),
        "wrap_up_started": ("PAUSE", (acw,)),
        "wrap_up_ended": ("UNPAUSE", ()),
        "ring_missed": ("RINGNOANSWER", (_n(attrs.get("ring_s"), 1000.0),)),
        "agent_login": ("ADDMEMBER" if queue else "AGENTLOGIN", ()),
        "agent_logout": ("REMOVEMEMBER" if queue else "AGENTLOGOFF", ()),
        "agent_status": {
            "available": ("UNPAUSEALL", ()),
            "not_ready": ("PAUSEALL", (attrs.get("reason", ""),)),
            "logged_out": ("AGENTLOGOFF", ()),
        }.get(attrs.get("status", ""), ("", ())),
        "agent_activity": ("PAUSEALL", (acw,))
        if attrs.get("activity") == "wrap_up"
        else ("UNPAUSEALL", ()),
    }[kind]
    return Event(
        ts=attrs["at"].timestamp(),
        seq=index,
        call_id=attrs.get("call_id", ""),
        queue=queue,
        member=attrs.get("member", ""),
        name=name,
        data=data,
        key=attrs["id"],
    )


class EventBatchInput(serializers.Serializer):
    """The documented shape of a batch (each item is validated on its own when ingesting)."""

    events = EventInput(many=True, help_text=gettext_lazy("1 to 1,000 events"))


class ItemOutput(serializers.Serializer):
    index = serializers.IntegerField()
    id = serializers.CharField()
    status = serializers.ChoiceField(choices=["accepted", "duplicate", "rejected"])
    reason = serializers.CharField(allow_blank=True)


class BatchOutput(serializers.Serializer):
    accepted = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    rejected = serializers.IntegerField()
    results = ItemOutput(many=True)


_EXAMPLE = {
    "events": [
        {
            "id": "pbx1-000101",
            "type": "call_queued",
            "at": "2026-03-02T09:00:00Z",
            "call_id": "1772442000.17",
            "queue": "billing",
            "caller": "+3225550101",
        },
        {
            "id": "pbx1-000102",
            "type": "call_ringing",
            "at": "2026-03-02T09:00:09Z",
            "call_id": "1772442000.17",
            "queue": "billing",
            "member": "PJSIP/2004",
        },
        {
            "id": "pbx1-000103",
            "type": "call_answered",
            "at": "2026-03-02T09:00:12Z",
            "call_id": "1772442000.17",
            "queue": "billing",
            "member": "PJSIP/2004",
            "wait_s": 12,
        },
        {
            "id": "pbx1-000104",
            "type": "call_ended",
            "at": "2026-03-02T09:04:12Z",
            "call_id": "1772442000.17",
            "queue": "billing",
            "member": "PJSIP/2004",
            "talk_s": 240,
            "recording": "2026/03/02/q-9000-3225550101-20260302-100012-1772442000.17.wav",
        },
        {
            "id": "pbx1-000105",
            "type": "agent_status",
            "at": "2026-03-02T09:05:00Z",
            "member": "PJSIP/2004",
            "status": "not_ready",
            "reason": "Lunch",
        },
    ]
}


class TelephonyEventsApi(APIView):
    """Ingest a batch of telephony events of the source that owns the token."""

    authentication_classes = [SourceTokenAuthentication]
    permission_classes = [IsTelephonySource]

    class InputSerializer(serializers.Serializer):
        events = serializers.ListField(
            child=serializers.DictField(),
            allow_empty=False,
            help_text=f"at most {MAX_EVENTS} events (EventInput)",
        )

        class Meta:
            ref_name = "TelephonyEventBatch"

    @extend_schema(
        operation_id="telephony_events_ingest",
        request=EventBatchInput,
        responses={200: BatchOutput},
        description=(
            "Ingest up to 1,000 events (1 MiB) of one telephony source, authenticated by the "
            "source's ingest token (`Authorization: Bearer <token>`). Each event is accepted, "
            "a duplicate (its `id` was received before: nothing changes) or rejected with a "
            "reason; one bad event never loses the others. A body that is not a batch is a "
            "400 naming the field; a larger batch is a 413. Event types: "
            + ", ".join(EVENT_TYPES)
            + ". `call_ringing` (`call_id`, `queue`, `member`): the member's phone starts "
            "ringing for a waiting call; the agent shows `ringing` until the call is answered "
            "(`call_answered`), the ring is missed (`ring_missed`) or the caller leaves, and "
            "the ring time of `call_answered`/`ring_missed` is measured from it when they "
            "carry no `ring_s`" + "; and `call_surveyed` for a post-call survey answer "
            "(`call_id`, `score` on the site's scale, optional `resolved`)."
        ),
        examples=[
            OpenApiExample(
                "A call from queue through ringing to end, then a lunch break",
                value=_EXAMPLE,
                request_only=True,
            ),
            OpenApiExample(
                "Per-event results",
                response_only=True,
                value={
                    "accepted": 3,
                    "duplicates": 1,
                    "rejected": 1,
                    "results": [
                        {
                            "index": 0,
                            "id": "pbx1-000101",
                            "status": "duplicate",
                            "reason": "already received",
                        },
                        {"index": 1, "id": "pbx1-000102", "status": "accepted", "reason": ""},
                        {"index": 2, "id": "pbx1-000103", "status": "accepted", "reason": ""},
                        {"index": 3, "id": "pbx1-000104", "status": "accepted", "reason": ""},
                        {
                            "index": 4,
                            "id": "pbx1-000105",
                            "status": "rejected",
                            "reason": "wait_s: Ensure this value is greater than or equal to 0.",
                        },
                    ],
                },
            ),
        ],
    )
    def post(self, request):
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > MAX_BYTES:
            raise DomainError(
                _("The batch is larger than %(bytes)s bytes.") % {"bytes": MAX_BYTES},
                field="events",
                code="too_large",
                status_code=413,
            )
        if not isinstance(request.data, dict):
            raise DomainError(_("Send a JSON object with an `events` list."), field="events")
        events = request.data.get("events")
        if isinstance(events, list) and len(events) > MAX_EVENTS:
            raise DomainError(
                _("At most %(events)s events per batch.") % {"events": MAX_EVENTS},
                field="events",
                code="too_large",
                status_code=413,
            )
        batch = self.InputSerializer(data=request.data)
        batch.is_valid(raise_exception=True)
        items = batch.validated_data["events"]

        normalised: list[Event] = []
        early: dict[int, str] = {}
        references: dict[int, tuple[str, str]] = {}
        # Post-call surveys go to the reports' survey service after the calls they rate.
        surveys = {i: raw for i, raw in enumerate(items) if report_api.is_survey(raw)}
        # One serializer validates every item (as a ListSerializer does): a new one per item
        # deep-copies its fields each time, which was most of the view's own cost.
        validator = EventInput()
        for index, raw in enumerate(items):
            if index in surveys:
                early[index] = ""
                normalised.append(Event(0.0, index, "", "", "", "", (), ""))
                continue
            try:
                attrs = validator.run_validation(raw)
            except serializers.ValidationError as error:
                early[index] = "; ".join(
                    f"{field}: {' '.join(str(m) for m in messages)}"
                    if field != "non_field_errors"
                    else " ".join(str(m) for m in messages)
                    for field, messages in error.detail.items()
                )
                normalised.append(Event(0.0, index, "", "", "", "", (), ""))
            else:
                normalised.append(event_from_input(attrs, index))
                if attrs.get("recording"):
                    references[index] = (attrs["call_id"], attrs["recording"])
        valid = [e for i, e in enumerate(normalised) if i not in early]
        outcome = services.events_ingest(
            source=request.auth, events=valid, window=services.event_window(live=True)
        )
        surveyed = report_api.surveys_ingest(source=request.auth, items=surveys)
        results = []
        by_index = iter(outcome.items)
        for index, raw in enumerate(items):
            # (A lone surrogate is valid JSON but cannot be sent back: it shows as "?".)
            ident = str(raw.get("id", "")).encode("utf-8", "replace").decode()
            if index in surveyed:
                status, reason = surveyed[index]
                results.append({"index": index, "id": ident, "status": status, "reason": reason})
            elif index in early:
                results.append(
                    {"index": index, "id": ident, "status": "rejected", "reason": early[index]}
                )
            else:
                item = next(by_index)
                reason = item.reason
                if index in references and item.status != "rejected":
                    call_id, location = references[index]
                    recording_services.recording_link(
                        source=request.auth, call_id=call_id, location=location
                    )
                if item.status == "accepted" and item.ignored:
                    reason = "stored; it matches no open call or agent state, so no figure moves"
                results.append(
                    {"index": index, "id": ident, "status": item.status, "reason": reason}
                )
        body = {
            "accepted": sum(r["status"] == "accepted" for r in results),
            "duplicates": sum(r["status"] == "duplicate" for r in results),
            "rejected": sum(r["status"] == "rejected" for r in results),
            "results": results,
        }
        return Response(BatchOutput(body).data)


class UnmappedMembersApi(APIView):
    """Member names the telephony used that no agent owns yet (map them as aliases)."""

    permission_classes = [HasRole.of(Role.ADMIN, Role.SUPERVISOR)]

    class OutputSerializer(serializers.Serializer):
        class Meta:
            ref_name = "UnmappedMember"

        member = serializers.CharField()
        calls = serializers.IntegerField()
        rings = serializers.IntegerField()

    @extend_schema(responses={200: OutputSerializer(many=True)})
    def get(self, request):
        return Response(self.OutputSerializer(selectors.unmapped_members(), many=True).data)
