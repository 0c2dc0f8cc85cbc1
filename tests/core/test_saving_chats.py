"""A chat is saved as it happens: the prompt before the request, the answer while it streams.

Real SQLite store in the test's tmp dir, the built-in mock provider (same code path as a
real server). What is checked is what a user would find after a refresh or a restart.
"""

from __future__ import annotations

import time

import pytest

from chatcore.archive import ChatArchive
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import ChatStore, StoreError
from chatcore.visitor import Visitor, link_owner

MOCK = ProviderConfig()
GEN = GenerationSettings()
FAST = MockOptions(ttft=0, chunk_delay=0)
SLOW = MockOptions(ttft=0, chunk_delay=0.01)


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def anonymous(key: str = "tab-1") -> Visitor:
    return Visitor(user_id=None, browser_key=key)


def session_on(store: ChatStore, visitor: Visitor | None = None, **options) -> ChatSession:
    return ChatSession(archive=ChatArchive(store, visitor or anonymous(), **options))


def finish(session: ChatSession, active) -> None:
    for _ in session.events(active):
        pass
    assert session.wait_saved(5)


def reloaded(store: ChatStore, session: ChatSession):
    cid = session.conversation.id
    return store.load(cid, link_owner(cid))


def test_the_prompt_is_saved_before_the_request_goes_out(store):
    session = session_on(store)
    # The answer runs detached: a first byte a second away keeps it streaming while we look
    # (with an instant mock it could already be complete and saved as such).
    active = session.send("hello", MOCK, GEN, MockOptions(ttft=1.0, chunk_delay=0))
    conversation = reloaded(store, session)
    assert [e.content for e in conversation.entries[:1]] == ["hello"]
    assert conversation.entries[1].status == "streaming" and conversation.title == "hello"
    finish(session, active)


def test_a_finished_answer_is_stored_complete_with_its_tool_calls(store):
    session = session_on(store)
    finish(session, session.send("What is 23*17+4?", MOCK, GEN, FAST))
    user, answer = reloaded(store, session).entries
    assert answer.status == "complete" and "395" in answer.text
    [call] = answer.tool_calls.values()
    assert call.name == "calculator" and call.state == "complete" and call.duration is not None
    assert answer.first_token_s is not None and answer.total_s is not None


def test_the_answer_is_checkpointed_while_it_streams(store):
    session = session_on(store, checkpoint_interval=0.1)
    active = session.send("Write a long answer about rivers", MOCK, GEN, SLOW)
    events = session.events(active)
    deadline = time.monotonic() + 10
    while len(active.turn.text) < 300:
        next(events)
        assert time.monotonic() < deadline
    time.sleep(0.3)  # a few checkpoint ticks
    saved = reloaded(store, session).entries[1]
    assert saved.status == "streaming"
    assert len(saved.text) >= 300 and active.turn.text.startswith(saved.text)
    session.stop()
    for _ in events:
        pass
    assert session.wait_saved(5)
    stopped = reloaded(store, session).entries[1]
    assert stopped.status == "stopped" and stopped.text == active.turn.text and stopped.end_message == "Stopped."


def test_an_error_answer_is_stored_as_error_with_its_message(store):
    session = session_on(store)
    finish(session, session.send("Please [fault:401]", MOCK, GEN.with_changes(), FAST))
    answer = reloaded(store, session).entries[1]
    assert answer.status == "error" and "401" in answer.error.message


class FlakyStore:
    """The real store, except that saving the answer fails while ``broken`` is set."""

    def __init__(self, store: ChatStore) -> None:
        self._store = store
        self.broken = True

    def __getattr__(self, name):
        return getattr(self._store, name)

    def checkpoint(self, message_id, turn):
        if self.broken:
            raise StoreError("Could not save the conversation: database is locked", reason="database is locked")
        return self._store.checkpoint(message_id, turn)

    def finish(self, message_id, turn):
        return self.checkpoint(message_id, turn) and self._store.finish(message_id, turn)


