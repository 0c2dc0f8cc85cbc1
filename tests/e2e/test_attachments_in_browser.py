"""Attachments in Chromium, on the built-in mock: files go in through the chat input's own
file input (``set_input_files``), as a user's file picker would hand them over.

An image and a PDF: the thumbnail (a loaded picture) and the chip show in the user's bubble,
the mock's answer talks about both, the chip opens the document's text, and a refresh shows
them all again from the store. A bad file is named with its reason, nothing crashes, and
the next prompt works.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .chat_ui import ChatPage, squash
from .harness import StreamlitServer, chromium_missing_reason
from .sample_files import png, text_pdf

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

PDF = text_pdf([["Quarterly report", "Revenue rose by 12 percent"], ["Outlook: steady"]])
RED = png(640, 480, (220, 30, 30))
HOSTILE_NAME = "**bold** <img src=x onerror=alert(1)> :red[hi].png"
HOSTILE_PDF = "_notes_ <b>x [link](javascript:alert(1)).pdf"


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # no OPENAI_* settings: the built-in mock
        yield server


def attach(chat: ChatPage, *files: tuple[str, str, bytes]) -> None:
    """Hand files to the chat input's file input, then wait until each shows as uploaded."""
    box = chat.page.get_by_test_id("stChatInput")
    box.locator("input[type=file]").set_input_files([{"name": n, "mimeType": m, "buffer": b} for n, m, b in files])
    for name, _, _ in files:
        box.get_by_test_id("stFileChipName").and_(box.get_by_title(name, exact=True)).wait_for()


def send_with_files(chat: ChatPage, text: str, *files: tuple[str, str, bytes]) -> None:
    chat.set_speed("Instant")
    # The speed's rerun is over (a slider sends its value a moment after the key press; on a busy
    # machine a short quiet spell came before that rerun, and the upload was redrawn away).
    chat.wait_until_idle(settle=1.0)
    attach(chat, *files)
    chat.send(text)
    chat.user.last.filter(has_text=text).wait_for(timeout=15_000)  # the prompt was taken, files and all


def thumbnails(message):
    return message.locator('[data-testid="stImage"] img')


def loaded(img) -> bool:
    return img.evaluate("i => i.complete && i.naturalWidth > 0")


def chip(message, name: str):
    return message.get_by_role("button", name=re.compile(re.escape(name)))


def test_an_image_and_a_pdf_show_the_answer_uses_them_and_a_refresh_keeps_them(open_chat):
    chat = open_chat()
    send_with_files(chat, "What is in these?", ("red.png", "image/png", RED), ("report.pdf", "application/pdf", PDF))
    chat.wait_until_done()
    user = chat.user.last
    assert thumbnails(user).count() == 1 and loaded(thumbnails(user).first)
    assert re.fullmatch(r"report\.pdf · \d+ B · 2 pages", chip(user, "report.pdf").inner_text().strip().split("\n")[-1])
    answer = chat.answer_text()
    assert "report.pdf" in answer
    assert "640" in answer and "480" in answer and "red" in answer.lower()  # the mock "saw" the image

    chip(user, "report.pdf").click()
    dialog = chat.page.get_by_role("dialog")
    dialog.get_by_text("Revenue rose by 12 percent").wait_for()
    chat.page.keyboard.press("Escape")
    dialog.wait_for(state="hidden")

    assert "c=" in chat.page.url  # the conversation's link: a refresh resumes it
    chat.page.reload()
    chat.input.wait_for()
    chat.wait_until_idle()
    user = chat.user.last
    user.locator('[data-testid="stImage"] img').first.wait_for()
    assert thumbnails(user).count() == 1 and loaded(thumbnails(user).first)
    assert chip(user, "report.pdf").count() == 1
    assert "report.pdf" in chat.answer_text()


