"""Every scenario through the real openai SDK and the in-process transport."""

from __future__ import annotations

import json
import re

import openai
import pytest

from chatcore.mock import MockChatTransport, MockOptions, mock_http_client
from chatcore.mock.assemble import assemble

FAST = MockOptions(ttft=0, chunk_delay=0)
TOOLS = ["calculator", "current_time", "days_between", "convert_units", "slow_task"]


def tool_specs(*names: str) -> list[dict]:
    return [{"type": "function", "function": {"name": n, "parameters": {"type": "object", "properties": {}}}}
            for n in names]


@pytest.fixture
def transport() -> MockChatTransport:
    return MockChatTransport(FAST)


@pytest.fixture
def client(transport) -> openai.OpenAI:
    return openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                         http_client=mock_http_client(transport=transport), max_retries=0)


def ask(client, messages, tools=TOOLS, **kw):
    if isinstance(messages, str):
        messages = [{"role": "user", "content": messages}]
    extra = {"tools": tool_specs(*tools)} if tools else {}
    stream = client.chat.completions.create(model=kw.pop("model", "mock-gpt"), messages=messages, stream=True,
                                            **extra, **kw)
    return assemble(stream)


def follow_up(messages, answer, results):
    """The conversation after the client ran the tools: assistant call message + tool results."""
    calls = [{"id": c.id, "type": "function", "function": {"name": c.name, "arguments": c.arguments}}
             for c in answer.tool_calls]
    messages = messages + [{"role": "assistant", "content": answer.content or None, "tool_calls": calls}]
    for call, result in zip(answer.tool_calls, results, strict=True):
        messages.append({"role": "tool", "tool_call_id": call.id, "content": json.dumps(result)})
    return messages


def test_models_list(client):
    ids = [m.id for m in client.models.list()]
    assert "mock-gpt" in ids and "mock-reasoner" in ids


def test_markdown_answer_streams_in_small_pieces(client):
    out = ask(client, "Explain how photosynthesis works", stream_options={"include_usage": True})
    assert out.content.startswith("## Explain how photosynthesis works")
    assert "```python" in out.content and "$E = mc^2$" in out.content and "|---|" in out.content
    assert out.finish_reason == "stop" and not out.calls
    assert all(1 <= len(d) <= 8 for d in out.content_deltas)
    assert out.chunks[0].choices[0].delta.role == "assistant"
    assert out.usage.completion_tokens == len(out.content_deltas)
    assert out.usage.prompt_tokens >= len("Explain how photosynthesis works") // 4


def test_hello_lists_example_prompts(client):
    out = ask(client, "hello")
    assert "built-in mock" in out.content
    for example in ("What is 23*17+4?", "Convert 10 km to miles", "How many days until Christmas?"):
        assert example in out.content


def test_calculator_calls_the_tool_then_answers_from_its_result(client):
    messages = [{"role": "user", "content": "What is 23*17+4?"}]
    first = ask(client, messages)
    assert first.finish_reason == "tool_calls"
    (call,) = first.tool_calls
    assert call.name == "calculator" and json.loads(call.arguments) == {"expression": "23*17+4"}
    assert re.fullmatch(r"call_[A-Za-z0-9]{24}", call.id)
    # The answer uses whatever the tool said, even a number the mock could not know.
    second = ask(client, follow_up(messages, first, [{"result": 4242}]))
    assert "4242" in second.content and second.finish_reason == "stop" and not second.calls


def test_asking_for_the_calculator_by_name_still_finds_the_expression_in_the_words(client):
    """"Use the calculator." names the tool its keyword scenario calls: that scenario reads the
    expression from the prompt (naming it once called it with no arguments, and it failed)."""
    (call,) = ask(client, "What is 17 * 23? Use the calculator.").tool_calls
    assert call.name == "calculator" and json.loads(call.arguments) == {"expression": "17 * 23"}
    (call,) = ask(client, "Call calculator with expression=2+2").tool_calls  # key=value: called as written
    assert json.loads(call.arguments) == {"expression": "2+2"}


def test_a_tool_that_is_not_offered_is_not_called(client):
    out = ask(client, "What is 23*17+4?", tools=["current_time"])
    assert not out.calls and "`calculator`" in out.content and "enabled" in out.content


def test_a_failing_tool_is_reported_honestly(client):
    messages = [{"role": "user", "content": "calculate 1/0"}]
    first = ask(client, messages)
    second = ask(client, follow_up(messages, first, [{"error": "division by zero"}]))
    assert "failed" in second.content and "division by zero" in second.content


def test_parallel_time_calls_interleave_and_the_table_uses_the_results(client):
    messages = [{"role": "user", "content": "What time is it in Tokyo, London and Sydney?"}]
    first = ask(client, messages)
    zones = [json.loads(c.arguments)["timezone"] for c in first.tool_calls]
    assert zones == ["Asia/Tokyo", "Europe/London", "Australia/Sydney"]
    assert [c.index for c in first.tool_calls] == [0, 1, 2]
    assert first.tool_order[:3] == [0, 1, 2]  # every call starts before any finishes
    assert len({c.id for c in first.tool_calls}) == 3
    results = [{"timezone": z, "local_time": t} for z, t in zip(zones, ["09:15", "01:15", "11:15"], strict=True)]
    second = ask(client, follow_up(messages, first, results))
    for city, time in (("Tokyo", "09:15"), ("London", "01:15"), ("Sydney", "11:15")):
        assert re.search(rf"\| {city} \| .* \| {time} \|", second.content)


