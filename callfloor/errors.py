"""One JSON error shape for the whole API.

Every error answers ``{"error": {"code": ..., "message": ..., "fields": {field: [reason, ...]}}}``;
``fields`` is present only for validation errors. Services raise ``DomainError`` for broken
business rules; the handler turns it into HTTP 400 (or the status it names).

A service that checks several independent fields collects their problems in a ``Problems`` and
raises them together, so that a form shows every error at once, each next to its field.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler


class DomainError(Exception):
    """A business rule refused the request; the message is shown to the user."""

    status_code = status.HTTP_400_BAD_REQUEST
    code = "invalid"

    def __init__(
        self,
        message: str,
        *,
        field: str | None = None,
        code: str | None = None,
        status_code: int | None = None,
        fields: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.field = field
        # Every field's reasons: the one field named, or all those a `Problems` collected.
        self.fields: dict[str, list[str]] = (
            {name: list(reasons) for name, reasons in fields.items()}
            if fields
            else ({field: [message]} if field else {})
        )
        if code:
            self.code = code
        if status_code:
            self.status_code = status_code


class Problems:
    """The problems of one request's independent fields, raised together.

    ::

        problems = Problems()
        with problems.capture():
            name = _text(...)  # a DomainError naming a field is collected, not raised
        if not day:
            problems.add("day", _("Give the day."))
        problems.raise_if_any()

    A refusal that names no field, or is not a 400 (permission, conflict), is raised at once.
    """

    def __init__(self) -> None:
        self.fields: dict[str, list[str]] = {}

    def __bool__(self) -> bool:
        return bool(self.fields)

    def add(self, field: str, message: str) -> None:
        reasons = self.fields.setdefault(field, [])
        if message not in reasons:
            reasons.append(message)

    def has(self, field: str) -> bool:
        return field in self.fields

    @contextlib.contextmanager
    def capture(self) -> Iterator[Problems]:
        try:
            yield self
        except DomainError as error:
            if not error.fields or error.status_code != status.HTTP_400_BAD_REQUEST:
                raise
            for field, reasons in error.fields.items():
                for reason in reasons:
                    self.add(field, reason)

    def raise_if_any(self) -> None:
        if self.fields:
            field, reasons = next(iter(self.fields.items()))
            raise DomainError(reasons[0], field=field, fields=self.fields)


class Conflict(DomainError):
    """Someone else changed the object first (a lost race in a state machine)."""

    status_code = status.HTTP_409_CONFLICT
    code = "conflict"


def _flatten(detail, prefix: str = "") -> dict[str, list[str]]:
    fields: dict[str, list[str]] = {}
    if isinstance(detail, dict):
        for key, value in detail.items():
            name = f"{prefix}.{key}" if prefix else str(key)
            fields.update(_flatten(value, name))
    elif isinstance(detail, list):
        if all(not isinstance(item, dict | list) for item in detail):
            fields[prefix or "non_field_errors"] = [str(item) for item in detail]
        else:
            for index, item in enumerate(detail):
                fields.update(_flatten(item, f"{prefix}[{index}]" if prefix else f"[{index}]"))
    else:
        fields[prefix or "non_field_errors"] = [str(detail)]
    return fields


def error_body(code: str, message: str, fields: dict | None = None) -> dict:
    body: dict = {"code": code, "message": message}
    if fields:
        body["fields"] = fields
    return {"error": body}


def api_exception_handler(exc, context):
    if isinstance(exc, DomainError):
        return Response(
            error_body(exc.code, exc.message, exc.fields or None), status=exc.status_code
        )
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(
            exc.message_dict if hasattr(exc, "error_dict") else exc.messages
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    if isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied()

    response = exception_handler(exc, context)
    if response is None:
        return None
    if isinstance(exc, exceptions.ValidationError):
        fields = _flatten(exc.detail)
        first_field, reasons = next(iter(fields.items()))
        message = (
            reasons[0] if first_field == "non_field_errors" else f"{first_field}: {reasons[0]}"
        )
        response.data = error_body("invalid", message, fields)
    else:
        detail = getattr(exc, "detail", str(exc))
        code = getattr(detail, "code", None) or getattr(exc, "default_code", "error")
        response.data = error_body(str(code), str(detail))
    return response
