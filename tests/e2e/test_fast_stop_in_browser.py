"""Stop's fast path in Chromium: the click posts the answer's stop link to ``/_chat/stop``, and
the upstream (the mock HTTP server, which logs its client's disconnect) closes although the
page's websocket holds back the click's own message; the partial answer is kept and marked
stopped. With the route unreachable, the same click stops the answer the old way, once the
websocket lets the click through (and not before: which is what makes the first test able to
fail when the fast path is broken)."""

from __future__ import annotations

import time

import pytest

from chatcore.mock import MockOptions, MockServer

from .chat_ui import ChatPage, squash
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

LONG_PROMPT = "Write a long answer about rivers"


@pytest.fixture(scope="module")
def upstream():
    with MockServer(options=MockOptions(ttft=0.05, chunk_delay=0.02), quiet=True) as server:
        yield server


@pytest.fixture(scope="module")
def app(upstream, tmp_path_factory):
    env = {"OPENAI_BASE_URL": upstream.url, "OPENAI_API_KEY": "sk-test", "OPENAI_MODEL": "mock-gpt",
           "CHAT_DB_PATH": str(tmp_path_factory.mktemp("fast-stop") / "chat.sqlite3")}
    with StreamlitServer("app.py", env=env) as server:
        yield server


class HeldSocket:
    """Playwright between the page and Streamlit's websocket: the server's messages pass at
    once; the page's pass too, until ``hold()``, then they wait for ``release()``."""

    def __init__(self) -> None:
        self.held: list[str | bytes] = []
        self.holding = False
        self.server = None

    def route(self, ws) -> None:
        server = ws.connect_to_server()
        self.server = server
        ws.on_message(self._from_page)
        server.on_message(ws.send)

    def _from_page(self, message: str | bytes) -> None:
        if self.holding:
            self.held.append(message)
        elif self.server is not None:
            self.server.send(message)

    def hold(self) -> None:
        self.holding = True

    def release(self) -> None:
        self.holding = False
        held, self.held = self.held, []
        for message in held:
            self.server.send(message)


@pytest.fixture
def held_page(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    page = context.new_page()
    socket = HeldSocket()
    page.route_web_socket("**/_stcore/stream", socket.route)
    chat = ChatPage.open(page, app.url)
    yield chat, socket
    context.close()


def chat_requests(upstream: MockServer) -> list:
    return [r for r in upstream.requests if r.method == "POST" and r.path.endswith("/chat/completions")]


def stream_long_answer(chat: ChatPage, upstream: MockServer):
    """Send the long prompt; once its answer shows 80 characters, its upstream request record."""
    index, before = chat.assistant.count(), len(chat_requests(upstream))
    chat.send(LONG_PROMPT)
    chat.wait_for_answer_text(min_chars=80, index=index)
    assert len(chat_requests(upstream)) == before + 1, "the app did not ask upstream once"
    record = chat_requests(upstream)[-1]
    assert not record.client_disconnected
    return record


def wait_in_page(chat: ChatPage, condition, seconds: float) -> bool:
    """Poll ``condition`` for ``seconds`` while Playwright keeps relaying the websocket."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        chat.page.wait_for_timeout(10)
    return condition()


def stop_routes(chat: ChatPage) -> list[tuple[str, int | None]]:
    calls: list[tuple[str, int | None]] = []
    chat.page.on("response", lambda r: calls.append((r.request.method, r.status))
                 if r.url.endswith("/_chat/stop") else None)
    chat.page.on("requestfailed", lambda r: calls.append((r.method, None)) if r.url.endswith("/_chat/stop") else None)
    return calls


def test_stop_closes_the_upstream_by_its_link_while_the_click_is_held_back(held_page, upstream):
    chat, socket = held_page
    record = stream_long_answer(chat, upstream)
    asked = len(chat_requests(upstream))
    calls = stop_routes(chat)
    socket.hold()  # from now on, the click's websocket message does not reach Streamlit
    chat.stop_button.click()
    assert wait_in_page(chat, lambda: record.client_disconnected, 3.0), \
        "the upstream stayed open: the Stop click's fast path did not stop the answer"
    # The click's own message leaves ~10 ms after the click: the upstream may close before it.
    assert wait_in_page(chat, lambda: bool(socket.held), 2.0), \
        "the page sent nothing over its websocket: the button's own path was not held back"
    assert wait_in_page(chat, lambda: bool(calls), 2.0) and calls == [("POST", 204)]
    socket.release()
    answer = chat.assistant.last
    answer.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    chat.wait_until_idle()
    kept = chat.answer_text()
    assert len(squash(kept)) >= 80
    assert chat.stop_button.count() == 0
    chat.page.wait_for_timeout(1000)  # at 20 ms a chunk, a running stream would add ~50 chunks meanwhile
    assert chat.answer_text() == kept, "the stopped answer kept growing"
    assert len(chat_requests(upstream)) == asked  # Stop asked nothing new upstream


def test_without_the_route_the_click_still_stops_the_answer_once_it_reaches_streamlit(held_page, upstream):
    chat, socket = held_page
    chat.page.route("**/_chat/stop", lambda route: route.abort())  # e.g. a replica that is not this one
    record = stream_long_answer(chat, upstream)
    socket.hold()
    chat.stop_button.click()
    assert not wait_in_page(chat, lambda: record.client_disconnected, 1.0), \
        "the upstream closed while the click was held back and the route was unreachable"
    assert socket.held
    socket.release()  # the click reaches Streamlit: Stop's on_click stops the answer
    assert wait_in_page(chat, lambda: record.client_disconnected, 3.0), "the button's own path did not stop it"
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    chat.wait_until_idle()
    kept = chat.answer_text()
    chat.page.wait_for_timeout(1000)
    assert len(squash(kept)) >= 80 and chat.answer_text() == kept


def current_link(chat: ChatPage) -> str | None:
    return chat.page.evaluate("() => document.__chatStopLink ? document.__chatStopLink.token : null")


def test_each_answer_brings_its_own_link_and_an_old_one_stops_nothing(held_page, upstream):
    chat, socket = held_page
    first = stream_long_answer(chat, upstream)
    first_link = current_link(chat)
    assert first_link
    chat.stop_button.click()
    assert wait_in_page(chat, lambda: first.client_disconnected, 3.0)
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    chat.wait_until_idle()

    second = stream_long_answer(chat, upstream)
    assert wait_in_page(chat, lambda: current_link(chat) not in (None, first_link), 3.0), \
        "the page still holds the ended answer's link"
    stale = chat.page.evaluate("""(token) => fetch("/_chat/stop", {method: "POST", body: token})
                                  .then((r) => r.status)""", first_link)
    assert stale == 404
    chat.page.wait_for_timeout(200)
    assert not second.client_disconnected, "the ended answer's link stopped the next one"
    socket.hold()
    chat.stop_button.click()
    assert wait_in_page(chat, lambda: second.client_disconnected, 3.0), "the second answer's link did not stop it"
    socket.release()
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
