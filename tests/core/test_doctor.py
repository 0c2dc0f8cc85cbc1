"""The endpoint doctor against the mock's server profiles and faults: the right cell, the
evidence behind it, and a profile that changes what the app sends."""

from __future__ import annotations

import pytest

from chatcore.events import ToolCall, Usage
from chatcore.mock import MockChatTransport, MockOptions, MockServer, mock_http_client
from chatcore.probe import Capabilities, ProbeTarget, ProfileCache, run_doctor, target_for
from chatcore.providers import OpenAICompatProvider
from chatcore.settings import GenerationSettings, ProviderConfig

FAST = MockOptions(ttft=0, chunk_delay=0)
CALC = [{"type": "function", "function": {"name": "calculator", "parameters": {
    "type": "object", "properties": {"expression": {"type": "string"}}}}}]


@pytest.fixture(scope="module")
def server():
    with MockServer(options=FAST, quiet=True) as running:
        yield running


def doctor(server, model: str, key: str = ""):
    return run_doctor(ProbeTarget(server.url, model, api_key=key), timeout=10)


def test_full_mock_server_passes_every_check_with_evidence_and_a_token_count(server):
    report = doctor(server, "mock-gpt")
    statuses = {c.key: c.status for c in report.cells}
    assert statuses == {"models": "ok", "limit_param": "ok", "stream": "ok", "speed": "note", "usage": "ok",
                        "finish": "ok", "tool_single": "ok", "tool_parallel": "ok", "tool_required": "ok",
                        "reasoning": "ok", "images": "ok", "json_mode": "ok", "errors": "ok"}
    assert "calculator(" in report.cell("tool_single").evidence
    assert report.cell("tool_parallel").result == "2 calls in one step"
    assert "limit 1 → length" in report.cell("finish").evidence and "tool call → tool_calls" in report.cell("finish").evidence
    assert report.cell("errors").result == "OpenAI error JSON (400)"
    assert report.capabilities == Capabilities(reasoning_field="reasoning_content")
    assert report.capabilities.notes() == ()
    assert 50 < report.tokens < 2000  # small prompts, tiny limits
    markdown = report.to_markdown()
    assert markdown.count("\n|") == len(report.cells) + 2 and "| Parallel tool calls | ✅ ok: 2 calls in one step |" in markdown


@pytest.mark.parametrize(("model", "key", "status", "result", "evidence", "change"), [
    ("mock-no-usage", "usage", "gap", "no usage in the stream", "HTTP 200", {"usage_in_stream": False}),
    ("mock-rejects-stream-options", "usage", "gap", "stream_options rejected",
     "HTTP 400: Unrecognized request argument supplied: stream_options", {"stream_options": False, "usage_in_stream": False}),
    ("mock-no-tools", "tool_single", "gap", "no tool call came", "text instead:",
     {"tools": False, "parallel_tools": False, "tool_choice_required": False}),
    ("mock-no-parallel-tools", "tool_parallel", "gap", "one call at a time", "current_time(", {"parallel_tools": False}),
    ("mock-no-tool-choice-required", "tool_required", "gap", "refused", "HTTP 400: tool_choice", {"tool_choice_required": False}),
    ("mock-reasoning-field", "reasoning", "ok", "streams as `reasoning`", "reasoning: ", {"reasoning_field": "reasoning"}),
    ("mock-needs-max-completion-tokens", "limit_param", "gap", "needs max_completion_tokens",
     "max_tokens=1 → HTTP 400: Unsupported parameter", {"limit_param": "max_completion_tokens"}),
    ("mock-no-images", "images", "gap", "refused", "HTTP 400: Image input is not supported", {"images": False}),
    ("mock-no-json-mode", "json_mode", "gap", "response_format refused", "HTTP 400: response_format", {"json_mode": False}),
])
def test_each_missing_capability_gives_its_cell_evidence_and_profile(server, model, key, status, result, evidence, change):
    report = doctor(server, model)
    cell = report.cell(key)
    assert (cell.status, cell.result) == (status, result)
    assert evidence in cell.evidence
    expected = Capabilities(**{"reasoning_field": "reasoning_content", **change})
    assert report.capabilities == expected
    others = [c for c in report.cells if c.key not in (key, "speed") and c.status != "ok"]
    allowed = {"tool_parallel", "tool_required"} if model == "mock-no-tools" else set()
    assert {c.key for c in others} <= allowed  # nothing else is blamed on the missing capability
    if cell.status == "gap":
        assert cell.action  # the report says what the app does about it


