"""A ``Turn`` as a plain, JSON-able dict and back: the shape the store keeps.

The record holds everything the UI reads to draw an answer again (segments in display
order, tool calls, usage, error, notices, status, ending, timings, model), so a turn rebuilt
from it renders exactly like the original. ``turn_to_record`` runs on every checkpoint: it
only copies, it never joins text in place (``Segment.text`` does, which is not safe while
the streaming thread appends).

Tool ``result`` / ``parsed`` values are kept as given; they are JSON-able by the tools'
contract (anything else is written with ``str()`` by ``dumps``).
"""

from __future__ import annotations

import json
import math
import time
from typing import Any, Mapping

from ..events import Error, Usage
from ..turn import Segment, ToolCallRecord, Turn

RECORD_VERSION = 1

_TOOL_FIELDS = ("id", "name", "step", "arguments", "parsed", "complete", "state", "result", "error", "duration")
_ERROR_FIELDS = ("kind", "message", "retryable", "status", "retry_in", "request_id")
_USAGE_FIELDS = ("prompt_tokens", "completion_tokens", "total_tokens")


# ---------------------------------------------------------------- parts
def usage_to_record(usage: Usage | None) -> dict[str, Any] | None:
    return None if usage is None else {name: getattr(usage, name) for name in _USAGE_FIELDS}


def usage_from_record(data: Mapping[str, Any] | None) -> Usage | None:
    return None if data is None else Usage(**{name: data.get(name) for name in _USAGE_FIELDS})


def error_to_record(error: Error | None) -> dict[str, Any] | None:
    return None if error is None else {name: getattr(error, name) for name in _ERROR_FIELDS}


def error_from_record(data: Mapping[str, Any] | None) -> Error | None:
    if data is None:
        return None
    return Error(
        kind=data.get("kind", "internal"),
        message=data.get("message", ""),
        retryable=bool(data.get("retryable", False)),
        status=data.get("status"),
        retry_in=data.get("retry_in"),
        request_id=data.get("request_id"),
    )


def tool_call_to_record(call: ToolCallRecord) -> dict[str, Any]:
    return {name: getattr(call, name) for name in _TOOL_FIELDS}


def tool_call_from_record(data: Mapping[str, Any]) -> ToolCallRecord:
    return ToolCallRecord(
        id=data["id"],
        name=data.get("name", ""),
        step=int(data.get("step", 0)),
        arguments=data.get("arguments", ""),
        parsed=data.get("parsed"),
        complete=bool(data.get("complete", False)),
        state=data.get("state", "complete"),
        result=data.get("result"),
        error=data.get("error"),
        duration=data.get("duration"),
    )


# ---------------------------------------------------------------- turn
def turn_to_record(turn: Turn) -> dict[str, Any]:
    """Everything needed to render ``turn`` again, as plain JSON-able values."""
    segments = []
    for segment in list(turn.segments):  # list(): a snapshot, even if the stream appends meanwhile
        segments.append(
            {
                "kind": segment.kind,
                "step": segment.step,
                "text": "".join(list(segment.pieces)),
                "tool_id": segment.tool_id,
            }
        )
    return {
        "v": RECORD_VERSION,
        "model": turn.model,
        "status": turn.status,
        "segments": segments,
        "tool_calls": [tool_call_to_record(call) for call in list(turn.tool_calls.values())],  # a list keeps their order
        "usage": usage_to_record(turn.usage),
        "error": error_to_record(turn.error),
        "notices": list(turn.notices),
        "finish_reason": turn.finish_reason,
        "end_message": turn.end_message,
        "first_token_s": turn.first_token_s,
        "total_s": turn.total_s,
        "started_at": turn.started_at,
        "chunk_count": turn.chunk_count,
        **({} if turn.settings is None else {"settings": dict(turn.settings)}),
    }


def turn_from_record(record: Mapping[str, Any]) -> Turn:
    """The ``Turn`` that ``record`` was made from (renders the same; ``turn_to_record`` gives it back)."""
    turn = Turn(model=record.get("model", ""), started_at=record.get("started_at"))
    turn.status = record.get("status", "complete")
    turn.segments = [
        Segment(
            kind=s["kind"],
            step=int(s.get("step", 0)),
            pieces=[s["text"]] if s.get("text") else [],
            tool_id=s.get("tool_id", ""),
        )
        for s in record.get("segments", ())
    ]
    turn.tool_calls = {}
    for data in record.get("tool_calls", ()):
        call = tool_call_from_record(data)
        turn.tool_calls[call.id] = call
    turn.usage = usage_from_record(record.get("usage"))
    turn.error = error_from_record(record.get("error"))
    turn.notices = list(record.get("notices", ()))
    turn.finish_reason = record.get("finish_reason")
    turn.end_message = record.get("end_message", "")
    turn.first_token_s = record.get("first_token_s")
    turn.total_s = record.get("total_s")
    turn.chunk_count = int(record.get("chunk_count", 0))
    settings = record.get("settings")
    turn.settings = dict(settings) if isinstance(settings, Mapping) else None
    # Private stream state, so that a rebuilt turn fed more events (or finished) behaves:
    # the step counter, whether the last thing seen was a tool result, and the clock.
    turn._step = max((s.step for s in turn.segments), default=0)
    turn._after_tools = _results_since_last_output(turn)
    turn._t0 = time.perf_counter() - max(0.0, time.time() - turn.started_at)
    return turn


def _results_since_last_output(turn: Turn) -> bool:
    """Did a tool result arrive after the last text or new tool call? (The next output starts a step.)"""
    for segment in reversed(turn.segments):
        if segment.kind != "tool":
            return False
        call = turn.tool_calls.get(segment.tool_id)
        if call is not None and call.state in ("complete", "error", "cancelled"):
            return True
    return False


def mark_interrupted(turn: Turn) -> Turn:
    """The server died while ``turn`` streamed: end it as 'interrupted', tool calls closed.

    ``total_s`` stays unknown (the real end was never seen; ``finish`` would count the
    time until now).
    """
    if turn.status == "streaming":
        turn.finish("interrupted", None, "")
        turn.total_s = None
    return turn


# ---------------------------------------------------------------- JSON text
def _json_default(value: Any) -> Any:
    if isinstance(value, (set, frozenset, tuple)):
        return list(value)
    return str(value)


def dumps(value: Any) -> str:
    """JSON text for a column: ASCII only (any database takes it, lone surrogates survive)."""
    try:
        return json.dumps(value, separators=(",", ":"), default=_json_default, allow_nan=False)
    except ValueError:  # NaN / Infinity from a tool: not JSON; keep them readable instead
        return json.dumps(_finite(value), separators=(",", ":"), default=_json_default)


def loads(text: str | None) -> Any:
    return None if text is None else json.loads(text)


def _finite(value: Any) -> Any:
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


__all__ = [
    "RECORD_VERSION",
    "dumps",
    "error_from_record",
    "error_to_record",
    "loads",
    "mark_interrupted",
    "tool_call_from_record",
    "tool_call_to_record",
    "turn_from_record",
    "turn_to_record",
    "usage_from_record",
    "usage_to_record",
]
