"""A browser's identity: a random key whose hash (never the key) names what it created.

Checked through ``ChatArchive`` on a real SQLite store: the same key later (a reload, a new
tab, a restored browser) finds its chats; another key finds none; an account is the same
account whatever browser it signs in from.
"""

from __future__ import annotations

import pytest
from sqlalchemy import select

from chatcore.archive import ChatArchive
from chatcore.conversation import Conversation
from chatcore.store import ChatStore
from chatcore.store.schema import conversations
from chatcore.visitor import Visitor, browser_creator, looks_like_browser_key, new_browser_key


@pytest.fixture
def store(tmp_path):
    with ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}") as store:
        store.migrate()
        yield store


def start_chat(archive: ChatArchive, prompt: str) -> str:
    conversation = Conversation()
    archive.save_prompt(conversation, conversation.add_user(prompt), {})
    return conversation.id


def test_a_key_has_at_least_128_random_bits_and_only_its_hash_is_stored(store):
    keys = {new_browser_key() for _ in range(100)}
    assert len(keys) == 100 and all(len(k) >= 43 and looks_like_browser_key(k) for k in keys)  # 43 chars = 256 bits
    key = next(iter(keys))
    cid = start_chat(ChatArchive(store, Visitor(None, key)), "hello")
    with store.engine.connect() as conn:
        stored = conn.execute(select(conversations.c.creator).where(conversations.c.id == cid)).scalar()
        dump = "\n".join(conn.connection.driver_connection.iterdump())  # everything in the database
    assert stored == browser_creator(key) and key not in dump
    assert key not in repr(Visitor(None, key))  # nor in logs


def test_junk_in_the_cookie_is_not_taken_for_a_key():
    for junk in (None, "", "short", "a" * 31, "x" * 200, "has space" * 5, "é" * 40, "ab;cd" * 10, 42):
        assert not looks_like_browser_key(junk)


def test_the_same_browser_later_finds_its_chats_and_another_does_not(store):
    key = new_browser_key()
    cid = start_chat(ChatArchive(store, Visitor(None, key)), "my plans")
    later = ChatArchive(store, Visitor(None, key))  # a reload, a new tab, the browser restarted
    assert [s.id for s in later.list()] == [cid] and later.list()[0].is_creator
    assert later.rename(cid, "renamed")
    other = ChatArchive(store, Visitor(None, new_browser_key()))
    assert other.list() == [] and other.rename(cid, "pwned") is False and other.delete(cid) is False


def test_an_account_is_the_same_from_any_browser(store):
    cid = start_chat(ChatArchive(store, Visitor("alice", new_browser_key())), "alice's")
    elsewhere = ChatArchive(store, Visitor("alice", new_browser_key()))
    assert [s.id for s in elsewhere.list()] == [cid] and elsewhere.delete(cid)
