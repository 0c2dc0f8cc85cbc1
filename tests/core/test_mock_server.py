"""The mock over real HTTP: same answers as in-process, and real disconnects are seen."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import openai
import pytest

from chatcore.mock import MockOptions, MockServer, mock_http_client
from chatcore.mock.assemble import assemble

FAST = MockOptions(ttft=0, chunk_delay=0)
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def server():
    with MockServer(options=FAST, quiet=True) as running:
        yield running


@pytest.fixture
def client(server) -> openai.OpenAI:
    server.reset()
    return openai.OpenAI(base_url=server.url, api_key="x", max_retries=0, timeout=10)


def chat(client, prompt, **kw):
    return client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": prompt}],
                                          stream=True, **kw)


def get_json(url: str):
    with urllib.request.urlopen(url, timeout=5) as response:
        return json.load(response)


def test_url_and_models(server, client):
    assert server.url.startswith("http://127.0.0.1:") and server.url.endswith("/v1")
    assert [m.id for m in client.models.list()][:2] == ["mock-gpt", "mock-reasoner"]


def test_same_answer_over_http_and_in_process(client):
    local = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x", http_client=mock_http_client(FAST))
    for prompt in ("Explain how DNS works", "Think: why is the sky blue?"):
        over_http = assemble(chat(client, prompt, stream_options={"include_usage": True}))
        in_process = assemble(chat(local, prompt, stream_options={"include_usage": True}))
        assert over_http.content == in_process.content and over_http.reasoning == in_process.reasoning
        assert over_http.usage.completion_tokens == in_process.usage.completion_tokens


def test_tool_call_over_http(client):
    tools = [{"type": "function", "function": {"name": "calculator", "parameters": {"type": "object"}}}]
    out = assemble(chat(client, "What is 23*17+4?", tools=tools))
    assert out.tool_calls[0].name == "calculator" and json.loads(out.tool_calls[0].arguments) == {
        "expression": "23*17+4"}


def test_http_errors_and_faults(client, server):
    with pytest.raises(openai.RateLimitError) as caught:
        chat(client, "hi", extra_headers={"X-Mock-Fault": "429"})
    assert caught.value.response.headers["retry-after"] == "2"
    with pytest.raises(openai.APIConnectionError):
        assemble(chat(client, "hi", extra_headers={"X-Mock-Fault": "drop:3"}))
    assert server.requests[-1].server_dropped
    assert assemble(chat(client, "hi", extra_headers={"X-Mock-Fault": "no_done"})).finish_reason == "stop"
    with pytest.raises(openai.NotFoundError):
        client.get("/nowhere", cast_to=object)


def test_closing_mid_stall_is_recorded_as_a_disconnect(client, server):
    stream = chat(client, "hello", extra_headers={"X-Mock-Fault": "stall:30"})
    iterator = iter(stream)
    for _ in range(3):
        next(iterator)
    time.sleep(0.05)  # the server is now inside the stall
    closed_at = time.time()
    stream.close()
    deadline = time.monotonic() + 0.2
    while time.monotonic() < deadline and not server.requests[-1].client_disconnected:
        time.sleep(0.005)
    record = server.requests[-1]
    assert record.client_disconnected and record.disconnected_at - closed_at < 0.2
    listed = get_json(server.url.replace("/v1", "/_mock/requests"))[-1]
    assert listed["client_disconnected"] and listed["chunks_sent"] == record.chunks_sent
    assert {"started", "finished", "disconnected_at"} <= set(listed)


def test_a_complete_stream_is_not_a_disconnect_and_reset_clears(client, server):
    assemble(chat(client, "Explain TCP"))
    time.sleep(0.05)
    record = server.requests[-1]
    assert record.finished and not record.client_disconnected
    request = urllib.request.Request(server.url.replace("/v1", "/_mock/reset"), method="POST", data=b"")
    with urllib.request.urlopen(request, timeout=5):
        pass
    assert server.requests == [] and get_json(server.url.replace("/v1", "/_mock/requests")) == []


def test_keepalive_comments_over_http():
    with MockServer(options=MockOptions(ttft=1.2, chunk_delay=0, keepalive=True), quiet=True) as srv:
        body = json.dumps({"model": "m", "stream": True, "messages": [{"role": "user", "content": "hi"}]}).encode()
        request = urllib.request.Request(srv.url + "/chat/completions", data=body,
                                         headers={"Content-Type": "application/json", "X-Mock-TTFT": "1.2"})
        with urllib.request.urlopen(request, timeout=5) as response:
            assert response.headers["Content-Type"].startswith("text/event-stream")
            data = response.read()
    assert data.startswith(b": keep-alive\n\n") and data.count(b": keep-alive") >= 2 and data.endswith(
        b"data: [DONE]\n\n")


def test_command_line_server_starts_and_serves():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    process = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--ttft", "0",
                                "--chunk-delay", "0"], cwd=ROOT, env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 10
        while True:
            try:
                models = get_json(f"http://127.0.0.1:{port}/v1/models")
                break
            except OSError:
                if time.monotonic() > deadline or process.poll() is not None:
                    raise
                time.sleep(0.05)
        assert models["object"] == "list"
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="x", max_retries=0)
        assert "built-in mock" in assemble(chat(client, "hello")).content
    finally:
        process.terminate()
        _, err = process.communicate(timeout=5)
    assert b"POST /v1/chat/completions -> 200 scenario=hello" in err
