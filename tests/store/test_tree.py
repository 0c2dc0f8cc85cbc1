"""The tree of versions in the store (SQLite and PostgreSQL): parents, the path shown,
switching that survives a reload, old straight chats migrated, and the chat rules on any branch."""

from __future__ import annotations

import time

from sqlalchemy import insert, text

from chatcore.archive import ChatArchive
from chatcore.conversation import UserEntry
from chatcore.mock.options import MockOptions
from chatcore.session import ChatSession
from chatcore.settings import GenerationSettings, ProviderConfig
from chatcore.store import MIGRATIONS, ChatStore
from chatcore.store.schema import schema_migrations
from chatcore.store.tree import ROOT, choose_leaf
from chatcore.turn import Turn
from chatcore.visitor import Visitor, link_owner

from .conftest import Clock
from .turns import complete_turn as answered

MOCK = ProviderConfig()
GEN = GenerationSettings()
FAST = MockOptions(ttft=0, chunk_delay=0)
SLOW = MockOptions(ttft=0, chunk_delay=0.002)


def words(conversation) -> list[str]:
    return [e.content if isinstance(e, UserEntry) else e.text for e in conversation.entries]


def test_a_second_answer_to_a_prompt_is_a_sibling_and_the_newest_is_shown(store):
    cid = store.create_conversation("me")
    q = store.add_user_message(cid, "me", "q")
    store.finish(store.start_assistant(cid, "me", answered("A1")), answered("A1"))
    store.finish(a2 := store.start_assistant(cid, "me", answered("A2"), parent_id=q), answered("A2"))
    loaded = store.load(cid, "me")
    assert words(loaded) == ["q", "A2"] and loaded.entries[1].message_id == a2
    assert [v.label for v in loaded.versions()] == ["1 / 1", "2 / 2"]
    assert loaded.switch_version(1, 0) and words(loaded) == ["q", "A1"]


def test_the_path_chosen_is_remembered_and_the_next_message_follows_it(store):
    cid = store.create_conversation("me")
    q = store.add_user_message(cid, "me", "q")
    a1 = store.start_assistant(cid, "me", answered("A1"))
    store.start_assistant(cid, "me", answered("A2"), parent_id=q)
    other = store.create_conversation("me")
    with store.transaction("switch", write=True) as conn:
        assert choose_leaf(conn, cid, "me", a1)
        assert not choose_leaf(conn, cid, "someone else", a1)  # not theirs
        assert not choose_leaf(conn, other, "me", a1)  # not a message of that conversation
    assert words(store.load(cid, "me")) == ["q", "A1"]
    store.add_user_message(cid, "me", "q2")  # a writer that knows nothing of versions: after the path shown
    assert words(store.load(cid, "me")) == ["q", "A1", "q2"]


def test_a_new_first_prompt_is_a_version_of_the_first(store):
    cid = store.create_conversation("me")
    store.add_user_message(cid, "me", "first")
    store.start_assistant(cid, "me", answered("A"))
    store.add_user_message(cid, "me", "first, edited", parent_id=ROOT)
    loaded = store.load(cid, "me")
    assert words(loaded) == ["first, edited"] and loaded.versions()[0].label == "2 / 2"
    assert loaded.switch_version(0, 0) and words(loaded) == ["first", "A"]


def test_a_straight_chat_from_before_versions_is_migrated_to_a_line(db_url):
    with ChatStore(db_url) as store:
        with store.engine.begin() as conn:
            schema_migrations.create(conn, checkfirst=True)
            for fn in MIGRATIONS:
                if fn.__name__ == "m011_message_tree":
                    break
                fn(conn)
                conn.execute(insert(schema_migrations).values(name=fn.__name__, applied_at=0.0))
            conn.execute(text("INSERT INTO conversations (id, owner, title, created_at, updated_at, model, next_seq)"
                              " VALUES ('old-chat-0123456789', 'me', 't', 1, 1, '', 4)"))
            for seq, role, content in [(0, "user", "q1"), (1, "assistant", "a1"), (2, "user", "q2"), (3, "assistant", "a2")]:
                conn.execute(text("INSERT INTO messages (conversation_id, seq, role, content, reasoning, status, created_at,"
                                  " updated_at, model) VALUES ('old-chat-0123456789', :seq, :role, :content, '', 'complete',"
                                  " 1, 1, '')"), {"seq": seq, "role": role, "content": content})
        assert "m011_message_tree" in store.migrate()
        loaded = store.load("old-chat-0123456789", "me")
        assert [e.content if isinstance(e, UserEntry) else e.text for e in loaded.entries] == ["q1", "a1", "q2", "a2"]
        assert all(v.count == 1 for v in loaded.versions())
        store.add_user_message("old-chat-0123456789", "me", "q3")  # goes on after the last one
        assert words(store.load("old-chat-0123456789", "me"))[-1] == "q3"


def test_an_answer_cut_off_on_a_branch_not_shown_is_interrupted_too(make_store):
    clock = Clock()
    store = make_store(clock=clock, stale_after=15)
    cid = store.create_conversation("me")
    q = store.add_user_message(cid, "me", "q")
    cut = store.start_assistant(cid, "me", Turn())  # streaming; its writer dies
    store.finish(store.start_assistant(cid, "me", answered("A2"), parent_id=q), answered("A2"))
    clock.advance(60)
    loaded = store.load(cid, "me")
    assert words(loaded) == ["q", "A2"]
    loaded.switch_version(1, 0)
    assert loaded.entries[1].message_id == cut and loaded.entries[1].status == "interrupted"


