"""Argument types of the telephony commands: each refuses a bad value before any change
(argparse turns the error into a `CommandError` naming the option)."""

from __future__ import annotations

import argparse
import math
import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from django.utils.translation import gettext as _

SOURCE_NAME = re.compile(r"[-a-zA-Z0-9_]{1,100}")


def zone_name(text: str) -> str:
    """An IANA time zone this server knows."""
    try:
        ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError):
        raise argparse.ArgumentTypeError(
            _("%(zone)r is not a known time zone (e.g. Europe/Brussels)") % {"zone": text}
        ) from None
    return text


def source_name(text: str) -> str:
    """A telephony source's name: letters, digits, '-' and '_', at most 100."""
    if not SOURCE_NAME.fullmatch(text):
        raise argparse.ArgumentTypeError(
            _("%(name)r is not a source name (letters, digits, '-' and '_', at most 100)")
            % {"name": text}
        )
    return text


def positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value <= 0:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a whole number above 0") % {"value": text}
        )
    return value


def non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a whole number of 0 or more") % {"value": text}
        )
    return value


def non_negative_float(text: str) -> float:
    """A finite number of 0 or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and value >= 0):
        raise argparse.ArgumentTypeError(
            _("%(value)r is not a finite number of 0 or more") % {"value": text}
        )
    return value


def positive_float(text: str) -> float:
    """A finite number above 0."""
    value = non_negative_float(text)
    if value == 0:
        raise argparse.ArgumentTypeError(_("%(value)r is not a number above 0") % {"value": text})
    return value
