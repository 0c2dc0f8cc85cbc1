"""MCP servers as tool sources, against a server written with the official SDK: over stdio
and over Streamable HTTP, through the same runner and tool loop as local tools."""

from __future__ import annotations

import threading

import pytest

from chatcore.cancel import CancelToken
from chatcore.events import ToolCall, ToolProgress, ToolResult
from chatcore.mcp import ServerSpec
from chatcore.tools import ToolRegistry, run_tool_calls

from .conftest import READY_S, log_lines, stdio_spec, wait_for


def call(registry, name, args, *, cancel=None, timeout=30.0):
    c = ToolCall(id=f"call_{name}", name=name, arguments="", complete=True, parsed=args)
    return list(run_tool_calls(registry, [c], cancel or CancelToken(), default_timeout=timeout))


def result_of(events) -> ToolResult:
    [result] = [e for e in events if isinstance(e, ToolResult)]
    return result


@pytest.fixture(scope="module", params=["stdio", "http"])
def transport(request):
    return request.param


@pytest.fixture
def ready(transport, manager_factory, server_log, request):
    """A manager with the test server over the transport under test, ready."""
    if transport == "stdio":
        spec = stdio_spec("test", server_log)
    else:
        url, _ = request.getfixturevalue("http_server")
        spec = ServerSpec("test", url=url, headers=(("X-Test", "1"),))
    manager = manager_factory(spec, connect_timeout=READY_S)
    assert manager.wait_ready(READY_S), manager.states()
    return manager


def test_tools_are_listed_with_their_server_and_schema(ready):
    [state] = ready.states()
    assert state.status == "ready" and state.describe() == "ready · 7 tools"
    registry = ToolRegistry(ready.snapshot().tools)
    assert {"echo", "add", "slow", "fail", "crash", "image", "progress"} == set(registry.names())
    echo = registry.get("echo")
    assert echo.source == "mcp:test" and echo.description == "Echo the text back."
    assert echo.parameters["properties"]["text"]["type"] == "string" and echo.parameters["required"] == ["text"]
    assert echo.openai_schema()["function"]["parameters"]["type"] == "object"


def test_text_structured_error_and_image_results(ready):
    registry = ToolRegistry(ready.snapshot().tools)
    assert result_of(call(registry, "echo", {"text": "hi"})).result == {"result": "echo: hi"}
    assert result_of(call(registry, "add", {"a": 2, "b": 40})).result == {"sum": 42}
    failed = result_of(call(registry, "fail", {"reason": "no widgets"}))
    assert failed.error == "Error executing tool fail: no widgets"  # isError: the server's words, on the panel and to the model
    image = result_of(call(registry, "image", {})).result
    assert image["images"][0]["mime_type"] == "image/png" and image["images"][0]["data"].startswith("iVBOR")


def test_progress_notifications_become_progress_events(ready):
    registry = ToolRegistry(ready.snapshot().tools)
    events = call(registry, "progress", {"steps": 3})
    progress = [e for e in events if isinstance(e, ToolProgress)]
    assert result_of(events).result == {"result": "done"}
    assert progress and progress[-1].message == "step 3" and progress[-1].done == progress[-1].total == 3


def test_a_slow_call_times_out_and_the_server_is_told(ready, server_log):
    registry = ToolRegistry(ready.snapshot().tools)
    before = log_lines(server_log).count("cancelled")
    result = result_of(call(registry, "slow", {"seconds": 60}, timeout=1.0))
    assert result.error == "Timed out after 1 s"
    wait_for(lambda: log_lines(server_log).count("cancelled") > before, 30, "the server to log the cancellation")
    assert result_of(call(registry, "echo", {"text": "still here"})).result == {"result": "echo: still here"}


def test_stop_cancels_a_running_call_at_once_and_the_server_is_told(ready, server_log):
    registry = ToolRegistry(ready.snapshot().tools)
    before = log_lines(server_log).count("cancelled")
    started = log_lines(server_log).count("slow started")
    cancel = CancelToken()
    threading.Thread(
        target=lambda: wait_for(lambda: log_lines(server_log).count("slow started") > started, 30) and cancel.cancel(),
        daemon=True,
    ).start()
    result = result_of(call(registry, "slow", {"seconds": 60}, cancel=cancel))
    assert result.error == "Cancelled" and result.duration < 30
    wait_for(lambda: log_lines(server_log).count("cancelled") > before, 30, "the server to log the cancellation")


