"""A light chat page (issue #12): long chats draw their newest messages, answers end in place.

What a user notices: a long chat opens on its newest messages with a button for earlier ones
(every message stays reachable); a finished answer has its Edit, Regenerate and Copy row at
once and looks the same when the page is later drawn from the saved records; only the last
answer offers Regenerate.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from streamlit.testing.v1 import AppTest

from chatcore.events import Chunk
from chatcore.turn import Turn
from ui.history_window import MORE, STEP, WINDOW

from .conftest import open_advanced

APP = str(Path(__file__).resolve().parents[2] / "dashboard.py")


@pytest.fixture
def at(monkeypatch) -> AppTest:
    for name in ("OPENAI_API_KEY", "OPENAI_BASE_URL", "OPENAI_MODEL"):
        monkeypatch.delenv(name, raising=False)
    app = AppTest.from_file(APP, default_timeout=30)
    app.run()
    open_advanced(app).sidebar.select_slider(key="mock_speed").set_value("Instant").run()
    return app


def fill(at: AppTest, pairs: int) -> None:
    """``pairs`` earlier prompts and answers in the open chat (as a long chat reopened)."""
    conversation = at.session_state["chat_session"].conversation
    for i in range(pairs):
        conversation.add_user(f"question {i}")
        turn = Turn(model="mock")
        turn.apply(Chunk(content=f"answer {i}"))
        turn.finish("complete", "stop")
        conversation.add_turn(turn)


def drawn(total: int, asked: int = WINDOW) -> int:
    """How many of ``total`` messages the page draws when ``asked`` (the newest, from a start on a STEP boundary)."""
    return total - (total - min(total, asked)) // STEP * STEP


def shown_texts(at: AppTest) -> list[str]:
    return ["\n".join(m.value for m in message.markdown) for message in at.chat_message]


def earlier_button(at: AppTest):
    return [b for b in at.button if b.label.startswith("Show earlier messages")]


def test_a_long_chat_draws_its_newest_messages_and_earlier_ones_on_request(at):
    pairs = 30
    fill(at, pairs)
    at.run()
    texts = shown_texts(at)
    assert WINDOW <= len(texts) == drawn(2 * pairs) < WINDOW + STEP
    assert "answer 29" in texts[-1] and texts[0] == f"question {pairs - len(texts) // 2}"  # the newest, in order
    [more] = earlier_button(at)
    assert f"({2 * pairs - len(texts)} more)" in more.label
    more.click().run()
    assert len(shown_texts(at)) == drawn(2 * pairs, WINDOW + MORE)
    while earlier_button(at) and len(shown_texts(at)) < 2 * pairs:
        earlier_button(at)[0].click().run()
    texts = shown_texts(at)
    assert len(texts) == 2 * pairs and "question 0" in texts[0]  # every message reachable
    assert not earlier_button(at)


def test_a_new_prompt_in_a_long_chat_shows_with_its_answer_below_the_window(at):
    fill(at, 30)
    at.run()
    at.chat_input(key="prompt").set_value("hello there").run()
    texts = shown_texts(at)
    assert texts[-2] == "hello there" and "mock" in texts[-1]
    at.run()
    texts = shown_texts(at)
    assert len(texts) == drawn(62) and texts[-2] == "hello there"  # the window follows the chat
    assert earlier_button(at)


def test_a_short_chat_has_no_earlier_messages_button(at):
    fill(at, 2)
    at.run()
    assert len(shown_texts(at)) == 4 and not earlier_button(at)


def test_a_finished_answer_has_its_actions_at_once_and_only_the_last_offers_regenerate(at):
    at.chat_input(key="prompt").set_value("hello").run()
    at.chat_input(key="prompt").set_value("Write a long guide to databases").run()
    labels = [b.label for b in at.button]
    assert labels.count("Regenerate") == 1 and labels.count("Edit") == 2
    assert len(at.chat_message) == 4
    shown = shown_texts(at)
    assert len(shown[-1]) > 5000  # the long answer, drawn in several blocks
    at.run()  # the page drawn again from the saved records looks the same
    assert shown_texts(at) == shown
    [b for b in at.button if b.label == "Regenerate"][0].click().run()
    assert len(at.chat_message) == 4 and len(shown_texts(at)[-1]) > 5000


def test_a_new_chat_is_in_the_recent_chats_as_soon_as_its_first_answer_ends(at):
    at.chat_input(key="prompt").set_value("hello").run()
    cid = at.session_state["chat_session"].conversation.id
    assert [b for b in at.sidebar.button if b.key == f"recent-{cid}"]
    assert "Recent chats" in [c.value for c in at.sidebar.caption]
    at.chat_input(key="prompt").set_value("hello again").run()
    assert len([b for b in at.sidebar.button if b.key == f"recent-{cid}"]) == 1
