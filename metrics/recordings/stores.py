"""Finding a call's recording in its source's store: a directory or an HTTP(S) address.

A call id or a recording reference comes from the telephony, so it is never trusted: it is
checked against a narrow alphabet before it names a file or an address, a directory path is
resolved and must stay under the store's directory, and an address must keep the scheme, host
and port of its template.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from urllib.parse import quote, urlsplit

import urllib3
from django.utils.translation import gettext as _

CONTENT_TYPES = {"wav": "audio/wav", "mp3": "audio/mpeg", "gsm": "audio/x-gsm"}
EXTENSIONS = tuple(CONTENT_TYPES)
CHUNK = 64 * 1024
CONNECT_TIMEOUT_S = 5.0
READ_TIMEOUT_S = 30.0

# Asterisk's uniqueid is `1733490000.123`; other systems use UUIDs or plain numbers.
_SAFE_TOKEN = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,199}")
_PLACEHOLDER = re.compile(r"\{([a-z_]*)\}")
_DIR_PLACEHOLDERS = {"yyyy", "mm", "dd"}
_NAME_PLACEHOLDERS = {"call_id", "ext"}
_URL_PLACEHOLDERS = {"call_id", "recording"}


def token_is_safe(value: str) -> bool:
    """One name of letters, digits, `.`, `_`, `-` (no separator, no `..`, no escape)."""
    return bool(_SAFE_TOKEN.fullmatch(value)) and ".." not in value


def content_type_of(name: str) -> str:
    return CONTENT_TYPES.get(name.rpartition(".")[2].lower(), "")


# --- a directory the PBX writes -------------------------------------------------------------------


def pattern_problem(pattern: str) -> str:
    """Why `pattern` cannot name recordings under a directory ("" when it can)."""
    parts = pattern.split("/")
    if not pattern or pattern.startswith("/") or any(p in ("", ".", "..") for p in parts):
        return _("Give a relative pattern such as {yyyy}/{mm}/{dd}/*-{call_id}.{ext}.")
    for part in parts[:-1]:
        if "*" in part or set(_PLACEHOLDER.findall(part)) - _DIR_PLACEHOLDERS:
            return _("Folders may only use {yyyy}, {mm} and {dd}.")
    names = _PLACEHOLDER.findall(parts[-1])
    if set(names) - _NAME_PLACEHOLDERS or names.count("call_id") != 1:
        return _("The file name needs {call_id} once and may use {ext} and *.")
    return ""


def pattern_folder(pattern: str, day: date) -> str:
    """The folder (relative to the store's directory) the pattern gives for one day."""
    folder = pattern.rpartition("/")[0]
    return folder.format(yyyy=f"{day.year:04d}", mm=f"{day.month:02d}", dd=f"{day.day:02d}")


def pattern_name_regex(pattern: str) -> re.Pattern[str]:
    """The file names the pattern accepts, capturing `call_id` and `ext`."""
    name = pattern.rpartition("/")[2]
    regex = ""
    for piece in re.split(r"(\{call_id\}|\{ext\}|\*)", name):
        if piece == "{call_id}":
            regex += r"(?P<call_id>[A-Za-z0-9_][A-Za-z0-9._-]*?)"
        elif piece == "{ext}":
            regex += r"(?P<ext>" + "|".join(EXTENSIONS) + ")"
        elif piece == "*":
            regex += ".*?"
        else:
            regex += re.escape(piece)
    if "{ext}" not in name:
        regex += r"\.(?P<ext>" + "|".join(EXTENSIONS) + ")"
    return re.compile(regex, re.IGNORECASE)


def _call_id_candidates(captured: str) -> list[str]:
    """The call ids a file name may carry: what the pattern captured, then the same without its
    leading `-`-separated words (`*-{call_id}` cannot tell where `*` ends when ids have `-`)."""
    words = captured.split("-")
    return ["-".join(words[i:]) for i in range(len(words)) if words[i]]


def folder_scan(*, directory: str, pattern: str, day: date) -> dict[str, str]:
    """Call id → path (relative to `directory`) of the recordings the PBX wrote on `day`.

    A name also answers for the shorter ids it ends with; the file whose name holds an id
    most exactly wins it.
    """
    folder = pattern_folder(pattern, day)
    regex = pattern_name_regex(pattern)
    ranked: dict[str, tuple[int, str]] = {}
    try:
        entries = os.scandir(os.path.join(directory, folder))
    except (FileNotFoundError, NotADirectoryError, PermissionError):
        return {}
    with entries:
        for entry in entries:
            match = regex.fullmatch(entry.name)
            if not match or not entry.is_file(follow_symlinks=False):
                continue
            relative = f"{folder}/{entry.name}" if folder else entry.name
            for rank, call_id in enumerate(_call_id_candidates(match.group("call_id"))):
                if token_is_safe(call_id) and (rank, relative) < ranked.get(
                    call_id, (rank + 1, "")
                ):
                    ranked[call_id] = (rank, relative)
    return {call_id: relative for call_id, (_, relative) in ranked.items()}


def directory_file(*, directory: str, location: str) -> Path | None:
    """The file at `location` under `directory`, or None when it is outside it or absent."""
    parts = location.split("/")
    if not location or location.startswith("/") or "\\" in location or "\x00" in location:
        return None
    if any(p in ("", ".", "..") for p in parts):
        return None
    root = Path(directory).resolve()
    try:
        path = (root / location).resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not path.is_relative_to(root) or not path.is_file():
        return None
    return path


def file_chunks(path: Path, *, start: int, length: int) -> Iterator[bytes]:
    """`length` bytes of `path` from `start`, a chunk at a time."""
    with open(path, "rb") as handle:
        handle.seek(start)
        left = length
        while left > 0:
            chunk = handle.read(min(CHUNK, left))
            if not chunk:
                return
            left -= len(chunk)
            yield chunk


# --- an HTTP(S) address per call ------------------------------------------------------------------


def template_problem(template: str) -> str:
    """Why `template` cannot give recording addresses ("" when it can)."""
    parts = urlsplit(template)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return _("Give an http:// or https:// address.")
    if "{" in parts.netloc or "@" in parts.netloc:
        return _("The host part is fixed: no placeholder and no user name in it.")
    names = set(_PLACEHOLDER.findall(template))
    if names - _URL_PLACEHOLDERS or not names:
        return _("Use {call_id} or {recording} in the path or query.")
    return ""


def template_url(template: str, *, call_id: str, recording: str = "") -> str | None:
    """The address of one call's recording, or None when the ids could leave the template's
    host or path (a `/`, `..`, `%2f`, `@` or a whole address in them)."""
    values = {"call_id": call_id, "recording": recording or call_id}
    if template_problem(template) or not all(token_is_safe(v) for v in values.values()):
        return None
    url = _PLACEHOLDER.sub(lambda m: quote(values[m.group(1)], safe=""), template)
    before, after = urlsplit(template), urlsplit(url)
    if (after.scheme, after.netloc) != (before.scheme, before.netloc):
        return None
    return url


def url_open(url: str, *, headers: dict[str, str]) -> urllib3.BaseHTTPResponse:
    """GET `url` without following redirects and without reading the body yet."""
    http = urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=CONNECT_TIMEOUT_S, read=READ_TIMEOUT_S),
        retries=False,
        maxsize=1,
    )
    return http.request("GET", url, headers=headers, redirect=False, preload_content=False)


def response_chunks(response: urllib3.BaseHTTPResponse) -> Iterator[bytes]:
    """The body of an upstream answer, a chunk at a time; the connection is released after."""
    try:
        yield from response.stream(CHUNK, decode_content=False)
    finally:
        response.release_conn()