def test_a_bad_file_shows_its_reason_nothing_crashes_and_the_next_prompt_works(open_chat):
    chat = open_chat()
    corrupt = RED[: len(RED) // 2]  # a PNG cut in half
    send_with_files(chat, "Look at these", (HOSTILE_NAME, "image/png", b"this is text, not a picture"),
                    ("broken.png", "image/png", corrupt), (HOSTILE_PDF, "application/pdf", PDF))
    chat.wait_until_done()
    alerts = chat.page.get_by_test_id("stAlert")
    texts = alerts.all_inner_texts()
    assert any(HOSTILE_NAME in t and "text" in t for t in texts), texts  # the name exactly as given: no bold, no tag
    assert any("broken.png" in t for t in texts), texts
    assert chat.page.get_by_test_id("stException").count() == 0
    user = chat.user.last
    assert chat.page.locator('img[src="x"]').count() == 0
    assert alerts.locator("strong, a").count() == 0 and user.locator("strong, a, b").count() == 0  # nothing became markup
    assert thumbnails(user).count() == 0 and chip(user, HOSTILE_PDF[:30]).count() == 1  # shortened on the chip
    chip(user, HOSTILE_PDF[:30]).click()
    chat.page.get_by_role("dialog").get_by_text(HOSTILE_PDF, exact=True).wait_for()  # whole, as given
    chat.page.keyboard.press("Escape")
    chat.send("What is 2+2?")
    chat.assistant.nth(1).wait_for()  # the new answer, not the last one's footer
    chat.wait_until_done()
    assert "4" in chat.answer_text()
    assert chat.page.get_by_test_id("stAlert").filter(has_text=HOSTILE_NAME).count() == 0  # the note went with the next message


# A microphone for a headless browser: getUserMedia hands over a 440 Hz tone made in the page.
FAKE_MIC = """
navigator.mediaDevices.getUserMedia = async () => {
  const ctx = new AudioContext();
  const tone = ctx.createOscillator();
  const out = ctx.createMediaStreamDestination();
  tone.frequency.value = 440;
  tone.connect(out);
  tone.start();
  return out.stream;
};
"""


def open_with_mic(browser, url: str, contexts: list) -> ChatPage:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    context.add_init_script(FAKE_MIC)
    contexts.append(context)
    return ChatPage.open(context.new_page(), url)


def record(chat: ChatPage, seconds: float = 1.5) -> None:
    chat.page.get_by_test_id("stChatInputMicButton").click()
    chat.page.get_by_test_id("stChatInputApproveButton").wait_for()
    chat.page.wait_for_timeout(seconds * 1000)
    chat.page.get_by_test_id("stChatInputApproveButton").click()


@pytest.fixture
def contexts():
    opened: list = []
    yield opened
    for context in opened:
        context.close()


def test_a_voice_message_is_transcribed_into_the_bubble_before_the_answer(browser, app, contexts):
    chat = open_with_mic(browser, app.url, contexts)
    chat.set_speed("Realistic")  # the answer takes seconds: the transcript must show before it is done
    record(chat)
    user = chat.user.last
    user.get_by_text("[Mock transcript]").wait_for()
    assert "WAV recording at 16,000 Hz" in user.inner_text()
    answer_then = chat.answer_text() if chat.assistant.count() else ""
    chat.wait_until_done(timeout=60)
    assert len(squash(answer_then)) < len(squash(chat.answer_text()))  # the transcript came first
    user = chat.user.last
    assert "[Mock transcript]" in user.inner_text()  # it is the prompt, as stored
    assert user.get_by_test_id("stAudio").count() == 1  # the recording is kept with the message
    assert "transcribed into the text above" in user.inner_text()


class _DeafServer:
    """An OpenAI-compatible server with chat but no /v1/audio/transcriptions (404), counting chat requests."""

    def __init__(self) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

        outer = self
        self.chat_requests = 0

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args) -> None:
                pass

            def _send(self, status: int, body: bytes, kind: str) -> None:
                self.send_response(status)
                self.send_header("Content-Type", kind)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def do_GET(self) -> None:
                self._send(200, json.dumps({"object": "list", "data": [{"id": "chat-only", "object": "model",
                                                                         "created": 1, "owned_by": "x"}]}).encode(),
                           "application/json")

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path.endswith("/audio/transcriptions"):
                    self._send(404, b'{"error": {"message": "Not Found", "type": "invalid_request_error"}}', "application/json")
                    return
                outer.chat_requests += 1
                chunk = {"id": "c", "object": "chat.completion.chunk", "created": 1, "model": "chat-only",
                         "choices": [{"index": 0, "delta": {"role": "assistant", "content": "Hi."}, "finish_reason": "stop"}]}
                self._send(200, f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode(), "text/event-stream")

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def close(self) -> None:
        self._server.shutdown()
        self._server.server_close()


