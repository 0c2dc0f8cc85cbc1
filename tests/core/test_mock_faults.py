"""Every fault produces its documented wire behaviour, and cancellation is prompt."""

from __future__ import annotations

import json
import threading
import time

import httpx2
import openai
import pytest

from chatcore.mock import FAULTS, MockChatTransport, MockOptions, Send, mock_http_client, plan_reply
from chatcore.mock.assemble import assemble

FAST = MockOptions(ttft=0, chunk_delay=0)
TOOLS = [{"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}}]


def make_client(options: MockOptions = FAST, transport: MockChatTransport | None = None, **kw) -> openai.OpenAI:
    return openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x", max_retries=0,
                         http_client=mock_http_client(options, transport=transport), **kw)


def stream(client, fault: str | None = None, prompt: str = "Explain TCP", **kw):
    headers = {"X-Mock-Fault": fault} if fault else {}
    return client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": prompt}],
                                          stream=True, extra_headers=headers, **kw)


def raw_stream(fault: str, **body) -> bytes:
    request = {"model": "m", "stream": True, "messages": [{"role": "user", "content": "Explain TCP"}], **body}
    reply = plan_reply(request, {"X-Mock-Fault": fault}, FAST)
    return b"".join(s.data for s in reply.steps if isinstance(s, Send))


@pytest.mark.parametrize(
    "fault,status,error,code",
    [
        ("401", 401, openai.AuthenticationError, "invalid_api_key"),
        ("403", 403, openai.PermissionDeniedError, "model_not_permitted"),
        ("404", 404, openai.NotFoundError, "model_not_found"),
        ("429", 429, openai.RateLimitError, "rate_limit_exceeded"),
        ("500", 500, openai.InternalServerError, None),
        ("503", 503, openai.InternalServerError, None),
    ],
)
def test_http_error_faults_send_openai_error_json(fault, status, error, code):
    with pytest.raises(error) as caught:
        stream(make_client(), fault)
    response = caught.value.response
    assert response.status_code == status
    body = response.json()
    assert set(body["error"]) == {"message", "type", "param", "code"} and body["error"]["code"] == code
    if fault == "429":
        assert response.headers["Retry-After"] == "2"


def test_404_names_the_requested_model():
    with pytest.raises(openai.NotFoundError) as caught:
        make_client().chat.completions.create(model="mock-fault-404", messages=[{"role": "user", "content": "x"}])
    assert "mock-fault-404" in caught.value.message


def test_text_plain_500():
    with pytest.raises(openai.InternalServerError) as caught:
        stream(make_client(), "text_plain_500")
    assert caught.value.response.headers["content-type"].startswith("text/plain")
    assert caught.value.response.text == "Internal Server Error"


def test_every_trigger_selects_the_fault():
    ask = dict(messages=[{"role": "user", "content": "hello"}])
    for client, model, content in [
        (make_client(), "mock-fault-429", "hello"),
        (make_client(), "mock-gpt", "hello [fault:429]"),
        (make_client(MockOptions(scenario="fault:429", ttft=0, chunk_delay=0)), "mock-gpt", "hello"),
    ]:
        with pytest.raises(openai.RateLimitError):
            client.chat.completions.create(model=model, messages=[{"role": "user", "content": content}])
    with pytest.raises(openai.RateLimitError) as caught:
        make_client().chat.completions.create(model="mock-gpt", extra_headers={"X-Mock-Fault": "429:7"}, **ask)
    assert caught.value.response.headers["retry-after"] == "7"


def test_unknown_fault_is_a_400_that_lists_the_known_ones():
    with pytest.raises(openai.BadRequestError) as caught:
        stream(make_client(), "nonsense")
    assert "drop" in caught.value.message and "stall" in caught.value.message


def test_drop_cuts_the_connection_after_n_chunks():
    transport = MockChatTransport(FAST)
    received = []
    with pytest.raises(openai.APIConnectionError) as caught:
        for chunk in stream(make_client(transport=transport), "drop:4"):
            received.append(chunk)
    assert isinstance(caught.value.__cause__, httpx2.RemoteProtocolError)
    assert len(received) == 5  # the role chunk and 4 answer chunks
    assert all(c.choices[0].finish_reason is None for c in received)
    record = transport.requests[-1]
    assert record.server_dropped and not record.client_disconnected


def test_stall_pauses_then_carries_on():
    started = time.monotonic()
    out = assemble(stream(make_client(), "stall:0.3"))
    assert time.monotonic() - started >= 0.3
    assert out.finish_reason == "stop" and out.content.startswith("## Explain TCP")


def test_malformed_line_reaches_the_decoder():
    data = raw_stream("malformed")
    assert b"data: {this is not json" in data and data.endswith(b"data: [DONE]\n\n")
    with pytest.raises(json.JSONDecodeError):
        assemble(stream(make_client(), "malformed"))


def test_inband_error_raises_api_error_and_has_no_done():
    data = raw_stream("inband_error")
    assert b'"error":{"message"' in data and b"[DONE]" not in data
    with pytest.raises(openai.APIError) as caught:
        assemble(stream(make_client(), "inband_error"))
    assert "mock fault" in caught.value.message


def test_no_done_ends_silently_after_the_finish():
    data = raw_stream("no_done", stream_options={"include_usage": True})
    assert b"[DONE]" not in data and b'"finish_reason":"stop"' in data and b'"usage"' in data
    out = assemble(stream(make_client(), "no_done"))
    assert out.finish_reason == "stop"


