"""The API's reference page (/api/demo) in Chromium against `streamlit run app.py`: it streams
an answer with a tool panel, its Stop (AbortController) closes the upstream at once, and the
conversation it started shows in the dashboard's History in the same browser."""

from __future__ import annotations

import time

import pytest

from chatcore.mock.options import MockOptions
from chatcore.mock.server import MockServer

from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def upstream():
    with MockServer(options=MockOptions(ttft=0.05, chunk_delay=0.02), quiet=True) as server:
        yield server


@pytest.fixture(scope="module")
def app(upstream, tmp_path_factory):
    env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "sk-operator", "OPENAI_MODEL": "mock-gpt",
           "CHAT_DB_PATH": str(tmp_path_factory.mktemp("api-demo") / "chat.sqlite3")}
    with StreamlitServer("app.py", env=env) as server:
        yield server


def test_the_reference_page_streams_a_tool_answer_and_stop_closes_the_upstream(browser, app, upstream):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(20_000)
    try:
        page = context.new_page()
        page.goto(f"{app.url}/")  # the dashboard first: it gives this browser its identity cookie
        page.get_by_test_id("stChatInputTextArea").wait_for()
        page.goto(f"{app.url}/api/demo")
        page.fill("#prompt", "What is 23*17+4?")
        page.click("#send")
        page.locator(".tool").filter(has_text="calculator").filter(has_text="395").wait_for()
        page.locator(".answer").filter(has_text="395").first.wait_for()
        page.locator("#status").filter(has_text="ended: stop").wait_for()

        upstream.reset()
        page.fill("#prompt", "Write a long answer about rivers")
        page.click("#send")
        deadline = time.monotonic() + 20  # (the page's CSP forbids eval, so no wait_for_function)
        while page.locator(".answer").count() < 2 or len(page.locator(".answer").nth(1).text_content() or "") < 200:
            assert time.monotonic() < deadline, "the long answer did not stream"
            time.sleep(0.05)
        clicked_at = time.time()
        page.click("#stop")
        page.locator(".note").filter(has_text="Stopped.").wait_for()
        deadline = time.monotonic() + 5
        while not (upstream.requests and upstream.requests[-1].client_disconnected):
            assert time.monotonic() < deadline, "the upstream was not closed"
            time.sleep(0.01)
        assert upstream.requests[-1].disconnected_at - clicked_at < 1.0

        page.goto(f"{app.url}/history")  # the same browser: the chat the page started is listed
        page.get_by_text("What is 23*17+4?").first.wait_for()
    finally:
        context.close()
