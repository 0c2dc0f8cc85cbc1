"""kill -9 the server mid-answer: after a restart, the prompt and the partial answer are there.

The app checkpoints a streaming answer every second; an answer whose checkpoints stopped
(``CHAT_STALE_AFTER_S``, 2 s here) is shown and saved as interrupted.
"""

from __future__ import annotations

import os
import signal
import time

import pytest

from .chat_ui import ChatPage, is_prefix, squash
from .harness import StreamlitServer, chromium_missing_reason
from .test_chat_in_browser import LONG_PROMPT, mock_says

if chromium_missing_reason():
    pytest.skip(chromium_missing_reason(), allow_module_level=True)

pytestmark = pytest.mark.browser


@pytest.fixture
def app():  # the conftest's open_chat wants one; this test starts its own servers
    return None


def test_a_server_killed_mid_answer_loses_at_most_the_last_second(browser, tmp_path):
    env = {"CHAT_DB_PATH": str(tmp_path / "chat.sqlite3"), "CHAT_STALE_AFTER_S": "2"}
    expected = mock_says(LONG_PROMPT)
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.set_default_timeout(15_000)
    try:
        first = StreamlitServer("app.py", env=env).start()
        try:
            chat = ChatPage.open(context.new_page(), first.url)
            chat.send(LONG_PROMPT)
            chat.wait_for_answer_text(min_chars=400, timeout=30)
            link = chat.page.evaluate("new URLSearchParams(location.search).get('c')")
            assert link, "the chat's link is not in the URL"
            time.sleep(1.5)
            shown_a_second_before = chat.answer_text()
            time.sleep(1.0)
            shown_at_the_end = chat.answer_text()
            os.killpg(first.proc.pid, signal.SIGKILL)  # no goodbye: no final save
            first.proc.wait(10)
        finally:
            first.stop()
        assert len(squash(shown_at_the_end)) > len(squash(shown_a_second_before)), "the answer was not streaming"

        with StreamlitServer("app.py", env=env) as second:
            time.sleep(2.5)  # the last checkpoint is now stale
            page = context.new_page()
            page.goto(f"{second.url}/?c={link}")
            chat = ChatPage(page)
            chat.input.wait_for(timeout=30_000)  # a fresh server's first page is slow on a busy machine
            chat.wait_until_idle()
            page.get_by_text("The server restarted while this answer streamed").wait_for()
            assert chat.roles() == ["user", "assistant"]
            assert chat.answer_text(chat.user.first) == LONG_PROMPT
            kept = chat.answer_text()
            assert is_prefix(kept, expected), "the kept answer is not what the model had sent"
            assert len(squash(kept)) >= len(squash(shown_a_second_before)), "more than the last second was lost"
            assert len(squash(kept)) < len(squash(expected))
            # The chat goes on after the restart.
            chat.set_speed("Instant")
            chat.send("What is 23*17+4?")
            chat.wait_until_done(chat.assistant.nth(1))
            assert "395" in chat.answer_text(chat.assistant.nth(1))
    finally:
        context.close()
