"""Who started a conversation: only they rename or delete it; link holders read and continue.

Also the upgrade of a database made before creators were recorded (m003), and the
per-visitor limits (``ChatArchive.check_room``). SQLite and PostgreSQL alike.
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import insert, select, text

from chatcore.archive import ChatArchive
from chatcore.conversation import Conversation, new_conversation_id
from chatcore.store import MIGRATIONS, ChatStore
from chatcore.store.migrations import applied_migrations
from chatcore.store.schema import conversations, schema_migrations
from chatcore.visitor import Visitor, VisitorLimits, browser_creator, link_owner, new_browser_key

from .turns import complete_turn

BEFORE_CREATORS = [fn for fn in MIGRATIONS if fn.__name__ < "m003"]


def anonymous_chat(store: ChatStore, creator: str, prompt: str = "my plans") -> str:
    """What an anonymous visitor's first prompt stores: owned by its link, created by their browser."""
    cid = new_conversation_id()
    store.create_conversation(link_owner(cid), conversation_id=cid, creator=creator)
    store.add_user_message(cid, link_owner(cid), prompt)
    turn = complete_turn("an answer")
    store.finish(store.start_assistant(cid, link_owner(cid), turn), turn)
    return cid


def test_the_creator_is_recorded_and_lists_renames_and_deletes(store):
    ann = browser_creator(new_browser_key())
    cid = anonymous_chat(store, ann)
    [summary] = store.list_conversations(ann)
    assert summary.id == cid and summary.is_creator and summary.message_count == 2
    with store.engine.connect() as conn:
        assert conn.execute(select(conversations.c.creator).where(conversations.c.id == cid)).scalar() == ann
    assert store.rename(cid, ann, "Ann's renamed plans")
    assert store.list_conversations(ann)[0].title == "Ann's renamed plans"
    assert store.delete(cid, ann)
    assert store.load(cid, None) is None and store.list_conversations(ann) == []


def test_a_link_holder_continues_but_the_store_refuses_their_rename_and_delete(store):
    ann, bob = browser_creator(new_browser_key()), browser_creator(new_browser_key())
    cid = anonymous_chat(store, ann)
    owner = link_owner(cid)  # what a link holder writes with
    store.add_user_message(cid, owner, "bob continues")  # read and continue: allowed
    assert len(store.load(cid, None).entries) == 3
    for who in (bob, owner, "browser:", "", "%"):
        assert store.rename(cid, who, "pwned") is False, who
        assert store.delete(cid, who) is False, who
    conversation = store.load(cid, None)
    assert conversation.title == "my plans" and len(conversation.entries) == 3
    # bob lists it only as opened by link, never as his
    assert store.list_conversations(bob) == []
    [linked] = store.list_conversations(bob, ids=[cid])
    assert linked.id == cid and linked.is_creator is False


def test_the_list_is_by_creator_not_by_owner(store):
    ann, bob = browser_creator(new_browser_key()), browser_creator(new_browser_key())
    anns = {anonymous_chat(store, ann, f"ann {i}") for i in range(3)}
    bobs = anonymous_chat(store, bob, "bob")
    assert {s.id for s in store.list_conversations(ann)} == anns
    assert [s.id for s in store.list_conversations(bob)] == [bobs]
    titled = {s.id for s in store.list_conversations(ann) if s.title == "ann 1"}
    assert {s.id for s in store.list_conversations(ann, search="ann 1")} == titled and len(titled) == 1
    assert len(store.answer_figures(ann)) == 3 and len(store.answer_figures(bob)) == 1


def test_renaming_or_deleting_needs_a_creator(store):
    cid = anonymous_chat(store, browser_creator(new_browser_key()))
    with pytest.raises(TypeError):
        store.rename(cid, None, "x")  # type: ignore[arg-type]
    with pytest.raises(TypeError):
        store.delete(cid, None)  # type: ignore[arg-type]


# ---------------------------------------------------------------- upgrading an older database
def migrate_to_before_creators(store: ChatStore) -> None:
    with store.engine.begin() as conn:
        schema_migrations.create(conn, checkfirst=True)
        for fn in BEFORE_CREATORS:
            fn(conn)
            conn.execute(insert(schema_migrations).values(name=fn.__name__, applied_at=time.time()))


def old_row(conn, cid: str, owner: str, title: str) -> None:
    conn.execute(
        text("INSERT INTO conversations (id, owner, title, created_at, updated_at, model, next_seq) "
             "VALUES (:id, :owner, :title, 1.0, 2.0, 'm', 0)"),
        {"id": cid, "owner": owner, "title": title},
    )


