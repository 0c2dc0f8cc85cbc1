"""Everyday use in a real browser (issue 9): prompts shown as typed, a phone-sized screen,
the sidebar's order, tool panels that say what they do and how long they have run, copy,
message times, Ctrl/Cmd+Enter for edits, dark mode, and the visual polish.

One ``streamlit run app.py`` for the module, on the built-in mock; every test is a new visitor.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import openai
import pytest

from chatcore.mock import MockOptions, mock_http_client
from chatcore.mock.assemble import assemble

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
    running = chat.assistant.last.get_by_test_id("stExpander").filter(has_text=re.compile(r"slow_task · running… · \d+\.0 s"))
    running.first.wait_for(timeout=15_000)  # the label ticks (whole seconds) while the tool runs
    chat.wait_until_done()
    labels = chat.assistant.last.get_by_test_id("stExpander").locator("summary").all_inner_texts()
    done = [float(m.group(1)) for label in labels if (m := re.search(r"slow_task · done · (\d+\.\d) s", label))]
    assert done and done[0] >= 2.9, labels  # then its real duration

    chat.send("What time is it in Tokyo, London and New York?")
    chat.wait_until_done()
    labels = " | ".join(chat.assistant.last.get_by_test_id("stExpander").locator("summary").all_inner_texts())
    for zone in ("Asia/Tokyo", "Europe/London", "America/New_York"):
        assert f"current_time · {zone} · done" in labels, labels


def mock_says(prompt: str) -> str:
    """The full text the built-in mock answers to ``prompt`` (a prompt that calls no tool)."""
    client = openai.OpenAI(base_url="http://mock.invalid/v1", api_key="x",
                           http_client=mock_http_client(MockOptions(ttft=0, chunk_delay=0)))
    stream = client.chat.completions.create(model="mock-gpt", messages=[{"role": "user", "content": prompt}],
                                            stream=True)
    return assemble(stream).content


def rgb(css: str) -> tuple[int, ...]:
    return tuple(int(v) for v in re.findall(r"\d+", css)[:3])


def test_copy_puts_the_answers_markdown_on_the_clipboard_in_one_click(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, permissions=["clipboard-read", "clipboard-write"])
    context.set_default_timeout(15_000)
    try:
        chat = ChatPage.open(context.new_page(), app.url)
        chat.set_speed("Instant")
        chat.send("Explain how photosynthesis works")
        chat.wait_until_done()
        copy = chat.assistant.last.locator("button.copy-md")
        assert copy.inner_text().strip().endswith("Copy")
        copy.click()
        copy.filter(has_text=re.compile("Copied|Copy failed")).wait_for()
        assert "Copied" in copy.inner_text()
        clipboard = chat.page.evaluate("navigator.clipboard.readText()")
        assert clipboard == mock_says("Explain how photosynthesis works")
        assert clipboard.count("\n") > 10 and "## " in clipboard and "```" in clipboard, "not the Markdown source"
    finally:
        context.close()


def test_ctrl_enter_sends_an_edited_prompt(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("What is 2+2?")
    chat.wait_until_done()
    chat.user.first.get_by_role("button", name="Edit").click()
    box = chat.user.first.get_by_role("textbox")
    box.fill("What is 3*7?")
    box.press("Control+Enter")
    chat.page.wait_for_function(
        """() => [...document.querySelectorAll('[data-testid="stChatMessage"]')].some(m => m.innerText.includes('What is 3*7?'))
                 && !document.querySelector('[data-testid="stChatMessage"] textarea')""")
    chat.wait_until_done()
    assert chat.answer_text(chat.user.first) == "What is 3*7?"
    assert "21" in chat.answer_text()


def test_messages_show_their_time_in_the_readers_zone(browser, app):
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Pacific/Kiritimati")  # UTC+14
    context.set_default_timeout(15_000)
    try:
        chat = ChatPage.open(context.new_page(), app.url)
        chat.set_speed("Instant")
        chat.send("hello")
        chat.wait_until_done()
        expected = {f"{datetime.now(ZoneInfo('Pacific/Kiritimati')) + timedelta(minutes=d):%H:%M}" for d in (-1, 0, 1)}
        shown = chat.user.first.get_by_test_id("stCaptionContainer").inner_text().strip()
        assert shown in expected, f"{shown!r} is not the reader's local time ({sorted(expected)})"
        assert chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text=re.compile(r"^\d\d:\d\d$")).count() == 1
    finally:
        context.close()


def test_dark_mode_follows_the_system_and_the_menu_switches_it(browser, app):
    for scheme in ("light", "dark"):
        context = browser.new_context(color_scheme=scheme)
        try:
            page = ChatPage.open(context.new_page(), app.url).page
            background = rgb(page.get_by_test_id("stApp").evaluate("e => getComputedStyle(e).backgroundColor"))
            assert (sum(background) > 600) == (scheme == "light"), f"{scheme} system, background {background}"
            if scheme == "light":
                page.get_by_test_id("stMainMenu").click()
                page.get_by_role("menuitemradio", name="Dark").click()
                page.wait_for_function(
                    """() => { const [r, g, b] = getComputedStyle(document.querySelector('[data-testid="stApp"]'))
                                   .backgroundColor.match(/\\d+/g).map(Number); return r + g + b < 200; }""")
        finally:
            context.close()


def test_answer_headings_are_smaller_than_the_title_and_reasoning_is_muted(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("Explain how photosynthesis works")
    chat.wait_until_done()
    size = "e => parseFloat(getComputedStyle(e).fontSize)"
    title = chat.page.get_by_test_id("stMainBlockContainer").locator("h1").first.evaluate(size)
    headings = chat.assistant.last.locator("h1, h2, h3")
    assert headings.count() >= 2
    assert max(h.evaluate(size) for h in headings.all()) < 0.6 * title
    chat.send("Think about why the sky is blue")
    chat.wait_until_done()
    details = chat.assistant.last.locator('[class*="st-key-reasoning-"] [data-testid="stExpanderDetails"]')
    assert details.count() == 1
    answer_size = chat.assistant.last.evaluate(size)
    assert details.evaluate(size) < answer_size and float(details.evaluate("e => getComputedStyle(e).opacity")) < 1


def test_history_delete_buttons_are_red(open_chat):
    chat = open_chat()
    chat.set_speed("Instant")
    chat.send("hello")
    chat.wait_until_done()
    chat.page.get_by_test_id("stSidebarNav").get_by_role("link", name="History").click()
    chat.page.get_by_role("button", name="More").first.click()
    delete = chat.page.get_by_role("button", name=re.compile("Delete"))
    delete.first.wait_for()
    red, green, blue = rgb(delete.first.evaluate("e => getComputedStyle(e).color"))
    assert red > 150 and green < 100 and blue < 100, (red, green, blue)