def test_a_store_failure_mid_answer_is_reported_and_never_stops_the_answer(store):
    flaky = FlakyStore(store)
    session = ChatSession(archive=ChatArchive(flaky, anonymous(), checkpoint_interval=0.05))  # type: ignore[arg-type]
    active = session.send("Write a long answer about rivers", MOCK, GEN, MockOptions(ttft=0, chunk_delay=0.0002))
    for _ in session.events(active):
        pass
    session.wait_saved(5)
    assert active.turn.status == "complete" and len(active.turn.text) > 10_000  # the whole answer came
    assert "database is locked" in session.storage_problem
    # The database recovers: the next answer is saved and the warning goes away.
    flaky.broken = False
    finish(session, session.send("hello", MOCK, GEN, FAST))
    assert session.storage_problem is None
    entries = reloaded(store, session).entries
    assert [type(e).__name__ for e in entries] == ["UserEntry", "Turn", "UserEntry", "Turn"]
    assert entries[1].status == "streaming"  # never finished in the store: shown as interrupted once stale
    assert entries[3].status == "complete"


def test_a_store_that_is_down_from_the_start_leaves_the_chat_working(store):
    class DownStore(FlakyStore):
        def create_conversation(self, *args, **kwargs):
            raise StoreError("Could not save the conversation: unable to open database file")

    session = ChatSession(archive=ChatArchive(DownStore(store), anonymous()))  # type: ignore[arg-type]
    finish(session, session.send("hello", MOCK, GEN, FAST))
    assert session.conversation.last_turn.status == "complete"
    assert "unable to open database file" in session.storage_problem


def test_regenerate_and_edit_show_the_new_version_after_a_reload_and_keep_the_old(store):
    session = session_on(store)
    finish(session, session.send("hello", MOCK, GEN, FAST))
    finish(session, session.send("What is 2+2?", MOCK, GEN, FAST))
    assert session.drop_last_answer()
    finish(session, session.send(None, MOCK, GEN, FAST))
    assert len(reloaded(store, session).entries) == 4
    assert reloaded(store, session).versions()[3].label == "2 / 2"
    assert session.edit_prompt(2) == "What is 2+2?"
    finish(session, session.send("What is 3+3?", MOCK, GEN, FAST))
    shown = reloaded(store, session)
    assert [e.content for e in shown.entries if hasattr(e, "content")] == ["hello", "What is 3+3?"]
    assert shown.versions()[2].label == "2 / 2"


def test_continue_is_stored_as_one_answer_that_replays_as_sent(store):
    session = session_on(store)
    active = session.send("Write a long answer about rivers", MOCK, GEN, SLOW)
    events = session.events(active)
    for _ in range(30):
        next(events)
    session.stop()
    for _ in events:
        pass
    assert session.wait_saved(5)
    assert reloaded(store, session).entries[1].status == "stopped"
    finish(session, session.continue_answer(MOCK, GEN, FAST))
    loaded = reloaded(store, session)
    [prompt, answer] = loaded.entries  # no second bubble, no hidden instruction stored
    assert prompt.content == "Write a long answer about rivers"
    assert answer.status == "complete" and answer.end_message == ""
    assert answer.text == session.conversation.last_turn.text
    assert loaded.history_messages() == session.conversation.history_messages()
    assert loaded.title == "Write a long answer about rivers"


def test_a_reopened_conversation_goes_on_where_it_was(store):
    first = session_on(store, anonymous("tab-1"))
    finish(first, first.send("hello", MOCK, GEN, FAST))
    cid = first.conversation.id
    # A refresh: a new browser session that holds the link.
    second = session_on(store, anonymous("tab-2"))
    assert second.open_conversation(cid)
    finish(second, second.send("What is 2+2?", MOCK, GEN, FAST))
    assert len(store.load(cid, link_owner(cid)).entries) == 4
    assert [s.id for s in second.archive.list()] == [cid]


def test_settings_are_stored_without_the_key(store):
    session = session_on(store)
    secret = "sk-test-" + "x" * 20
    config = ProviderConfig(kind="mock", api_key=secret)
    finish(session, session.send("hello", config, GEN.with_changes(temperature=0.3), FAST))
    settings = store.get_settings(session.conversation.id, link_owner(session.conversation.id))
    assert settings["temperature"] == 0.3 and settings["model"] == "mock-gpt"
    with store.engine.connect() as conn:
        dump = "\n".join(conn.connection.iterdump())
    assert secret not in dump
