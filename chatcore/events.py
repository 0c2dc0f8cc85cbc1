"""Typed stream events: the one language the core speaks.

A turn is a sequence of events ending with exactly one ``End`` (an ``Error`` that is
not retried is followed by ``End("error")``). Every event is a small frozen dataclass
whose ``type`` tag names it; ``to_dict()`` gives the JSON shape chat APIs use and
``to_sse()`` the Server-Sent-Events frame ``data: {...}\\n\\n``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from typing import Any, ClassVar, Literal

FinishReason = Literal["stop", "length", "tool_calls", "content_filter", "cancelled", "incomplete", "error", "max_steps"]

ErrorKind = Literal[
    "auth",  # 401: bad key
    "permission",  # 403
    "not_found",  # 404: unknown model or wrong base_url
    "bad_request",  # 400 / 409 / 422
    "rate_limit",  # 429
    "server",  # 5xx
    "timeout",  # connect or read timeout (stall)
    "connection",  # cannot connect, or the connection dropped mid-stream
    "malformed",  # a chunk that is not valid JSON / not a chunk
    "stream_error",  # an in-band {"error": ...} event
    "tool",  # a tool failed (shown on its panel; the turn goes on)
    "store",  # persistence failed (the answer goes on)
    "internal",  # a bug of ours: still reported, never a crash
]


class _Event:
    __slots__ = ()
    type: ClassVar[str]

    def to_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"type": self.type}
        for f in fields(self):  # type: ignore[arg-type]
            data[f.name] = getattr(self, f.name)
        return data

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, separators=(",", ":"))

    def to_sse(self) -> str:
        return f"data: {self.to_json()}\n\n"


@dataclass(frozen=True, slots=True)
class Chunk(_Event):
    """A piece of answer text, in order."""

    content: str
    type: ClassVar[str] = "chunk"


@dataclass(frozen=True, slots=True)
class Reasoning(_Event):
    """A piece of the model's reasoning, when the server streams it separately."""

    content: str
    type: ClassVar[str] = "reasoning"


@dataclass(frozen=True, slots=True)
class ToolCall(_Event):
    """The model asks for a tool.

    Sent once when the call appears (``complete=False``, ``arguments`` as streamed so
    far), possibly again as argument fragments arrive, and once more with
    ``complete=True`` and ``parsed`` set (``None`` when the arguments are not a JSON
    object: the loop reports that as an error result).
    """

    id: str
    name: str
    arguments: str = ""
    complete: bool = False
    parsed: dict[str, Any] | None = None
    type: ClassVar[str] = "tool_call"


@dataclass(frozen=True, slots=True)
class ToolResult(_Event):
    """The outcome of one tool call: ``result`` (JSON-able) or ``error`` (a message)."""

    id: str
    name: str
    result: Any = None
    error: str | None = None
    duration: float = 0.0
    type: ClassVar[str] = "tool_result"

    @property
    def ok(self) -> bool:
        return self.error is None


@dataclass(frozen=True, slots=True)
class ToolProgress(_Event):
    """A running tool says how far it got (shown live on its panel; not sent to the model).

    ``done``/``total`` are set when it can count (e.g. 3 of 10), ``message`` is free text."""

    id: str
    name: str
    message: str = ""
    done: float | None = None
    total: float | None = None
    type: ClassVar[str] = "tool_progress"


@dataclass(frozen=True, slots=True)
class Usage(_Event):
    prompt_tokens: int | None = None
    completion_tokens: int | None = None
    total_tokens: int | None = None
    type: ClassVar[str] = "usage"


@dataclass(frozen=True, slots=True)
class End(_Event):
    """The turn is over. ``finish_reason`` says how."""

    finish_reason: FinishReason
    message: str = ""
    type: ClassVar[str] = "end"


@dataclass(frozen=True, slots=True)
class Error(_Event):
    """Something went wrong, in words a user understands.

    ``retry_in`` is set when the core is about to retry by itself (the turn goes on);
    otherwise an ``End("error")`` follows. ``retryable`` tells the UI whether a Retry
    button makes sense.
    """

    kind: ErrorKind
    message: str
    retryable: bool = False
    status: int | None = None
    retry_in: float | None = None
    request_id: str | None = None
    type: ClassVar[str] = "error"


Event = Chunk | Reasoning | ToolCall | ToolProgress | ToolResult | Usage | End | Error

_BY_TYPE: dict[str, type[Event]] = {
    cls.type: cls for cls in (Chunk, Reasoning, ToolCall, ToolProgress, ToolResult, Usage, End, Error)
}


def event_from_dict(data: dict[str, Any]) -> Event:
    """Rebuild an event from its JSON shape (the inverse of ``to_dict``)."""
    kind = data.get("type")
    cls = _BY_TYPE.get(kind)  # type: ignore[arg-type]
    if cls is None:
        raise ValueError(f"unknown event type: {kind!r}")
    names = {f.name for f in fields(cls)}
    return cls(**{k: v for k, v in data.items() if k in names})


__all__ = [
    "Chunk",
    "End",
    "Error",
    "ErrorKind",
    "Event",
    "FinishReason",
    "Reasoning",
    "ToolCall",
    "ToolProgress",
    "ToolResult",
    "Usage",
    "event_from_dict",
]