# ------------------------------------------------------------ the chat, saved as it happens
def chat(store: ChatStore) -> ChatSession:
    return ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key="tab")))


def run(session: ChatSession, live) -> None:
    for _ in session.events(live):
        pass
    assert session.wait_saved(5)


def reloaded(store: ChatStore, session: ChatSession):
    cid = session.conversation.id
    return store.load(cid, link_owner(cid))


def test_regenerate_keeps_every_answer_and_a_switch_survives_a_reload(store):
    session = chat(store)
    run(session, session.send("hello", MOCK, GEN, FAST))
    first = session.conversation.last_turn.message_id
    for _ in range(2):
        session.drop_last_answer()
        run(session, session.send(None, MOCK, GEN, FAST))
    loaded = reloaded(store, session)
    assert len(loaded.entries) == 2 and loaded.versions()[1].label == "3 / 3"
    assert session.switch_version(1, 0)
    loaded = reloaded(store, session)
    assert loaded.entries[1].message_id == first and loaded.versions()[1].label == "1 / 3"
    run(session, session.send("and then?", MOCK, GEN, FAST))  # continues from the answer shown
    again = reloaded(store, session)
    assert again.entries[1].message_id == first and words(again)[2] == "and then?" and len(again.entries) == 4


def test_edit_keeps_the_original_branch_in_the_store(store):
    session = chat(store)
    run(session, session.send("hello", MOCK, GEN, FAST))
    run(session, session.send("What is 2+2?", MOCK, GEN, FAST))
    assert session.edit_prompt(2) == "What is 2+2?"
    assert len(reloaded(store, session).entries) == 4  # not sent yet: a reload still shows the old path
    run(session, session.send("What is 3+3?", MOCK, GEN, FAST))
    loaded = reloaded(store, session)
    assert words(loaded)[:3] == ["hello", words(loaded)[1], "What is 3+3?"] and loaded.versions()[2].label == "2 / 2"
    assert loaded.switch_version(2, 0) and words(loaded)[2] == "What is 2+2?" and len(loaded.entries) == 4


def test_stop_and_continue_work_on_a_branch_switched_back_to(store):
    session = chat(store)
    live = session.send("Write a long answer about rivers", MOCK, GEN, SLOW)
    events = session.events(live)
    for _ in range(40):
        next(events)
    session.stop()
    for _ in events:
        pass
    assert session.wait_saved(5)
    session.drop_last_answer()
    run(session, session.send(None, MOCK, GEN, FAST))
    assert session.switch_version(1, 0) and session.can_continue()
    session.reload()  # as after a refresh: the stopped version is the one shown
    assert session.conversation.entries[1].status == "stopped" and session.can_continue()
    run(session, session.continue_answer(MOCK, GEN, FAST))
    loaded = reloaded(store, session)
    assert loaded.entries[1].status == "complete" and loaded.versions()[1].label == "1 / 2"
    loaded.switch_version(1, 1)
    assert loaded.entries[1].status == "complete"


def test_history_search_finds_text_in_any_version(store):
    session = chat(store)
    run(session, session.send("the zebra prompt", MOCK, GEN, FAST))
    session.edit_prompt(0)
    run(session, session.send("the okapi prompt", MOCK, GEN, FAST))
    archive = session.archive
    assert archive is not None
    assert [s.id for s in archive.list("zebra")] == [session.conversation.id]  # a version not shown
    assert [s.id for s in archive.list("okapi")] == [session.conversation.id]
    assert archive.list("giraffe") == []


def test_switching_is_kept_apart_per_conversation_and_cheap(store):
    session = chat(store)
    run(session, session.send("hello", MOCK, GEN, FAST))
    session.drop_last_answer()
    run(session, session.send(None, MOCK, GEN, FAST))
    updated = store.list_conversations(session.archive.visitor.creator)[0].updated_at
    time.sleep(0.01)
    assert session.switch_version(1, 0)
    assert store.list_conversations(session.archive.visitor.creator)[0].updated_at == updated  # not "new activity"


def test_another_tab_follows_a_regenerated_answer_as_it_streams(store):
    writer, watcher = chat(store), ChatSession(archive=ChatArchive(store, Visitor(user_id=None, browser_key="tab")))
    run(writer, writer.send("hello", MOCK, GEN, FAST))
    assert watcher.open_conversation(writer.conversation.id)
    writer.drop_last_answer()
    live = writer.send(None, MOCK, GEN, MockOptions(scenario="long", ttft=0, chunk_delay=0.002))  # a new version, streaming
    events = writer.events(live)
    for _ in range(20):
        next(events)
    assert watcher.reload()
    assert watcher.written_elsewhere  # its page follows the new version through the store
    assert watcher.conversation.versions()[1].label == "2 / 2"
    writer.stop()
    for _ in events:
        pass
    assert writer.wait_saved(5) and watcher.reload() and not watcher.written_elsewhere
    assert watcher.conversation.entries[1].status == "stopped"
