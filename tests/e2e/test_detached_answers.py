"""An answer streams on the server, detached from the page: a reload, a second tab or a click
elsewhere re-attaches to it; only Stop (the button or Esc) or a new prompt ends it; Continue
carries a stopped answer on in the same bubble."""

from __future__ import annotations

import time

import pytest

from chatcore.store import ChatStore

from .chat_ui import ChatPage, squash
from .harness import StreamlitServer, chromium_missing_reason
from .test_chat_in_browser import LONG_PROMPT, mock_says

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser

MEDIUM_PROMPT = "Explain how photosynthesis works"  # ~1,400 characters: ~25 s at the "Slow" speed


@pytest.fixture(scope="module")
def db_path(tmp_path_factory):
    return tmp_path_factory.mktemp("detached") / "chat.sqlite3"


@pytest.fixture(scope="module")
def app(db_path):
    with StreamlitServer("app.py", env={"CHAT_DB_PATH": str(db_path)}) as server:
        yield server


def stored_answer(db_path, link: str):
    store = ChatStore(f"sqlite:///{db_path}")
    try:
        conversation = store.load(link, f"link:{link}")
    finally:
        store.close()
    assert conversation is not None, "the conversation was not saved"
    return conversation.entries[-1]


def link_of(chat: ChatPage) -> str:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        link = chat.page.evaluate("new URLSearchParams(location.search).get('c')")
        if link:
            return link
        time.sleep(0.05)
    raise AssertionError("the chat's link is not in the URL")


def test_a_reload_mid_answer_reattaches_and_the_answer_completes(open_chat, app, db_path):
    chat = open_chat()
    expected = mock_says(MEDIUM_PROMPT)
    chat.set_speed("Slow")  # so the reload surely lands mid-answer, even on a busy machine
    chat.send(MEDIUM_PROMPT)
    before = chat.wait_for_answer_text(min_chars=60)
    link = link_of(chat)
    chat.page.reload()
    chat.input.wait_for(timeout=30_000)
    # The reloaded page shows what was said so far at once and goes on live to the end.
    chat.wait_for_answer_text(min_chars=len(squash(before)) + 40, timeout=30)
    chat.wait_until_done(timeout=90)
    assert "Stopped" not in chat.captions()
    assert chat.page.get_by_text("Happy to go further").count() == 1  # the end of the answer is shown, once
    answer = stored_answer(db_path, link)
    assert answer.status == "complete" and answer.text == expected  # the upstream was never closed early


def answer_open_in_two_tabs(open_chat, app) -> tuple[ChatPage, ChatPage, str]:
    """An answer streaming slowly in one tab, and its link opened in a second tab."""
    chat = open_chat()
    chat.set_speed("Slow")
    chat.send(MEDIUM_PROMPT)
    chat.wait_for_answer_text(min_chars=40)
    link = link_of(chat)
    second = ChatPage(chat.page.context.new_page())
    second.page.goto(f"{app.url}/?c={link}")
    return chat, second, link


def test_the_same_link_in_a_second_tab_shows_the_answer_live(open_chat, app):
    chat, second, link = answer_open_in_two_tabs(open_chat, app)
    second.input.wait_for(timeout=30_000)
    first_seen = len(squash(second.wait_for_answer_text(min_chars=40, timeout=30)))
    second.wait_for_answer_text(min_chars=first_seen + 60, timeout=30)  # it grows there too
    second.wait_until_done(timeout=90)
    chat.wait_until_done(timeout=90)
    assert squash(second.answer_text()) == squash(chat.answer_text())


def test_stop_in_a_second_tab_ends_the_answer_in_both_and_keeps_it(open_chat, app, db_path):
    chat, second, link = answer_open_in_two_tabs(open_chat, app)
    second.wait_for_answer_text(min_chars=60, timeout=30)
    second.stop_button.click()  # Stop's on_click ends the answer this tab follows, started by the first
    for tab in (second, chat):
        tab.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    kept = squash(chat.answer_text())
    time.sleep(1.0)
    assert squash(chat.answer_text()) == kept, "the answer kept growing in the first tab"
    answer = stored_answer(db_path, link)
    assert answer.status == "stopped" and 60 <= len(answer.text) < len(mock_says(MEDIUM_PROMPT))


def test_a_click_elsewhere_mid_answer_does_not_stop_it(open_chat):
    chat = open_chat()
    chat.send(MEDIUM_PROMPT)
    chat.wait_for_answer_text(min_chars=40)
    chat.set_speed("Fast")  # a widget event mid-answer: the page reruns
    chat.wait_until_done(timeout=60)
    assert "Stopped" not in chat.captions()
    assert chat.page.get_by_text("Happy to go further").count() == 1


def test_escape_stops_the_answer_and_keeps_it(open_chat):
    chat = open_chat()
    chat.send(LONG_PROMPT)
    chat.wait_for_answer_text(min_chars=80)
    chat.input.press("Escape")  # where the user's hands are
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    kept = chat.answer_text()
    time.sleep(1.0)
    assert chat.answer_text() == kept, "the stopped answer kept growing"


def test_stop_then_continue_gives_one_answer_equal_to_the_uninterrupted_one(open_chat, db_path):
    chat = open_chat()
    expected = mock_says(LONG_PROMPT)
    chat.send(LONG_PROMPT)
    chat.wait_for_answer_text(min_chars=300)
    chat.stop_button.click()
    chat.assistant.last.get_by_test_id("stCaptionContainer").filter(has_text="Stopped").wait_for(timeout=5000)
    chat.wait_until_idle()
    chat.set_speed("Instant")
    chat.page.get_by_role("button", name="Continue").click()
    chat.wait_until_done(timeout=60)
    assert chat.roles() == ["user", "assistant"], "Continue started a second bubble"
    assert "Stopped" not in chat.captions()
    assert chat.page.get_by_text("End of the long answer").count() == 1
    answer = stored_answer(db_path, link_of(chat))
    assert answer.text == expected and answer.status == "complete"  # one stored answer, seamless
