"""Everyday use in a real browser (issue 9): prompts shown as typed, a phone-sized screen,
the sidebar's order, tool panels that say what they do and how long they have run.

One ``streamlit run app.py`` for the module, on the built-in mock; every test is a new visitor.
"""

from __future__ import annotations

import re

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


def test_a_prompt_with_markdown_and_html_shows_exactly_as_typed(open_chat):
    chat: ChatPage = open_chat()
    chat.set_speed("Instant")
    prompt = "what is 5*3 and 4*2? _not italic_ **not bold**\n# not a heading <b>not bold</b> `no code` :smile: $x$"
    chat.send(prompt)
    chat.wait_until_done()
    assert chat.answer_text(chat.user.first) == prompt
    bubble = chat.user.first
    assert bubble.locator("h1, em, strong, b, code, img, .katex").count() == 0, "part of the prompt was read as markup"


def test_on_a_phone_with_the_sidebar_closed_a_prompt_gets_its_answer(browser, app):
    context = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    context.set_default_timeout(15_000)
    try:
        chat = ChatPage.open(context.new_page(), app.url)
        sidebar = chat.page.get_by_test_id("stSidebar")
        assert sidebar.get_attribute("data-collapsed") == "true", "the sidebar covers the chat on a phone"
        box = chat.input.bounding_box()
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390 and box["y"] + box["height"] <= 844
        chat.send("What is 23*17+4?")
        chat.wait_until_done()
        assert "395" in chat.answer_text()
        assert chat.page.evaluate("document.documentElement.scrollWidth") <= 390, "the page scrolls sideways"
    finally:
        context.close()


def test_the_sidebar_puts_new_chat_and_the_model_first_and_the_rest_under_advanced(open_chat):
    chat = open_chat()
    sidebar = chat.page.get_by_test_id("stSidebar")
    content = sidebar.get_by_test_id("stSidebarUserContent")
    text = content.inner_text()
    assert text.index("New chat") < text.index("built-in mock") < text.index("Advanced")
    advanced = content.get_by_test_id("stExpander").filter(has=chat.page.get_by_text("Advanced", exact=True))
    for label in ("Provider", "Mock speed", "System prompt", "Temperature", "Tools", "Connect timeout (s)"):
        assert not advanced.get_by_text(label, exact=True).first.is_visible(), f"{label} shows outside Advanced"
    chat.open_advanced()
    for label in ("Provider", "Mock speed", "System prompt", "Temperature", "Connect timeout (s)"):
        assert advanced.get_by_text(label, exact=True).first.is_visible()


def test_a_running_tool_shows_its_time_so_far_and_panels_name_their_key_argument(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("Run the slow tool")  # slow_task runs for 3 s
    running = chat.assistant.last.get_by_test_id("stExpander").filter(has_text=re.compile(r"slow_task · running… · [12]\.0 s"))
    running.first.wait_for(timeout=15_000)  # the label ticks while the tool runs
    chat.wait_until_done()
    labels = chat.assistant.last.get_by_test_id("stExpander").locator("summary").all_inner_texts()
    assert any(re.search(r"slow_task · done · [34]\.\d s", label) for label in labels), labels

    chat.send("What time is it in Tokyo, London and New York?")
    chat.wait_until_done()
    labels = " | ".join(chat.assistant.last.get_by_test_id("stExpander").locator("summary").all_inner_texts())
    for zone in ("Asia/Tokyo", "Europe/London", "America/New_York"):
        assert f"current_time · {zone} · done" in labels, labels
