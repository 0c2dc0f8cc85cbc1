"""Versions in a real browser (issue 14): Regenerate twice and step through the three
answers with ‹ ›; edit a prompt and switch back to the original branch; a refresh keeps the
version chosen. One ``streamlit run app.py`` on the built-in mock; every test is a new visitor.
"""

from __future__ import annotations

import re

import pytest

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

LABEL = re.compile(r"^\d+ / \d+$")


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # no OPENAI_* settings: the built-in mock
        yield server


def pick_scenario(chat: ChatPage, title: str) -> None:
    """The sidebar's "Mock scenario" (so each regenerated answer reads differently)."""
    chat.open_advanced()
    box = chat.page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Mock scenario")
    box.locator("input").click()
    chat.page.keyboard.type(title)
    chat.page.keyboard.press("Enter")
    chat.wait_until_idle()


def version_label(message) -> str:
    labels = [t.strip() for t in message.get_by_test_id("stCaptionContainer").all_inner_texts() if LABEL.match(t.strip())]
    return labels[0] if labels else ""


def switch(chat: ChatPage, message, arrow: str) -> None:
    before = version_label(message)
    message.get_by_role("button", name=arrow, exact=True).click()
    chat.page.wait_for_function("""([before, arrow]) => {
        const el = [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
          .map(e => e.innerText.trim()).find(t => /^\\d+ \\/ \\d+$/.test(t));
        return el !== undefined && el !== before;
    }""", arg=[before, arrow])
    chat.wait_until_idle()


def test_regenerate_twice_and_switch_between_three_answers(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("hello")
    chat.wait_until_done()
    first = chat.answer_text()
    assert first.startswith("Hello!") and version_label(chat.assistant.last) == ""
    for title in ("Markdown answer", "Long answer"):
        pick_scenario(chat, title)
        chat.assistant.last.get_by_role("button", name="Regenerate").click()
        chat.page.wait_for_function("""() => [...document.querySelectorAll('[data-testid="stCaptionContainer"]')]
            .some(e => /^\\d+ \\/ \\d+$/.test(e.innerText.trim()))""")
        chat.wait_until_done()
    third = chat.answer_text()
    assert "long-form guide" in third and version_label(chat.assistant.last) == "3 / 3"
    assert chat.messages.count() == 2
    switch(chat, chat.assistant.last, "‹")
    second = chat.answer_text()
    assert version_label(chat.assistant.last) == "2 / 3" and second.startswith("Hello") and second not in (first, third)
    switch(chat, chat.assistant.last, "‹")
    assert version_label(chat.assistant.last) == "1 / 3" and chat.answer_text() == first
    assert chat.assistant.last.get_by_role("button", name="‹", exact=True).is_disabled()
    switch(chat, chat.assistant.last, "›")
    switch(chat, chat.assistant.last, "›")
    assert version_label(chat.assistant.last) == "3 / 3" and chat.answer_text() == third
    assert chat.messages.count() == 2


def test_edit_a_prompt_then_switch_back_to_the_original_branch(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("What is 2+2?")
    chat.wait_until_done()
    chat.send("hello")
    chat.wait_until_done()
    assert chat.messages.count() == 4
    chat.user.nth(1).get_by_role("button", name="Edit").click()
    box = chat.user.nth(1).get_by_role("textbox")
    box.fill("What is 3*7?")
    box.press("Control+Enter")
    chat.page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stChatMessage"]')].some(m => m.innerText.includes('What is 3*7?'))
                 && !document.querySelector('[data-testid="stChatMessage"] textarea')""")
    chat.wait_until_done()
    assert chat.answer_text(chat.user.nth(1)) == "What is 3*7?" and "21" in chat.answer_text()
    assert version_label(chat.user.nth(1)) == "2 / 2" and version_label(chat.user.first) == ""
    switch(chat, chat.user.nth(1), "‹")
    assert chat.answer_text(chat.user.nth(1)) == "hello" and chat.answer_text().startswith("Hello!")
    assert version_label(chat.user.nth(1)) == "1 / 2" and chat.messages.count() == 4
    chat.page.reload()  # the choice was saved: a refresh shows the same branch
    chat.input.wait_for()
    chat.wait_until_idle()
    chat.user.nth(1).wait_for()
    assert chat.answer_text(chat.user.nth(1)) == "hello" and version_label(chat.user.nth(1)) == "1 / 2"
