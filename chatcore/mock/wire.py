"""Put a ``Turn`` on the wire exactly like an OpenAI-compatible server.

Streaming: a role chunk (``role="assistant"``, ``content=""``), then reasoning, text and
tool-call fragments, ``finish_reason`` on the last of them, an optional usage chunk with
``choices: []``, and ``data: [DONE]``. Non-streaming: one ``chat.completion`` object.
Frames stay editable data until ``pace`` turns them into timed steps, so faults can
cut, corrupt or delay the stream without re-implementing the encoding.
"""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass
from typing import Any

from .conversation import Conversation
from .options import MockOptions
from .reply import Delay, Drop, Send, Stall, Step, sse_frame
from .tokens import cut_anywhere, estimate_prompt_tokens, token_pieces
from .turn import Turn

BODY_KINDS = frozenset({"reasoning", "content", "tool"})
KEEPALIVE = b": keep-alive\n\n"
KEEPALIVE_EVERY = 1.0  # seconds of silence between keep-alive comments
DONE = b"data: [DONE]\n\n"


@dataclass
class Frame:
    """One SSE event to send: a chunk ``payload`` (still editable) or ``raw`` bytes."""

    kind: str  # role | reasoning | content | tool | usage | done | error | garbage | comment
    payload: dict[str, Any] | None = None
    raw: bytes | None = None

    def data(self) -> bytes:
        return self.raw if self.raw is not None else sse_frame(self.payload)

    def set_finish(self, reason: str | None) -> None:
        if self.payload and self.payload.get("choices"):
            self.payload["choices"][0]["finish_reason"] = reason


Plan = list[Frame | Stall | Drop]


class ChunkMaker:
    """Shared ``id`` / ``created`` / ``model`` for every chunk of one completion."""

    def __init__(self, model: str) -> None:
        self.id = "chatcmpl-mock-" + uuid.uuid4().hex[:24]
        self.created = int(time.time())
        self.model = model

    def envelope(self, obj: str) -> dict[str, Any]:
        return {"id": self.id, "object": obj, "created": self.created, "model": self.model, "system_fingerprint": "fp_mock"}

    def chunk(self, delta: dict[str, Any]) -> dict[str, Any]:
        choice = {"index": 0, "delta": delta, "logprobs": None, "finish_reason": None}
        return {**self.envelope("chat.completion.chunk"), "choices": [choice]}


def _tool_fragments(turn: Turn) -> tuple[list[dict[str, Any]], int]:
    """Tool-call deltas, parallel calls interleaved round-robin; returns (deltas, pieces)."""
    queues: list[list[dict[str, Any]]] = []
    pieces = 0
    for index, call in enumerate(turn.tool_calls):
        head = {"index": index, "id": call.id, "type": "function", "function": {"name": call.name, "arguments": ""}}
        parts = cut_anywhere(call.arguments)
        pieces += len(parts)
        queues.append([head] + [{"index": index, "function": {"arguments": p}} for p in parts])
    deltas: list[dict[str, Any]] = []
    while any(queues):
        for queue in queues:
            if queue:
                deltas.append(queue.pop(0))
    return deltas, pieces


def _usage(conv: Conversation, completion: int, reasoning: int) -> dict[str, Any]:
    prompt = estimate_prompt_tokens(list(conv.messages), conv.raw.get("tools"))
    return {
        "prompt_tokens": prompt,
        "completion_tokens": completion,
        "total_tokens": prompt + completion,
        "prompt_tokens_details": {"cached_tokens": 0},
        "completion_tokens_details": {"reasoning_tokens": reasoning},
    }


def content_pieces(turn: Turn) -> list[str]:
    return list(turn.content_pieces) if turn.content_pieces is not None else token_pieces(turn.content)


def stream_frames(turn: Turn, conv: Conversation) -> Plan:
    """Every SSE event of the streamed answer, in order, before any timing."""
    maker = ChunkMaker(conv.model)
    frames: Plan = [Frame("role", maker.chunk({"role": "assistant", "content": ""}))]
    reasoning = token_pieces(turn.reasoning)
    frames += [Frame("reasoning", maker.chunk({"reasoning_content": p})) for p in reasoning]
    text = content_pieces(turn)
    frames += [Frame("content", maker.chunk({"content": p})) for p in text]
    deltas, arg_pieces = _tool_fragments(turn)
    frames += [Frame("tool", maker.chunk({"tool_calls": [d]})) for d in deltas]
    last = frames[-1]
    assert isinstance(last, Frame)  # noqa: S101 - narrows the type: the role frame is always there
    last.set_finish(turn.finish_reason)
    if conv.include_usage:
        usage = _usage(conv, len(reasoning) + len(text) + arg_pieces, len(reasoning))
        frames.append(Frame("usage", {**maker.envelope("chat.completion.chunk"), "choices": [], "usage": usage}))
    frames.append(Frame("done", raw=DONE))
    return frames


def completion_body(turn: Turn, conv: Conversation) -> dict[str, Any]:
    """The non-streamed ``chat.completion`` object for the same turn."""
    maker = ChunkMaker(conv.model)
    message: dict[str, Any] = {"role": "assistant", "content": turn.content or None, "refusal": None}
    if turn.reasoning:
        message["reasoning_content"] = turn.reasoning
    if turn.tool_calls:
        message["tool_calls"] = [
            {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
            for c in turn.tool_calls
        ]
    reasoning = len(token_pieces(turn.reasoning))
    completion = reasoning + len(content_pieces(turn)) + sum(len(cut_anywhere(c.arguments)) for c in turn.tool_calls)
    choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": turn.finish_reason}
    return {**maker.envelope("chat.completion"), "choices": [choice], "usage": _usage(conv, completion, reasoning)}


def _wait(seconds: float, keepalive: bool) -> list[Step]:
    """A pause; with keep-alive on, long pauses are broken by SSE comments."""
    if seconds <= 0:
        return []
    if not keepalive or seconds <= KEEPALIVE_EVERY:
        return [Delay(seconds)]
    steps: list[Step] = []
    while seconds > KEEPALIVE_EVERY:
        steps += [Delay(KEEPALIVE_EVERY), Send(KEEPALIVE)]
        seconds -= KEEPALIVE_EVERY
    return steps + [Delay(seconds)]


def pace(plan: Plan, options: MockOptions, chunk_delay: float | None = None) -> tuple[Step, ...]:
    """Timed steps: TTFT before the first frame, ``chunk_delay`` between answer chunks."""
    gap = options.chunk_delay if chunk_delay is None else chunk_delay
    steps: list[Step] = [Send(KEEPALIVE)] if options.keepalive else []
    first = True
    for item in plan:
        if not isinstance(item, Frame):
            steps.append(item)
            continue
        if first:
            steps += _wait(options.ttft, options.keepalive)
            first = False
        elif item.kind in BODY_KINDS:
            steps += _wait(gap, options.keepalive)
        steps.append(Send(item.data()))
    return tuple(steps)


__all__ = ["BODY_KINDS", "DONE", "Frame", "KEEPALIVE", "Plan", "completion_body", "content_pieces", "pace", "stream_frames"]
