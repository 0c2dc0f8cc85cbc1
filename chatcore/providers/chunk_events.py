"""Chat-completion chunks (as JSON bytes) to typed events, tolerating what servers send.

This is the hot path of every streamed answer, so it reads plain dicts from
``json.loads`` (no pydantic model per chunk) and does as little per chunk as it can.
Tolerated (see the wire-format notes): ``choices`` empty, null, missing or not a list;
a choice or delta that is not an object; ``content``/``refusal`` null or empty; reasoning
as ``reasoning_content`` or ``reasoning``; usage on any chunk (the last one wins); the
``finish_reason`` key absent. An event ``{"error": ...}`` becomes ``openai.APIError``,
exactly as the SDK raises it; data that is not JSON, or JSON that is not an object,
raises ``json.JSONDecodeError``: the caller reports both as the SDK's would be.
"""

from __future__ import annotations

import json
from typing import Any, Iterable, Iterator

import httpx2
import openai

from ..events import Chunk, Event, Reasoning, Usage
from .tool_call_assembly import ToolCallAssembler

_loads = json.loads


class ChunkReader:
    """Reads one stream's chunks; what it saw is kept for the ending (finish, usage, tools)."""

    __slots__ = ("request", "assembler", "finish_reason", "usage", "pieces", "shown")

    def __init__(self, request: httpx2.Request) -> None:
        self.request = request  # for the in-band error, as the SDK reports it
        self.assembler = ToolCallAssembler()
        self.finish_reason: str | None = None
        self.usage: dict[str, Any] | None = None
        self.pieces = 0  # chunks with a delta: the estimate of completion tokens when no usage comes
        self.shown = False  # some output was handed on (a retry would repeat it)

    def events(self, datas: Iterable[bytes]) -> Iterator[Event]:
        """The events in ``datas`` (each event's SSE data, see ``sse_reader``)."""
        for data in datas:
            chunk = _loads(data)
            if type(chunk) is not dict:
                raise json.JSONDecodeError("a chunk is not a JSON object", data.decode("utf-8", "replace"), 0)
            if chunk.get("error"):
                raise _in_band_error(chunk["error"], self.request)
            usage = chunk.get("usage")
            if usage is not None and type(usage) is dict:
                self.usage = usage
            choices = chunk.get("choices")
            if not choices or type(choices) is not list:
                continue
            choice = choices[0]
            if type(choice) is not dict:
                continue
            delta = choice.get("delta")
            if type(delta) is dict:
                self.pieces += 1
                if delta:
                    content = delta.get("content")
                    if content and type(content) is str:
                        self.shown = True
                        yield Chunk(content)
                    if len(delta) > 1 or content is None:  # anything besides text: look for the rest
                        yield from self._rest_of(delta)
            finish = choice.get("finish_reason")
            if finish and type(finish) is str:
                self.finish_reason = finish

    def _rest_of(self, delta: dict[str, Any]) -> Iterator[Event]:
        reasoning = delta.get("reasoning_content") or delta.get("reasoning")
        if reasoning and type(reasoning) is str:
            self.shown = True
            yield Reasoning(reasoning)
        tool_calls = delta.get("tool_calls")
        if tool_calls and type(tool_calls) is list:
            self.shown = True
            yield from self.assembler.add(tool_calls)
        refusal = delta.get("refusal")
        if refusal and type(refusal) is str:
            self.shown = True
            yield Chunk(refusal)

    def usage_event(self) -> Usage | None:
        usage = self.usage
        if usage is None:
            return None
        return Usage(prompt_tokens=_count(usage.get("prompt_tokens")),
                     completion_tokens=_count(usage.get("completion_tokens")),
                     total_tokens=_count(usage.get("total_tokens")))


def _count(value: Any) -> int | None:
    return int(value) if type(value) in (int, float) else None


def _in_band_error(error: Any, request: httpx2.Request) -> openai.APIError:
    """``{"error": ...}`` mid-stream, as the SDK raises it (message from any shape)."""
    message = error.get("message") if isinstance(error, dict) else None
    if not message or not isinstance(message, str):
        message = "An error occurred during streaming"
    return openai.APIError(message=message, request=request, body=error)


__all__ = ["ChunkReader"]
