"""Where a channel may send: https only, and never to this server's own networks.

A webhook URL must be https (http only in DEBUG) and its host must resolve to public
addresses only: no loopback, link-local (cloud metadata), private, multicast, reserved or
unspecified ones, unless an admin allowed it for the channel (`allow_private`). Checked when
a channel is saved and again when each message is sent; the send then connects to the very
address it checked (no second look-up a DNS answer could change in between).
"""

from __future__ import annotations

import ipaddress
import socket
from urllib.parse import urlsplit

from django.conf import settings
from django.utils.translation import gettext as _


class AddressRefused(ValueError):
    """The URL may not be used (the message says why)."""


def _forbidden(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    return not address.is_global or address.is_multicast


def resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as error:
        raise AddressRefused(_("the host %(host)s does not resolve") % {"host": host}) from error
    return list(dict.fromkeys(info[4][0] for info in infos))


def url_check(url: str, *, allow_private: bool) -> tuple[str, str, int, str]:
    """The URL's (scheme, host, port, address to connect to), or `AddressRefused`."""
    parts = urlsplit(url)
    scheme = parts.scheme.lower()
    if scheme not in ("https", "http"):
        raise AddressRefused(_("only https URLs may be used"))
    if scheme == "http" and not (settings.DEBUG or allow_private):
        raise AddressRefused(
            _("only https URLs may be used (plain http needs an admin's allowance)")
        )
    if not parts.hostname:
        raise AddressRefused(_("the URL has no host"))
    if parts.username or parts.password:
        raise AddressRefused(_("the URL may not carry a user name or password"))
    port = parts.port or (443 if scheme == "https" else 80)
    addresses = resolve(parts.hostname, port)
    if not allow_private:
        for raw in addresses:
            if _forbidden(ipaddress.ip_address(raw.split("%")[0])):
                raise AddressRefused(
                    _(
                        "%(host)s resolves to %(address)s, an address of this server's own "
                        "network (an admin may allow it for this channel)"
                    )
                    % {"host": parts.hostname, "address": raw}
                )
    if not addresses:
        raise AddressRefused(_("the host %(host)s does not resolve") % {"host": parts.hostname})
    return scheme, parts.hostname, port, addresses[0]
