"""The provider against SSE bytes from real servers' quirks, through the real openai SDK."""

from __future__ import annotations

import json

import httpx2
import pytest

from chatcore.events import Chunk, End, Error, Reasoning, ToolCall, Usage
from chatcore.settings import GenerationSettings
from chatcore.turn import Turn

from .fakes import ByteStream, Recorder, chunk, provider_for, sse


def run(body: bytes, **config) -> list:
    provider = provider_for(Recorder(body), **config)
    return list(provider.stream([{"role": "user", "content": "hi"}]))


def text_of(events) -> str:
    return "".join(e.content for e in events if isinstance(e, Chunk))


def final_calls(events) -> list[ToolCall]:
    return [e for e in events if isinstance(e, ToolCall) and e.complete]


def test_plain_answer_streams_in_order_and_ends_with_stop():
    events = run(sse(chunk("", role="assistant"), chunk("Hel"), chunk("lo"), chunk(finish="stop")))
    assert text_of(events) == "Hello"
    assert [e for e in events if isinstance(e, Chunk)] == [Chunk("Hel"), Chunk("lo")]
    assert events[-1] == End("stop")


def test_asks_for_usage_and_reports_it():
    recorder = Recorder(sse(chunk("x", finish="stop"), chunk(choices=[], usage={"prompt_tokens": 3, "completion_tokens": 1, "total_tokens": 4})))
    events = list(provider_for(recorder).stream([{"role": "user", "content": "hi"}]))
    assert recorder.bodies[0]["stream_options"] == {"include_usage": True}
    assert Usage(3, 1, 4) in events
    assert events[-1] == End("stop")


def test_server_rejecting_stream_options_is_retried_once_without_it():
    rejection = httpx2.Response(400, json={"error": {"message": "Unrecognized request argument: stream_options"}})
    recorder = Recorder(rejection, sse(chunk("ok", finish="stop")))
    events = list(provider_for(recorder).stream([{"role": "user", "content": "hi"}]))
    assert text_of(events) == "ok"
    assert "stream_options" in recorder.bodies[0] and "stream_options" not in recorder.bodies[1]
    assert not [e for e in events if isinstance(e, Error)]


# ---------------------------------------------------------------- one stream per quirk
def test_quirk_empty_null_and_missing_choices_are_skipped():
    events = run(
        sse(
            chunk(choices=[], prompt_filter_results=[{"x": 1}]),
            chunk(choices=None),
            chunk(choices="missing"),
            chunk("a"),
            chunk(finish="stop"),
        )
    )
    assert text_of(events) == "a" and events[-1] == End("stop")


def test_quirk_usage_on_the_finish_chunk_with_extra_cost_field():
    events = run(sse(chunk("a"), chunk(finish="stop", usage={"prompt_tokens": 5, "completion_tokens": 2, "total_tokens": 7, "cost": 0.01})))
    assert Usage(5, 2, 7) in events


def test_quirk_missing_done_after_finish_reason_is_success():
    events = run(sse(chunk("a"), chunk(finish="stop"), done=False))
    assert events[-1] == End("stop")


def test_quirk_eof_without_finish_reason_is_incomplete_not_success():
    events = run(sse(chunk("partial"), done=False))
    assert text_of(events) == "partial"
    assert events[-1].finish_reason == "incomplete"
    turn = Turn()
    for e in events:
        turn.apply(e)
    assert turn.status == "incomplete" and turn.text == "partial"


def test_quirk_finish_reason_key_absent_and_unknown_value():
    body = {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {"content": "a"}}]}
    events = run(sse(body, chunk(finish="eos_token")))
    assert text_of(events) == "a" and events[-1] == End("stop")


def test_quirk_role_chunk_variants_and_empty_deltas():
    events = run(
        sse(
            chunk(None, role="assistant"),
            chunk("", role="assistant"),
            {"id": "x", "object": "chat.completion.chunk", "created": 1, "model": "m", "choices": [{"index": 0, "delta": {}}]},
            chunk("Hi", role="assistant"),
            chunk(finish="stop"),
        )
    )
    assert text_of(events) == "Hi"


