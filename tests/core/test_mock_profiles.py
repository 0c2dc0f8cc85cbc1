"""The mock's server profiles: each imitates a server lacking one capability, seen by the real SDK."""

from __future__ import annotations

import openai
import pytest

from chatcore.mock import MockOptions, mock_http_client
from chatcore.mock.endpoints import MODELS
from chatcore.mock.profiles import FULL, PROFILES, profile_for_model

FAST = MockOptions(ttft=0, chunk_delay=0)
CALC = {"type": "function", "function": {"name": "calculator", "parameters": {
    "type": "object", "properties": {"expression": {"type": "string"}}}}}
TIME = {"type": "function", "function": {"name": "current_time", "parameters": {
    "type": "object", "properties": {"timezone": {"type": "string"}}}}}
PNG = "data:image/png;base64,iVBORw0KGgo="


def client() -> openai.OpenAI:
    return openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x", max_retries=0, http_client=mock_http_client(FAST))


def stream(model: str, prompt: str | list, **kw) -> dict:
    """The whole stream, read: text, reasoning keys, calls, finish reasons, usage."""
    out: dict = {"text": "", "reasoning_keys": set(), "calls": {}, "finish": [], "usage": None}
    for chunk in client().chat.completions.create(model=model, messages=[{"role": "user", "content": prompt}],
                                                  stream=True, **kw):
        out["usage"] = chunk.usage or out["usage"]
        for choice in chunk.choices or []:
            out["text"] += choice.delta.content or ""
            out["reasoning_keys"] |= {k for k in (choice.delta.model_extra or {}) if k.startswith("reasoning")}
            for call in choice.delta.tool_calls or []:
                out["calls"].setdefault(call.index, "")
                out["calls"][call.index] += (call.function.arguments or "") if call.function else ""
            if choice.finish_reason:
                out["finish"].append(choice.finish_reason)
    return out


def test_every_profile_is_a_listed_model_and_other_models_are_the_full_server():
    for name in PROFILES:
        if name != "full":
            assert f"mock-{name}" in MODELS
            assert profile_for_model(f"mock-{name}").name == name
    assert profile_for_model("mock-gpt") is FULL and profile_for_model("gpt-4o") is FULL


def test_full_server_honours_usage_limits_json_mode_and_required_tool_choice():
    cut = stream("mock-gpt", "Explain photosynthesis", max_tokens=3, stream_options={"include_usage": True})
    assert cut["finish"] == ["length"] and cut["usage"].completion_tokens == 3
    assert stream("mock-gpt", "Explain photosynthesis", max_completion_tokens=2)["finish"] == ["length"]
    assert stream("mock-gpt", "Give JSON", response_format={"type": "json_object"})["text"].startswith("{")
    forced = stream("mock-gpt", "Say hi.", tools=[TIME], tool_choice="required")
    assert forced["calls"] and forced["finish"] == ["tool_calls"]
    assert len(stream("mock-gpt", "What time is it in Tokyo and London?", tools=[TIME])["calls"]) == 2
    assert stream("mock-gpt", [{"type": "text", "text": "Colour?"}, {"type": "image_url", "image_url": {"url": PNG}}])["text"]


def test_no_usage_ignores_include_usage():
    assert stream("mock-no-usage", "hi", stream_options={"include_usage": True})["usage"] is None


@pytest.mark.parametrize(("model", "kwargs", "words"), [
    ("mock-rejects-stream-options", {"stream_options": {"include_usage": True}}, "stream_options"),
    ("mock-needs-max-completion-tokens", {"max_tokens": 5}, "max_completion_tokens"),
    ("mock-no-tool-choice-required", {"tools": [TIME], "tool_choice": "required"}, "tool_choice"),
    ("mock-no-json-mode", {"response_format": {"type": "json_object"}}, "response_format"),
])
def test_refusing_profiles_answer_400_in_openai_error_json(model, kwargs, words):
    with pytest.raises(openai.BadRequestError) as caught:
        stream(model, "hi", **kwargs)
    assert words in caught.value.message
    assert stream(model, "hi")["text"]  # the same request without the option is answered


def test_no_images_refuses_an_image_part_only():
    with pytest.raises(openai.BadRequestError, match="Image input"):
        stream("mock-no-images", [{"type": "text", "text": "?"}, {"type": "image_url", "image_url": {"url": PNG}}])
    assert stream("mock-no-images", [{"type": "text", "text": "Colour?"}])["text"]


def test_no_tools_ignores_tools_and_answers_in_words():
    out = stream("mock-no-tools", "What is 23*17?", tools=[CALC])
    assert out["calls"] == {} and out["finish"] == ["stop"] and "calculator" in out["text"]


def test_no_parallel_tools_makes_only_the_first_call():
    assert len(stream("mock-no-parallel-tools", "What time is it in Tokyo and London?", tools=[TIME])["calls"]) == 1


def test_reasoning_field_profile_streams_reasoning_under_its_other_name():
    assert stream("mock-gpt", "Think: why is the sky blue?")["reasoning_keys"] == {"reasoning_content"}
    assert stream("mock-reasoning-field", "Think: why is the sky blue?")["reasoning_keys"] == {"reasoning"}
