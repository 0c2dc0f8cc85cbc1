"""A planned HTTP reply: the single description both transports play.

``plan_reply`` decides *what* to send (status, headers, bytes and pauses); the
in-process transport and the HTTP server only decide *how* to deliver it. Keeping the
reply as plain data is what makes the two transports behave identically.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable, Iterator


@dataclass(frozen=True)
class Delay:
    """Ordinary pacing: time to first token, gap between chunks."""

    seconds: float


@dataclass(frozen=True)
class Stall:
    """A fault: the server goes silent mid-stream, then carries on."""

    seconds: float


@dataclass(frozen=True)
class Send:
    """Bytes written to the wire at once (one SSE frame, or a whole JSON body)."""

    data: bytes


@dataclass(frozen=True)
class Drop:
    """A fault: the server cuts the connection without finishing the body."""


Step = Delay | Stall | Send | Drop

STREAM_HEADERS = (
    ("Content-Type", "text/event-stream; charset=utf-8"),
    ("Cache-Control", "no-cache"),
)


@dataclass(frozen=True)
class Reply:
    """Status, headers, and either a JSON ``body`` / plain ``text`` or streamed ``steps``.

    ``delay`` is waited before anything else (a non-streamed answer takes time too).
    A body with ``steps`` plays those steps instead of the body (a fault cutting it short).
    ``scenario`` and ``fault`` only label the reply for logs and the request record.
    """

    status: int = 200
    headers: tuple[tuple[str, str], ...] = ()
    body: Any = None
    text: str | None = None
    steps: tuple[Step, ...] = ()
    delay: float = 0.0
    scenario: str = ""
    fault: str = ""
    stream: bool = False

    def wire_steps(self) -> tuple[Step, ...]:
        """Everything to deliver after the headers, as steps (bodies become one Send)."""
        lead: tuple[Step, ...] = (Delay(self.delay),) if self.delay > 0 else ()
        if self.stream or self.steps:  # a body with explicit steps is delivered oddly on purpose
            return lead + self.steps
        data = self.body_bytes()
        return lead + ((Send(data),) if data else ())

    def body_bytes(self) -> bytes:
        if self.text is not None:
            return self.text.encode("utf-8")
        if self.body is not None:
            return json.dumps(self.body, ensure_ascii=False).encode("utf-8")
        return b""

    def wire_headers(self) -> list[tuple[str, str]]:
        """Headers including content type and, for bodies, Content-Length."""
        headers = list(self.headers)
        names = {name.lower() for name, _ in headers}
        if self.stream:
            headers += [h for h in STREAM_HEADERS if h[0].lower() not in names]
        else:
            if "content-type" not in names:
                kind = "text/plain; charset=utf-8" if self.text is not None else "application/json"
                headers.append(("Content-Type", kind))
            headers.append(("Content-Length", str(len(self.body_bytes()))))
        return headers


class Aborted(Exception):
    """The client went away (abort, close, disconnect) while the reply was playing."""


class Dropped(Exception):
    """The plan says: cut the connection here."""


def play(steps: tuple[Step, ...], wait: Callable[[float], bool]) -> Iterator[bytes]:
    """Yield the bytes of ``steps`` in order, pausing through ``wait``.

    ``wait(seconds)`` returns True when the client went away; then ``Aborted`` is raised.
    A ``Drop`` step raises ``Dropped``. Shared by both transports so pauses, stalls and
    drops mean exactly the same thing everywhere.
    """
    for step in steps:
        if isinstance(step, (Delay, Stall)):
            if step.seconds > 0 and wait(step.seconds):
                raise Aborted()
        elif isinstance(step, Send):
            if wait(0):
                raise Aborted()
            yield step.data
        elif isinstance(step, Drop):
            raise Dropped()


def sse_frame(payload: Any) -> bytes:
    """One SSE event: ``data: <json>\\n\\n`` (compact JSON, like real servers)."""
    return b"data: " + json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


__all__ = [
    "Aborted",
    "Delay",
    "Drop",
    "Dropped",
    "Reply",
    "STREAM_HEADERS",
    "Send",
    "Stall",
    "Step",
    "play",
    "sse_frame",
]