def test_no_finish_ends_without_finish_reason_or_done():
    data = raw_stream("no_finish", stream_options={"include_usage": True})
    assert b"[DONE]" not in data and b'"finish_reason":"stop"' not in data and b'"usage"' not in data
    out = assemble(stream(make_client(), "no_finish:5"))
    assert out.finish_reason is None and len(out.content_deltas) == 5


def test_bad_tool_args_and_unknown_tool():
    bad = assemble(stream(make_client(), "bad_tool_args", prompt="hello", tools=TOOLS))
    (call,) = bad.tool_calls
    assert call.name == "calculator" and bad.finish_reason == "tool_calls"
    with pytest.raises(json.JSONDecodeError):
        json.loads(call.arguments)
    unknown = assemble(stream(make_client(), "unknown_tool", prompt="hello", tools=TOOLS))
    assert [c.name for c in unknown.tool_calls] == ["launch_rockets"]


def test_tool_faults_let_the_loop_finish_with_an_honest_answer():
    call = {"id": "call_1", "type": "function", "function": {"name": "launch_rockets", "arguments": "{}"}}
    messages = [{"role": "user", "content": "hello [fault:unknown_tool]"},
                {"role": "assistant", "content": None, "tool_calls": [call]},
                {"role": "tool", "tool_call_id": "call_1", "content": '{"error": "unknown tool launch_rockets"}'}]
    out = assemble(make_client().chat.completions.create(model="m", messages=messages, stream=True, tools=TOOLS))
    assert not out.calls and "unknown tool launch_rockets" in out.content


def test_huge_chunk_is_one_megabyte_in_one_delta():
    out = assemble(stream(make_client(), "huge_chunk"))
    assert max(len(d) for d in out.content_deltas) == 1_048_576


def test_trickle_sends_one_character_at_a_time():
    started = time.monotonic()
    out = assemble(stream(make_client(), "trickle:5"))
    assert all(len(d) == 1 for d in out.content_deltas) and len(out.content_deltas) > 20
    assert time.monotonic() - started >= 0.005 * (len(out.content_deltas) - 1)


def test_html_fault_puts_markup_in_the_prose():
    out = assemble(stream(make_client(), "html"))
    assert "<img src=x onerror=alert(1)>" in out.content and "<script>alert(1)</script>" in out.content


def test_faults_on_non_streamed_requests():
    client = make_client()
    ask = dict(model="mock-gpt", messages=[{"role": "user", "content": "Explain TCP"}])
    with pytest.raises(openai.APIConnectionError):
        client.chat.completions.create(extra_headers={"X-Mock-Fault": "drop"}, **ask)
    with pytest.raises(json.JSONDecodeError):
        client.chat.completions.create(extra_headers={"X-Mock-Fault": "malformed"}, **ask)
    started = time.monotonic()
    answer = client.chat.completions.create(extra_headers={"X-Mock-Fault": "stall:0.2"}, **ask)
    assert time.monotonic() - started >= 0.2 and answer.choices[0].message.content.startswith("## Explain TCP")


def test_every_fault_is_documented():
    from chatcore.mock import faults

    for name in FAULTS:
        assert f"``{name}" in faults.__doc__


def test_abort_wakes_a_stalled_read_within_100ms():
    client = make_client(MockOptions(ttft=0, chunk_delay=0))
    chunks = stream(client, "stall:30")
    iterator = iter(chunks)
    for _ in range(3):
        next(iterator)
    aborted_at = []

    def abort() -> None:
        time.sleep(0.1)  # let the reader block in the stall
        aborted_at.append(time.monotonic())
        chunks.response.extensions["chatcore.abort"]()

    threading.Thread(target=abort).start()
    with pytest.raises(openai.APIConnectionError) as caught:
        for _ in iterator:
            pass
    assert time.monotonic() - aborted_at[0] < 0.1
    assert isinstance(caught.value.__cause__, httpx2.ReadError)


def test_closing_the_stream_mid_stall_records_the_disconnect():
    transport = MockChatTransport(FAST)
    chunks = stream(make_client(transport=transport), "stall:30")
    next(iter(chunks))
    before = time.time()
    chunks.close()
    record = transport.requests[-1]
    assert record.client_disconnected and before <= record.disconnected_at <= time.time()


def test_a_finished_stream_is_not_a_disconnect():
    transport = MockChatTransport(FAST)
    assemble(stream(make_client(transport=transport)))
    record = transport.requests[-1]
    assert record.finished and not record.client_disconnected and record.chunks_sent > 10


def test_a_stall_longer_than_the_read_timeout_times_out():
    client = make_client(timeout=httpx2.Timeout(5, read=0.2))
    started = time.monotonic()
    with pytest.raises(openai.APITimeoutError):
        assemble(stream(client, "stall:30"))
    assert time.monotonic() - started < 1


def test_echo_answers_with_the_prompt_in_pieces_of_n_characters():
    prompt = "Look ![x](https://tracker.example/t?leak=1) [fault:echo:3] and [d](data:text/html,hi)"
    out = assemble(stream(make_client(), "echo:3", prompt=prompt))
    assert out.content == "Look ![x](https://tracker.example/t?leak=1)  and [d](data:text/html,hi)"
    assert all(len(d) <= 3 for d in out.content_deltas) and len(out.content_deltas) > 20
    tagged = assemble(stream(make_client(), prompt="Say *this* [fault:echo]"))
    assert tagged.content == "Say *this*"
