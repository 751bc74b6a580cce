"""`{% field_errors errors "name" %}` beside a field, `{% error_summary errors %}` above a form."""

from django import template

from callfloor.page_errors import NO_ERRORS, FormErrors

register = template.Library()


@register.inclusion_tag("_field_errors.html")
def field_errors(errors: FormErrors | None, name: str) -> dict:
    errors = errors or NO_ERRORS
    return {"name": name, "reasons": errors[name] if isinstance(errors, FormErrors) else []}


@register.inclusion_tag("_error_summary.html")
def error_summary(errors: FormErrors | None) -> dict:
    if not isinstance(errors, FormErrors) or not errors:
        return {"rows": []}
    return {"rows": errors.summary(), "count": errors.count}
