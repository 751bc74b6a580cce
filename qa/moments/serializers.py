"""The shape of a moment in the API, shared by the evaluation, appeal and library endpoints."""

from __future__ import annotations

from rest_framework import serializers

from qa.moments.models import MAX_NOTE


class MomentInput(serializers.Serializer):
    at_ms = serializers.IntegerField(min_value=0, help_text="milliseconds from the call's start")
    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=MAX_NOTE)


class MomentOutput(serializers.Serializer):
    id = serializers.IntegerField()
    kind = serializers.CharField(help_text="comment, deduction, citation or highlight")
    at_ms = serializers.IntegerField()
    clock = serializers.CharField(help_text="the moment as m:ss")
    label = serializers.CharField()
    note = serializers.CharField()
    criterion = serializers.IntegerField(allow_null=True)
    author = serializers.CharField(
        allow_null=True, help_text="hidden from peers when evaluator names are hidden"
    )
