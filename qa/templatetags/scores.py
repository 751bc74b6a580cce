"""`{{ value|score }}`: a score in the one format of callfloor/numbers.py."""

from django import template

from callfloor.numbers import format_score

register = template.Library()


@register.filter
def score(value) -> str:
    return format_score(value)