def test_parallel_defaults_to_three_cities(client):
    out = ask(client, "What are the times right now?")
    assert len(out.tool_calls) == 3 and all(c.name == "current_time" for c in out.tool_calls)


def test_multistep_tool_loop(client):
    messages = [{"role": "user", "content": "How many days until Christmas?"}]
    step1 = ask(client, messages)
    assert [(c.name, json.loads(c.arguments)) for c in step1.tool_calls] == [("current_time", {"timezone": "UTC"})]
    messages = follow_up(messages, step1, [{"timezone": "UTC", "iso": "2025-03-01T10:00:00+00:00"}])
    step2 = ask(client, messages)
    (call,) = step2.tool_calls
    assert call.name == "days_between"
    assert json.loads(call.arguments) == {"start_date": "2025-03-01", "end_date": "2025-12-25"}
    step3 = ask(client, follow_up(messages, step2, [{"days": 299}]))
    assert "**299 days**" in step3.content and step3.finish_reason == "stop" and not step3.calls


def test_multistep_uses_a_date_from_the_prompt(client):
    messages = [{"role": "user", "content": "How many days until 2031-07-04?"}]
    step1 = ask(client, messages)
    step2 = ask(client, follow_up(messages, step1, ["2030-01-02T00:00:00Z"]))
    assert json.loads(step2.tool_calls[0].arguments)["end_date"] == "2031-07-04"


def test_convert_units(client):
    messages = [{"role": "user", "content": "Convert 10 km to miles"}]
    first = ask(client, messages)
    (call,) = first.tool_calls
    assert call.name == "convert_units"
    assert json.loads(call.arguments) == {"value": 10.0, "from_unit": "km", "to_unit": "miles"}
    second = ask(client, follow_up(messages, first, [{"result": 6.21371}]))
    assert "6.21371 miles" in second.content


def test_slow_tool(client):
    out = ask(client, "run the slow tool")
    assert [(c.name, json.loads(c.arguments)) for c in out.tool_calls] == [("slow_task", {"seconds": 3})]


def test_reasoning_streams_before_the_answer(client):
    out = ask(client, "Think step by step: why is the sky blue?", stream_options={"include_usage": True})
    assert "sky" in out.reasoning and out.content.startswith("## ")
    deltas = [c.choices[0].delta for c in out.chunks if c.choices]
    kinds = ["r" if getattr(d, "reasoning_content", None) else "c" for d in deltas
             if d.content or getattr(d, "reasoning_content", None)]
    assert kinds == sorted(kinds, key=lambda k: k == "c")  # all reasoning first
    assert out.usage.completion_tokens_details.reasoning_tokens > 0


def test_long_and_bench(client):
    long = ask(client, "Write a long guide to databases")
    assert 18000 <= len(long.content) <= 22000
    bench = ask(client, "x", extra_headers={"X-Mock-Scenario": "bench", "X-Mock-Chars": "5000",
                                            "X-Mock-Chunks": "250"})
    assert len(bench.content) == 5000 and len(bench.content_deltas) == 250


def test_scenario_by_model_name_and_options(transport):
    by_model = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                             http_client=mock_http_client(transport=transport), max_retries=0)
    out = ask(by_model, "anything", model="mock-reasoner")
    assert out.reasoning
    forced = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                           http_client=mock_http_client(MockOptions(scenario="hello", ttft=0, chunk_delay=0)))
    assert "built-in mock" in ask(forced, "Explain TCP").content


def test_non_streaming_completion(client):
    first = client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": "23*17+4"}],
                                           tools=tool_specs("calculator"))
    choice = first.choices[0]
    assert choice.finish_reason == "tool_calls" and choice.message.content is None
    assert choice.message.tool_calls[0].function.arguments == '{"expression": "23*17+4"}'
    assert first.usage.total_tokens == first.usage.prompt_tokens + first.usage.completion_tokens
    text = client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": "Explain DNS"}])
    assert text.choices[0].message.content.startswith("## Explain DNS") and text.object == "chat.completion"


def test_requests_are_recorded(client, transport):
    ask(client, "hello")
    (record,) = transport.requests
    assert record.method == "POST" and record.path == "/v1/chat/completions"
    assert record.body["messages"][0]["content"] == "hello" and record.headers["authorization"] == "***"
    assert record.finished and not record.client_disconnected and record.scenario == "hello"


def test_a_prompt_naming_an_offered_tool_calls_it_with_its_key_value_arguments(client):
    """How the mock calls tools it has no scenario for (yours, an MCP server's)."""
    tools = [*TOOLS, "get_current_time", "search_docs"]
    messages = [{"role": "user", "content": 'Call get_current_time with timezone=Asia/Tokyo and verbose=true label="two words"'}]
    first = ask(client, messages, tools=tools)
    (call,) = first.tool_calls
    assert call.name == "get_current_time"
    assert json.loads(call.arguments) == {"timezone": "Asia/Tokyo", "verbose": True, "label": "two words"}
    second = ask(client, follow_up(messages, first, [{"datetime": "2026-12-02T17:00:00+09:00"}]), tools=tools)
    assert "get_current_time" in second.content and "2026-12-02T17:00:00+09:00" in second.content
    assert not ask(client, "Call launch_rockets now", tools=tools).tool_calls  # not offered: never called
    assert not ask(client, "Run the slow tool", tools=["calculator"]).tool_calls  # the slow scenario still decides
