"""An AMI source's account: its secret at rest and the settings a connection needs.

The secret is encrypted with the same key as the alert channels' secrets
(`metrics.alerts.secrets`), or read from the environment variable the source names. Only
`ami_settings` decrypts it, for the moment of logging in; nothing shows it again.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from metrics.alerts.secrets import secret_decrypt, secret_encrypt
from metrics.models import SourceKind, TelephonySource


class AmiNotConfigured(Exception):
    """The source is not an AMI source, or lacks its host, user name or secret."""


@dataclass(frozen=True)
class AmiSettings:
    host: str
    port: int
    username: str
    # Kept out of repr(): a settings object printed in a log or a traceback shows no secret.
    secret: str = field(repr=False)


def source_secret_set(*, source: TelephonySource, secret: str) -> None:
    """Store the source's AMI secret encrypted (the caller saves the row)."""
    source.ami_secret_encrypted = secret_encrypt(plain=secret)


def source_has_secret(source: TelephonySource) -> bool:
    return bool(source.ami_secret_env or source.ami_secret_encrypted)


def ami_settings(source: TelephonySource) -> AmiSettings:
    """What a client needs to log in to the source's Asterisk, with the secret decrypted."""
    if source.kind != SourceKind.AMI:
        raise AmiNotConfigured(f"source {source.name} is not an AMI source")
    if source.ami_secret_env:
        secret = os.environ.get(source.ami_secret_env, "")
    else:
        secret = secret_decrypt(token=source.ami_secret_encrypted)
    if not (source.ami_host and source.ami_username and secret):
        raise AmiNotConfigured(f"source {source.name} lacks its AMI host, user name or secret")
    return AmiSettings(
        host=source.ami_host,
        port=source.ami_port,
        username=source.ami_username,
        secret=secret,
    )
