"""The operator's key stays home: the attack of issue #16 against the real app, on loopback.

The operator runs ``streamlit run app.py`` with ``OPENAI_API_KEY`` and ``OPENAI_BASE_URL``
pointing at a mock server (``python -m chatcore.mock_server``). A visitor, in Chromium,
types an attacker's server into the sidebar's Base URL, refreshes the model list and sends
a prompt. The attacker's server is a ``RecordingServer`` that keeps every request's
headers: it must never see the operator's key.

How a remote visitor is modelled: the browser runs on the server's machine, and the
attacker's server is on loopback too. The first app allows visitors' base URLs and names
127.0.0.1 in ``CHAT_ALLOWED_HOSTS``, so requests may go out (as they would to a public
host), only never with the operator's key. The second app allows custom base URLs but lists
no hosts, and its visitor comes through a proxy (``X-Forwarded-For`` on every request,
the websocket included): the internal address is refused and nothing is sent at all.
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
import urllib.request

import pytest

from tests.recording_server import REPLY, RecordingServer

from .chat_ui import ChatPage
from .harness import ROOT, StreamlitServer, chromium_missing_reason, free_port

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

OPERATOR_KEY = "sk-operator-e2e-7b1f0c9d2e4a6b8c"
VISITOR_KEY = "sk-visitor-typed-Qz8Wk3Lp5Rt7"


@pytest.fixture(scope="module")
def operator_upstream():
    """The operator's provider: the mock as a separate process, as an operator would run it."""
    port = free_port()
    proc = subprocess.Popen([sys.executable, "-m", "chatcore.mock_server", "--port", str(port), "--quiet",
                             "--ttft", "0.01", "--chunk-delay", "0.001"],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    url = f"http://127.0.0.1:{port}/v1"
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{url}/models", timeout=1):
                break
        except OSError:
            assert proc.poll() is None and time.monotonic() < deadline, "the mock server did not start"
            time.sleep(0.1)
    yield url
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(10)


@pytest.fixture(scope="module")
def recorder():
    with RecordingServer() as server:
        yield server


def operator_env(upstream: str, tmp_dir, **policy: str) -> dict[str, str]:
    return {"OPENAI_API_KEY": OPERATOR_KEY, "OPENAI_BASE_URL": upstream, "OPENAI_MODEL": "mock-gpt",
            "CHAT_DB_PATH": str(tmp_dir / "chat.sqlite3"), **policy}


@pytest.fixture(scope="module")
def app(operator_upstream, tmp_path_factory):
    env = operator_env(operator_upstream, tmp_path_factory.mktemp("open"),
                       CHAT_ALLOW_CUSTOM_BASE_URL="true", CHAT_ALLOWED_HOSTS="127.0.0.1")
    with StreamlitServer("app.py", env=env) as server:
        yield server


def sidebar(chat: ChatPage):
    """The sidebar, its *Advanced* section unfolded (where the provider's fields are)."""
    chat.open_advanced()
    return chat.page.get_by_test_id("stSidebar")


NOTE = "configured key is only sent to 127.0.0.1"


def wait_until(condition, what: str, timeout: float = 45.0) -> None:
    """Poll ``condition`` (generous: a loaded 2-core machine may take long to rerun)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def refresh_models(chat: ChatPage, recorder: RecordingServer) -> None:
    """Click the model list's refresh button and wait until the listing reached the recorder."""
    before = len(recorder.seen)
    sidebar(chat).get_by_role("button", name=re.compile("refresh")).click()
    wait_until(lambda: len(recorder.seen) > before, "the refreshed model listing")
    chat.wait_until_idle(timeout=45)


def type_base_url(chat: ChatPage, url: str, *, then_shows: str | None = NOTE) -> None:
    field = sidebar(chat).get_by_role("textbox", name="Base URL")
    field.fill(url)
    field.press("Enter")
    if then_shows:  # proof that the rerun with the new URL has been drawn
        sidebar(chat).get_by_text(then_shows).wait_for()
    chat.wait_until_idle(timeout=45)


def test_a_visitors_server_never_receives_the_operators_key(open_chat, recorder):
    chat = open_chat()
    chat.page.set_default_timeout(45_000)
    type_base_url(chat, recorder.url)
    refresh_models(chat, recorder)
    chat.send("Tell me a secret")
    chat.wait_until_done(timeout=90)
    assert REPLY in chat.answer_text()

    seen = recorder.seen
    assert {(s.method, s.path) for s in seen} >= {("GET", "/v1/models"), ("POST", "/v1/chat/completions")}
    for request in seen:
        assert OPERATOR_KEY not in request.text(), f"the operator's key reached the visitor's server: {request.path}"
        assert request.header("Authorization") != f"Bearer {OPERATOR_KEY}"


def test_a_typed_key_is_never_sent_back_to_the_browser(open_chat, recorder):
    received: list[tuple[float, bytes]] = []

    def watch(ws) -> None:
        ws.on("framereceived", lambda payload: received.append(
            (time.monotonic(), payload if isinstance(payload, bytes) else payload.encode())))

    context_page = open_chat()
    page = context_page.page
    page.set_default_timeout(45_000)
    page.on("websocket", watch)
    page.reload()  # reconnect with the websocket watched from its first frame
    chat = ChatPage(page)
    chat.input.wait_for()
    chat.wait_until_idle(timeout=45)
    assert received, "no websocket frames were captured"
    type_base_url(chat, recorder.url)

    field = sidebar(chat).get_by_role("textbox", name="API key")
    field.fill(VISITOR_KEY)
    typed_at = time.monotonic()
    field.press("Enter")
    sidebar(chat).get_by_text("Using your key for this session").wait_for()
    chat.wait_until_idle(timeout=45)
    refresh_models(chat, recorder)  # later runs: a refresh, a prompt, a page switch
    chat.send("Use my key")
    chat.wait_until_done(timeout=90)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    page.get_by_role("heading", name="History").wait_for()
    chat.wait_until_idle(timeout=45)
    page.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").click()  # the sidebar is drawn again
    sidebar(chat).get_by_text("Using your key for this session").wait_for()
    chat.wait_until_idle(timeout=45)

    later = [frame for at, frame in received if at >= typed_at]
    assert len(later) > 5, "too few frames after typing to prove anything"
    for needle in (VISITOR_KEY.encode(), VISITOR_KEY[-12:].encode()):
        assert not any(needle in frame for frame in later), "the typed key was sent back to the browser"
    chat_requests = [s for s in recorder.seen if s.method == "POST"]
    assert chat_requests[-1].header("Authorization") == f"Bearer {VISITOR_KEY}"  # it was used, server-side


# ---------------------------------------------------------------------------- a remote visitor
@pytest.fixture(scope="module")
def remote_app(operator_upstream, tmp_path_factory):
    env = operator_env(operator_upstream, tmp_path_factory.mktemp("remote"), CHAT_ALLOW_CUSTOM_BASE_URL="true")
    with StreamlitServer("app.py", env=env) as server:
        yield server


def test_a_visitor_behind_a_proxy_may_not_reach_an_internal_address(browser, remote_app, recorder):
    context = browser.new_context(viewport={"width": 1280, "height": 900},
                                  extra_http_headers={"X-Forwarded-For": "203.0.113.50"})
    context.set_default_timeout(45_000)
    try:
        chat = ChatPage.open(context.new_page(), remote_app.url)
        before = len(recorder.seen)
        type_base_url(chat, recorder.url, then_shows=None)
        refusal = sidebar(chat).get_by_test_id("stAlert").filter(has_text="internal address")
        refusal.wait_for()
        assert "127.0.0.1" in refusal.inner_text()
        assert chat.input.is_disabled()  # the chat cannot send with it
        assert len(recorder.seen) == before, "a refused base URL was contacted"
    finally:
        context.close()
