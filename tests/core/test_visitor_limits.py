"""Per-visitor limits as the chat meets them: ``ChatSession.no_room`` before ``send``."""

from __future__ import annotations

import pytest

from chatcore.archive import ChatArchive
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore
from chatcore.visitor import Visitor, VisitorLimits, new_browser_key

FAST = MockOptions(ttft=0, chunk_delay=0)


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def answered(session: ChatSession, prompt: str) -> None:
    live = session.send(prompt, ProviderConfig(), GenerationSettings(), FAST)
    for _ in session.events(live):
        pass
    assert session.wait_saved(5)


def test_a_visitor_at_the_conversation_limit_is_told_to_delete_old_chats(store):
    limits = VisitorLimits(max_conversations=1, max_stored_bytes=10**9)
    session = ChatSession(archive=ChatArchive(store, Visitor(None, new_browser_key()), limits=limits))
    assert session.no_room("hello") is None
    answered(session, "hello")
    assert session.no_room("and more") is None  # the same chat goes on
    session.new_chat()
    refusal = session.no_room("a second chat")
    assert refusal is not None and "Delete old chats" in refusal


def test_a_prompt_bigger_than_the_room_left_is_refused(store):
    limits = VisitorLimits(max_conversations=10, max_stored_bytes=100_000)
    session = ChatSession(archive=ChatArchive(store, Visitor(None, new_browser_key()), limits=limits))
    assert session.no_room("x" * 50_000) is None
    assert "per visitor" in (session.no_room("x" * 200_000) or "")


def test_without_a_store_nothing_is_refused():
    assert ChatSession().no_room("x" * 10_000_000) is None
