"""The demo floor's working pattern, shared by the scheduling seed (today on) and the floor
history seed (the weeks before today), so that the two join up day by day."""

from __future__ import annotations

from datetime import date, time

# Shifts of 8 h 30 min (a 15-minute break after two hours, half an hour of lunch after four).
SHIFT_HOURS = 8.5


def demo_shift_start(position: int, day: date) -> time | None:
    """When the agent at `position` (0-based, in the order of their ids) starts on `day`, or
    None on their two days off a week.

    The floor is open seven days: each agent works five, their days off staggered so that
    every day has about five in seven of the agents; starts are staggered 07:00, 08:00, 09:00.
    """
    off = {position % 7, (position + 1) % 7}
    if day.weekday() in off:
        return None
    return time(7 + position % 3, 0)


# Leave reasons as agents type them (data, not interface text: in the demo floor's language).
LEAVE_WORDS = {
    "en": {
        "reasons": ["Sister's wedding", "Moving house", "Product course at head office"],
        "refusal": "Three of the team are off that week already; please pick another week.",
    },
    "zh-hans": {
        "reasons": ["姐姐结婚", "搬家", "去总部参加产品培训"],
        "refusal": "那一周组里已有三人休假，请另选一周。",
    },
    "zh-hant": {
        "reasons": ["姊姊結婚", "搬家", "去總部參加產品培訓"],
        "refusal": "那一週組裡已有三人休假，請另選一週。",
    },
}


def leave_words() -> dict:
    from django.conf import settings

    return LEAVE_WORDS.get(settings.LANGUAGE_CODE, LEAVE_WORDS["en"])
