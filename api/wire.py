"""The events an API client reads: the core's events in the shape chat front ends expect.

``chunk``/``reasoning`` carry ``content``; ``tool_call`` is sent once, when its arguments are
complete (``id``, ``name``, ``arguments``); ``tool_result`` names its ``tool_call_id``;
``usage``; ``end`` (``finish_reason``); ``error`` (the user-facing message the dashboard
shows). A retry notice is not an event (the answer has not failed): a comment says it.
Every frame carries an ``id:`` = the event's position in the answer's log, so a client that
reconnects with ``Last-Event-ID`` gets exactly what it missed.
"""

from __future__ import annotations

import json
from typing import Any

from chatcore.events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolResult, Usage

RETRY_MS = 2000  # the reconnect delay suggested to EventSource-style clients


def wire_event(event: Event) -> dict[str, Any] | None:
    """The client's view of ``event``, or None when it is not for clients (a partial tool call)."""
    if isinstance(event, (Chunk, Reasoning, Usage, End)):
        return event.to_dict()
    if isinstance(event, ToolCall):
        if not event.complete:
            return None
        arguments: Any = event.parsed if event.parsed is not None else event.arguments
        return {"type": "tool_call", "id": event.id, "name": event.name, "arguments": arguments}
    if isinstance(event, ToolResult):
        data: dict[str, Any] = {"type": "tool_result", "tool_call_id": event.id, "name": event.name,
                                "duration": round(event.duration, 4)}
        if event.error is None:
            data["result"] = event.result
        else:
            data["error"] = event.error
        return data
    if isinstance(event, Error):
        if event.retry_in is not None:
            return None
        return {"type": "error", "kind": event.kind, "message": event.message, "retryable": event.retryable}
    return None  # e.g. tool_progress: not part of the API's events yet


def frame(event_id: int, data: dict[str, Any]) -> str:
    return f"id: {event_id}\ndata: {json.dumps(data, ensure_ascii=False, separators=(',', ':'), default=str)}\n\n"


def comment(text: str) -> str:
    return f": {text}\n\n"


def retry_hint() -> str:
    return f"retry: {RETRY_MS}\n\n"


__all__ = ["RETRY_MS", "comment", "frame", "retry_hint", "wire_event"]
