"""Starter prompts and MCP tools in a real browser, against `streamlit run app.py` with an
MCP server (tests/mcp/server.py, written with the official SDK) configured over stdio."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pytest

from .chat_ui import ChatPage
from .harness import ROOT, StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

SERVER = str(ROOT / "tests" / "mcp" / "server.py")


@pytest.fixture(scope="module")
def server_log(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("mcp-e2e") / "server.log"


@pytest.fixture(scope="module")
def app(tmp_path_factory, server_log):
    config = tmp_path_factory.mktemp("mcp-config") / "mcp.json"
    config.write_text(json.dumps({"mcpServers": {
        "testsrv": {"command": sys.executable, "args": [SERVER], "env": {"MCP_TEST_LOG": str(server_log)}},
    }}))
    with StreamlitServer("app.py", env={"CHAT_MCP_CONFIG": str(config)}) as server:
        yield server


@pytest.fixture
def open_chat(browser, app, request, tmp_path):
    """A new visitor, with generous waits: the MCP server's first connect and a cold first
    page both take seconds on a loaded 2-core machine."""
    contexts = []

    def open_() -> ChatPage:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(60_000)
        contexts.append(context)
        page = context.new_page()
        page.goto(app.url)
        chat = ChatPage(page)
        chat.input.wait_for()
        chat.wait_until_idle(timeout=60)
        return chat

    yield open_
    if getattr(request.node, "e2e_failed", False):
        for n, context in enumerate(contexts):
            for page in context.pages:
                page.screenshot(path=str(tmp_path / f"page-{n}.png"), full_page=True)
        print(f"screenshots: {tmp_path}\n--- streamlit log ---\n{app.output()[-5000:]}")
    for context in contexts:
        context.close()


def log_count(log: Path, line: str) -> int:
    return log.read_text().splitlines().count(line) if log.exists() else 0


def wait_for_server_ready(chat: ChatPage, timeout: float = 90.0) -> None:
    """The sidebar shows the server's state as of the last run: reload until it says ready."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        chat.open_advanced()  # the tool picker and the servers' states are under Advanced
        if "testsrv · ready · 7 tools" in chat.page.get_by_test_id("stSidebar").inner_text():
            return
        time.sleep(1.0)
        chat.page.reload()
        chat.input.wait_for()
        chat.wait_until_idle(timeout=60)
    raise AssertionError("the MCP server never showed as ready in the sidebar")


def test_clicking_a_starter_prompt_streams_its_answer_and_the_welcome_leaves(open_chat):
    chat = open_chat()
    starter = chat.page.get_by_role("button", name="What is 23*17+4?")
    assert chat.page.get_by_role("button", name="Explain how photosynthesis works").count() == 1
    starter.click()
    chat.wait_for_answer_text(min_chars=3, timeout=30)
    chat.wait_until_done(timeout=60)
    assert chat.roles() == ["user", "assistant"]
    assert "What is 23*17+4?" in chat.user.first.inner_text()
    assert "395" in chat.answer_text()
    assert chat.page.get_by_role("button", name="Explain how photosynthesis works").count() == 0


def test_an_mcp_tool_call_shows_a_panel_with_the_servers_result(open_chat):
    chat = open_chat()
    wait_for_server_ready(chat)
    chat.set_speed("Instant")
    chat.send('Call echo with text="hello from the browser"')
    chat.wait_until_done(timeout=60)
    answer = chat.assistant.last
    panel = answer.get_by_test_id("stExpander").filter(has_text="echo")
    assert panel.count() == 1 and "done" in panel.inner_text()
    panel.locator("summary").click()
    details = panel.get_by_test_id("stExpanderDetails")
    details.wait_for(state="visible")
    assert "echo: hello from the browser" in details.inner_text()
    assert "echo: hello from the browser" in chat.answer_text()


def test_stop_during_a_slow_mcp_tool_ends_the_turn_at_once_and_the_server_is_told(open_chat, server_log):
    chat = open_chat()
    wait_for_server_ready(chat)
    chat.set_speed("Instant")
    started, cancelled = log_count(server_log, "slow started"), log_count(server_log, "cancelled")
    chat.send("Call slow with seconds=120")
    deadline = time.monotonic() + 60
    while log_count(server_log, "slow started") == started:
        assert time.monotonic() < deadline, "the slow tool never started on the server"
        time.sleep(0.05)
    chat.stop_button.click()
    answer = chat.assistant.last
    answer.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    deadline = time.monotonic() + 30
    while log_count(server_log, "cancelled") == cancelled:
        assert time.monotonic() < deadline, "the server never logged the cancellation"
        time.sleep(0.05)
    chat.send("Call echo with text=after-stop")
    chat.wait_until_done(chat.assistant.nth(1), timeout=60)
    assert "echo: after-stop" in chat.answer_text(chat.assistant.nth(1))
