"""What the quality services share: the user model and notifications."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model

from agents.services import notify

User = get_user_model()


def notify_people(*, recipients: Iterable, text: str, link: str = "", kind: str = "") -> None:
    # Notifications are rows: written in the same transaction, they exist exactly when the
    # change they announce does.
    notify(recipients=list(recipients), text=text, link=link, kind=kind)
