"""One Manager action to a source's Asterisk, and its answer: the controls' only way out.

Each control opens a short connection of its own (login with events off, the action, logoff),
so a board request never waits behind the follower's event stream. An action is sent once and
never again by callfloor: when the connection cannot be made nothing was sent and the caller
may try again; when the action was sent but no answer came, it may have been applied, and the
person is told to look at the board before trying again.
"""

from __future__ import annotations

import asyncio

from django.conf import settings

from metrics.models import TelephonySource

Message = dict[str, str]


class PbxUnreachable(Exception):
    """No connection or no login: the action was not sent."""


class PbxNoAnswer(Exception):
    """The action was sent and no answer came in time: it may have been applied."""


class PbxRefused(Exception):
    """Asterisk answered `Response: Error`; `message` is its reason."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def action_timeout_s() -> float:
    return float(getattr(settings, "CALLFLOOR_AMI_ACTION_TIMEOUT_S", 10.0))


def action_send(*, source: TelephonySource, action: str, headers: dict[str, str]) -> Message:
    """Send `action` with `headers` to the Asterisk of `source`; its `Response:` block.

    Raises `PbxUnreachable`, `PbxNoAnswer` or `PbxRefused` (see the module docstring)."""
    return asyncio.run(_send(source, action, headers))


async def _send(source: TelephonySource, action: str, headers: dict[str, str]) -> Message:
    from metrics.telephony.ami.config import AmiNotConfigured, ami_settings
    from metrics.telephony.ami.protocol import AmiActionError, AmiClient, AmiError

    timeout = action_timeout_s()
    try:
        account = ami_settings(source)
    except AmiNotConfigured as error:
        raise PbxUnreachable(str(error)) from None
    client = AmiClient()
    try:
        try:
            await client.connect(host=account.host, port=account.port, timeout=timeout)
            await client.login(
                username=account.username, secret=account.secret, events="off", timeout=timeout
            )
        except AmiError as error:
            raise PbxUnreachable(str(error)) from None
        try:
            answer = await client.send(action, timeout=timeout, **headers)
        except AmiActionError as error:
            raise PbxRefused(error.message) from None
        except (AmiError, TimeoutError) as error:
            raise PbxNoAnswer(str(error) or "no answer") from None
        return dict(answer.response)
    finally:
        await client.logoff(timeout=2.0)
