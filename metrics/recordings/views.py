"""The recording of a call, streamed through one permission check; who listened to my calls."""

from __future__ import annotations

import base64
import re
from collections.abc import AsyncIterator, Iterator
from datetime import timedelta

import urllib3
from asgiref.sync import sync_to_async
from django.core.exceptions import PermissionDenied
from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from agents.access import agent_of, role_required
from agents.roles import Role
from metrics.alerts.secrets import secret_decrypt
from metrics.models import QueueCall
from metrics.recordings import peaks as waveform
from metrics.recordings import ranges, selectors, services, stores
from metrics.recordings.access import can_hear_call

# Shared proxies never keep a recording (it is personal data, and access may be withdrawn).
CACHE_CONTROL = "private, no-store"
_UPSTREAM_RANGE = re.compile(r"bytes=\d*-\d*")
_RELAYED = ("Content-Length", "Content-Range", "Accept-Ranges")
LISTENS_DAYS = 90


def _plain(text: str, status: int) -> HttpResponse:
    """A short answer in words (the player shows the state; this is never an error page)."""
    response = HttpResponse(text, status=status, content_type="text/plain; charset=utf-8")
    response["Cache-Control"] = CACHE_CONTROL
    return response


async def _async_chunks(chunks: Iterator[bytes]) -> AsyncIterator[bytes]:
    # One chunk at a time from a worker thread: an ASGI server would otherwise read a sync
    # iterator to its end into memory before sending the first byte.
    step = sync_to_async(next, thread_sensitive=False)
    try:
        while (chunk := await step(chunks, None)) is not None:
            yield chunk
    finally:
        close = getattr(chunks, "close", None)
        if close is not None:
            await sync_to_async(close, thread_sensitive=False)()


def _streamed(request: HttpRequest, chunks: Iterator[bytes], status: int) -> StreamingHttpResponse:
    if request.method == "HEAD":
        close = getattr(chunks, "close", None)
        if close is not None:
            close()
        chunks = iter(())
    body = _async_chunks(chunks) if isinstance(request, ASGIRequest) else chunks
    response = StreamingHttpResponse(body, status=status)
    response["Cache-Control"] = CACHE_CONTROL
    return response


def _from_file(request: HttpRequest, located: selectors.Located, call: QueueCall):
    size = located.path.stat().st_size
    try:
        wanted = ranges.byte_range(request.headers.get("Range", ""), size)
    except ranges.Unsatisfiable:
        response = _plain(_("That part of the recording does not exist."), 416)
        response["Content-Range"] = f"bytes */{size}"
        return response
    start, end = wanted if wanted else (0, size - 1)
    length = max(0, end - start + 1)
    response = _streamed(
        request,
        stores.file_chunks(located.path, start=start, length=length),
        206 if wanted else 200,
    )
    response["Content-Length"] = str(length)
    if wanted:
        response["Content-Range"] = f"bytes {start}-{end}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Content-Type"] = located.content_type or "application/octet-stream"
    extension = located.path.suffix.lower()
    response["Content-Disposition"] = f'inline; filename="call-{call.pk}{extension}"'
    return response


def _from_url(request: HttpRequest, located: selectors.Located, call: QueueCall):
    store = located.store
    headers = {"Accept": "audio/*"}
    asked = request.headers.get("Range", "")
    if _UPSTREAM_RANGE.fullmatch(asked.replace(" ", "")):
        headers["Range"] = asked.replace(" ", "")
    secret = secret_decrypt(token=store.secret_encrypted)
    if store.username:
        pair = f"{store.username}:{secret}".encode()
        headers["Authorization"] = "Basic " + base64.b64encode(pair).decode()
    elif secret:
        headers["Authorization"] = f"Bearer {secret}"
    try:
        upstream = stores.url_open(located.url, headers=headers)
    except urllib3.exceptions.HTTPError:
        return _plain(_("The recording store did not answer; try again later."), 502)
    if upstream.status == 416:
        upstream.release_conn()
        response = _plain(_("That part of the recording does not exist."), 416)
        if upstream.headers.get("Content-Range"):
            response["Content-Range"] = upstream.headers["Content-Range"]
        return response
    if upstream.status not in (200, 206):
        upstream.release_conn()
        return _plain(_("The recording of this call is missing."), 404)
    response = _streamed(request, stores.response_chunks(upstream), upstream.status)
    for name in _RELAYED:
        if upstream.headers.get(name):
            response[name] = upstream.headers[name]
    sent = upstream.headers.get("Content-Type", "").split(";")[0].strip().lower()
    kind = sent if sent.startswith("audio/") else located.content_type
    response["Content-Type"] = kind or "application/octet-stream"
    return response


@require_http_methods(["GET", "HEAD"])
def audio(request: HttpRequest, call_id: int) -> HttpResponse:
    """The recording of one call: 200, or 206 for a byte range (416 when it does not exist)."""
    call = get_object_or_404(QueueCall.objects.select_related("agent"), pk=call_id)
    if not can_hear_call(request.user, call):
        raise PermissionDenied(_("You may not hear this call."))
    located = selectors.recording_locate(call=call)
    if located.status == selectors.EXPIRED:
        return _plain(_("The recording of this call has expired."), 410)
    if located.status == selectors.NONE:
        return _plain(_("This call has no recording."), 404)
    if located.status != selectors.AVAILABLE:
        return _plain(_("The recording of this call is missing."), 404)
    if request.method == "GET":
        services.recording_listen_record(user=request.user, call=call)
    if located.path is not None:
        return _from_file(request, located, call)
    return _from_url(request, located, call)


@require_http_methods(["GET", "HEAD"])
def peaks(request: HttpRequest, call_id: int) -> HttpResponse:
    """The waveform's peaks and the duration of a call's recording, for the player to draw before
    anyone plays it: the same check as the audio, and no listen (nothing of the call is heard)."""
    call = get_object_or_404(QueueCall.objects.select_related("agent"), pk=call_id)
    if not can_hear_call(request.user, call):
        raise PermissionDenied(_("You may not hear this call."))
    located = selectors.recording_locate(call=call)
    answers = {
        selectors.EXPIRED: (_("The recording of this call has expired."), 410),
        selectors.NONE: (_("This call has no recording."), 404),
        selectors.MISSING: (_("The recording of this call is missing."), 404),
    }
    if located.status != selectors.AVAILABLE:
        detail, status = answers.get(located.status, answers[selectors.MISSING])
        response = JsonResponse({"detail": detail}, status=status)
    else:
        response = JsonResponse(waveform.recording_peaks(located=located))
    response["Cache-Control"] = CACHE_CONTROL
    return response


@role_required(Role.AGENT)
def my_listens(request: HttpRequest) -> HttpResponse:
    """Who listened to my calls' recordings (the last LISTENS_DAYS days)."""
    agent = agent_of(request.user)
    if agent is None:
        raise PermissionDenied
    since = timezone.now() - timedelta(days=LISTENS_DAYS)
    listens = selectors.listens_of_agent(agent=agent, since=since)[:500]
    return render(
        request,
        "recordings/my_listens.html",
        {"listens": listens, "days": LISTENS_DAYS},
    )
