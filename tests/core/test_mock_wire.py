"""The mock's planning layer without the SDK: token pieces, scenario choice, SSE frames."""

from __future__ import annotations

import json
import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from chatcore.mock import SCENARIOS, Delay, MockOptions, Send, plan_reply
from chatcore.mock.conversation import read_conversation
from chatcore.mock.scenarios import choose_scenario, scenario_for_prompt
from chatcore.mock.tokens import cut_anywhere, even_pieces, token_pieces
from chatcore.mock.writing.long_answer import long_answer
from chatcore.mock.writing.markdown_answer import markdown_answer

FAST = MockOptions(ttft=0, chunk_delay=0)


def body(prompt: str, **extra):
    return {"model": "mock-gpt", "messages": [{"role": "user", "content": prompt}], **extra}


def frames(reply) -> list[bytes]:
    return [s.data for s in reply.steps if isinstance(s, Send)]


def events(reply) -> list:
    """Decoded SSE data payloads (JSON, or the raw string for [DONE] and garbage)."""
    out = []
    for data in frames(reply):
        for line in data.decode().split("\n"):
            if line.startswith("data: "):
                payload = line[len("data: ") :]
                try:
                    out.append(json.loads(payload))
                except ValueError:
                    out.append(payload)
    return out


@settings(max_examples=200, deadline=None)
@given(st.text())
def test_token_pieces_rebuild_the_text_in_1_to_8_character_pieces(text):
    pieces = token_pieces(text)
    assert "".join(pieces) == text
    assert all(1 <= len(p) <= 8 for p in pieces)
    assert token_pieces(text) == pieces  # deterministic


@settings(max_examples=100, deadline=None)
@given(st.text(min_size=1))
def test_cut_anywhere_rebuilds_the_text(text):
    pieces = cut_anywhere(text)
    assert "".join(pieces) == text and all(1 <= len(p) <= 8 for p in pieces)


def test_token_pieces_are_word_ish():
    assert token_pieces("Hello, world! ```python") == ["Hello", ",", " world", "!", " ```", "python"]


@pytest.mark.parametrize("chars,count", [(20000, 4000), (10, 3), (5, 50), (1, 1)])
def test_even_pieces_gives_exact_sizes(chars, count):
    text = "x" * chars
    pieces = even_pieces(text, count)
    assert "".join(pieces) == text and len(pieces) == min(count, chars)
    assert max(map(len, pieces)) - min(map(len, pieces)) <= 1


@pytest.mark.parametrize(
    "prompt,scenario",
    [
        ("hello", "hello"),
        ("Hi there!", "hello"),
        ("help", "hello"),
        ("Explain how photosynthesis works", "markdown"),
        ("What is 23*17+4?", "calculator"),
        ("Please calculate the tip", "calculator"),
        ("What time is it in Tokyo and Paris?", "parallel"),
        ("show me the times around the world", "parallel"),
        ("How many days until Christmas?", "multistep"),
        ("days until 2030-01-01", "multistep"),
        ("Convert 10 km to miles", "convert"),
        ("run the slow tool please", "slow"),
        ("Think step by step about gravity", "reasoning"),
        ("Write a long guide to Rust", "long"),
        ("hello [fault:drop]", "hello"),
    ],
)
def test_keywords_select_the_scenario(prompt, scenario):
    assert scenario_for_prompt(prompt) == scenario


def test_scenario_by_header_model_and_options():
    conv = read_conversation(body("Explain TCP"))
    assert choose_scenario(conv, {"x-mock-scenario": "long"}, FAST) == "long"
    assert choose_scenario(read_conversation({**body("x"), "model": "mock-reasoner"}), {}, FAST) == "reasoning"
    assert choose_scenario(read_conversation({**body("x"), "model": "mock-convert"}), {}, FAST) == "convert"
    assert choose_scenario(conv, {}, MockOptions(scenario="calculator")) == "calculator"
    assert choose_scenario(conv, {}, FAST) == "markdown"
    assert set(SCENARIOS) >= {"hello", "markdown", "calculator", "parallel", "multistep", "convert", "slow",
                              "reasoning", "long", "bench"}