def test_quirk_whole_tool_call_in_one_delta_with_stop_finish_reason():
    call = {"index": 0, "id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "1+1"}'}}
    events = run(sse(chunk(tool_calls=[call]), chunk(finish="stop")))
    [c] = final_calls(events)
    assert (c.id, c.name, c.parsed) == ("call_1", "calculator", {"expression": "1+1"})
    assert events[-1] == End("tool_calls")  # decided from the calls, not from "stop"


def test_quirk_fragments_cut_inside_escapes_and_repeated_id_and_name():
    first = {"index": 0, "id": "call_9", "type": "function", "function": {"name": "echo", "arguments": '{"text": "a\\'}}
    second = {"index": 0, "id": "call_9", "function": {"name": "echo", "arguments": 'u00e9b"'}}
    third = {"index": 0, "function": {"name": "", "arguments": "}"}}
    events = run(sse(chunk(tool_calls=[first]), chunk(tool_calls=[second]), chunk(tool_calls=[third]), chunk(finish="tool_calls")))
    [c] = final_calls(events)
    assert c.name == "echo" and c.parsed == {"text": "aéb"}
    partial = [e for e in events if isinstance(e, ToolCall) and not e.complete]
    assert partial and partial[0].name == "echo"  # the panel can appear before the arguments finish


def test_quirk_parallel_calls_by_index_interleaved():
    a0 = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "t", "arguments": '{"x":'}}
    b0 = {"index": 1, "id": "call_b", "type": "function", "function": {"name": "u", "arguments": '{"y":'}}
    a1 = {"index": 0, "function": {"arguments": "1}"}}
    b1 = {"index": 1, "function": {"arguments": "2}"}}
    events = run(sse(chunk("Let me check. "), chunk(tool_calls=[a0, b0]), chunk(tool_calls=[a1]), chunk(tool_calls=[b1]), chunk(finish="tool_calls")))
    calls = final_calls(events)
    assert [(c.id, c.parsed) for c in calls] == [("call_a", {"x": 1}), ("call_b", {"y": 2})]
    assert text_of(events) == "Let me check. "


def test_quirk_index_zero_for_every_parallel_call_told_apart_by_id():
    a = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "t", "arguments": '{"x": 1}'}}
    b = {"index": 0, "id": "call_b", "type": "function", "function": {"name": "t", "arguments": '{"x": 2}'}}
    events = run(sse(chunk(tool_calls=[a]), chunk(tool_calls=[b]), chunk(finish="tool_calls")))
    assert [(c.id, c.parsed) for c in final_calls(events)] == [("call_a", {"x": 1}), ("call_b", {"x": 2})]


def test_quirk_missing_index_continuations_go_to_the_latest_call():
    a = {"id": "call_a", "type": "function", "function": {"name": "t", "arguments": '{"x"'}}
    a1 = {"function": {"arguments": ": 3}"}}
    events = run(sse(chunk(tool_calls=[a]), chunk(tool_calls=[a1]), chunk(finish="tool_calls")))
    assert [(c.id, c.parsed) for c in final_calls(events)] == [("call_a", {"x": 3})]


def test_quirk_arguments_as_object_and_empty_arguments():
    a = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "t", "arguments": {"x": 1}}}
    b = {"index": 1, "id": "call_b", "type": "function", "function": {"name": "now", "arguments": ""}}
    events = run(sse(chunk(tool_calls=[a, b]), chunk(finish="tool_calls")))
    assert [(c.id, c.parsed) for c in final_calls(events)] == [("call_a", {"x": 1}), ("call_b", {})]


def test_quirk_invalid_tool_arguments_are_reported_not_raised():
    a = {"index": 0, "id": "call_a", "type": "function", "function": {"name": "t", "arguments": '{"x": 1'}}
    events = run(sse(chunk(tool_calls=[a]), chunk(finish="tool_calls")))
    [c] = final_calls(events)
    assert c.parsed is None and c.arguments == '{"x": 1'


