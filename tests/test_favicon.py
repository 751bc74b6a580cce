"""Browsers ask every site for /favicon.ico; it is served from static/root, not a 404."""


def test_the_favicon_is_served_at_the_root(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response["Content-Type"] in {"image/x-icon", "image/vnd.microsoft.icon"}
    body = b"".join(response.streaming_content)
    assert body[:4] == b"\x00\x00\x01\x00"  # an icon file
    assert b"PNG" in body[:40]  # holding one 32 px PNG image
