"""The site's time zone: times are UTC in the database and local at the edges."""

from zoneinfo import ZoneInfo

from django.conf import settings


def site_zone() -> ZoneInfo:
    """The zone of the site (`CALLFLOOR_TIME_ZONE`): intervals, "today" and display."""
    return ZoneInfo(settings.CALLFLOOR_TIME_ZONE)
