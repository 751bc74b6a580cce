"""Channel secrets at rest: Fernet (AES-128-CBC + HMAC) under a key from the settings.

The key is `CALLFLOOR_SECRETS_KEY` when set (a Fernet key, or any passphrase), else derived
from `SECRET_KEY`; changing it makes stored secrets unreadable (enter them again).
"""

from __future__ import annotations

import base64
import hashlib
import os

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings


def _fernet() -> Fernet:
    material = getattr(settings, "CALLFLOOR_SECRETS_KEY", "") or settings.SECRET_KEY
    digest = hashlib.sha256(f"callfloor.alerts.secrets:{material}".encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


def secret_encrypt(*, plain: str) -> str:
    return _fernet().encrypt(plain.encode()).decode() if plain else ""


def secret_decrypt(*, token: str) -> str:
    if not token:
        return ""
    try:
        return _fernet().decrypt(token.encode()).decode()
    except InvalidToken:
        return ""


def channel_secret(channel) -> str:
    """The channel's secret: from its environment variable, else the stored one ("" if none)."""
    if channel.secret_env:
        return os.environ.get(channel.secret_env, "")
    return secret_decrypt(token=channel.secret_encrypted)
