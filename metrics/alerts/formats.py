"""The bodies each kind of channel expects, and their signatures.

- WeCom group robot: `{"msgtype": "markdown", "markdown": {"content": ...}}` to its URL.
- DingTalk group robot: `{"msgtype": "markdown", "markdown": {"title", "text"}}`; with a
  signing secret, `timestamp` (ms) and `sign` = URL-encoded base64(HMAC-SHA256(secret,
  f"{timestamp}\\n{secret}")) are added to the URL's query.
- Feishu custom bot: `{"msg_type": "text", "content": {"text": ...}}`; with a signing secret,
  `timestamp` (s) and `sign` = base64(HMAC-SHA256(key=f"{timestamp}\\n{secret}", empty
  message)) in the body.
- Signed webhook: the event as JSON (see `WEBHOOK_VERSION` and the README), with the headers
  `X-Callfloor-Timestamp` (s), `X-Callfloor-Signature` = hex(HMAC-SHA256(secret,
  f"{timestamp}.{body}")), `X-Callfloor-Event` and `X-Callfloor-Delivery` (the event's id).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from dataclasses import dataclass
from urllib.parse import quote_plus, urlsplit, urlunsplit

WEBHOOK_VERSION = 1
USER_AGENT = "callfloor-alerts/1"


@dataclass(frozen=True)
class Request:
    url: str
    body: bytes
    headers: dict[str, str]


def message_markdown(message: dict) -> str:
    lines = [f"### {message['title']}"]
    lines += [f"> {line}" for line in message.get("lines", [])]
    if message.get("link"):
        lines.append(f"[{message.get('link_text') or message['link']}]({message['link']})")
    return "\n".join(lines)


def message_text(message: dict) -> str:
    lines = [message["title"], *message.get("lines", [])]
    if message.get("link"):
        lines.append(message["link"])
    return "\n".join(lines)


def _json(data: dict) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


def dingtalk_sign(*, secret: str, timestamp_ms: int) -> str:
    digest = hmac.new(
        secret.encode(), f"{timestamp_ms}\n{secret}".encode(), hashlib.sha256
    ).digest()
    return base64.b64encode(digest).decode()


def feishu_sign(*, secret: str, timestamp_s: int) -> str:
    digest = hmac.new(f"{timestamp_s}\n{secret}".encode(), b"", hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def webhook_signature(*, secret: str, timestamp_s: int, body: bytes) -> str:
    """The documented recipe: hex HMAC-SHA256 of f"{timestamp}.{body}" under the secret."""
    return hmac.new(
        secret.encode(), str(timestamp_s).encode() + b"." + body, hashlib.sha256
    ).hexdigest()


def _add_query(url: str, extra: str) -> str:
    parts = urlsplit(url)
    query = f"{parts.query}&{extra}" if parts.query else extra
    return urlunsplit(parts._replace(query=query))


def robot_request(*, kind: str, url: str, secret: str, message: dict, now_s: float) -> Request:
    headers = {"Content-Type": "application/json; charset=utf-8", "User-Agent": USER_AGENT}
    if kind == "wecom":
        body = {"msgtype": "markdown", "markdown": {"content": message_markdown(message)}}
        return Request(url, _json(body), headers)
    if kind == "dingtalk":
        body = {
            "msgtype": "markdown",
            "markdown": {"title": message["title"], "text": message_markdown(message)},
        }
        if secret:
            stamp = int(now_s * 1000)
            sign = quote_plus(dingtalk_sign(secret=secret, timestamp_ms=stamp))
            url = _add_query(url, f"timestamp={stamp}&sign={sign}")
        return Request(url, _json(body), headers)
    if kind == "feishu":
        body = {"msg_type": "text", "content": {"text": message_text(message)}}
        if secret:
            stamp = int(now_s)
            body = {"timestamp": str(stamp), "sign": feishu_sign(secret=secret, timestamp_s=stamp)}
            body |= {"msg_type": "text", "content": {"text": message_text(message)}}
        return Request(url, _json(body), headers)
    raise ValueError(f"not a robot: {kind}")


def webhook_request(*, url: str, secret: str, event: dict, now_s: float) -> Request:
    body = _json(event)
    stamp = int(now_s)
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": USER_AGENT,
        "X-Callfloor-Event": event["event"],
        "X-Callfloor-Delivery": event["id"],
        "X-Callfloor-Timestamp": str(stamp),
    }
    if secret:
        headers["X-Callfloor-Signature"] = webhook_signature(
            secret=secret, timestamp_s=stamp, body=body
        )
    return Request(url, body, headers)
