"""Feedback and share links in a real browser (issue 14): a thumbs down with a comment survives
a refresh; a share link opened by someone else (another browser context) shows the chat and
no input box; once the owner turns it off, it shows the notice.

One ``streamlit run app.py`` for the module, on the built-in mock, with its own database.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from .chat_ui import ChatPage
from .harness import StreamlitServer, chromium_missing_reason

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def app(tmp_path_factory):
    db_path = tmp_path_factory.mktemp("db") / "chat.sqlite3"
    with StreamlitServer("app.py", env={"CHAT_DB_PATH": str(db_path)}) as server:  # the built-in mock
        yield server


def ask(chat: ChatPage, prompt: str) -> None:
    chat.set_speed("Instant")
    chat.send(prompt)
    chat.wait_until_done()
    chat.page.wait_for_url(re.compile(r"\?c="))


def test_a_thumbs_down_with_a_comment_survives_a_refresh(open_chat):
    chat = open_chat()
    ask(chat, "What is 23*17+4?")
    answer = chat.assistant.last
    answer.get_by_role("radio", name="Thumbs down").click()
    chat.wait_until_idle()
    answer.get_by_role("button", name=re.compile("Comment")).click()
    box = chat.page.get_by_label("What made this answer good or bad?")
    box.fill("the calculator was not needed")
    chat.page.get_by_role("button", name="Save comment").click()
    chat.wait_until_idle()
    chat.page.reload()
    chat.input.wait_for()
    chat.wait_until_idle()
    answer = chat.assistant.last
    down, up = answer.get_by_role("radio", name="Thumbs down"), answer.get_by_role("radio", name="Thumbs up")
    assert down.get_attribute("aria-checked") == "true", "the thumbs down did not survive the refresh"
    assert up.get_attribute("aria-checked") == "false"
    answer.get_by_role("button", name=re.compile("Edit comment")).click()
    # (the page's second run after a reload redraws the box: wait for its value, up to 3 s)
    expect(chat.page.get_by_label("What made this answer good or bad?")).to_have_value("the calculator was not needed",
                                                                                       timeout=3000)


def test_a_share_link_shows_the_chat_elsewhere_without_an_input_box_until_turned_off(open_chat):
    owner = open_chat()
    ask(owner, "What is 23*17+4?")
    sidebar = owner.page.get_by_test_id("stSidebar")
    sidebar.get_by_role("button", name=re.compile("Share")).click()
    owner.page.get_by_role("button", name="Create a read-only link").click()
    owner.wait_until_idle()
    link = owner.page.get_by_test_id("stCode").filter(has_text="?share=").inner_text().strip()
    token = link.split("?share=")[1]
    assert len(token) >= 43 and owner.page.url.split("?c=")[1] not in link

    viewer = open_chat()  # another visitor: a new browser context, no cookies of the owner's
    viewer.page.goto(link)
    viewer.page.locator('[data-testid="stChatMessage"]').nth(1).wait_for()
    viewer.wait_until_idle()
    assert viewer.roles() == ["user", "assistant"]
    assert "395" in viewer.answer_text()
    assert viewer.page.get_by_test_id("stExpander").filter(has_text="calculator").count() == 1  # the tool panel
    assert viewer.input.count() == 0, "the shared view has a chat input"
    assert viewer.page.get_by_test_id("stSidebarUserContent").count() == 0
    assert viewer.page.get_by_test_id("stMainBlockContainer").get_by_role("button").filter(
        has_not_text=re.compile("calculator")).count() == 0

    owner.page.get_by_role("button", name="Turn off").first.click()
    owner.wait_until_idle()
    viewer.page.reload()
    viewer.page.get_by_text("This link was turned off.").wait_for()
    assert viewer.page.locator('[data-testid="stChatMessage"]').count() == 0
