"""The sidebar's *Advanced* section in a real browser: built only while open, nothing lost.

Folded, the page holds none of its widgets, but the Markdown guide still reaches the browser
(it preloads the math and code renderers, see ui/sidebar.py ``render_markdown_guide``). What
the visitor set there stays set over folding, prompts and a visit to another page.
"""

from __future__ import annotations

import pytest

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app():
    with StreamlitServer("app.py") as server:  # no OPENAI_* settings: the built-in mock
        yield server


def advanced(chat: ChatPage):
    return chat.page.get_by_test_id("stSidebar").get_by_test_id("stExpander").filter(
        has=chat.page.get_by_text("Advanced", exact=True))


def fold(chat: ChatPage) -> None:
    section = advanced(chat)
    if section.locator("details").first.evaluate("d => d.open"):
        section.locator("summary").first.click()
    chat.page.get_by_test_id("stSlider").filter(has_text="Mock speed").wait_for(state="detached")
    chat.wait_until_idle()


def speed_shown(chat: ChatPage) -> str:
    slider = chat.page.get_by_test_id("stSlider").filter(has_text="Mock speed")
    return slider.get_by_test_id("stSliderThumbValue").inner_text()


def test_folded_nothing_of_advanced_is_built_but_the_markdown_guide_is_there(open_chat):
    chat = open_chat()
    sidebar = chat.page.get_by_test_id("stSidebar")
    assert sidebar.get_by_test_id("stSlider").count() == 0 and sidebar.get_by_test_id("stNumberInput").count() == 0
    assert sidebar.get_by_test_id("stTextArea").count() == 0
    assert advanced(chat).locator(".katex").count() >= 1, "the guide's math did not reach the browser"
    assert advanced(chat).locator("pre code").count() >= 1, "the guide's code block did not reach the browser"
    assert sidebar.get_by_text("Try these prompts").count() == 1
    chat.open_advanced()
    chat.page.get_by_test_id("stSlider").filter(has_text="Mock speed").wait_for()
    sidebar.get_by_test_id("stNumberInput").nth(4).wait_for(timeout=5000)  # they arrive one by one


def test_what_was_set_stays_set_over_folding_a_prompt_and_another_page(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    prompt = chat.page.get_by_test_id("stSidebar").get_by_test_id("stTextArea").filter(
        has_text="System prompt").locator("textarea")
    prompt.fill("Answer in haiku only.")
    prompt.press("Control+Enter")
    chat.wait_until_idle()
    fold(chat)
    chat.send("What is 23*17+4?")
    chat.wait_until_done(timeout=15)  # Instant: a folded section's speed is the one set
    assert "395" in chat.answer_text()
    chat.page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    chat.page.get_by_role("heading", name="History").wait_for()
    chat.page.get_by_test_id("stSidebarNav").get_by_role("link", name="Chat").first.click()
    chat.input.wait_for()
    chat.wait_until_idle()
    chat.open_advanced()
    chat.page.get_by_test_id("stSlider").filter(has_text="Mock speed").wait_for()
    assert speed_shown(chat) == "Instant"
    assert chat.page.get_by_test_id("stSidebar").get_by_test_id("stTextArea").filter(
        has_text="System prompt").locator("textarea").input_value() == "Answer in haiku only."
