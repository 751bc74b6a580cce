"""The address of the person at the other end, as far as it can be believed.

Behind a TLS proxy every request comes from the proxy's address, so the login lockout (user name
and address) would let anyone lock anyone out. Each proxy appends the address it saw to
X-Forwarded-For; only the entries the trusted proxies wrote are believed, counted from the
right. Without a trusted proxy (CALLFLOOR_TRUSTED_PROXIES unset) the header is ignored, since
any client can send it.
"""

from __future__ import annotations

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def _address(text: str) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    try:
        return ipaddress.ip_address(text)
    except ValueError:
        return None


def client_ip(request: HttpRequest) -> str | None:
    """REMOTE_ADDR, or the client address the trusted proxies put in X-Forwarded-For."""
    remote = request.META.get("REMOTE_ADDR") or None
    trusted = settings.CALLFLOOR_TRUSTED_PROXIES
    if not trusted:
        return remote
    hops = [h.strip() for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    hops = [h for h in hops if h]
    if isinstance(trusted, int):
        # The last `trusted` entries were written by our proxies; the client is the first of them.
        if len(hops) < trusted:
            return remote
        candidate = hops[-trusted]
    else:
        networks = [ipaddress.ip_network(n, strict=False) for n in trusted]

        def is_proxy(text: str | None) -> bool:
            address = _address(text or "")
            return address is not None and any(address in n for n in networks)

        if not is_proxy(remote):
            return remote  # not through our proxy: whatever the header says was sent by the client
        candidate = remote
        for hop in reversed(hops):
            candidate = hop
            if not is_proxy(hop):
                break
    return candidate if _address(candidate) is not None else remote