def test_arguments_the_server_rejects_are_a_readable_error(ready):
    registry = ToolRegistry(ready.snapshot().tools)
    result = result_of(call(registry, "add", {"a": "not a number", "b": 1}))
    assert result.error is not None and "validation error" in result.error.lower(), result.error


def test_a_stdio_server_that_crashes_mid_call_is_a_panel_error_and_comes_back(manager_factory, server_log):
    manager = manager_factory(stdio_spec("crashy", server_log), connect_timeout=READY_S)
    assert manager.wait_ready(READY_S)
    registry = ToolRegistry(manager.snapshot().tools)
    crashed = result_of(call(registry, "crash", {}))
    assert "closed the connection during the call" in crashed.error and "crashy" in crashed.error
    wait_for(lambda: manager.states()[0].status == "ready" and manager.snapshot().tools, READY_S, "a reconnect")
    registry = ToolRegistry(manager.snapshot().tools)
    assert result_of(call(registry, "echo", {"text": "back"})).result == {"result": "echo: back"}


def test_a_server_that_cannot_start_or_be_reached_says_why(manager_factory):
    manager = manager_factory(
        ServerSpec("missing", command="no-such-mcp-server-xyz"),
        ServerSpec("offline", url="http://127.0.0.1:9/mcp"),
        connect_timeout=10,
    )
    wait_for(lambda: all(s.status == "failed" for s in manager.states()), 30, "both to fail")
    missing, offline = manager.states()
    assert "could not start 'no-such-mcp-server-xyz': command not found" in missing.describe()
    assert "could not connect to http://127.0.0.1:9/mcp" in offline.describe() and "retrying in" in offline.describe()
    assert manager.snapshot().tools == ()


def test_a_call_while_the_server_is_down_is_a_panel_error(manager_factory, server_log):
    manager = manager_factory(stdio_spec("flaky", server_log), connect_timeout=READY_S)
    assert manager.wait_ready(READY_S)
    [echo] = [t for t in manager.snapshot().tools if t.name == "echo"]
    manager.close()  # the session ends; the tool object a session still holds must fail politely
    wait_for(lambda: manager.connections["flaky"]._client is None, 30, "the session to end")
    result = result_of(call(ToolRegistry([echo]), "echo", {"text": "x"}))
    assert "is not connected right now" in result.error and "flaky" in result.error


def test_an_http_server_that_crashes_mid_call_is_a_panel_error_and_comes_back_when_restarted(
    manager_factory, tmp_path
):
    import os
    import subprocess
    import sys

    from .conftest import SERVER, free_port

    port = free_port()
    log = tmp_path / "http.log"

    def start():
        return subprocess.Popen([sys.executable, SERVER, "--http", str(port)], env={**os.environ, "MCP_TEST_LOG": str(log)},
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    process = start()
    try:
        manager = manager_factory(ServerSpec("remote", url=f"http://127.0.0.1:{port}/mcp"), connect_timeout=10)
        wait_for(lambda: manager.states()[0].status == "ready", READY_S, "the HTTP server to be ready")
        registry = ToolRegistry(manager.snapshot().tools)
        crashed = result_of(call(registry, "crash", {}, timeout=30))
        assert crashed.error is not None and "remote" in crashed.error  # a message, not a hang
        process.wait(30)
        wait_for(lambda: manager.states()[0].status == "failed", 30, "the manager to notice")
        described = manager.states()[0].describe()
        assert "could not connect" in described or "closed the connection" in described, described
        down = result_of(call(registry, "echo", {"text": "x"}, timeout=30))
        assert down.error is not None and "remote" in down.error
        process = start()  # the server is back: so is the connection, without a restart of the app
        wait_for(lambda: manager.states()[0].status == "ready", READY_S, "a reconnect")
        registry = ToolRegistry(manager.snapshot().tools)
        assert result_of(call(registry, "echo", {"text": "back"})).result == {"result": "echo: back"}
    finally:
        process.kill()
        process.wait(10)
