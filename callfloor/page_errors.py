"""A page form's errors: every one at once, each next to its field, in words.

Views turn a refused request into a ``FormErrors`` (from a ``DomainError``, whose ``fields`` hold
every field's reasons, or from a bound Django form) and render the form again with status 400.
Templates show each field's reasons beside it with ``{% field_errors errors "name" %}`` and, above
the form, a summary naming each field by its label (``{% error_summary errors %}``): never by
its code name.
"""

from __future__ import annotations

from collections.abc import Mapping

from django import forms

from callfloor.errors import DomainError

GENERAL = "__all__"
# The names a service or serializer gives the problems of no single field.
GENERAL_NAMES = {GENERAL, "non_field_errors", ""}


class FormErrors:
    def __init__(
        self,
        fields: Mapping[str, list[str]] | None = None,
        *,
        labels: Mapping[str, str] | None = None,
    ) -> None:
        self.labels = dict(labels or {})
        self.fields: dict[str, list[str]] = {}
        self.general: list[str] = []
        for name, reasons in (fields or {}).items():
            target = self.general if name in GENERAL_NAMES else self.fields.setdefault(name, [])
            target.extend(str(reason) for reason in reasons)

    @classmethod
    def from_error(cls, error: DomainError, *, labels: Mapping[str, str] | None = None):
        if error.fields:
            return cls(error.fields, labels=labels)
        return cls({GENERAL: [error.message]}, labels=labels)

    @classmethod
    def from_form(cls, form: forms.Form, *, labels: Mapping[str, str] | None = None):
        names = {name: field.label or name for name, field in form.fields.items()}
        return cls(form.errors, labels={**names, **(labels or {})})

    def __bool__(self) -> bool:
        return bool(self.fields or self.general)

    def __getitem__(self, field: str) -> list[str]:
        return self.fields.get(field, [])

    def __contains__(self, field: str) -> bool:
        return field in self.fields

    @property
    def count(self) -> int:
        return len(self.general) + sum(len(reasons) for reasons in self.fields.values())

    def summary(self) -> list[dict]:
        """Every problem once, for the list above the form: the field's label and its reasons.

        A field without a label in this form (a rule checked across fields) shows its reasons
        alone, never its code name.
        """
        rows = [{"label": "", "reason": reason, "field": ""} for reason in self.general]
        for name, reasons in self.fields.items():
            label = self.labels.get(name, "")
            rows.extend({"label": label, "reason": reason, "field": name} for reason in reasons)
        return rows


NO_ERRORS = FormErrors()


def form_context(request) -> dict:
    """Context processor: the errors and typed values of a refused form (see `render_again`)."""
    return {
        "form_errors": getattr(request, "form_errors", None),
        "form_values": getattr(request, "form_values", None) or {},
    }


def render_again(request, view, *args, errors: FormErrors, values=None, status: int = 400, **kw):
    """A refused POST answers with the page its form lives on (the GET view `view`), showing
    every error beside its field and what was typed, with status 400: nothing typed is lost and
    the page's own view stays as it is."""
    request.form_errors = errors
    request.form_values = values if values is not None else request.POST
    response = view(request, *args, **kw)
    if response.status_code == 200:
        response.status_code = status
    return response