def test_an_older_database_gains_creators_without_losing_anything(db_url):
    with ChatStore(db_url) as store:
        migrate_to_before_creators(store)
        with store.engine.begin() as conn:
            assert "creator" not in {c["name"] for c in conn.dialect.get_columns(conn, "conversations")}
            old_row(conn, "A" * 24, "user:alice", "alice's")
            old_row(conn, "L" * 24, link_owner("L" * 24), "shared by link")
        applied = store.migrate()
        assert applied == [fn.__name__ for fn in MIGRATIONS if fn.__name__ >= "m003"] and "m003_conversation_creator" in applied
        with store.engine.connect() as conn:
            assert applied_migrations(conn) == [fn.__name__ for fn in MIGRATIONS]
        # an account's conversation: its owner started it, and still lists, renames, deletes it
        [alices] = store.list_conversations("user:alice")
        assert alices.id == "A" * 24 and alices.is_creator
        assert store.rename("A" * 24, "user:alice", "renamed")
        # an old link-owned one: nobody knows which browser started it, so nobody renames or deletes it...
        linked = "L" * 24
        for who in (link_owner(linked), browser_creator(new_browser_key()), "user:alice"):
            assert store.rename(linked, who, "pwned") is False
            assert store.delete(linked, who) is False
        # ...and its link still reads and continues it
        store.add_user_message(linked, link_owner(linked), "still here")
        assert store.load(linked, None).title == "shared by link"
        assert [e.content for e in store.load(linked, None).entries] == ["still here"]
        # its size counts on its own (no creator to add it to), and writing to it starts nothing new
        usage, new = store.usage(browser_creator(new_browser_key()), linked)
        assert not new and usage.conversations == 1 and usage.stored_chars == len("still here")


# ---------------------------------------------------------------- limits
def archive_for(store: ChatStore, limits: VisitorLimits, key: str | None = None) -> ChatArchive:
    return ChatArchive(store, Visitor(user_id=None, browser_key=key or new_browser_key()), limits=limits)


def start(archive: ChatArchive, prompt: str) -> Conversation:
    conversation = Conversation()
    entry = conversation.add_user(prompt)
    archive.save_prompt(conversation, entry, {})
    return conversation


def test_usage_counts_conversations_and_stored_characters(store):
    ann = browser_creator(new_browser_key())
    assert store.usage(ann)[0].conversations == 0 and store.usage(ann)[0].stored_chars == 0
    anonymous_chat(store, ann, "x" * 1000)
    anonymous_chat(store, ann, "y" * 2000)
    usage, new = store.usage(ann)
    assert new and usage.conversations == 2
    assert 3000 < usage.stored_chars < 3000 + 2 * 2000  # the prompts, plus two short answers with their records


def test_over_the_conversation_limit_a_new_chat_is_refused_but_an_old_one_goes_on(store):
    archive = archive_for(store, VisitorLimits(max_conversations=2, max_stored_bytes=10**9))
    first = start(archive, "one")
    assert archive.check_room(10) is None
    start(archive, "two")
    refusal = archive.check_room(10)
    assert refusal is not None and "2 saved conversations" in refusal and "Delete old chats" in refusal
    assert archive.check_room(10, Conversation().id) == refusal  # a chat not saved yet is a new one
    assert archive.check_room(10, first.id) is None  # the existing one may go on
    assert archive_for(store, VisitorLimits(max_conversations=2)).check_room(10) is None  # another browser has room
    archive.delete(first.id)
    assert archive.check_room(10) is None  # deleting makes room


def test_over_the_byte_limit_any_prompt_is_refused(store):
    archive = archive_for(store, VisitorLimits(max_conversations=100, max_stored_bytes=5000))
    chat = start(archive, "z" * 4000)
    assert archive.check_room(900, chat.id) is None
    refusal = archive.check_room(1500, chat.id)
    assert refusal is not None and "per visitor" in refusal and "Delete old chats" in refusal
    assert archive.check_room(1500) is not None  # nor in a new chat
    assert archive.check_room(20_000_000) is not None  # a 20 MB prompt, with a fresh budget too:
    assert archive_for(store, VisitorLimits(max_stored_bytes=5000)).check_room(20_000_000) is not None


def test_a_link_holder_fills_the_creators_room_not_a_fresh_one(store):
    limits = VisitorLimits(max_conversations=100, max_stored_bytes=5000)
    ann = archive_for(store, limits)
    chat = start(ann, "a" * 4500)
    bob = archive_for(store, limits)
    assert bob.open(chat.id) is not None
    assert bob.check_room(1000, chat.id) is not None  # Ann's conversation is full, whoever writes
    assert bob.check_room(1000) is None  # Bob's own new chat has room


def test_limits_come_from_secrets_then_the_environment():
    env = {"CHAT_MAX_CONVERSATIONS_PER_VISITOR": "7", "CHAT_MAX_STORED_BYTES_PER_VISITOR": "1_000"}
    assert VisitorLimits.from_sources(env) == VisitorLimits(max_conversations=7, max_stored_bytes=1000)
    assert VisitorLimits.from_sources(env, {"CHAT_MAX_CONVERSATIONS_PER_VISITOR": 9}).max_conversations == 9
    assert VisitorLimits.from_sources({}) == VisitorLimits(max_conversations=500, max_stored_bytes=50_000_000)
    assert VisitorLimits.from_sources({"CHAT_MAX_CONVERSATIONS_PER_VISITOR": "lots"}).max_conversations == 500
    assert VisitorLimits.from_sources({"CHAT_MAX_CONVERSATIONS_PER_VISITOR": "0"}).max_conversations == 500