def test_a_bad_key_fails_the_check_without_a_profile_or_the_key_in_the_evidence(server):
    report = doctor(server, "mock-fault-401", key="sk-secret-123")
    assert report.capabilities is None
    assert report.cell("limit_param").status == "failed" and "HTTP 401" in report.cell("limit_param").evidence
    assert {report.cell(k).status for k in ("tool_single", "usage", "images")} == {"skipped"}
    assert "sk-secret-123" not in report.to_markdown() and "sk-secret-123" not in repr(report)


def test_faults_show_in_the_stream_cells(server):
    report = doctor(server, "mock-fault-no_finish")
    assert report.cell("finish").status == "gap" and "plain → none" in report.cell("finish").evidence
    stalled = run_doctor(ProbeTarget(server.url, "mock-fault-stall:30"), timeout=1.0)
    assert stalled.cell("limit_param").status == "failed" and "timed out after 1 s" in stalled.cell("limit_param").evidence
    assert stalled.cell("stream").status == "skipped" and stalled.seconds < 8
    assert stalled.capabilities is None


def test_unreachable_server_is_reported_not_raised():
    report = run_doctor(ProbeTarget("http://127.0.0.1:9/v1", "x"), timeout=2)
    assert report.capabilities is None and report.cell("models").status == "gap"
    assert "ConnectError" in report.cell("limit_param").evidence


def test_the_in_app_mock_is_probed_in_process():
    report = run_doctor(target_for(ProviderConfig(kind="mock", model="mock-no-usage"), FAST))
    assert report.cell("usage").result == "no usage in the stream" and report.capabilities is not None


# ---------------------------------------------------------------- the app applies the profile
def provider_with(caps: Capabilities | None, model: str) -> tuple[OpenAICompatProvider, MockChatTransport]:
    transport = MockChatTransport(FAST)
    config = ProviderConfig(kind="mock", model=model, capabilities=caps)
    return OpenAICompatProvider(config, http_client=mock_http_client(transport=transport)), transport


def answer(provider, prompt="What is 23*17?", **settings):
    return list(provider.stream([{"role": "user", "content": prompt}], tools=CALC,
                                settings=GenerationSettings(**settings)))


def test_findings_change_what_the_provider_sends(server):
    for model in ("mock-rejects-stream-options", "mock-no-tools", "mock-needs-max-completion-tokens"):
        caps = doctor(server, model).capabilities
        provider, transport = provider_with(caps, model)
        events = answer(provider, max_tokens=50)
        body = transport.requests[-1].body
        assert len(transport.requests) == 1  # no request wasted on learning the gap
        if model == "mock-rejects-stream-options":
            assert "stream_options" not in body and transport.requests[0].status == 200
        if model == "mock-no-tools":
            assert "tools" not in body
        if model == "mock-needs-max-completion-tokens":
            assert body["max_completion_tokens"] == 50 and "max_tokens" not in body
            assert transport.requests[0].status == 200 and any(isinstance(e, ToolCall) for e in events)


def test_without_a_profile_the_provider_behaves_as_before():
    provider, transport = provider_with(None, "mock-rejects-stream-options")
    answer(provider)
    assert "stream_options" in transport.requests[0].body and transport.requests[0].status == 400  # learnt by failing
    assert "tools" in transport.requests[1].body


def test_missing_usage_is_estimated_when_the_profile_says_so(server):
    caps = doctor(server, "mock-no-usage").capabilities
    assert "Usage is estimated (the server sends none)." in caps.notes()
    provider, _ = provider_with(caps, "mock-no-usage")
    usage = [e for e in answer(provider, "Explain photosynthesis") if isinstance(e, Usage)]
    assert len(usage) == 1 and usage[0].prompt_tokens > 0 and usage[0].completion_tokens > 100
    plain, _ = provider_with(None, "mock-no-usage")
    assert not [e for e in answer(plain, "Explain photosynthesis") if isinstance(e, Usage)]


def test_profile_cache_is_per_endpoint_and_model_and_holds_no_key():
    cache = ProfileCache()
    cache.put("http://x/v1/", "m", Capabilities(tools=False))
    assert cache.get("HTTP://x/v1", "m") == Capabilities(tools=False)
    assert cache.get("http://x/v1", "other") is None and cache.get("http://y/v1", "m") is None
    cache.forget("http://x/v1", "m")
    assert len(cache) == 0


def test_a_scenario_forced_for_the_in_app_mock_does_not_fool_the_doctor():
    forced = MockOptions(scenario="long", ttft=0, chunk_delay=0)
    report = run_doctor(target_for(ProviderConfig(kind="mock", model="mock-gpt"), forced))
    assert report.cell("tool_single").status == "ok" and report.capabilities.tools
