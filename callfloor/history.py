"""History lines in words: every audit row a person reads, as a translated sentence.

Audit rows keep a stable code (`handover.case_confirmed`) and the facts of the change (`data`).
People read sentences ("Confirmed the high-severity case C-1001"). Each app says how its own
actions read in `<app>/history.py` with `@phrase("action", ...)`; pages and APIs turn audit rows
into lines with `history_lines(...)` and show them with `templates/_history.html`. An action with
no phrase still reads as words ("Recorded a change"), never as its code.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.utils.module_loading import autodiscover_modules
from django.utils.translation import gettext as _

Phrase = Callable[[dict[str, Any]], str]

_PHRASES: dict[str, Phrase] = {}
_discovered = False


def phrase(*actions: str) -> Callable[[Phrase], Phrase]:
    """Register the function that writes the sentence of one or more audit actions."""

    def register(function: Phrase) -> Phrase:
        for action in actions:
            _PHRASES[action] = function
        return function

    return register


def said(action: str, text) -> None:
    """Register a fixed sentence (a lazy translation) for an action that needs no details."""
    _PHRASES[action] = lambda data, text=text: str(text)


def _discover() -> None:
    global _discovered
    if not _discovered:
        _discovered = True
        autodiscover_modules("history")


def has_phrase(action: str) -> bool:
    _discover()
    return action in _PHRASES


def describe(action: str, data: dict[str, Any] | None = None) -> str:
    """The sentence of one audit action in the active language."""
    _discover()
    function = _PHRASES.get(action)
    if function is None:
        return _("Recorded a change")
    return str(function(data or {}))


def person(user) -> str:
    """A person as the history names them: full name, or the username."""
    if user is None:
        return _("the system")
    return user.get_full_name() or user.get_username()


@dataclass(frozen=True)
class HistoryLine:
    at: datetime
    actor: Any
    who: str
    text: str
    action: str


def history_lines(entries: Iterable) -> list[HistoryLine]:
    """Audit rows as lines a person reads: when, who (a name) and what (a sentence)."""
    return [
        HistoryLine(
            at=entry.at,
            actor=entry.actor,
            who=person(entry.actor),
            text=describe(entry.action, entry.data),
            action=entry.action,
        )
        for entry in entries
    ]
