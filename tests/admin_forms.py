"""The POST data of a Django admin change page as it was rendered, for tests to edit."""

from django.forms import MultiWidget


def _field_data(form, data: dict) -> None:
    for bound in form:
        field = bound.field
        if field.disabled:
            continue
        value = bound.value()
        widget = field.widget
        if isinstance(widget, MultiWidget):
            parts = value if isinstance(value, list) else widget.decompress(value)
            for index, (sub, part) in enumerate(zip(widget.widgets, parts, strict=False)):
                data[f"{bound.html_name}_{index}"] = sub.format_value(part) or ""
        elif isinstance(value, bool):
            if value:
                data[bound.html_name] = "on"
        elif isinstance(value, list | tuple):
            data[bound.html_name] = [str(v) for v in value]
        elif value is None:
            data[bound.html_name] = ""
        else:
            data[bound.html_name] = str(value)


def admin_form_data(response) -> dict:
    """Every field of the page's form and inline formsets (management forms included)."""
    data: dict = {}
    _field_data(response.context["adminform"].form, data)
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        _field_data(formset.management_form, data)
        for form in formset.initial_forms:
            _field_data(form, data)
    return data
