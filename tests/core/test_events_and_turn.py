"""Events speak JSON/SSE; the Turn record reflects exactly what streamed."""

from __future__ import annotations

import json

import pytest

from chatcore.conversation import Conversation
from chatcore.events import Chunk, End, Error, Reasoning, ToolCall, ToolResult, Usage, event_from_dict
from chatcore.turn import Turn

ALL_EVENTS = [
    Chunk("Hello <b>world</b> ✓"),
    Reasoning("thinking"),
    ToolCall(id="call_1", name="calculator", arguments='{"expression": "1+1"}', complete=True, parsed={"expression": "1+1"}),
    ToolResult(id="call_1", name="calculator", result={"result": 2}, duration=0.01),
    ToolResult(id="call_2", name="x", error="Timed out after 1 s", duration=1.0),
    Usage(10, 5, 15),
    End("stop"),
    Error(kind="rate_limit", message="Rate limited", retryable=True, status=429, retry_in=3.0),
]


@pytest.mark.parametrize("event", ALL_EVENTS, ids=lambda e: e.type)
def test_every_event_has_a_json_and_sse_shape_that_round_trips(event):
    frame = event.to_sse()
    assert frame.startswith("data: {") and frame.endswith("}\n\n") and frame.count("\n") == 2
    data = json.loads(frame[len("data: ") :])
    assert data["type"] == event.type
    assert event_from_dict(data) == event


def test_chunk_shape_is_what_chat_apis_use():
    assert Chunk("hi").to_sse() == 'data: {"type":"chunk","content":"hi"}\n\n'


def test_events_are_immutable():
    with pytest.raises(AttributeError):
        Chunk("a").content = "b"  # type: ignore[misc]


def test_unknown_event_type_is_rejected():
    with pytest.raises(ValueError):
        event_from_dict({"type": "nope"})


def feed(turn: Turn, events) -> Turn:
    for e in events:
        turn.apply(e)
    return turn


def test_turn_keeps_text_reasoning_and_tools_in_display_order_across_steps():
    call = ToolCall(id="c1", name="calculator", arguments='{"expression":"2*3"}', complete=True, parsed={"expression": "2*3"})
    turn = feed(
        Turn(model="m"),
        [
            Reasoning("hmm"),
            Chunk("Let me "),
            Chunk("compute."),
            ToolCall(id="c1", name="calculator"),
            call,
            ToolResult(id="c1", name="calculator", result={"result": 6}, duration=0.002),
            Chunk("It is 6."),
            Usage(20, 8, 28),
            End("stop"),
        ],
    )
    assert [s.kind for s in turn.segments] == ["reasoning", "text", "tool", "text"]
    assert turn.text == "Let me compute.It is 6."
    assert turn.reasoning == "hmm"
    rec = turn.tool_calls["c1"]
    assert (rec.state, rec.result, rec.step) == ("complete", {"result": 6}, 0)
    assert turn.segments[-1].step == 1
    assert turn.status == "complete" and turn.usage == Usage(20, 8, 28)
    assert turn.first_token_s is not None and turn.total_s is not None and turn.total_s >= turn.first_token_s
    assert turn.completion_tokens == 8


def test_turn_to_history_replays_steps_and_closes_unfinished_calls():
    done = ToolCall(id="a", name="t", arguments='{"x":1}', complete=True, parsed={"x": 1})
    hanging = ToolCall(id="b", name="t", arguments='{"x":2}', complete=True, parsed={"x": 2})
    half = ToolCall(id="c", name="t", arguments='{"x":')
    turn = feed(Turn(), [Chunk("Checking."), done, hanging, half, ToolResult(id="a", name="t", result=1)])
    turn.finish("stopped", "cancelled")
    messages = turn.to_openai_messages()
    assert messages[0]["role"] == "assistant" and messages[0]["content"] == "Checking."
    assert [c["id"] for c in messages[0]["tool_calls"]] == ["a", "b"]  # the half-streamed call was never made
    assert messages[1] == {"role": "tool", "tool_call_id": "a", "content": "1"}
    assert messages[2]["tool_call_id"] == "b" and "Cancelled" in messages[2]["content"]
    assert turn.tool_calls["b"].state == "cancelled" and turn.tool_calls["c"].state == "cancelled"


def test_empty_stopped_turn_adds_nothing_to_history():
    turn = Turn()
    turn.finish("stopped", "cancelled")
    assert turn.to_openai_messages() == []
    conv = Conversation()
    conv.add_user("hi")
    conv.add_turn(turn)
    conv.add_user("again")
    assert [m["role"] for m in conv.history_messages()] == ["user", "user"]


def test_first_ending_wins_and_late_events_change_nothing():
    turn = feed(Turn(), [Chunk("partial")])
    turn.finish("stopped", "cancelled")
    feed(turn, [Chunk(" more"), End("stop")])
    assert turn.status == "stopped" and turn.text == "partial"


def test_retry_notice_is_kept_apart_from_a_final_error():
    turn = feed(Turn(), [Error(kind="server", message="Retrying in 1 s", retry_in=1.0), Chunk("ok"), End("stop")])
    assert turn.status == "complete" and turn.error is None and turn.notices == ["Retrying in 1 s"]
    failed = feed(Turn(), [Chunk("part"), Error(kind="connection", message="dropped"), End("error")])
    assert failed.status == "error" and failed.error.message == "dropped" and failed.text == "part"


def test_tokens_per_second_uses_reported_usage_or_chunk_count():
    turn = feed(Turn(), [Chunk("a"), Chunk("b"), End("stop")])
    assert turn.completion_tokens == 2


def test_conversation_ids_are_unguessable_and_titles_short():
    ids = {Conversation().id for _ in range(100)}
    assert len(ids) == 100 and all(len(i) >= 22 for i in ids)  # >= 128 bits, url-safe
    conv = Conversation()
    conv.add_user("  a very long first prompt " * 10)
    assert len(conv.title) <= 60 and conv.title.startswith("a very long")
