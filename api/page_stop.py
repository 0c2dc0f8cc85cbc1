"""``POST /_chat/stop``: the chat page's fast Stop (see ``chatcore/stop_links.py``).

Not part of the HTTP API: it is served even when ``CHAT_API = "off"`` and asks for no API
token, because its only authority is the stop link's token in the body (the page that
follows an answer got it in its own page run). So it answers only 204 (stopped) or 404
(nothing stopped: whatever the reason, a forged, used or stale token reads the same), and
sends no CORS headers: only the page's own origin may read the answer. A browser's
cross-site request is refused outright (``Sec-Fetch-Site``), before any token is looked at.
The token travels in the body, never in the URL a proxy logs.
"""

from __future__ import annotations

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from chatcore.stop_links import MAX_TOKEN_CHARS, STOP_LINK_PATH, stop_links

_HEADERS = [(b"cache-control", b"no-store")]
_ALLOWED_SITES = {b"same-origin", b"none"}  # a browser's own page; absent for clients that are no browser


async def _answer(send: Send, status: int, extra: list[tuple[bytes, bytes]] | None = None) -> None:
    length = [] if status == 204 else [(b"content-length", b"0")]  # a 204 has no body and says no length
    await send({"type": "http.response.start", "status": status, "headers": [*_HEADERS, *length, *(extra or [])]})
    await send({"type": "http.response.body", "body": b""})


async def _body(receive: Receive, limit: int) -> bytes | None:
    """The request body, or None when it is longer than ``limit`` bytes (not read further)."""
    body = b""
    while True:
        message: Message = await receive()
        if message["type"] != "http.request":
            return None  # the client went away
        body += message.get("body", b"")
        if len(body) > limit:
            return None
        if not message.get("more_body", False):
            return body


async def stop_by_link(scope: Scope, receive: Receive, send: Send) -> None:
    """The route itself, as a bare ASGI app (nothing between the click and ``stop``)."""
    if scope["method"] != "POST":
        await _answer(send, 405, [(b"allow", b"POST")])
        return
    headers = dict(scope.get("headers") or ())
    site = headers.get(b"sec-fetch-site")
    if site is not None and site not in _ALLOWED_SITES:
        await _answer(send, 403)
        return
    body = await _body(receive, MAX_TOKEN_CHARS)
    try:
        token = body.decode("ascii").strip() if body is not None else ""
    except UnicodeDecodeError:
        token = ""
    stopped = bool(token) and stop_links().stop(token)  # quick: closes the upstream socket, sets flags
    await _answer(send, 204 if stopped else 404)


def is_stop_path(path: str) -> bool:
    """``/_chat/stop``, also under a ``server.baseUrlPath`` prefix (the page asks with it)."""
    return path == STOP_LINK_PATH or path.endswith(STOP_LINK_PATH)


class PageStopDispatch:
    """ASGI middleware: the stop route goes to ``stop_by_link``, anything else on."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and is_stop_path(scope.get("path", "")):
            await stop_by_link(scope, receive, send)
            return
        await self.app(scope, receive, send)


__all__ = ["PageStopDispatch", "is_stop_path", "stop_by_link"]
