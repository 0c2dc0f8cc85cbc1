"""Stop links: a secret per running answer that can stop it, and do nothing else.

The chat page's Stop button stops an answer through Streamlit: the click travels the page's
websocket as a widget event, and Streamlit's front end spends ~10 ms before it sends it. A
page that follows an answer also gets its stop link's token; its Stop click posts the token
to a small HTTP route of the same server (``api/page_stop.py``) at once, beside the
button's own event, which still stops the answer wherever the route cannot (another replica
behind a proxy, a host that serves no extra routes).

A token is a capability: 192 random bits (``secrets``) that name one running answer. Holding
it is the only authority the route asks for, so it is handed only to a page that follows
the answer (a page run of a visitor who may open that conversation), never saved, logged
or sent by the HTTP API. It can only stop (the same ``stop("stop", "Stopped.")`` as the
button: the partial answer is kept, marked stopped and saved). Each answer has one token,
made the first time a page asks; it works once, and is forgotten when the answer ends, so
the registry holds nothing of answers that are over and a stale token stops nothing.

``StopLinks`` is shared by every session of the process and thread-safe (one lock around
two small dicts); ``stop_links()`` is the process's one registry.
"""

from __future__ import annotations

import functools
import secrets
import threading

from .live_turn import LiveTurn

STOP_LINK_PATH = "/_chat/stop"  # the route, under the server's base URL path
TOKEN_BYTES = 24  # 192 bits
MAX_TOKEN_CHARS = 64  # a longer body is no token of ours (token_urlsafe(24) is 32 characters)


class StopLinks:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._answers: dict[str, LiveTurn] = {}  # token -> the running answer it stops
        self._tokens: dict[LiveTurn, str] = {}  # the reverse (LiveTurn hashes by identity)

    def token_for(self, live: LiveTurn) -> str | None:
        """The token that stops ``live`` (the same for every page that follows it), or None
        once it has ended: there is nothing left to stop."""
        with self._lock:
            if live.is_finished:
                return None
            token = self._tokens.get(live)
            if token is not None:
                return token
            token = secrets.token_urlsafe(TOKEN_BYTES)
            self._answers[token] = live
            self._tokens[live] = token
        live.when_ended(lambda: self._forget(live))  # at once if it ended meanwhile
        return token

    def stop(self, token: str) -> bool:
        """Stop the running answer ``token`` names. False if it names none (never made, used
        already, or its answer has ended): nothing happens then."""
        with self._lock:
            live = self._answers.pop(token, None)
            if live is not None:
                del self._tokens[live]
        if live is None or live.is_finished:
            return False
        live.stop("stop", "Stopped.")
        return True

    def _forget(self, live: LiveTurn) -> None:
        with self._lock:
            token = self._tokens.pop(live, None)
            if token is not None:
                del self._answers[token]

    def __len__(self) -> int:
        with self._lock:
            return len(self._answers)


@functools.cache
def stop_links() -> StopLinks:
    """The process's stop links: the pages' tokens and the route's look-ups share it."""
    return StopLinks()


__all__ = ["MAX_TOKEN_CHARS", "STOP_LINK_PATH", "StopLinks", "stop_links"]