def test_a_server_that_cannot_transcribe_says_so_keeps_the_recording_and_sends_nothing(browser, contexts):
    deaf = _DeafServer()
    try:
        with StreamlitServer("app.py", env={"OPENAI_BASE_URL": deaf.url, "OPENAI_API_KEY": "sk-test-not-real",
                                            "OPENAI_MODEL": "chat-only"}) as server:
            chat = open_with_mic(browser, server.url, contexts)
            record(chat)
            note = chat.page.get_by_test_id("stAlert").filter(has_text="Your voice message was not sent")
            note.wait_for()
            assert "can't transcribe audio (404" in note.inner_text()
            assert chat.page.get_by_test_id("stAudio").count() == 1  # kept, playable
            assert deaf.chat_requests == 0 and chat.assistant.count() == 0  # nothing was sent to the model
            chat.send("Hello in writing then")
            chat.wait_until_done()
            assert deaf.chat_requests == 1 and "Hi." in chat.answer_text()
            assert chat.page.get_by_test_id("stAudio").count() == 0  # something else was sent: the recording went
    finally:
        deaf.close()


def test_an_svg_or_html_file_is_only_ever_shown_as_text(open_chat):
    chat = open_chat()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg" onload="window.__ran = 1"><script>window.__ran = 2</script></svg>'
    html = b'<html><body><img src="x" onerror="window.__ran = 3"><h1>Hello</h1></body></html>'
    send_with_files(chat, "What are these?", ("logo.svg", "image/svg+xml", svg), ("page.html", "text/html", html))
    chat.wait_until_done()
    user = chat.user.last
    for name, source in (("logo.svg", svg), ("page.html", html)):
        chip(user, name).click()
        dialog = chat.page.get_by_role("dialog")
        dialog.get_by_text(name, exact=True).wait_for()  # this file's preview, not the last one's
        code = dialog.get_by_test_id("stCode").filter(has_text=source.decode()[:30])
        code.wait_for()
        assert code.inner_text().strip() == source.decode()  # the markup, as characters
        chat.page.keyboard.press("Escape")
        dialog.wait_for(state="hidden")
    assert chat.page.evaluate("window.__ran") is None  # no handler or script of theirs ran
    assert chat.page.locator('img[src="x"], svg[onload], h1:text("Hello")').count() == 0


def test_history_shows_the_files_and_the_exports_carry_them(open_chat):
    chat = open_chat()
    send_with_files(chat, "What is in these?", ("red.png", "image/png", RED), ("report.pdf", "application/pdf", PDF))
    chat.wait_until_done()
    page = chat.page
    page.get_by_role("link", name="History").click()
    page.get_by_role("button", name="More").click()
    files = page.get_by_test_id("stExpander").filter(has_text="Attachments (2)")
    files.locator("summary").click()
    files.locator('[data-testid="stImage"] img').first.wait_for()
    assert loaded(files.locator('[data-testid="stImage"] img').first) and chip(files, "report.pdf").count() == 1
    with page.expect_download() as got:
        page.get_by_role("button", name="JSON").click()
    exported = Path(got.value.path()).read_text()
    assert "data:image/" in exported and "report.pdf" in exported and "Revenue rose by 12 percent" in exported


def test_a_file_over_the_per_file_limit_is_stopped_by_the_input_box_with_why(browser, contexts, tmp_path):
    config = tmp_path / "chat.toml"
    config.write_text("[attachments]\nfile_mb = 1\n")
    with StreamlitServer("app.py", env={"CHAT_CONFIG": str(config)}) as server:
        context = browser.new_context(viewport={"width": 1280, "height": 900})
        contexts.append(context)
        chat = ChatPage.open(context.new_page(), server.url)
        chat.page.get_by_test_id("stChatInput").locator("input[type=file]").set_input_files(
            [{"name": "big.txt", "mimeType": "text/plain", "buffer": b"a" * 1_500_000}])
        chip_ = chat.page.get_by_test_id("stFileChip").filter(has_text="big.txt")
        chip_.get_by_test_id("stFileChipIconError").wait_for()  # marked, never uploaded
        chip_.hover()
        chat.page.get_by_role("tooltip").filter(has_text="File must be 1.0MB or smaller.").wait_for()
        chat.send("What is 2+2?")
        chat.wait_until_done()
        assert "4" in chat.answer_text() and chat.page.get_by_test_id("stException").count() == 0
