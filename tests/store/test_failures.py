"""A database failure reaches the caller as one StoreError, in words a user understands."""

from __future__ import annotations

import sqlite3

import pytest

from chatcore.store import ChatStore, StoreError
from chatcore.turn import Turn

from .pg_server import free_port


def test_a_locked_database_says_so(tmp_path):
    path = tmp_path / "chat.sqlite3"
    with ChatStore(f"sqlite:///{path}", busy_timeout=0.2) as store:
        store.migrate()
        cid = store.create_conversation("me")
        blocker = sqlite3.connect(path, isolation_level=None)
        blocker.execute("BEGIN EXCLUSIVE")  # another process holds the write lock
        try:
            with pytest.raises(StoreError) as info:
                store.add_user_message(cid, "me", "hello")
        finally:
            blocker.execute("ROLLBACK")
            blocker.close()
        assert str(info.value) == "Could not save the conversation: database is locked"
        assert info.value.to_event().kind == "store" and info.value.to_event().retryable
        store.add_user_message(cid, "me", "hello")  # and it recovers once the lock is gone
        assert len(store.load(cid, "me").entries) == 1


def test_a_read_only_database_refuses_writes_but_still_reads(tmp_path):
    path = tmp_path / "chat.sqlite3"
    with ChatStore(f"sqlite:///{path}") as store:
        store.migrate()
        cid = store.create_conversation("me", title="kept")
    with ChatStore(f"sqlite:///file:{path}?mode=ro&uri=true") as read_only:
        assert read_only.load(cid, "me").title == "kept"
        with pytest.raises(StoreError, match=r"^Could not save the conversation: attempt to write a readonly database"):
            read_only.add_user_message(cid, "me", "hello")
        with pytest.raises(StoreError):
            read_only.checkpoint(1, Turn())


def test_a_directory_where_the_file_should_be(tmp_path):
    store = ChatStore(f"sqlite:///{tmp_path}")
    with pytest.raises(StoreError, match=r"^Could not set up the conversation store: unable to open database file"):
        store.migrate()
    with pytest.raises(StoreError, match=r"^Could not load your conversations: "):
        store.list_conversations("me")
    store.close()


def test_a_folder_that_cannot_be_created(tmp_path):
    (tmp_path / "a-file").write_text("x")
    with pytest.raises(StoreError, match=r"^Could not set up the conversation store: "):
        ChatStore(f"sqlite:///{tmp_path / 'a-file' / 'sub' / 'chat.sqlite3'}")


def test_tables_missing_is_a_store_error_too(tmp_path):
    never_migrated = ChatStore(f"sqlite:///{tmp_path / 'chat.sqlite3'}")
    with never_migrated as store, pytest.raises(StoreError, match="no such table"):
        store.create_conversation("me")


def test_postgresql_down_fails_fast_with_a_store_error():
    pytest.importorskip("psycopg", reason="psycopg not installed")
    url = f"postgresql+psycopg://nobody:hunter2-pw@127.0.0.1:{free_port()}/chat"
    with ChatStore(url, busy_timeout=2) as store:
        assert "hunter2-pw" not in repr(store)
        with pytest.raises(StoreError) as info:
            store.migrate()
        with pytest.raises(StoreError, match=r"^Could not load the conversation: "):
            store.load("x", "me")
    assert str(info.value).startswith("Could not set up the conversation store: ")
    assert "hunter2-pw" not in str(info.value)


def test_a_row_locked_elsewhere_on_postgresql_fails_instead_of_hanging(request):
    postgres = request.getfixturevalue("postgres")
    url = postgres.fresh_url()
    with ChatStore(url, busy_timeout=0.3) as store:
        store.migrate()
        cid = store.create_conversation("me")
        with store.engine.connect() as other, other.begin():  # another process holds the conversation's row
            other.exec_driver_sql("SELECT id FROM conversations WHERE id = %(id)s FOR UPDATE", {"id": cid})
            with pytest.raises(StoreError, match=r"^Could not save the conversation: .*lock timeout"):
                store.add_user_message(cid, "me", "hello")
        store.add_user_message(cid, "me", "hello")
        assert len(store.load(cid, "me").entries) == 1
