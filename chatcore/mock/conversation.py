"""Read a chat-completions request the way a model would: what was asked, what tools
exist, and what the tools just answered.

Scenarios work from this view instead of raw JSON, so a follow-up answer can be built
from the actual tool results (values and errors) sent back by the client.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ToolOutcome:
    """One tool result message, joined with the call that asked for it."""

    call_id: str
    name: str
    arguments: dict[str, Any]
    content: str
    value: Any  # the parsed JSON content, or the raw string
    error: str | None  # set when the result reports a failure


@dataclass(frozen=True)
class Conversation:
    model: str
    messages: tuple[dict[str, Any], ...]
    tools: frozenset[str]
    stream: bool
    include_usage: bool
    prompt: str  # text of the last user message
    results: tuple[ToolOutcome, ...] = ()  # tool results after the last assistant turn
    tool_rounds: int = 0  # assistant turns with tool calls since the last user message
    raw: dict[str, Any] = field(default_factory=dict)

    def offers(self, name: str) -> bool:
        return name in self.tools

    def round_results(self, round_index: int) -> tuple[ToolOutcome, ...]:
        """Results of the n-th tool round (0-based) since the last user message."""
        return _rounds(self.messages)[round_index] if round_index < self.tool_rounds else ()


def text_of(content: Any) -> str:
    """Message content as text (plain string or a list of content parts)."""
    if isinstance(content, str):
        return content
    if isinstance(content, list):
        return "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
    return "" if content is None else str(content)


def _parse_value(content: str) -> Any:
    try:
        return json.loads(content)
    except (TypeError, ValueError):
        return content


def _error_of(value: Any) -> str | None:
    """Recognise the usual ways a tool result says it failed."""
    if isinstance(value, dict):
        err = value.get("error")
        if err:
            if isinstance(err, dict):
                return str(err.get("message") or err)
            return str(err)
        if value.get("ok") is False or value.get("status") == "error":
            return str(value.get("message") or value.get("detail") or "the tool reported an error")
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered.startswith(("error", "exception", "traceback", "failed")):
            return re.sub(r"^error:\s*", "", value.strip(), flags=re.I) or value.strip()
    return None


def _arguments(raw: Any) -> dict[str, Any]:
    if isinstance(raw, dict):
        return raw
    try:
        parsed = json.loads(raw or "{}")
    except (TypeError, ValueError):
        return {}
    return parsed if isinstance(parsed, dict) else {}


def _since_last_user(messages: tuple[dict[str, Any], ...]) -> tuple[dict[str, Any], ...]:
    for i in range(len(messages) - 1, -1, -1):
        if messages[i].get("role") == "user":
            return messages[i + 1 :]
    return messages


def _rounds(messages: tuple[dict[str, Any], ...]) -> list[tuple[ToolOutcome, ...]]:
    """Group the tool results after the last user message by assistant turn."""
    rounds: list[tuple[ToolOutcome, ...]] = []
    calls: dict[str, tuple[str, dict[str, Any]]] = {}
    current: list[ToolOutcome] | None = None
    for message in _since_last_user(messages):
        role = message.get("role")
        if role == "assistant" and message.get("tool_calls"):
            if current is not None:
                rounds.append(tuple(current))
            current, calls = [], {}
            for call in message.get("tool_calls") or []:
                fn = call.get("function") or {}
                calls[str(call.get("id"))] = (str(fn.get("name", "")), _arguments(fn.get("arguments")))
        elif role == "tool" and current is not None:
            call_id = str(message.get("tool_call_id", ""))
            name, args = calls.get(call_id, (str(message.get("name", "")), {}))
            content = text_of(message.get("content"))
            value = _parse_value(content)
            current.append(ToolOutcome(call_id, name, args, content, value, _error_of(value)))
    if current is not None:
        rounds.append(tuple(current))
    return rounds


def _offered_tools(body: dict[str, Any]) -> frozenset[str]:
    if body.get("tool_choice") == "none":
        return frozenset()
    names = set()
    for tool in body.get("tools") or []:
        if isinstance(tool, dict):
            fn = tool.get("function") or {}
            if fn.get("name"):
                names.add(str(fn["name"]))
    for fn in body.get("functions") or []:  # the legacy field
        if isinstance(fn, dict) and fn.get("name"):
            names.add(str(fn["name"]))
    return frozenset(names)


def read_conversation(body: dict[str, Any]) -> Conversation:
    messages = tuple(m for m in body.get("messages") or [] if isinstance(m, dict))
    prompt = ""
    for message in reversed(messages):
        if message.get("role") == "user":
            prompt = text_of(message.get("content"))
            break
    rounds = _rounds(messages)
    trailing = messages[-1].get("role") == "tool" if messages else False
    stream_options = body.get("stream_options") or {}
    return Conversation(
        model=str(body.get("model") or "mock-gpt"),
        messages=messages,
        tools=_offered_tools(body),
        stream=bool(body.get("stream")),
        include_usage=bool(isinstance(stream_options, dict) and stream_options.get("include_usage")),
        prompt=prompt,
        results=rounds[-1] if rounds and trailing else (),
        tool_rounds=len(rounds),
        raw=body,
    )


__all__ = ["Conversation", "ToolOutcome", "read_conversation", "text_of"]
