"""Turns to store, and what a user sees of one (to compare a turn with its reloaded copy)."""

from __future__ import annotations

from typing import Any, Iterable

from chatcore.events import Chunk, End, Error, Event, Reasoning, ToolCall, ToolResult, Usage
from chatcore.turn import Turn


def feed(turn: Turn, events: Iterable[Event]) -> Turn:
    for event in events:
        turn.apply(event)
    return turn


RICH_EVENTS: list[Event] = [
    Error(kind="rate_limit", message="Rate limited, retrying in 1 s", retryable=True, status=429, retry_in=1.0),
    Reasoning("The user wants two numbers "),
    Reasoning("and the time. ✓ «ünïcødé» 🙂"),
    Chunk("Let me **compute** "),
    Chunk("both at once.\n\n```py\nprint('<b>hi</b>')\n```"),
    # two tool calls in parallel, arguments streamed in fragments
    ToolCall(id="call_a", name="calculator", arguments='{"expr'),
    ToolCall(id="call_b", name="current_time", arguments=""),
    ToolCall(id="call_a", name="calculator", arguments='{"expression": "2*21"}', complete=True, parsed={"expression": "2*21"}),
    ToolCall(id="call_b", name="current_time", arguments='{"tz": "Mars/Olympus"}', complete=True, parsed={"tz": "Mars/Olympus"}),
    ToolResult(id="call_a", name="calculator", result={"result": 42, "steps": [1.5, None, True, "x"]}, duration=0.0123),
    ToolResult(id="call_b", name="current_time", error="Unknown time zone: 'Mars/Olympus'", duration=0.5),
    Chunk("2*21 = 42; the time zone does not exist."),
    Reasoning("one more tool"),
    ToolCall(id="call_c", name="calculator", arguments='{"expression": "1/'),  # cut off mid-arguments
    Usage(prompt_tokens=120, completion_tokens=37, total_tokens=157),
    Error(kind="connection", message="The connection dropped mid-answer.", retryable=True, request_id="req_123"),
]


def rich_turn(model: str = "gpt-test") -> Turn:
    """Text, reasoning, parallel tools (a result, an error, one cut off), usage, notices, an error; stopped."""
    turn = feed(Turn(model=model), RICH_EVENTS)
    turn.finish("stopped", "cancelled", "Stopped.")
    return turn


def complete_turn(text: str = "Hello!", model: str = "m") -> Turn:
    return feed(Turn(model=model), [Chunk(text[: len(text) // 2]), Chunk(text[len(text) // 2 :]), Usage(3, 2, 5), End("stop")])


def rendered(turn: Turn) -> dict[str, Any]:
    """Everything the chat, the footer, the Metrics page and the next request read from a turn."""
    return {
        "segments": [(s.kind, s.step, s.text, s.tool_id) for s in turn.segments],
        "tool_calls": [(key, record.to_dict()) for key, record in turn.tool_calls.items()],
        "text": turn.text,
        "reasoning": turn.reasoning,
        "status": turn.status,
        "is_finished": turn.is_finished,
        "usage": turn.usage,
        "error": turn.error,
        "notices": list(turn.notices),
        "finish_reason": turn.finish_reason,
        "end_message": turn.end_message,
        "first_token_s": turn.first_token_s,
        "total_s": turn.total_s,
        "started_at": turn.started_at,
        "model": turn.model,
        "chunk_count": turn.chunk_count,
        "completion_tokens": turn.completion_tokens,
        "tokens_per_second": turn.tokens_per_second,
        "history": turn.to_openai_messages(),
    }
