"""Query parameters of the API's list views, validated like request bodies.

Each list view declares a small `FilterSerializer` of its parameters, validates
`request.query_params` with it (a bad value answers JSON 400 naming the parameter and the
reason) and hands it to `extend_schema(parameters=[...])`, so the OpenAPI schema documents it.
These are the field kinds they share.
"""

from datetime import date

from django.utils.translation import gettext as _
from rest_framework import serializers

# Days outside this calendar overflow the week, month and time-zone arithmetic of the reports.
FIRST_DAY = date(1970, 1, 1)
LAST_DAY = date(9998, 12, 31)
# Primary keys are PostgreSQL integers.
MAX_ID = 2**31 - 1


def plausible_day(value: date) -> None:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise serializers.ValidationError(
            _("Give a day between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        )


def day_field(**kwargs) -> serializers.DateField:
    """A day (YYYY-MM-DD) within the calendar the floor works in."""
    return serializers.DateField(validators=[plausible_day], **kwargs)


def id_field(**kwargs) -> serializers.IntegerField:
    """The id of a row (a positive PostgreSQL integer)."""
    return serializers.IntegerField(min_value=1, max_value=MAX_ID, **kwargs)
