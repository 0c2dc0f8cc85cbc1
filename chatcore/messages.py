"""Build the OpenAI wire messages: the only place that knows their shape.

The loop uses these to send tool results back mid-turn; ``Turn`` uses them to turn a
finished (or stopped) answer into history for the next request. Keeping one builder means
what we replay is exactly what we sent.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Sequence

from .attachments.model import Attachment
from .attachments.wire import user_content

CANCELLED_TOOL_RESULT = "Cancelled: the user stopped the answer before this tool finished."
# Sent (and hidden in the chat) when the user asks to continue a stopped answer.
CONTINUE_INSTRUCTION = "Continue your previous answer exactly where it stopped. Do not repeat anything."


def tool_call_wire(call_id: str, name: str, arguments: str) -> dict[str, Any]:
    return {"id": call_id, "type": "function", "function": {"name": name, "arguments": arguments or "{}"}}


def assistant_message(text: str, tool_calls: Sequence[dict[str, Any]] = ()) -> dict[str, Any] | None:
    """An assistant message, or None when it would be empty (strict servers reject those)."""
    if not text and not tool_calls:
        return None
    message: dict[str, Any] = {"role": "assistant", "content": text or None}
    if tool_calls:
        message["tool_calls"] = list(tool_calls)
    return message


def tool_result_content(result: Any = None, error: str | None = None) -> str:
    """What the model reads back: the JSON result, or an error it can react to."""
    if error is not None:
        return json.dumps({"error": error}, ensure_ascii=False)
    if isinstance(result, str):
        return result
    try:
        return json.dumps(result, ensure_ascii=False, default=str)
    except (TypeError, ValueError):
        return str(result)


def tool_message(call_id: str, content: str) -> dict[str, Any]:
    return {"role": "tool", "tool_call_id": call_id, "content": content}


def user_message(text: str, attachments: Sequence[Attachment] = ()) -> dict[str, Any]:
    """The prompt; with attachments, documents and transcripts join its text and images
    follow as ``image_url`` parts (``attachments.wire``). Without, plain string content."""
    return {"role": "user", "content": user_content(text, attachments)}


def with_system_prompt(system_prompt: str, messages: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    wire = [{"role": "system", "content": system_prompt}] if system_prompt.strip() else []
    wire.extend(messages)
    return wire


__all__ = [
    "CANCELLED_TOOL_RESULT",
    "CONTINUE_INSTRUCTION",
    "assistant_message",
    "tool_call_wire",
    "tool_message",
    "tool_result_content",
    "user_message",
    "with_system_prompt",
]
