"""Assemble a streamed chat completion the way a client would see it.

Tests and benchmarks need the final text, reasoning and tool calls of a stream without
depending on the app's provider code (which is what they are meant to check). Accepts
the SDK's chunk objects or plain dicts.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable


def _get(obj: Any, name: str) -> Any:
    return obj.get(name) if isinstance(obj, dict) else getattr(obj, name, None)


@dataclass
class AssembledCall:
    index: int
    id: str = ""
    name: str = ""
    arguments: str = ""


@dataclass
class Assembled:
    content: str = ""
    reasoning: str = ""
    calls: dict[int, AssembledCall] = field(default_factory=dict)
    finish_reason: str | None = None
    usage: Any = None
    chunks: list[Any] = field(default_factory=list)
    content_deltas: list[str] = field(default_factory=list)
    tool_order: list[int] = field(default_factory=list)  # the call index of every tool fragment, in order

    @property
    def tool_calls(self) -> list[AssembledCall]:
        return [self.calls[i] for i in sorted(self.calls)]


def assemble(chunks: Iterable[Any]) -> Assembled:
    """Merge deltas: text and reasoning concatenated, tool calls merged by ``index``."""
    out = Assembled()
    for chunk in chunks:
        out.chunks.append(chunk)
        if _get(chunk, "usage"):
            out.usage = _get(chunk, "usage")
        for choice in _get(chunk, "choices") or []:
            delta = _get(choice, "delta") or {}
            text = _get(delta, "content")
            if text:
                out.content += text
                out.content_deltas.append(text)
            out.reasoning += _get(delta, "reasoning_content") or ""
            for fragment in _get(delta, "tool_calls") or []:
                index = _get(fragment, "index") or 0
                call = out.calls.setdefault(index, AssembledCall(index))
                out.tool_order.append(index)
                call.id = call.id or (_get(fragment, "id") or "")
                function = _get(fragment, "function") or {}
                call.name = call.name or (_get(function, "name") or "")
                call.arguments += _get(function, "arguments") or ""
            if _get(choice, "finish_reason"):
                out.finish_reason = _get(choice, "finish_reason")
    return out


__all__ = ["Assembled", "AssembledCall", "assemble"]