def test_quirk_reasoning_content_and_reasoning_fields():
    r2 = chunk()
    r2["choices"][0]["delta"] = {"reasoning": "\nthen b\n"}
    events = run(sse(chunk(reasoning="first a "), r2, chunk("Answer"), chunk(finish="stop")))
    assert [e.content for e in events if isinstance(e, Reasoning)] == ["first a ", "\nthen b\n"]
    assert text_of(events) == "Answer"


def test_quirk_keepalive_comments_crlf_event_lines_and_split_reads():
    frames = (
        ": keep-alive\r\n\r\n"
        ": PROCESSING\n\n"
        "event: message\r\n"
        f"data: {json.dumps(chunk('Hé'))}\r\n\r\n"
        f"data: {json.dumps(chunk('llo', finish='stop'))}\n\n"
        "data: [DONE]\n\n"
    ).encode()
    parts = [frames[i : i + 7] for i in range(0, len(frames), 7)]  # events and UTF-8 split across reads
    response = httpx2.Response(200, headers={"content-type": "text/event-stream"}, stream=ByteStream(parts))
    events = list(provider_for(Recorder(response)).stream([{"role": "user", "content": "x"}]))
    assert text_of(events) == "Héllo" and events[-1] == End("stop")


def test_quirk_unknown_extra_fields_are_ignored():
    events = run(
        sse(
            chunk("a", timings={"x": 1}, x_groq={"id": "g"}, obfuscation="zz", provider="p", system_fingerprint=None),
            chunk(finish="stop", system_fingerprint=""),
        )
    )
    assert text_of(events) == "a" and events[-1] == End("stop")


def test_refusal_is_shown_as_text():
    c = chunk()
    c["choices"][0]["delta"] = {"refusal": "I can't help with that."}
    events = run(sse(c, chunk(finish="stop")))
    assert text_of(events) == "I can't help with that."


@pytest.mark.parametrize("usage_first", [True, False])
def test_usage_reported_once_even_if_sent_repeatedly(usage_first):
    u = {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2}
    u2 = {"prompt_tokens": 1, "completion_tokens": 2, "total_tokens": 3}
    events = run(sse(chunk("a", usage=u if usage_first else None), chunk("b", finish="stop", usage=u2)))
    assert [e for e in events if isinstance(e, Usage)] == [Usage(1, 2, 3)]


def test_the_request_body_is_what_the_sdks_typed_call_sends_for_the_same_conversation():
    """The provider skips the SDK's typed-parameter transform (it cost 27 ms per request for
    a 200-message chat); the server must get the very same JSON all the same."""
    messages = [
        {"role": "system", "content": "Be brief."},
        {"role": "user", "content": [{"type": "text", "text": "What is this?"},
                                     {"type": "image_url", "image_url": {"url": "data:image/png;base64,iVBORw0KGgo="}}]},
        {"role": "assistant", "content": None, "tool_calls": [
            {"id": "call_1", "type": "function", "function": {"name": "calculator", "arguments": '{"expression": "2+2"}'}}]},
        {"role": "tool", "tool_call_id": "call_1", "content": "4"},
        *({"role": "user" if i % 2 else "assistant", "content": f"turn {i} ünïcode ✓"} for i in range(200)),
    ]
    tools = [{"type": "function", "function": {"name": "calculator", "description": "Arithmetic",
                                               "parameters": {"type": "object", "properties": {"expression": {"type": "string"}},
                                                              "required": ["expression"]}}}]
    recorder = Recorder(sse(chunk("ok", finish="stop")))
    provider = provider_for(recorder)
    list(provider.stream(messages, tools=tools, settings=GenerationSettings(temperature=0.3, max_tokens=99)))
    typed = provider._client.chat.completions.create(**provider._params(messages, tools, GenerationSettings(temperature=0.3, max_tokens=99)))
    typed.close()
    assert recorder.bodies[0] == recorder.bodies[1]
    assert recorder.bodies[0]["messages"] == messages and recorder.bodies[0]["tools"] == tools
