"""The login lockout behind a TLS proxy: per client, and never on a forged header."""

import pytest
from django.test import RequestFactory

from callfloor.client_ip import client_ip

pytestmark = pytest.mark.django_db

PROXY = "10.0.0.2"
CLIENT_A = "203.0.113.5"
CLIENT_B = "198.51.100.7"


def _fail_five_times(client, **meta):
    for _ in range(5):
        client.post("/accounts/login/", {"username": "ann", "password": "wrong"}, **meta)


def _log_in(client, cast, **meta):
    return client.post("/accounts/login/", {"username": "ann", "password": cast.password}, **meta)


def test_behind_a_trusted_proxy_one_client_cannot_lock_out_another(cast, client, settings):
    settings.CALLFLOOR_TRUSTED_PROXIES = 1
    _fail_five_times(client, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A)
    assert (
        _log_in(client, cast, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_A).status_code == 429
    )
    # The same user from another client behind the same proxy still logs in.
    assert (
        _log_in(client, cast, REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=CLIENT_B).status_code == 302
    )


def test_a_client_cannot_dodge_the_lockout_with_its_own_forwarded_entries(cast, client, settings):
    """The proxy appends what it saw: entries to its left were written by the client."""
    settings.CALLFLOOR_TRUSTED_PROXIES = 1
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        client.post(
            "/accounts/login/",
            {"username": "ann", "password": "wrong"},
            REMOTE_ADDR=PROXY,
            HTTP_X_FORWARDED_FOR=f"{forged}, {CLIENT_A}",
        )
    meta = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": f"192.0.2.9, {CLIENT_A}"}
    assert _log_in(client, cast, **meta).status_code == 429


def test_without_a_trusted_proxy_a_forged_header_is_ignored(cast, client, settings):
    settings.CALLFLOOR_TRUSTED_PROXIES = []
    for forged in ("192.0.2.1", "192.0.2.2", "192.0.2.3", "192.0.2.4", "192.0.2.5"):
        client.post(
            "/accounts/login/",
            {"username": "ann", "password": "wrong"},
            REMOTE_ADDR=CLIENT_A,
            HTTP_X_FORWARDED_FOR=forged,
        )
    assert (
        _log_in(client, cast, REMOTE_ADDR=CLIENT_A, HTTP_X_FORWARDED_FOR=CLIENT_B).status_code
        == 429
    )


@pytest.mark.parametrize(
    ("trusted", "remote", "forwarded", "seen"),
    [
        ([], PROXY, CLIENT_A, PROXY),
        (1, PROXY, CLIENT_A, CLIENT_A),
        (1, PROXY, f"192.0.2.1, {CLIENT_A}", CLIENT_A),
        (1, PROXY, "", PROXY),  # not through the proxy after all
        (1, PROXY, "not-an-address", PROXY),
        (2, PROXY, f"192.0.2.1, {CLIENT_A}, 10.0.0.9", CLIENT_A),
        (["10.0.0.0/24"], PROXY, f"192.0.2.1, {CLIENT_A}", CLIENT_A),
        (["10.0.0.0/24"], PROXY, f"{CLIENT_A}, 10.0.0.7", CLIENT_A),
        (["10.0.0.0/24"], CLIENT_B, CLIENT_A, CLIENT_B),  # straight to the server: header ignored
        (["10.0.0.2", "2001:db8::/32"], "2001:db8::1", "2001:db8::5, 10.0.0.2", "2001:db8::5"),
    ],
)
def test_the_client_address_is_read_from_the_trusted_entries_only(
    settings, trusted, remote, forwarded, seen
):
    settings.CALLFLOOR_TRUSTED_PROXIES = trusted
    request = RequestFactory().get("/", REMOTE_ADDR=remote, HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == seen
