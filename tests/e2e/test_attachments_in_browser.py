"""Attachments in Chromium, on the built-in mock: files go in through the chat input's own
file input (``set_input_files``), as a user's file picker would hand them over.

An image and a PDF: the thumbnail (a loaded picture) and the chip show in the user's bubble,
the mock's answer talks about both, the chip opens the document's text, and a refresh shows
them all again from the store. A bad file is named with its reason, nothing crashes, and
the next prompt works.
"""

from __future__ import annotations

import re

import pytest

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason
from .sample_files import png, text_pdf

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

PDF = text_pdf([["Quarterly report", "Revenue rose by 12 percent"], ["Outlook: steady"]])
RED = png(640, 480, (220, 30, 30))


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # no OPENAI_* settings: the built-in mock
        yield server


def attach(chat: ChatPage, *files: tuple[str, str, bytes]) -> None:
    """Hand files to the chat input's file input, then wait until each shows as uploaded."""
    box = chat.page.get_by_test_id("stChatInput")
    box.locator("input[type=file]").set_input_files([{"name": n, "mimeType": m, "buffer": b} for n, m, b in files])
    for name, _, _ in files:
        box.get_by_text(name, exact=True).wait_for()


def send_with_files(chat: ChatPage, text: str, *files: tuple[str, str, bytes]) -> None:
    chat.set_speed("Instant")
    attach(chat, *files)
    chat.send(text)


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
    send_with_files(chat, "Look at these", ("photo.png", "image/png", b"this is text, not a picture"),
                    ("broken.png", "image/png", corrupt), ("report.pdf", "application/pdf", PDF))
    chat.wait_until_done()
    alerts = chat.page.get_by_test_id("stAlert")
    texts = alerts.all_inner_texts()
    assert any("photo.png" in t and "text" in t for t in texts), texts
    assert any("broken.png" in t for t in texts), texts
    assert chat.page.get_by_test_id("stException").count() == 0
    user = chat.user.last
    assert thumbnails(user).count() == 0 and chip(user, "report.pdf").count() == 1
    chat.send("What is 2+2?")
    chat.wait_until_done()
    assert "4" in chat.answer_text()
    assert chat.page.get_by_test_id("stAlert").filter(has_text="photo.png").count() == 0  # the note went with the next message