def test_stream_frames_look_like_a_real_server():
    reply = plan_reply(body("Explain TCP", stream=True, stream_options={"include_usage": True},
                            model="gpt-4o-mini"), {}, FAST)
    assert reply.status == 200 and reply.stream
    assert all(re.fullmatch(rb"data: [^\n]+\n\n", f) for f in frames(reply))
    items = events(reply)
    assert items[-1] == "[DONE]"
    chunks = items[:-1]
    first, usage = chunks[0], chunks[-1]
    assert first["choices"][0]["delta"] == {"role": "assistant", "content": ""}
    assert re.fullmatch(r"chatcmpl-mock-[0-9a-f]+", first["id"])
    assert {c["id"] for c in chunks} == {first["id"]}
    assert all(c["model"] == "gpt-4o-mini" and c["object"] == "chat.completion.chunk" for c in chunks)
    assert usage["choices"] == [] and usage["usage"]["total_tokens"] > 0
    content = [c for c in chunks[1:-1]]
    assert all(c["choices"][0]["finish_reason"] is None for c in content[:-1])
    assert content[-1]["choices"][0]["finish_reason"] == "stop" and content[-1]["choices"][0]["delta"]["content"]
    assert usage["usage"]["completion_tokens"] == len(content)


def test_pacing_waits_ttft_then_chunk_delay_and_keepalive_comments():
    reply = plan_reply(body("hi", stream=True), {}, MockOptions(ttft=0.3, chunk_delay=0.01))
    assert isinstance(reply.steps[0], Delay) and reply.steps[0].seconds == 0.3
    assert Delay(0.01) in reply.steps
    slow = plan_reply(body("hi", stream=True), {}, MockOptions(ttft=2.5, chunk_delay=0, keepalive=True))
    keepalives = [f for f in frames(slow) if f.startswith(b":")]
    assert len(keepalives) >= 3 and keepalives[0] == b": keep-alive\n\n"


def test_request_headers_override_pacing():
    reply = plan_reply(body("hi", stream=True), {"X-Mock-TTFT": "0", "X-Mock-Chunk-Delay": "0"}, MockOptions())
    assert not any(isinstance(s, Delay) for s in reply.steps)


def test_same_prompt_same_words_different_prompts_differ():
    a = markdown_answer("Explain TCP")
    assert a == markdown_answer("Explain TCP")
    answers = {markdown_answer(p) for p in ("Explain TCP", "Explain UDP", "How do vaccines work", "Tell me about Rome")}
    assert len(answers) == 4


@pytest.mark.parametrize("prompt", ["Explain how photosynthesis works", "x", "", "a" * 2000,
                                    "What are the trade-offs between PostgreSQL and MongoDB for analytics?"])
def test_markdown_answer_has_every_element(prompt):
    text = markdown_answer(prompt)
    assert 1200 <= len(text) <= 1800
    assert text.startswith("## ") and "\n- **" in text and "```python\n" in text
    assert "|---|---|---|" in text and "$E = mc^2$" in text
    if prompt.startswith("Explain how"):
        assert text.startswith("## Explain how photosynthesis works")


def test_long_answer_is_about_20000_characters():
    text = long_answer("Write a long guide to databases")
    assert 18000 <= len(text) <= 22000
    assert text.count("```python") >= 5 and text.count("|---|") >= 3 and text.count("\n## ") >= 6


def test_bench_exact_characters_and_chunks():
    reply = plan_reply(body("go", stream=True), {"X-Mock-Scenario": "bench", "X-Mock-Chars": "1000",
                                                 "X-Mock-Chunks": "37"}, FAST)
    content = [e["choices"][0]["delta"].get("content") for e in events(reply)
               if isinstance(e, dict) and e.get("choices")][1:]
    assert len(content) == 37 and len("".join(content)) == 1000


def test_bad_requests_get_openai_error_json():
    reply = plan_reply({"model": "m"}, {}, FAST)
    assert reply.status == 400 and set(reply.body["error"]) == {"message", "type", "param", "code"}
    assert plan_reply(body("x"), {"X-Mock-Scenario": "nope"}, FAST).status == 400
