"""One HTTP POST to a checked address (no redirects, short time-outs, the IP pinned)."""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

import urllib3

from metrics.alerts.addresses import url_check
from metrics.alerts.formats import Request

CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 10.0


@dataclass(frozen=True)
class Outcome:
    ok: bool
    status_code: int | None
    error: str
    body: bytes = b""


def post(request: Request, *, allow_private: bool) -> Outcome:
    """POST `request`; the host is resolved and checked now and the connection goes to that
    very address (TLS still verifies the host name)."""
    scheme, host, port, address = url_check(request.url, allow_private=allow_private)
    parts = urlsplit(request.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    timeout = urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(
            address,
            port,
            server_hostname=host,
            assert_hostname=host,
            cert_reqs="CERT_REQUIRED",
            timeout=timeout,
            retries=False,
            maxsize=1,
        )
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    default_port = 443 if scheme == "https" else 80
    headers = {**request.headers, "Host": host if port == default_port else f"{host}:{port}"}
    try:
        response = pool.urlopen(
            "POST", path, body=request.body, headers=headers, redirect=False, preload_content=True
        )
    except urllib3.exceptions.HTTPError as error:
        return Outcome(False, None, f"{type(error).__name__}: {error}"[:500])
    finally:
        pool.close()
    ok = 200 <= response.status < 300
    error = "" if ok else f"HTTP {response.status}: {response.data[:200].decode(errors='replace')}"
    return Outcome(ok, response.status, error[:500], response.data[:2000])
